package dev.diskstore.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.local.LocalBlobBackend;
import dev.diskstore.memory.InMemoryBlobBackend;
import dev.diskstore.testkit.postgres.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store whose index is shared across hosts needs blobs every host sees: a PostgreSQL index over
 * a host-local directory or memory is refused before anything is created, with a message that says
 * what to do; a directory declared mounted by every host is accepted.
 */
class SharedConfigurationTest {
  private static final EmbeddedPostgresServer SERVER = EmbeddedPostgresServer.shared();
  @TempDir Path dir;

  private static PostgresIndex index(String schema) {
    return PostgresIndex.builder().jdbcUrl(SERVER.jdbcUrl()).user(SERVER.user()).password("x")
        .schema(schema).maximumPoolSize(2).build();
  }

  private static boolean schemaExists(String schema) throws Exception {
    try (Connection c = SERVER.adminDataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement("SELECT count(*) FROM pg_namespace WHERE nspname = ?")) {
      s.setString(1, schema);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1) == 1;
      }
    }
  }

  @Test
  void aHostLocalDirectoryOrMemoryUnderASharedIndexIsRefusedBeforeAnythingIsCreated()
      throws Exception {
    try (EmbeddedPostgresServer.FreshSchema schema = SERVER.freshSchema()) {
      assertThatThrownBy(
              () -> DiskStore.open(DiskStoreConfig.builder().index(index(schema.name()))
                  .backend(LocalBlobBackend.at(dir.resolve("blobs"))).build()))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("shared by instances on several hosts")
          .hasMessageContaining(dir.resolve("blobs").toString())
          .hasMessageContaining("LocalBlobBackend.onSharedFileSystem")
          .hasMessageNotContaining("password");
      assertThatThrownBy(
              () -> DiskStore.open(DiskStoreConfig.builder().index(index(schema.name()))
                  .backend(new InMemoryBlobBackend()).build()))
          .isInstanceOf(InvalidRequestException.class);
      assertThat(schemaExists(schema.name())).isFalse();
    }
  }

  @Test
  void aDirectoryDeclaredMountedByEveryHostIsAccepted() throws Exception {
    try (EmbeddedPostgresServer.FreshSchema schema = SERVER.freshSchema()) {
      Path blobs = dir.resolve("shared-mount");
      try (DiskStore a = DiskStore.open(DiskStoreConfig.builder().index(index(schema.name()))
              .backend(LocalBlobBackend.onSharedFileSystem(blobs)).build());
          DiskStore b = DiskStore.open(DiskStoreConfig.builder().index(index(schema.name()))
              .backend(LocalBlobBackend.onSharedFileSystem(blobs)).build())) {
        String disk = a.disks().create().id();
        a.disks().artifacts().upsert(disk, FileUpload.of("n.txt", "shared".getBytes(UTF_8)),
            "/", null);
        try (var in = b.disks().artifacts().open(disk, "/", "n.txt")) {
          assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("shared");
        }
      }
    }
  }
}
