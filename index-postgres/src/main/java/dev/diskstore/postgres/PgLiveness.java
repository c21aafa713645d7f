package dev.diskstore.postgres;

import dev.diskstore.StorageException;
import dev.diskstore.spi.index.Liveness;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Liveness of store instances on PostgreSQL: who may still be writing, across hosts.
 *
 * <p><b>Owner epochs.</b> An instance is alive as an <em>owner</em>: a row of {@code owners} with
 * a random id (32 hex digits, embedded in the keys of the blobs it writes) and a {@code lock_key}
 * from the sequence {@code owner_lock_keys}, plus the session-level advisory lock {@code
 * pg_advisory_lock(space, lock_key)} held on a connection of its own, outside the pool, for as
 * long as it lives ({@code space} is {@link PgSchema#ownerLockSpace}, so stores in other schemas
 * of the database never collide). PostgreSQL releases a session lock when the session ends,
 * however it ends: the process died, the host vanished (TCP keepalives, set on the session), the
 * instance stalled longer than the owner timeout ({@code idle_session_timeout}, while the
 * heartbeat below keeps a healthy session busy), or an operator terminated it. When the heartbeat
 * finds the session gone, the instance registers again as a <em>new</em> owner, with a new id and
 * a new lock: its old id may already have been found dead by another instance's garbage collector,
 * which then declares it dead and may delete its unreferenced objects, so the old id must never
 * commit again unless the fence allows it. An owner found recorded dead while its session lives
 * (which no correct collector does) also starts a new epoch. {@link #id()} is always the current
 * epoch's id; the commit fence checks the owner named in a blob's key, so uploads begun under an
 * old epoch either commit before the declaration or fail, exactly as for a crashed instance.
 *
 * <p><b>Why {@code pg_locks}.</b> {@link #isAlive} reads {@code pg_locks} (granted advisory locks
 * of this database with the owner's key): a read of the lock manager's state as of the call, with
 * no side effect and no privilege needed. Probing with {@code pg_try_advisory_lock} on another
 * connection would answer the same but <em>take</em> the lock of a dead owner for a moment: it
 * must be released on the same session, and a probe on a pooled connection that failed between
 * the two would leave the pool holding the lock, making that owner look alive until the pooled
 * connection closed. Keys are never reused (the sequence only grows), so a probe could not steal
 * a live owner's lock, but {@code pg_locks} needs no such argument.
 *
 * <p>Errs on the side of "alive" (a failed query answers alive), as {@code Liveness} requires: a
 * wrong "alive" only delays garbage collection.
 *
 * <p>Thread-safe. A daemon thread runs the heartbeat. {@link #close()} declares every owner id
 * this instance had dead, releases the lock and closes the connection; idempotent.
 */
final class PgLiveness implements Liveness {
  private static final Logger LOG = System.getLogger(PgLiveness.class.getName());

  private final PgDatabase db;
  private final int lockSpace;
  private final Duration ownerTimeout;
  private final ScheduledExecutorService heartbeat;
  /** Ids of every epoch of this instance, oldest first; the last is {@link #id}. */
  private final List<String> epochs = new ArrayList<>();

  private volatile String id;
  private volatile int backendPid;
  private volatile long epoch;
  private volatile boolean heartbeatSuspended;
  private @Nullable Connection session;
  private volatile boolean closed;

  PgLiveness(PgDatabase db) {
    this.db = db;
    this.lockSpace = PgSchema.ownerLockSpace(db.schema());
    this.ownerTimeout = db.config().ownerTimeout();
    try {
      this.id = register();
    } catch (SQLException e) {
      throw db.transactions().translate(e, "registering this store instance as an owner");
    }
    long period = Math.max(50, ownerTimeout.toMillis() / 6);
    this.heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "diskstore-pg-liveness-" + db.schema());
              t.setDaemon(true);
              return t;
            });
    heartbeat.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
  }

  /** This instance's current owner id: the one to embed in new blob keys. */
  @Override
  public String id() {
    return id;
  }

  /**
   * A commit found {@code ownerId}, this instance's current owner, recorded dead (a collector on
   * another host saw its lock gone, e.g. during a database restart, before this instance's
   * heartbeat noticed): runs the heartbeat now, which registers a new owner.
   */
  @Override
  public boolean renewAfterDeclaredDead(String ownerId) {
    if (ownerId.equals(id)) {
      beat();
    }
    return !ownerId.equals(id);
  }

  /** How many times this instance registered again after losing its session (0 at first). */
  long epoch() {
    return epoch;
  }

  /** For tests: the server process of the liveness session. */
  int backendPid() {
    return backendPid;
  }

  /** For tests: stop proving liveness, as a stalled or partitioned host would. */
  void suspendHeartbeat(boolean suspended) {
    this.heartbeatSuspended = suspended;
  }

  /** Whether {@code ownerId} may still be running; see the class comment. */
  @Override
  public boolean isAlive(String ownerId) {
    if (ownerId.equals(id) && !closed) {
      return true;
    }
    try {
      return db.transactions().read(c -> {
        try (PreparedStatement s =
            c.prepareStatement(
                "SELECT o.state = 'alive' AND EXISTS (SELECT 1 FROM pg_catalog.pg_locks l"
                    + " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2"
                    + " AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d"
                    + "   WHERE d.datname = current_database())"
                    + " AND l.classid::bigint = ? AND l.objid::bigint = o.lock_key)"
                    + " FROM owners o WHERE o.id = ?")) {
          s.setLong(1, lockSpace);
          s.setString(2, ownerId);
          try (ResultSet rs = s.executeQuery()) {
            // no row: an owner this store never registered (or one pruned after it died)
            return rs.next() && rs.getBoolean(1);
          }
        }
      }, "asking whether owner " + ownerId + " is alive");
    } catch (StorageException e) {
      return true;
    }
  }

  /** Nothing to do: PostgreSQL drops a dead owner's lock with its session. */
  @Override
  public void forgetDead() {}

  private synchronized String register() throws SQLException {
    closeSession();
    Connection c = db.newUnpooledConnection();
    try {
      long timeoutMillis = ownerTimeout.toMillis();
      int keepaliveSeconds = (int) Math.max(1, timeoutMillis / 3_000);
      try (Statement s = c.createStatement()) {
        // the server notices a vanished client host within about the owner timeout
        s.execute("SET tcp_keepalives_idle = " + keepaliveSeconds);
        s.execute("SET tcp_keepalives_interval = " + keepaliveSeconds);
        s.execute("SET tcp_keepalives_count = 2");
        // ... and ends the session of a client that stopped beating (stalled, partitioned)
        s.execute("SET idle_session_timeout = " + timeoutMillis);
        s.execute("SET statement_timeout = " + timeoutMillis);
      }
      // and this side notices a server that stopped answering
      c.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, timeoutMillis));
      int pid;
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        pid = rs.getInt(1);
      }
      int key;
      while (true) {
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT nextval('owner_lock_keys')")) {
          rs.next();
          key = rs.getInt(1);
        }
        try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
          s.setInt(1, lockSpace);
          s.setInt(2, key);
          try (ResultSet rs = s.executeQuery()) {
            rs.next();
            if (rs.getBoolean(1)) {
              break;
            }
          }
        }
        // held by a session of another schema whose lock space hashes alike: take the next key
      }
      String newId = UUID.randomUUID().toString().replace("-", "");
      int lockKey = key;
      List<String> earlier = List.copyOf(epochs);
      // The lock is held before the row says alive, so nobody sees an alive row without a lock
      // unless the owner died. The earlier epochs of this instance, whose session is gone, end in
      // the same transaction: their uploads still in flight fail at the fence (retryably), and
      // no row stays recorded alive without its lock until a collector happens to meet it.
      db.transactions().write(w -> {
        PgOwners.declareDead(w, earlier, PgSchema.nowMicros());
        try (PreparedStatement s =
            w.prepareStatement(
                "INSERT INTO owners (id, state, registered_at, lock_key) VALUES (?, 'alive', ?, ?)")) {
          s.setString(1, newId);
          s.setLong(2, PgSchema.nowMicros());
          s.setInt(3, lockKey);
          s.executeUpdate();
        }
        return null;
      }, "registering this store instance as an owner");
      session = c;
      backendPid = pid;
      epochs.add(newId);
      return newId;
    } catch (SQLException | RuntimeException e) {
      try {
        c.close();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** The heartbeat: proves the session alive, or registers a new epoch when it is gone. */
  private void beat() {
    if (heartbeatSuspended) {
      return;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      Connection c = session;
      if (c != null) {
        // proves the session alive, and checks that no collector declared this owner dead (it
        // cannot while the lock is held; a dead owner could never commit again, so start anew)
        try (PreparedStatement s =
            c.prepareStatement("SELECT coalesce((SELECT state FROM owners WHERE id = ?), 'dead')")) {
          s.setString(1, id);
          try (ResultSet rs = s.executeQuery()) {
            rs.next();
            if (PgOwners.ALIVE.equals(rs.getString(1))) {
              return;
            }
          }
          LOG.log(Level.WARNING, () -> db.where() + ": owner " + id
              + " is recorded dead while its lock is held; registering as a new owner");
        } catch (SQLException e) {
          LOG.log(Level.WARNING, () -> db.where() + ": the liveness session of owner " + id
              + " is lost (" + e.getMessage() + "); registering as a new owner");
        }
      }
      try {
        String newId = register();
        epoch++;
        id = newId;
      } catch (SQLException | RuntimeException e) {
        // the server is unreachable: commits fail anyway; the next beat tries again
        session = null;
        LOG.log(Level.DEBUG, () -> db.where() + ": cannot register a new owner yet: " + e);
      }
    }
  }

  private void closeSession() {
    Connection c = session;
    session = null;
    if (c != null) {
      try {
        c.close(); // ends the session: the server releases its lock
      } catch (SQLException e) {
        // the session is gone already
      }
    }
  }

  @Override
  public void close() {
    heartbeat.shutdownNow();
    List<String> ids;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      ids = List.copyOf(epochs);
    }
    try {
      // declared dead first, while the lock is still held: no collector can see this owner's
      // row alive without its lock and race the declaration
      db.transactions().write(c -> {
        try (PreparedStatement s =
            c.prepareStatement(
                "UPDATE owners SET state = 'dead', ended_at = ? WHERE id = ? AND state = 'alive'")) {
          for (String owner : ids) {
            s.setLong(1, PgSchema.nowMicros());
            s.setString(2, owner);
            s.executeUpdate();
          }
        }
        return null;
      }, "declaring this store instance's owners dead");
    } catch (StorageException e) {
      // the lock goes with the session below; another instance's collector declares them
    } finally {
      synchronized (this) {
        closeSession();
      }
    }
  }
}
