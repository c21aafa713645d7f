package dev.diskstore.postgres;

import dev.diskstore.spi.index.IndexContext;
import dev.diskstore.spi.index.IndexProvider;
import dev.diskstore.spi.index.MetadataIndex;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The metadata index in a PostgreSQL database, shared by every DiskStore instance that opens the
 * same database and schema, on any number of hosts:
 *
 * <pre>{@code
 * PostgresIndex index = PostgresIndex.builder()
 *     .jdbcUrl("jdbc:postgresql://db.internal:5432/app").user("diskstore").password(secret)
 *     .schema("diskstore")
 *     .build();
 * }</pre>
 *
 * <p>Opening it creates the schema if missing and migrates it under an advisory lock (instances
 * that start together migrate once); a schema written by a newer DiskStore is refused with {@link
 * UnsupportedSchemaVersionException}. Connections come from a HikariCP pool of {@link
 * Builder#maximumPoolSize} connections, plus one connection per instance held for its lifetime:
 * the instance's session-level advisory lock, which tells other instances it is alive. That
 * connection must be a real server session: behind PgBouncer or another pooler in transaction
 * mode, point {@link Builder#jdbcUrl} at the server directly.
 *
 * <p>Immutable and thread-safe; holds no connection until opened. The password is never printed
 * ({@link #toString()}, messages).
 */
public final class PostgresIndex implements IndexProvider {
  private final @Nullable String jdbcUrl;
  private final @Nullable String user;
  private final @Nullable String password;
  private final @Nullable DataSource dataSource;
  private final String schema;
  private final int maximumPoolSize;
  private final Duration connectionTimeout;
  private final Duration statementTimeout;
  private final Duration idleInTransactionTimeout;
  private final Duration ownerTimeout;

  private PostgresIndex(Builder b) {
    this.jdbcUrl = b.jdbcUrl;
    this.user = b.user;
    this.password = b.password;
    this.dataSource = b.dataSource;
    this.schema = b.schema;
    this.maximumPoolSize = b.maximumPoolSize;
    this.connectionTimeout = b.connectionTimeout;
    this.statementTimeout = b.statementTimeout;
    this.idleInTransactionTimeout = b.idleInTransactionTimeout;
    this.ownerTimeout = b.ownerTimeout;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Nullable String jdbcUrl() {
    return jdbcUrl;
  }

  @Nullable String user() {
    return user;
  }

  @Nullable String password() {
    return password;
  }

  @Nullable DataSource dataSource() {
    return dataSource;
  }

  String schema() {
    return schema;
  }

  int maximumPoolSize() {
    return maximumPoolSize;
  }

  Duration connectionTimeout() {
    return connectionTimeout;
  }

  Duration statementTimeout() {
    return statementTimeout;
  }

  Duration idleInTransactionTimeout() {
    return idleInTransactionTimeout;
  }

  Duration ownerTimeout() {
    return ownerTimeout;
  }

  /**
   * Opens the index: the pool, the schema (created or migrated), and this instance's owner.
   *
   * @throws UnsupportedSchemaVersionException if the schema is newer than this code
   * @throws dev.diskstore.StorageException if the database cannot be reached (retryable) or
   *     refuses (not retryable)
   */
  @Override
  public MetadataIndex open(IndexContext context) {
    return PgMetadataIndex.open(this, context);
  }

  /** True: instances on any number of hosts share the index. */
  @Override
  public boolean sharedAcrossHosts() {
    return true;
  }

  @Override
  public String toString() {
    return "PostgresIndex[" + (jdbcUrl != null ? PgDatabase.withoutParameters(jdbcUrl)
        : "dataSource " + dataSource.getClass().getName()) + ", schema " + schema + "]";
  }

  /** Builds a {@link PostgresIndex}; give either a JDBC URL (with user and password) or a data source. */
  public static final class Builder {
    private @Nullable String jdbcUrl;
    private @Nullable String user;
    private @Nullable String password;
    private @Nullable DataSource dataSource;
    private String schema = "diskstore";
    private int maximumPoolSize = 10;
    private Duration connectionTimeout = Duration.ofSeconds(10);
    private Duration statementTimeout = Duration.ofSeconds(30);
    private Duration idleInTransactionTimeout = Duration.ofSeconds(60);
    private Duration ownerTimeout = Duration.ofSeconds(30);

    private Builder() {}

    /** {@code jdbc:postgresql://host:port/database}; parameters of the pgJDBC driver may follow. */
    public Builder jdbcUrl(String jdbcUrl) {
      Objects.requireNonNull(jdbcUrl, "jdbcUrl");
      if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException(
            "jdbcUrl must start with jdbc:postgresql:, was " + PgDatabase.withoutParameters(jdbcUrl));
      }
      this.jdbcUrl = jdbcUrl;
      return this;
    }

    public Builder user(String user) {
      this.user = Objects.requireNonNull(user, "user");
      return this;
    }

    public Builder password(String password) {
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * Connections from {@code dataSource} instead of a URL. The index still pools them with
     * HikariCP (a plain {@code PGSimpleDataSource} is the natural choice) and takes one more for
     * each instance's liveness lock, held until the instance closes.
     */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /**
     * The schema holding the store's tables, created if missing (default {@code diskstore}). A
     * lowercase identifier. Several stores can share a database in different schemas.
     */
    public Builder schema(String schema) {
      this.schema = PgSchema.requireValidName(Objects.requireNonNull(schema, "schema"));
      return this;
    }

    /**
     * Pooled connections per instance (default 10). Every concurrent index transaction holds one;
     * PostgreSQL serves a few dozen busy connections best, and each instance adds its pool plus
     * one liveness connection to the server's {@code max_connections}, so keep instances × pool
     * well under it.
     */
    public Builder maximumPoolSize(int maximumPoolSize) {
      if (maximumPoolSize < 1 || maximumPoolSize > 1_000) {
        throw new IllegalArgumentException("maximumPoolSize must be 1..1000, was " + maximumPoolSize);
      }
      this.maximumPoolSize = maximumPoolSize;
      return this;
    }

    /**
     * How long a call waits for a pooled connection, or for a new connection to the server,
     * before it fails with a retryable {@code StorageException} (default 10 s: long enough for a
     * burst to drain or a failover to finish, short enough that a caller sees an outage as an
     * error it can act on, not a hang; HikariCP's own default is 30 s).
     */
    public Builder connectionTimeout(Duration timeout) {
      this.connectionTimeout = positive(timeout, "connectionTimeout");
      return this;
    }

    /**
     * The server-side {@code statement_timeout} of pooled connections (default 30 s). Index
     * statements take milliseconds; the longest are the whole-table reads of garbage collection
     * and verification on large stores. The client's socket timeout is this plus 30 s, so that a
     * server that stopped answering without closing the connection is noticed.
     */
    public Builder statementTimeout(Duration timeout) {
      this.statementTimeout = positive(timeout, "statementTimeout");
      return this;
    }

    /**
     * The server ends a session that stays idle inside a transaction this long (default 60 s), so
     * that a client stalled mid-transaction does not hold row locks and the serializable snapshot
     * of everyone else indefinitely.
     */
    public Builder idleInTransactionTimeout(Duration timeout) {
      this.idleInTransactionTimeout = positive(timeout, "idleInTransactionTimeout");
      return this;
    }

    /**
     * How long an instance may be silent before the server ends its liveness session, releasing
     * its lock so that other instances see it dead (default 30 s). The instance proves it is
     * alive every sixth of this; TCP keepalives at the same pace detect a vanished host. Shorter
     * means a crashed host's uploads in flight are collected sooner; too short means a long GC
     * pause costs the instance its owner id (its uploads in flight fail; nothing committed is
     * lost) and it re-registers.
     */
    public Builder ownerTimeout(Duration timeout) {
      this.ownerTimeout = positive(timeout, "ownerTimeout");
      if (timeout.toMillis() < 600) {
        throw new IllegalArgumentException("ownerTimeout must be at least 600 ms, was " + timeout);
      }
      return this;
    }

    public PostgresIndex build() {
      if ((jdbcUrl == null) == (dataSource == null)) {
        throw new IllegalStateException("give exactly one of jdbcUrl and dataSource");
      }
      if (dataSource != null && (user != null || password != null)) {
        throw new IllegalStateException(
            "user and password go with jdbcUrl; a dataSource carries its own credentials");
      }
      return new PostgresIndex(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + d);
      }
      return d;
    }
  }
}
