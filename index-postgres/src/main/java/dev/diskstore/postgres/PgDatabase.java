package dev.diskstore.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.diskstore.StorageException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * One opened {@link PostgresIndex}: the connection pool, the migrated schema, the {@link
 * PgTransactions} on it, and a source of unpooled connections for {@link PgLiveness}.
 *
 * <p>Every pooled connection has {@code search_path} set to the store's schema (HikariCP's {@code
 * schema}, restored whenever a connection returns to the pool), so the SQL of this package names
 * tables unqualified; and carries the session limits of {@link PostgresIndex} ({@code
 * statement_timeout}, {@code idle_in_transaction_session_timeout}), set by its init SQL.
 *
 * <p>Thread-safe. {@link #close()} closes the pool (idempotent).
 */
final class PgDatabase implements AutoCloseable {
  private final PostgresIndex config;
  private final HikariDataSource pool;
  private final PgTransactions transactions;
  private final String where;

  private PgDatabase(PostgresIndex config, HikariDataSource pool, String where) {
    this.config = config;
    this.pool = pool;
    this.where = where;
    this.transactions = new PgTransactions(pool, where);
  }

  /** Opens the pool and migrates the schema; fails with a {@code DiskStoreException}. */
  static PgDatabase open(PostgresIndex config) {
    String where = describe(config);
    HikariConfig hikari = new HikariConfig();
    if (config.jdbcUrl() != null) {
      hikari.setJdbcUrl(config.jdbcUrl());
      if (config.user() != null) {
        hikari.setUsername(config.user());
      }
      if (config.password() != null) {
        hikari.setPassword(config.password());
      }
      driverProperties(config).forEach((k, v) -> hikari.addDataSourceProperty((String) k, v));
    } else {
      hikari.setDataSource(config.dataSource());
    }
    hikari.setPoolName("diskstore-" + config.schema());
    hikari.setMaximumPoolSize(config.maximumPoolSize());
    hikari.setMinimumIdle(Math.min(2, config.maximumPoolSize()));
    hikari.setConnectionTimeout(config.connectionTimeout().toMillis());
    // Let the pool start while the server is down: open fails below with a retryable error
    // rather than inside HikariCP's constructor.
    hikari.setInitializationFailTimeout(-1);
    hikari.setSchema(config.schema());
    hikari.setConnectionInitSql(
        "SET statement_timeout = " + config.statementTimeout().toMillis()
            + "; SET idle_in_transaction_session_timeout = "
            + config.idleInTransactionTimeout().toMillis());
    HikariDataSource pool = new HikariDataSource(hikari);
    try {
      try (Connection c = rawConnection(config)) {
        c.setAutoCommit(true);
        PgSchema.migrate(c, config.schema(), where);
      }
      return new PgDatabase(config, pool, where);
    } catch (SQLException e) {
      pool.close();
      throw new StorageException(where + ": cannot open the index: "
          + (e.getSQLState() == null ? "" : "SQLState " + e.getSQLState() + ": ") + e.getMessage(),
          PgTransactions.isRetryable(e), e);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  PgTransactions transactions() {
    return transactions;
  }

  String schema() {
    return config.schema();
  }

  String where() {
    return where;
  }

  PostgresIndex config() {
    return config;
  }

  /**
   * A new connection outside the pool, in auto-commit mode with {@code search_path} set; the caller
   * owns it (the liveness session, migrations).
   */
  Connection newUnpooledConnection() throws SQLException {
    return rawConnection(config);
  }

  static Connection rawConnection(PostgresIndex config) throws SQLException {
    Connection c;
    if (config.jdbcUrl() != null) {
      Properties props = driverProperties(config);
      if (config.user() != null) {
        props.setProperty("user", config.user());
      }
      if (config.password() != null) {
        props.setProperty("password", config.password());
      }
      c = DriverManager.getConnection(config.jdbcUrl(), props);
    } else {
      c = config.dataSource().getConnection();
    }
    try {
      c.setAutoCommit(true);
      c.setSchema(config.schema());
      return c;
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** Driver settings for URL-configured connections; the URL's own parameters win. */
  private static Properties driverProperties(PostgresIndex config) {
    Properties p = new Properties();
    String url = config.jdbcUrl();
    long connectSeconds = Math.max(1, config.connectionTimeout().toSeconds());
    long socketSeconds = config.statementTimeout().toSeconds() + 30;
    putUnlessInUrl(p, url, "tcpKeepAlive", "true");
    putUnlessInUrl(p, url, "connectTimeout", Long.toString(connectSeconds));
    putUnlessInUrl(p, url, "socketTimeout", Long.toString(socketSeconds));
    putUnlessInUrl(p, url, "ApplicationName", "diskstore");
    return p;
  }

  private static void putUnlessInUrl(Properties p, @Nullable String url, String key, String value) {
    if (url == null || !url.contains(key + "=")) {
      p.setProperty(key, value);
    }
  }

  /** "PostgreSQL index at host:port/database, schema s", credentials and parameters left out. */
  static String describe(PostgresIndex config) {
    String target;
    if (config.jdbcUrl() != null) {
      target = withoutParameters(config.jdbcUrl()).substring("jdbc:postgresql:".length());
      if (target.startsWith("//")) {
        target = target.substring(2);
      }
    } else {
      target = "data source " + config.dataSource().getClass().getSimpleName();
    }
    return "PostgreSQL index at " + target + ", schema " + config.schema();
  }

  /** The URL without its parameters (which may hold a password) and without user info. */
  static String withoutParameters(String jdbcUrl) {
    String base = jdbcUrl.contains("?") ? jdbcUrl.substring(0, jdbcUrl.indexOf('?')) : jdbcUrl;
    int at = base.indexOf('@');
    int slashes = base.indexOf("//");
    if (at >= 0 && slashes >= 0 && at > slashes) {
      base = base.substring(0, slashes + 2) + base.substring(at + 1);
    }
    return base;
  }

  @Override
  public void close() {
    pool.close();
  }

  /** For tests: the pool. */
  DataSource pool() {
    return pool;
  }
}
