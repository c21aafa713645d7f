package dev.diskstore.internal;

import dev.diskstore.ByteRange;
import dev.diskstore.GcReport;
import dev.diskstore.Maintenance;
import dev.diskstore.StorageException;
import dev.diskstore.VerifyReport;
import dev.diskstore.VerifyReport.Kind;
import dev.diskstore.VerifyReport.Problem;
import dev.diskstore.spi.BlobNotFoundException;
import dev.diskstore.spi.BlobStat;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Garbage collection and verification.
 *
 * <p>Both list the backend <em>before</em> reading the index. Every object a store writes has a
 * key naming its owner (the writing store instance, {@link Engine#newBlobKey()}), and a writer
 * marks its key in flight before the first byte reaches the backend and unmarks it only after its
 * commit. So an object seen in the listing is either known to the index read that follows, or
 * belongs to a writer that is still running (its owner is alive and, for this instance, the key
 * was in flight when the listing ended), or was left by a writer that will never commit (its owner
 * is dead, or it is this instance's and no longer in flight): only the last kind is deleted.
 * Objects whose key names no owner are orphans. Leftovers of writes that never completed ({@link
 * dev.diskstore.spi.BlobBackend#listIncomplete}: temporary files, multipart uploads) are judged the
 * same way by their key's owner. Stores written by earlier versions may still have
 * {@code pending_writes} rows (key and owner); they are honoured the same way. The listing is held
 * in memory (a few dozen bytes per blob).
 */
final class Housekeeping implements Maintenance {
  private final Engine engine;

  Housekeeping(Engine engine) {
    this.engine = engine;
  }

  private record Known(
      Map<String, Long> blobSizes,
      Map<String, String> blobSha,
      Map<String, String> pendingOwners,
      Set<String> garbage) {
    boolean accountsFor(String key) {
      return blobSizes.containsKey(key) || pendingOwners.containsKey(key) || garbage.contains(key);
    }
  }

  private Map<String, Long> listBackend() {
    Map<String, Long> listed = new HashMap<>();
    try (Stream<BlobStat> stream = engine.backend.list("")) {
      stream.forEach(stat -> listed.put(stat.key(), stat.sizeBytes()));
    }
    return listed;
  }

  /** Keys of writes that started and left something behind without completing. */
  private Set<String> listIncomplete() {
    Set<String> keys = new HashSet<>();
    try (Stream<String> stream = engine.backend.listIncomplete("")) {
      stream.forEach(keys::add);
    }
    return keys;
  }

  private Known readKnown() {
    return engine.index.read(this::readKnownOn);
  }

  /**
   * Decides whether writes can still commit. Must be created after the backend was listed and
   * before the index is read: it snapshots this instance's in-flight keys at that point.
   */
  private final class Liveness {
    private final Set<String> inFlight = Set.copyOf(engine.inFlight);
    private final Map<String, Boolean> alive = new HashMap<>();

    /** Whether the write of {@code key} by {@code owner} can no longer commit. */
    boolean abandoned(String key, String owner) {
      if (owner.equals(engine.owners.id())) {
        return !inFlight.contains(key);
      }
      return !alive.computeIfAbsent(owner, engine.owners::isAlive);
    }
  }

  @Override
  public GcReport collectGarbage() {
    engine.checkOpen();
    Map<String, Long> listed = listBackend();
    Set<String> incomplete = listIncomplete();
    Liveness liveness = new Liveness();
    Known known = readKnown();

    int unreferenced = 0;
    for (String key : known.garbage()) {
      if (deleteObject(key)) {
        removeRow("DELETE FROM garbage WHERE key = ?", key, null);
        unreferenced++;
      }
    }
    int abandoned = 0;
    Set<String> liveOwners = new HashSet<>();
    for (Map.Entry<String, String> e : known.pendingOwners().entrySet()) {
      String key = e.getKey();
      String owner = e.getValue();
      if (liveness.abandoned(key, owner)) {
        if (deleteObject(key)) {
          removeRow("DELETE FROM pending_writes WHERE key = ? AND owner = ?", key, owner);
          abandoned++;
        }
      } else {
        liveOwners.add(owner);
      }
    }
    int orphans = 0;
    for (String key : listed.keySet()) {
      if (known.accountsFor(key)) {
        continue;
      }
      String owner = Engine.ownerOf(key);
      if (owner == null) {
        if (deleteObject(key)) {
          orphans++;
        }
      } else if (!liveness.abandoned(key, owner)) {
        liveOwners.add(owner);
      } else if (deleteObject(key)) {
        abandoned++;
      }
    }
    for (String key : incomplete) {
      String owner = Engine.ownerOf(key);
      // only leftovers of our own writers: an unfinished write under a key we did not make is
      // not ours to judge
      if (owner == null || listed.containsKey(key) || known.accountsFor(key)) {
        continue;
      }
      if (!liveness.abandoned(key, owner)) {
        liveOwners.add(owner);
      } else if (deleteIncomplete(key)) {
        abandoned++;
      }
    }
    engine.owners.forgetDead(liveOwners);
    if (unreferenced + abandoned + orphans > 0) {
      Engine.LOG.log(
          Level.INFO,
          "garbage collection: " + unreferenced + " unreferenced, " + abandoned
              + " abandoned, " + orphans + " orphan blob(s) deleted");
    }
    return new GcReport(abandoned, unreferenced, orphans);
  }

  private boolean deleteObject(String key) {
    try {
      engine.backend.delete(key);
      return true;
    } catch (RuntimeException e) {
      Engine.LOG.log(Level.WARNING, "could not delete blob " + key + "; will retry later", e);
      return false;
    }
  }

  private boolean deleteIncomplete(String key) {
    try {
      engine.backend.deleteIncomplete(key);
      return true;
    } catch (RuntimeException e) {
      Engine.LOG.log(Level.WARNING, "could not remove the unfinished write " + key + "; will retry later", e);
      return false;
    }
  }

  private void removeRow(String sql, String key, String owner) {
    engine.index.write(
        false,
        c -> {
          try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, key);
            if (owner != null) {
              s.setString(2, owner);
            }
            s.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public VerifyReport verify(boolean deep) {
    engine.checkOpen();
    Map<String, Long> listed = listBackend();
    Set<String> incomplete = listIncomplete();
    Liveness liveness = new Liveness();
    List<Problem> problems = new ArrayList<>();
    record IndexFacts(
        Known known,
        int artifacts,
        List<Problem> problems) {}
    IndexFacts facts =
        engine.index.read(
            c -> {
              List<Problem> found = new ArrayList<>();
              Known known = readKnownOn(c);
              int artifacts;
              try (var s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM artifacts")) {
                  rs.next();
                  artifacts = rs.getInt(1);
                }
                try (ResultSet rs =
                    s.executeQuery(
                        "SELECT b.sha256, b.key, b.ref_count,"
                            + " (SELECT count(*) FROM artifacts a WHERE a.sha256 = b.sha256) AS n"
                            + " FROM blobs b WHERE b.ref_count != n")) {
                  while (rs.next()) {
                    found.add(new Problem(Kind.REFCOUNT_MISMATCH, rs.getString(2),
                        "blob " + rs.getString(1) + " has ref_count " + rs.getInt(3) + " but "
                            + rs.getInt(4) + " artifact(s) use it"));
                  }
                }
                try (ResultSet rs =
                    s.executeQuery(
                        "SELECT a.disk_id, a.path, a.filename, a.sha256 FROM artifacts a"
                            + " LEFT JOIN blobs b ON b.sha256 = a.sha256 WHERE b.sha256 IS NULL")) {
                  while (rs.next()) {
                    found.add(new Problem(Kind.MISSING_BLOB, rs.getString(1),
                        "artifact " + rs.getString(2) + rs.getString(3) + " references blob "
                            + rs.getString(4) + ", which the index does not know"));
                  }
                }
                Map<String, Long> expected = new HashMap<>();
                try (ResultSet rs =
                    s.executeQuery(
                        "SELECT disk_id, path, count(*) FROM artifacts GROUP BY disk_id, path")) {
                  while (rs.next()) {
                    for (String dir : PathRules.selfAndAncestors(rs.getString(2))) {
                      expected.merge(rs.getString(1) + "\0" + dir, rs.getLong(3), Long::sum);
                    }
                  }
                }
                Map<String, Long> actual = new HashMap<>();
                try (ResultSet rs =
                    s.executeQuery(
                        "SELECT disk_id, path, parent, name, artifact_count FROM directories")) {
                  while (rs.next()) {
                    String dir = rs.getString(2);
                    actual.put(rs.getString(1) + "\0" + dir, rs.getLong(5));
                    if (!PathRules.parent(dir).equals(rs.getString(3))
                        || !PathRules.name(dir).equals(rs.getString(4))) {
                      found.add(new Problem(Kind.DIRECTORY_MISMATCH, rs.getString(1),
                          "directory " + dir + " has a wrong parent or name"));
                    }
                  }
                }
                Set<String> all = new HashSet<>(expected.keySet());
                all.addAll(actual.keySet());
                for (String k : all) {
                  if (!Objects.equals(expected.get(k), actual.get(k))) {
                    String[] parts = k.split("\0", 2);
                    found.add(new Problem(Kind.DIRECTORY_MISMATCH, parts[0],
                        "directory " + parts[1] + " counts " + actual.get(k) + " artifact(s), "
                            + "expected " + expected.get(k)));
                  }
                }
              }
              return new IndexFacts(known, artifacts, found);
            });
    problems.addAll(facts.problems());
    Known known = facts.known();
    for (Map.Entry<String, Long> e : known.blobSizes().entrySet()) {
      String key = e.getKey();
      Long size = listed.get(key);
      if (size == null) {
        problems.add(new Problem(Kind.MISSING_BLOB, key,
            "blob " + known.blobSha().get(key) + " is in the index but not in the backend"));
      } else if (size.longValue() != e.getValue()) {
        problems.add(new Problem(Kind.SIZE_MISMATCH, key,
            "backend has " + size + " bytes, index says " + e.getValue()));
      } else if (deep) {
        String actual = hash(key);
        if (actual != null && !actual.equals(known.blobSha().get(key))) {
          problems.add(new Problem(Kind.HASH_MISMATCH, key,
              "bytes hash to " + actual + ", index says " + known.blobSha().get(key)));
        }
      }
    }
    for (String key : known.garbage()) {
      problems.add(new Problem(Kind.UNCOLLECTED_GARBAGE, key,
          "unreferenced blob not yet deleted; collectGarbage() removes it"));
    }
    for (Map.Entry<String, String> e : known.pendingOwners().entrySet()) {
      if (liveness.abandoned(e.getKey(), e.getValue())) {
        problems.add(abandonedWrite(e.getKey(), e.getValue()));
      }
    }
    for (String key : listed.keySet()) {
      if (known.accountsFor(key)) {
        continue;
      }
      String owner = Engine.ownerOf(key);
      if (owner == null) {
        problems.add(new Problem(Kind.ORPHAN_BLOB, key,
            "backend object unknown to the index; collectGarbage() removes it"));
      } else if (liveness.abandoned(key, owner)) {
        problems.add(abandonedWrite(key, owner));
      }
    }
    for (String key : incomplete) {
      String owner = Engine.ownerOf(key);
      if (owner != null && !listed.containsKey(key) && !known.accountsFor(key)
          && liveness.abandoned(key, owner)) {
        problems.add(abandonedWrite(key, owner));
      }
    }
    return new VerifyReport(facts.artifacts(), known.blobSizes().size(), problems);
  }

  private static Problem abandonedWrite(String key, String owner) {
    return new Problem(Kind.UNCOLLECTED_GARBAGE, key,
        "blob of a write that will not commit (its owner " + owner + " is gone or gave up);"
            + " collectGarbage() removes it");
  }

  private Known readKnownOn(java.sql.Connection c) throws java.sql.SQLException {
    Map<String, Long> sizes = new HashMap<>();
    Map<String, String> shas = new HashMap<>();
    Map<String, String> pending = new HashMap<>();
    Set<String> garbage = new HashSet<>();
    try (var s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT key, size, sha256 FROM blobs")) {
        while (rs.next()) {
          sizes.put(rs.getString(1), rs.getLong(2));
          shas.put(rs.getString(1), rs.getString(3));
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT key, owner FROM pending_writes")) {
        while (rs.next()) {
          pending.put(rs.getString(1), rs.getString(2));
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT key FROM garbage")) {
        while (rs.next()) {
          garbage.add(rs.getString(1));
        }
      }
    }
    return new Known(sizes, shas, pending, garbage);
  }

  private String hash(String key) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in =
        new DigestInputStream(engine.backend.open(key, ByteRange.from(0)), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    } catch (BlobNotFoundException e) {
      return null;
    } catch (IOException e) {
      throw new StorageException("reading blob " + key + " failed: " + e, e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
