package dev.diskstore.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.testkit.ChildJvm;
import dev.diskstore.testkit.postgres.EmbeddedPostgresServer;
import dev.diskstore.testkit.postgres.EmbeddedPostgresServer.FreshSchema;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schema creation and migration on open, against a real server. */
class PgSchemaTest {
  private static final EmbeddedPostgresServer SERVER = EmbeddedPostgresServer.shared();
  private FreshSchema schema;

  @BeforeEach
  void freshSchema() {
    schema = SERVER.freshSchema();
  }

  @AfterEach
  void dropSchema() {
    schema.close();
  }

  private PostgresIndex config() {
    return PostgresIndex.builder().jdbcUrl(SERVER.jdbcUrl()).user(SERVER.user()).password("x")
        .schema(schema.name()).build();
  }

  private static int openAndReportVersionFound(PostgresIndex config) throws SQLException {
    return MigrateChild.openAndReportVersionFound(config);
  }

  @Test
  void eightThreadsAndAChildJvmOpeningAtOnceMigrateOnce(@TempDir Path dir) throws Exception {
    PostgresIndex config = config();
    long start = System.currentTimeMillis() + 2_000; // the child JVM needs time to start
    Path childOutput = dir.resolve("child.txt");
    Process child =
        ChildJvm.start(MigrateChild.class, List.of("-Xmx128m"),
            List.of(SERVER.jdbcUrl(), SERVER.user(), schema.name(), Long.toString(start)),
            childOutput);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CyclicBarrier barrier = new CyclicBarrier(8);
      List<Future<Integer>> found = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        found.add(pool.submit(() -> {
          barrier.await();
          Thread.sleep(Math.max(0, start - System.currentTimeMillis()));
          return openAndReportVersionFound(config);
        }));
      }
      List<Integer> versions = new ArrayList<>();
      for (Future<Integer> f : found) {
        versions.add(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).as(ChildJvm.output(childOutput)).isTrue();
      assertThat(child.exitValue()).as(ChildJvm.output(childOutput)).isZero();
      String childLine = ChildJvm.output(childOutput).lines()
          .filter(l -> l.startsWith("found=")).findFirst().orElseThrow();
      versions.add(Integer.parseInt(childLine.substring("found=".length())));

      // exactly one opener found the schema missing; all others found it migrated
      assertThat(versions).hasSize(9).containsOnly(0, PgSchema.VERSION);
      assertThat(versions.stream().filter(v -> v == 0).count()).isEqualTo(1);
      assertThat(appliedVersions()).containsExactlyElementsOf(allVersions());
    } finally {
      pool.shutdownNow();
      ChildJvm.kill(child);
    }
  }

  @Test
  void aNewerSchemaIsRefusedAndLeftUnchanged() throws Exception {
    openAndReportVersionFound(config());
    admin("INSERT INTO " + schema.name() + ".schema_version VALUES (99, 0)");
    assertThatThrownBy(() -> PgDatabase.open(config()))
        .isInstanceOfSatisfying(UnsupportedSchemaVersionException.class, e -> {
          assertThat(e.found()).isEqualTo(99);
          assertThat(e.supported()).isEqualTo(PgSchema.VERSION);
        })
        .hasMessageContaining("schema " + schema.name())
        .hasMessageContaining("version 99")
        .hasMessageContaining("upgrade DiskStore");
    List<Integer> expected = new ArrayList<>(allVersions());
    expected.add(99);
    assertThat(appliedVersions()).containsExactlyElementsOf(expected);
  }

  @Test
  void anOlderSchemaIsMigratedForwardInOneTransaction() throws Exception {
    PostgresIndex config = config();
    openAndReportVersionFound(config); // the current version, as released
    int later = PgSchema.VERSION + 1;
    // a later DiskStore: its next version adds a table
    java.util.function.IntFunction<List<String>> next =
        v -> v == later ? List.of("CREATE TABLE added_later (x integer)") : PgSchema.migration(v);
    try (Connection c = PgDatabase.rawConnection(config)) {
      assertThat(PgSchema.migrate(c, config.schema(), "test", later, next))
          .isEqualTo(PgSchema.VERSION);
      assertThat(PgSchema.migrate(c, config.schema(), "test", later, next)).isEqualTo(later);
    }
    List<Integer> expected = new ArrayList<>(allVersions());
    expected.add(later);
    assertThat(appliedVersions()).containsExactlyElementsOf(expected);
    admin("SELECT count(*) FROM " + schema.name() + ".added_later");

    // a migration that fails leaves the previous version whole
    FreshSchema other = SERVER.freshSchema();
    try (Connection c = PgDatabase.rawConnection(config)) {
      java.util.function.IntFunction<List<String>> broken =
          v -> v == 2 ? List.of("CREATE TABLE x (", "") : PgSchema.migration(v);
      assertThatThrownBy(() -> PgSchema.migrate(c, other.name(), "test", 2, broken))
          .isInstanceOf(SQLException.class);
      assertThat(PgSchema.currentVersion(c, other.name())).isZero();
    } finally {
      other.close();
    }
  }

  @Test
  void disksOfASchemaFromBeforeProjectsBelongToTheStoresProject() throws Exception {
    PostgresIndex config = config();
    try (Connection c = PgDatabase.rawConnection(config)) {
      assertThat(PgSchema.migrate(c, config.schema(), "test", 1, PgSchema::migration)).isZero();
    }
    admin("INSERT INTO " + schema.name() + ".store_meta VALUES ('project_id', 'proj-1')");
    admin("INSERT INTO " + schema.name() + ".disks (id, \"user\", created_at, updated_at)"
        + " VALUES ('old', NULL, 1, 1)");
    try (Connection c = PgDatabase.rawConnection(config)) {
      assertThat(PgSchema.migrate(c, config.schema(), "test", 2, PgSchema::migration)).isEqualTo(1);
    }
    try (Connection c = SERVER.adminDataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT project FROM " + schema.name() + ".disks WHERE id = 'old'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("proj-1");
    }
  }

  private static List<Integer> allVersions() {
    return java.util.stream.IntStream.rangeClosed(1, PgSchema.VERSION).boxed().toList();
  }

  @Test
  void openCreatesTheSchemaAndEveryPooledConnectionUsesIt() throws Exception {
    try (PgDatabase db = PgDatabase.open(config())) {
      String path = db.transactions().read(c -> {
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT current_schema(), count(*) FROM store_meta")) {
          rs.next();
          return rs.getString(1);
        }
      });
      assertThat(path).isEqualTo(schema.name());
      assertThat(db.where()).contains("localhost:" + SERVER.port() + "/postgres")
          .contains("schema " + schema.name()).doesNotContain("password");
    }
  }

  @Test
  void invalidSchemaNamesAreRejected() {
    assertThatThrownBy(() -> PostgresIndex.builder().schema("Robert\"; DROP"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lowercase identifier");
  }

  private List<Integer> appliedVersions() throws SQLException {
    List<Integer> versions = new ArrayList<>();
    try (Connection c = SERVER.adminDataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT version FROM " + schema.name() + ".schema_version ORDER BY version")) {
      while (rs.next()) {
        versions.add(rs.getInt(1));
      }
    }
    return versions;
  }

  private static void admin(String sql) throws SQLException {
    try (Connection c = SERVER.adminDataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
