package dev.diskstore.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.testkit.postgres.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The test server starts, is PostgreSQL 18, and has the contrib extensions the index may use. */
class EmbeddedPostgresServerTest {

  @Test
  void startsOncePerJvmWithContribExtensions() throws Exception {
    EmbeddedPostgresServer server = EmbeddedPostgresServer.shared();
    assertThat(EmbeddedPostgresServer.shared()).isSameAs(server);
    System.out.println("embedded PostgreSQL started in " + server.startupTime().toMillis() + " ms");
    try (Connection c = server.adminDataSource().getConnection();
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SHOW server_version_num")) {
        rs.next();
        assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(180000);
      }
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm");
      try (ResultSet rs = s.executeQuery("SELECT similarity('diskstore', 'diskstores') > 0.5")) {
        rs.next();
        assertThat(rs.getBoolean(1)).isTrue();
      }
      s.execute("CREATE EXTENSION IF NOT EXISTS unaccent");
      try (ResultSet rs = s.executeQuery("SELECT unaccent('crème brûlée')")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("creme brulee");
      }
    }
  }
}
