package dev.diskstore.postgres;

import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.local.LocalBlobBackend;
import dev.diskstore.spi.ContentParser;
import dev.diskstore.testkit.postgres.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Stores for the contract suites: the PostgreSQL index in a schema of its own per store directory
 * (so that a reopened store finds its index) and local blobs in the directory.
 */
final class PostgresStores {
  private static final Map<Path, String> SCHEMAS = new ConcurrentHashMap<>();

  private PostgresStores() {}

  static PostgresIndex indexFor(Path directory) {
    EmbeddedPostgresServer server = EmbeddedPostgresServer.shared();
    String schema =
        SCHEMAS.computeIfAbsent(directory.toAbsolutePath(), d -> server.freshSchema().name());
    return PostgresIndex.builder().jdbcUrl(server.jdbcUrl()).user(server.user()).password("x")
        .schema(schema).maximumPoolSize(4).build();
  }

  static DiskStore open(Path directory, @Nullable ContentParser parser) {
    DiskStoreConfig.Builder b =
        DiskStoreConfig.builder()
            .index(indexFor(directory))
            .backend(LocalBlobBackend.at(directory.resolve("blobs")));
    if (parser != null) {
      b.contentParser(parser).extractContentOnUpsert(true);
    }
    return DiskStore.open(b.build());
  }
}
