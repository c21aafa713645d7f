package dev.diskstore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.postgres.PostgresIndex;
import dev.diskstore.spi.index.IndexProvider;
import dev.diskstore.testkit.postgres.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The index in PostgreSQL (testkit-postgres' embedded server, a fresh schema per test) and blobs in
 * S3 (S3Proxy), the shape of a store shared by many instances, from properties alone.
 */
class PostgresStoreTest {
  static final EmbeddedPostgresServer SERVER = EmbeddedPostgresServer.shared();

  @Test
  void twoContextsOnTheSameSettingsShareOneStoreInTheSchema() throws Exception {
    try (EmbeddedPostgresServer.FreshSchema schema = SERVER.freshSchema()) {
      String[] settings = settings(schema.name(), S3Proxies.newPrefix());
      AtomicReference<String> diskId = new AtomicReference<>();
      Contexts.runner().withPropertyValues(settings).run(first -> {
        assertThat(first).hasNotFailed().hasSingleBean(IndexProvider.class);
        assertThat(first.getBean(IndexProvider.class)).isInstanceOf(PostgresIndex.class);
        DiskStore store = first.getBean(DiskStore.class);
        diskId.set(store.disks().create().id());
        store.disks().artifacts().upsert(diskId.get(), FileUpload.ofText("pg.txt", "shared"));

        // a second instance, as another host would run it, while the first is open
        Contexts.runner().withPropertyValues(settings).run(second -> assertThat(
                LocalStoreTest.read(second.getBean(DiskStore.class), diskId.get(), "/", "pg.txt"))
            .isEqualTo("shared"));
      });
      assertThat(tablesIn(schema.name())).isPositive();
    }
  }

  @Test
  void anIndexProviderBeanWinsOverThePostgresProperties() throws Exception {
    try (EmbeddedPostgresServer.FreshSchema schema = SERVER.freshSchema()) {
      PostgresIndex mine = PostgresIndex.builder().jdbcUrl(SERVER.jdbcUrl()).user(SERVER.user())
          .password("x").schema(schema.name()).maximumPoolSize(2).build();
      Contexts.runner()
          // nothing listens there: the store opens only if the application's index is used
          .withPropertyValues(settings("unused", S3Proxies.newPrefix()))
          .withPropertyValues("diskstore.postgres.url=jdbc:postgresql://127.0.0.1:1/nothing")
          .withBean(IndexProvider.class, () -> mine)
          .run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(IndexProvider.class)).isSameAs(mine);
            assertThat(context.getBean(DiskStore.class).disks().create().id()).isNotBlank();
          });
      assertThat(tablesIn(schema.name())).isPositive();
    }
  }

  private static String[] settings(String schema, String s3Prefix) {
    String[] postgres = {
      "diskstore.postgres.url=" + SERVER.jdbcUrl(),
      "diskstore.postgres.user=" + SERVER.user(),
      "diskstore.postgres.password=any",
      "diskstore.postgres.schema=" + schema,
      "diskstore.postgres.pool-size=3"
    };
    String[] s3 = S3Proxies.properties(s3Prefix);
    String[] all = new String[postgres.length + s3.length];
    System.arraycopy(postgres, 0, all, 0, postgres.length);
    System.arraycopy(s3, 0, all, postgres.length, s3.length);
    return all;
  }

  private static int tablesIn(String schema) throws Exception {
    try (Connection c = SERVER.adminDataSource().getConnection();
        PreparedStatement s = c.prepareStatement(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ?")) {
      s.setString(1, schema);
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }
}
