package dev.diskstore.internal;

import dev.diskstore.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code owners} table: every store instance that writes to this store, and whether it may still
 * commit. This is the fence that makes garbage collection safe whatever the liveness signal says.
 *
 * <ul>
 *   <li>An instance registers as {@code alive} when it opens, before it writes any blob.
 *   <li>A commit that references a new blob first checks, in its transaction, that the owner named
 *       in the blob's key is still {@code alive} here ({@link #requireAlive}); otherwise it fails
 *       and the blob stays unreferenced.
 *   <li>Garbage collection, before deleting an object of another owner, declares that owner dead
 *       here in a write transaction ({@link #declareDead}); an instance that closes declares itself
 *       dead. A dead owner never becomes alive again.
 * </ul>
 *
 * <p>Write transactions are serialised, so a commit by owner O and the declaration of O's death are
 * ordered: either the commit comes first, and the index read that garbage collection makes after
 * the declaration sees the blob referenced, or the declaration comes first and the commit fails. An
 * object whose key names an owner this table has never known was not written by this store (or by a
 * version before the table existed): garbage collection leaves it alone unless asked.
 *
 * <p>Static helpers on a connection inside the caller's transaction.
 */
final class OwnerRegistry {
  static final String ALIVE = "alive";
  static final String DEAD = "dead";

  private OwnerRegistry() {}

  static void register(Connection c, String id, long nowMicros) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO owners (id, state, registered_at) VALUES (?, 'alive', ?)")) {
      s.setString(1, id);
      s.setLong(2, nowMicros);
      s.executeUpdate();
    }
  }

  /**
   * The fence of a commit: throws unless {@code owner} is alive.
   *
   * @param closing whether this instance is closing (the failure is then a plain "store closed")
   */
  static void requireAlive(Connection c, String owner, boolean closing) throws SQLException {
    String state = state(c, owner);
    if (ALIVE.equals(state)) {
      return;
    }
    if (closing) {
      throw new dev.diskstore.StoreClosedException();
    }
    throw new StorageException(
        "this store instance (owner " + owner + ") is no longer registered as alive in the index"
            + " (state " + state + "): another instance's garbage collection found its liveness"
            + " lock gone and declared it dead, so it may not commit new blobs; close and reopen"
            + " the store",
        false, null);
  }

  static String state(Connection c, String owner) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT state FROM owners WHERE id = ?")) {
      s.setString(1, owner);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** The known owners among {@code ids}, with their states. */
  static Map<String, String> states(Connection c, Collection<String> ids) throws SQLException {
    Map<String, String> states = new HashMap<>();
    try (PreparedStatement s = c.prepareStatement("SELECT state FROM owners WHERE id = ?")) {
      for (String id : ids) {
        s.setString(1, id);
        try (ResultSet rs = s.executeQuery()) {
          if (rs.next()) {
            states.put(id, rs.getString(1));
          }
        }
      }
    }
    return states;
  }

  /** Marks the owners dead (those still alive); idempotent. */
  static void declareDead(Connection c, Collection<String> ids, long nowMicros)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE owners SET state = 'dead', ended_at = ? WHERE id = ? AND state = 'alive'")) {
      for (String id : ids) {
        s.setLong(1, nowMicros);
        s.setString(2, id);
        s.executeUpdate();
      }
    }
  }

  /**
   * Forgets dead owners that no object names any more ({@code named}: the owners of every object
   * and unfinished write listed before this transaction). A dead owner writes nothing new, so its
   * row is not needed once its objects are gone.
   */
  static int pruneDead(Connection c, Set<String> named) throws SQLException {
    List<String> gone = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement("SELECT id FROM owners WHERE state = 'dead'");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        if (!named.contains(rs.getString(1))) {
          gone.add(rs.getString(1));
        }
      }
    }
    try (PreparedStatement s = c.prepareStatement("DELETE FROM owners WHERE id = ?")) {
      for (String id : gone) {
        s.setString(1, id);
        s.executeUpdate();
      }
    }
    return gone.size();
  }
}
