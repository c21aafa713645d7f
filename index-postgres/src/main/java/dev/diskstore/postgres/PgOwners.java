package dev.diskstore.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code owners} table, on a connection inside the caller's transaction: the PostgreSQL SQL of
 * the SPI's {@code IndexSession.Owners}, the fence of commits (see the core's owner registry).
 * {@link PgLiveness} inserts an owner's row with its lock key when it registers, so {@link
 * #register} (the core's registration in its first write) only inserts owners it does not know.
 */
final class PgOwners {
  static final String ALIVE = "alive";
  static final String DEAD = "dead";

  private PgOwners() {}

  /** Registers an owner as alive unless already registered (by {@link PgLiveness}). */
  static void register(Connection c, String ownerId, long nowMicros) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO owners (id, state, registered_at) VALUES (?, 'alive', ?)"
                + " ON CONFLICT (id) DO NOTHING")) {
      s.setString(1, ownerId);
      s.setLong(2, nowMicros);
      s.executeUpdate();
    }
  }

  /**
   * The owner's state ({@link #ALIVE} or {@link #DEAD}), if known, for the commit fence: the row
   * is locked {@code FOR SHARE} until the transaction ends. Serializable isolation alone orders a
   * committing writer before a concurrent {@link #declareDead} (the writer read the row the
   * declaration changed), but not before the collector's next <em>read-only</em> snapshot: the
   * declaration could commit, the collector's re-read start and miss the writer's blob row, and the
   * writer commit after it — a blob referenced and deleted. With the row lock the declaration's
   * {@code UPDATE} waits for the writer to end (so it commits after the writer, and the re-read
   * sees the blob), or the writer's lock waits for the declaration and then fails as a
   * serialization failure, is run again, and reads {@code dead}. Write transactions only.
   */
  static Optional<String> state(Connection c, String ownerId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT state FROM owners WHERE id = ? FOR SHARE")) {
      s.setString(1, ownerId);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  static Map<String, String> states(Connection c, Collection<String> ownerIds)
      throws SQLException {
    Map<String, String> out = new HashMap<>();
    if (ownerIds.isEmpty()) {
      return out;
    }
    try (PreparedStatement s =
        c.prepareStatement("SELECT id, state FROM owners WHERE id = ANY (?::text[])")) {
      s.setArray(1, PgArtifacts.texts(c, List.copyOf(ownerIds)));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return out;
  }

  /** Marks the owners dead (those alive); idempotent. */
  static void declareDead(Connection c, Collection<String> ownerIds, long nowMicros)
      throws SQLException {
    if (ownerIds.isEmpty()) {
      return;
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE owners SET state = 'dead', ended_at = ?"
                + " WHERE id = ANY (?::text[]) AND state = 'alive'")) {
      s.setLong(1, nowMicros);
      s.setArray(2, PgArtifacts.texts(c, List.copyOf(ownerIds)));
      s.executeUpdate();
    }
  }

  /** Forgets dead owners not in {@code named}; returns how many. */
  static int pruneDead(Connection c, Set<String> named) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "DELETE FROM owners WHERE state = 'dead' AND NOT (id = ANY (?::text[]))")) {
      s.setArray(1, PgArtifacts.texts(c, List.copyOf(named)));
      return s.executeUpdate();
    }
  }
}
