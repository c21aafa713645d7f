package dev.diskstore.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for the benchmarks, started once per JMH fork on first use and stopped
 * when the fork exits (the io.zonky embedded binaries that {@code testkit-postgres} brings; 2 to 5
 * s to start here). Its data directory is a scratch directory on the benchmark disk, deleted on
 * exit.
 *
 * <p>Unlike the test server ({@code EmbeddedPostgresServer}: {@code fsync=off}, and zonky's own
 * default {@code synchronous_commit=off}), this one is <b>durable</b>: {@code fsync=on},
 * {@code synchronous_commit=on}, {@code full_page_writes=on}, PostgreSQL's defaults, so that a
 * commit costs a WAL flush as a SQLite commit at {@code synchronous=FULL} costs an fsync, and the
 * PostgreSQL and SQLite figures compare like with like. Everything else is PostgreSQL's default
 * (shared_buffers 128 MB, no tuning): the floor runs on the same server, so tuning would move both.
 * Listens on 127.0.0.1 (TCP, as a remote database would be reached), user {@code postgres}, trust
 * authentication.
 *
 * <p>Thread-safe.
 */
final class BenchPostgres {
  private static BenchPostgres shared;
  private static final AtomicInteger SCHEMAS = new AtomicInteger();

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;

  private BenchPostgres() throws IOException {
    dataDirectory = BenchFiles.scratch("pg-");
    long start = System.nanoTime();
    postgres =
        EmbeddedPostgres.builder()
            .setDataDirectory(dataDirectory.resolve("data"))
            .setCleanDataDirectory(true)
            .setPGStartupWait(Duration.ofSeconds(120))
            .setServerConfig("fsync", "on")
            .setServerConfig("synchronous_commit", "on")
            .setServerConfig("full_page_writes", "on")
            .setServerConfig("max_connections", "200")
            .start();
    System.out.printf(java.util.Locale.ROOT, "[postgres] durable server on port %d started in %.1f s%n",
        postgres.getPort(), (System.nanoTime() - start) / 1e9);
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "bench-postgres-stop"));
  }

  /** The server of this JVM, started on the first call. */
  static synchronized BenchPostgres shared() {
    if (shared == null) {
      try {
        shared = new BenchPostgres();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the embedded PostgreSQL server", e);
      }
    }
    return shared;
  }

  /** {@code jdbc:postgresql://localhost:<port>/postgres}. */
  String jdbcUrl() {
    return "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
  }

  String user() {
    return "postgres";
  }

  /** A schema name not used yet in this server (not created: the index creates it). */
  String newSchemaName(String prefix) {
    return prefix + "_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
  }

  /** A new connection as superuser on the {@code postgres} database (auto-commit). */
  Connection connect() throws SQLException {
    return postgres.getPostgresDatabase().getConnection();
  }

  /** Runs statements as superuser, for set-up. */
  void execute(String... sql) {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      for (String statement : sql) {
        s.execute(statement);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private void stop() {
    try {
      postgres.close();
    } catch (IOException e) {
      // the fork is exiting anyway
    }
    BenchFiles.deleteTree(dataDirectory);
  }
}
