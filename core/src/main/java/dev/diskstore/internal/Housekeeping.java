package dev.diskstore.internal;

import dev.diskstore.ByteRange;
import dev.diskstore.GcOptions;
import dev.diskstore.GcReport;
import dev.diskstore.Maintenance;
import dev.diskstore.StorageException;
import dev.diskstore.StoreClosedException;
import dev.diskstore.VerifyReport;
import dev.diskstore.VerifyReport.Kind;
import dev.diskstore.VerifyReport.Problem;
import dev.diskstore.spi.BlobNotFoundException;
import dev.diskstore.spi.BlobStat;
import dev.diskstore.spi.index.ArtifactRow;
import dev.diskstore.spi.index.BlobRow;
import dev.diskstore.spi.index.DirectoryRow;
import dev.diskstore.spi.index.IndexSession;
import dev.diskstore.spi.index.IntegrityProblem;
import dev.diskstore.spi.index.MetadataIndex;
import dev.diskstore.spi.index.OwnerState;
import dev.diskstore.spi.index.StoredArtifact;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Garbage collection and verification.
 *
 * <p><b>What may be deleted.</b> Every object a store writes has a key naming its owner, the store
 * instance that wrote it ({@link Engine#newBlobKey()}). An object is deleted only if the index does
 * not reference it and it can never become referenced: its key is in the {@code garbage} table (its
 * last reference was dropped; a garbage key is never referenced again), or its owner can no longer
 * commit — this instance when the key is not in flight, or another owner that the {@code owners}
 * table ({@link OwnerRegistry}) records as dead. Objects whose key names no owner that table knows
 * were not written by this store's writers and are left alone unless {@link
 * GcOptions#deleteUnknownObjects()} asks for them.
 *
 * <p><b>Order of reads, and why a concurrent commit is safe.</b> One collection:
 *
 * <ol>
 *   <li>lists the backend: complete objects and unfinished writes (snapshot L);
 *   <li>snapshots the keys this instance has in flight (an upsert removes its key only after its
 *       commit returned);
 *   <li>reads the index (blob keys, garbage, legacy pending writes) and keeps as candidates the
 *       objects of L it does not account for;
 *   <li>reads the owners table for the owners of the candidates and asks {@link Liveness} about the
 *       ones registered alive; those found dead are declared dead in one write transaction;
 *   <li>reads the index again for the candidates only, and deletes a candidate that is still not
 *       referenced if its owner is dead (recorded dead, or declared in step 4) or is this instance
 *       and the key was not in flight in step 2.
 * </ol>
 *
 * A commit referencing object K (owner O) is a write transaction that first checks O is alive in
 * the owners table. Write transactions are serialised by the index, so that commit is ordered
 * against the declaration of step 4. If the commit came first, the read of step 5 (after the
 * declaration) sees K referenced and K is kept. If the declaration came first, the commit fails
 * and K never becomes referenced: deleting it is safe. An owner already recorded dead cannot commit
 * at all. For this instance's own keys the in-flight set plays the part of the declaration: a key
 * that was not in flight after the listing either committed before (step 5 sees it) or never will.
 * Nothing else about other instances matters — they may commit, close, crash or start while a
 * collection runs — and the liveness answer only decides <em>when</em> an owner's leftovers go:
 * an owner wrongly found dead loses its writes in flight (they fail), never a committed blob.
 * Reading the index before the liveness question (the opposite order) was the defect this order
 * fixes: an owner that committed and then closed in between looked dead, and its committed blob
 * was deleted.
 *
 * <p>Garbage rows are deleted before the objects' rows are removed; a crash in between leaves rows
 * for objects already gone, which the next collection deletes again (deleting is idempotent). Dead
 * owners no listed object names any more are forgotten (their rows and lock files). Objects are
 * listed into memory (a few dozen bytes per blob).
 *
 * <p><b>Threads.</b> Collections and verifications of one store instance run one at a time ({@link
 * #runLock}); the collection started by opening the store runs on a daemon thread and the first
 * maintenance call waits for it. Other instances may collect at the same time: the protocol above
 * does not depend on being alone, and deleting twice is harmless.
 *
 * <p><b>Verification</b> reads in the same order, without declaring anyone dead: an object is
 * reported as abandoned only if its owner was found dead before the index was read a last time.
 */
final class Housekeeping implements Maintenance {
  private final Engine engine;
  private final ReentrantLock runLock = new ReentrantLock();
  private volatile @Nullable Thread background;
  /** Open until the collection started by opening the store has ended. */
  private final java.util.concurrent.CountDownLatch openCollection =
      new java.util.concurrent.CountDownLatch(1);

  Housekeeping(Engine engine) {
    this.engine = engine;
  }

  /** Starts a collection on a daemon thread; the first maintenance call waits for it. */
  void startInBackground() {
    Thread thread =
        new Thread(
            () -> {
              try {
                runExclusively(() -> {
                  engine.requireStoreIdentity();
                  // waits its turn behind another instance's collection (never skips it: the
                  // holder may be an instance that just died, whose lock the server has not
                  // released yet, and whose leftovers this collection is for)
                  try (MetadataIndex.CollectionLease held = awaitCollectionLease()) {
                    return collect(GcOptions.defaults());
                  }
                });
              } catch (StoreClosedException e) {
                // closed while collecting: the next open collects
              } catch (RuntimeException e) {
                if (!engine.isClosed()) {
                  Engine.LOG.log(Level.WARNING,
                      "garbage collection after open failed; the store is usable, the next"
                          + " collection retries", e);
                }
              } finally {
                background = null;
                openCollection.countDown();
              }
            },
            "diskstore-gc-on-open");
    thread.setDaemon(true);
    background = thread;
    thread.start();
  }

  /** Not started by opening the store: later maintenance calls need not wait. */
  void noCollectionOnOpen() {
    openCollection.countDown();
  }

  /**
   * Runs maintenance work with this instance's other maintenance work excluded, after the
   * collection started by opening the store and after the cleanups queued so far.
   */
  private <T> T runExclusively(java.util.function.Supplier<T> work) {
    engine.checkOpen();
    runLock.lock();
    try {
      engine.checkOpen();
      engine.awaitCleanups();
      return work.get();
    } finally {
      runLock.unlock();
    }
  }

  /** Waits for the collection started by opening the store (a caller's maintenance call). */
  private void awaitOpenCollection() {
    if (Thread.currentThread() == background) {
      return;
    }
    try {
      openCollection.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while waiting for garbage collection", true, e);
    }
  }

  /** Interrupts the background collection, if any (the store is closing). */
  void stopBackground() {
    Thread thread = background;
    if (thread != null) {
      thread.interrupt();
    }
  }

  // ------------------------------------------------------------------ the survey

  /** What the index said about the blobs, and the listing's objects it did not account for. */
  private record Known(
      Map<String, Long> blobSizes,
      Map<String, String> blobSha,
      Map<String, String> pendingOwners,
      Set<String> garbage) {
    boolean accountsFor(String key) {
      return blobSizes.containsKey(key) || pendingOwners.containsKey(key) || garbage.contains(key);
    }
  }

  /** Whose an unreferenced object is, as far as deleting it goes. */
  private enum Verdict {
    /** Its writer can no longer commit: deletable. */
    ABANDONED,
    /** Its writer may still commit: keep. */
    IN_FLIGHT,
    /** No writer of this store made it: keep unless asked. */
    UNKNOWN
  }

  /**
   * Steps 1–4 of the class comment: the listing, the in-flight snapshot, the first index read and
   * the owners' fate. With {@code declare}, owners found dead are declared dead in the index.
   */
  private final class Survey {
    final Map<String, Long> listed = new HashMap<>();
    final Set<String> incomplete = new HashSet<>();
    final Set<String> inFlight;
    final Known known;
    /** Owners whose writes can no longer commit (recorded or declared dead). */
    final Set<String> deadOwners = new HashSet<>();
    /** Owners the index has never known (legacy pending writes aside). */
    final Set<String> unknownOwners = new HashSet<>();
    /** Every owner named by a listed object or unfinished write. */
    final Set<String> namedOwners = new HashSet<>();

    Survey(boolean declare) {
      try (Stream<BlobStat> stream = engine.backend.list("")) {
        stream.forEach(stat -> {
          if (!stat.key().equals(StoreIdentity.MARKER_KEY)) {
            listed.put(stat.key(), stat.sizeBytes());
          }
        });
      }
      try (Stream<String> stream = engine.backend.listIncomplete("")) {
        stream.forEach(key -> {
          if (!key.equals(StoreIdentity.MARKER_KEY)) {
            incomplete.add(key);
          }
        });
      }
      inFlight = Set.copyOf(engine.inFlight);
      known = engine.index.read(Housekeeping::readKnown);

      String self = engine.owners.id();
      Set<String> toJudge = new HashSet<>();
      for (String key : candidates()) {
        String owner = Engine.ownerOf(key);
        if (owner != null && !owner.equals(self)) {
          toJudge.add(owner);
        }
      }
      for (String owner : known.pendingOwners().values()) {
        if (!owner.equals(self)) {
          toJudge.add(owner);
        }
      }
      for (String key : listed.keySet()) {
        addOwner(key);
      }
      incomplete.forEach(this::addOwner);
      Map<String, OwnerState> states =
          toJudge.isEmpty()
              ? Map.of()
              : engine.index.read(c -> c.owners().states(toJudge));
      Set<String> legacyOwners = new HashSet<>(known.pendingOwners().values());
      List<String> foundDead = new ArrayList<>();
      for (String owner : toJudge) {
        OwnerState state = states.get(owner);
        if (state == OwnerState.DEAD) {
          deadOwners.add(owner);
        } else if (state == OwnerState.ALIVE) {
          if (!engine.owners.isAlive(owner)) {
            foundDead.add(owner);
          }
        } else if (legacyOwners.contains(owner)) {
          // a writer of a version before the owners table (pending_writes rows): liveness alone
          if (!engine.owners.isAlive(owner)) {
            deadOwners.add(owner);
          }
        } else {
          unknownOwners.add(owner);
        }
      }
      if (!foundDead.isEmpty() && declare) {
        long now = Engine.micros(engine.now());
        engine.index.write(false, c -> {
          c.owners().declareDead(foundDead, now);
          return null;
        });
        deadOwners.addAll(foundDead);
      } else if (!foundDead.isEmpty()) {
        deadOwners.addAll(foundDead); // verification: found dead before the final read
      }
    }

    private void addOwner(String key) {
      String owner = Engine.ownerOf(key);
      if (owner != null) {
        namedOwners.add(owner);
      }
    }

    /** Listed objects and unfinished writes the first index read did not account for. */
    Set<String> candidates() {
      Set<String> out = new HashSet<>();
      for (String key : listed.keySet()) {
        if (!known.accountsFor(key)) {
          out.add(key);
        }
      }
      for (String key : incomplete) {
        if (!listed.containsKey(key) && !known.accountsFor(key)) {
          out.add(key);
        }
      }
      return out;
    }

    /** Step 5's index read: which candidates are referenced (or otherwise accounted for) now. */
    Set<String> accountedNow(Set<String> candidates) {
      if (candidates.isEmpty()) {
        return Set.of();
      }
      return engine.index.read(c -> c.garbage().accountedFor(candidates));
    }

    Verdict verdict(String key) {
      String owner = Engine.ownerOf(key);
      if (owner == null) {
        return Verdict.UNKNOWN;
      }
      if (owner.equals(engine.owners.id())) {
        return inFlight.contains(key) ? Verdict.IN_FLIGHT : Verdict.ABANDONED;
      }
      if (deadOwners.contains(owner)) {
        return Verdict.ABANDONED;
      }
      return unknownOwners.contains(owner) ? Verdict.UNKNOWN : Verdict.IN_FLIGHT;
    }

    /** Legacy pending-write rows (key, owner) of the final read whose owner can no longer commit. */
    Map<String, String> abandonedPending() {
      Map<String, String> rows = engine.index.read(c -> c.garbage().legacyPendingWrites());
      Map<String, String> out = new HashMap<>();
      String self = engine.owners.id();
      for (Map.Entry<String, String> e : rows.entrySet()) {
        String owner = e.getValue();
        boolean abandoned =
            owner.equals(self) ? !inFlight.contains(e.getKey()) : deadOwners.contains(owner);
        if (abandoned) {
          out.put(e.getKey(), owner);
        }
      }
      return out;
    }
  }

  // ------------------------------------------------------------------ collection

  @Override
  public GcReport collectGarbage(GcOptions options) {
    Objects.requireNonNull(options, "options");
    engine.checkOpen();
    awaitOpenCollection();
    return runExclusively(() -> {
      engine.requireStoreIdentity();
      try (MetadataIndex.CollectionLease held = awaitCollectionLease()) {
        return collect(options);
      }
    });
  }

  /**
   * The store-wide collector role, waited for while another instance (any process, any host)
   * collects: at most one collection runs on a store at a time. Safety does not depend on it
   * (see the class comment); it keeps collectors from repeating each other's listing and deletes.
   */
  private MetadataIndex.CollectionLease awaitCollectionLease() {
    long pauseMillis = 20;
    while (true) {
      engine.checkOpen();
      Optional<MetadataIndex.CollectionLease> lease = engine.index.tryLockCollection();
      if (lease.isPresent()) {
        return lease.get();
      }
      try {
        Thread.sleep(pauseMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StorageException(
            "interrupted while waiting for another instance's garbage collection", true, e);
      }
      pauseMillis = Math.min(500, pauseMillis * 2);
    }
  }

  private GcReport collect(GcOptions options) {
    // History first: the versions the policy no longer keeps go, and the blobs they alone
    // referenced join the garbage deleted below (their keys are in the garbage table already).
    VersionOps.Expired expired = engine.versionOps().expire();
    if (expired.versions() > 0) {
      Engine.LOG.log(Level.INFO, "garbage collection: " + expired.versions()
          + " version(s) past the history policy removed");
    }
    Survey survey = new Survey(true);
    Set<String> candidates = survey.candidates();
    Set<String> accounted = survey.accountedNow(candidates);

    int unreferenced = 0;
    List<String> removed = new ArrayList<>();
    for (String key : survey.known.garbage()) {
      if (deleteObject(key)) {
        removed.add(key);
        unreferenced++;
      }
    }
    removeRows(removed, false);

    int abandoned = 0;
    List<String> pendingRemoved = new ArrayList<>();
    for (String key : survey.abandonedPending().keySet()) {
      if (deleteObject(key)) {
        pendingRemoved.add(key);
        abandoned++;
      }
    }
    removeRows(pendingRemoved, true);

    int orphans = 0;
    int unknownKept = 0;
    for (String key : candidates) {
      if (accounted.contains(key)) {
        continue;
      }
      boolean complete = survey.listed.containsKey(key);
      switch (survey.verdict(key)) {
        case ABANDONED -> {
          if (complete ? deleteObject(key) : deleteIncomplete(key)) {
            abandoned++;
          }
        }
        case UNKNOWN -> {
          if (!options.deleteUnknownObjects()) {
            unknownKept++;
          } else if (complete ? deleteObject(key) : deleteIncomplete(key)) {
            orphans++;
          }
        }
        case IN_FLIGHT -> { }
      }
    }
    forgetDeadOwners(survey.namedOwners);
    if (unreferenced + abandoned + orphans > 0) {
      Engine.LOG.log(
          Level.INFO,
          "garbage collection: " + unreferenced + " unreferenced, " + abandoned
              + " abandoned, " + orphans + " unknown object(s) deleted");
    }
    if (unknownKept > 0) {
      Engine.LOG.log(
          Level.INFO,
          "garbage collection left " + unknownKept + " object(s) alone that no writer of this"
              + " store made (see maintenance().verify())");
    }
    return new GcReport(abandoned, unreferenced, orphans, unknownKept, expired.versions());
  }

  /** Forgets dead owners that no listed object names (rows and lock files). Best effort. */
  private void forgetDeadOwners(Set<String> named) {
    try {
      engine.index.write(false, c -> c.owners().pruneDead(named));
      engine.owners.forgetDead();
    } catch (StorageException e) {
      Engine.LOG.log(Level.DEBUG, "could not forget dead owners; the next collection retries", e);
    }
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
      Engine.LOG.log(
          Level.WARNING, "could not remove the unfinished write " + key + "; will retry later", e);
      return false;
    }
  }

  /** Forgets garbage keys, or legacy pending writes, whose objects were deleted. */
  private void removeRows(List<String> keys, boolean legacyPending) {
    if (keys.isEmpty()) {
      return;
    }
    engine.index.write(
        false,
        c -> {
          if (legacyPending) {
            c.garbage().removeLegacyPendingWrites(keys);
          } else {
            c.garbage().remove(keys);
          }
          return null;
        });
  }

  // ------------------------------------------------------------------ verification

  @Override
  public VerifyReport verify(boolean deep) {
    engine.checkOpen();
    awaitOpenCollection();
    return runExclusively(() -> verifyNow(deep));
  }

  private VerifyReport verifyNow(boolean deep) {
    List<Problem> indexDamage = checkIndexFile(deep);
    List<Problem> damage = new ArrayList<>(indexDamage);
    damage.addAll(checkTextIndex(deep));
    try {
      return verifyIndexAndBackend(deep, damage);
    } catch (StorageException e) {
      if (damage.isEmpty()) {
        throw e;
      }
      // the damage the index found keeps the rest of the index from being read: report what is known
      List<Problem> problems = new ArrayList<>(damage);
      // named as the index named its damage (SQLite: the file name)
      String subject =
          indexDamage.isEmpty() ? engine.index.describe() : indexDamage.get(0).subject();
      problems.add(new Problem(Kind.INDEX_DAMAGED, subject,
          "the rest of the verification could not read the index: " + e.getMessage()));
      return new VerifyReport(0, 0, problems);
    }
  }

  private VerifyReport verifyIndexAndBackend(boolean deep, List<Problem> damage) {
    List<Problem> problems = new ArrayList<>(damage);
    Survey survey = new Survey(false);
    record IndexFacts(int artifacts, List<Problem> problems) {}
    IndexFacts facts =
        engine.index.read(
            c -> {
              List<Problem> found = new ArrayList<>();
              RowScan scan = new RowScan(deep);
              c.maintenance().scanArtifacts(scan);
              Map<String, Integer> versionUses = new HashMap<>();
              c.maintenance().scanVersions((version, hasBlobRow) -> {
                String sha256 = version.sha256();
                if (sha256 == null) {
                  return;
                }
                versionUses.merge(sha256, 1, Integer::sum);
                if (!hasBlobRow) {
                  found.add(new Problem(Kind.MISSING_BLOB, version.diskId(),
                      "version " + version.version() + " of artifact " + version.path()
                          + version.filename() + " references blob " + sha256
                          + ", which the index does not know"));
                }
              });
              found.addAll(scan.missingBlobs);
              for (BlobRow blob : c.blobs().all()) {
                int artifactUses = scan.blobUses.getOrDefault(blob.sha256(), 0);
                int historyUses = versionUses.getOrDefault(blob.sha256(), 0);
                if (blob.refCount() != artifactUses + historyUses) {
                  found.add(new Problem(Kind.REFCOUNT_MISMATCH, blob.key(),
                      "blob " + blob.sha256() + " has ref_count " + blob.refCount() + " but "
                          + artifactUses + " artifact(s) and " + historyUses
                          + " version(s) use it"));
                }
              }
              found.addAll(directoryProblems(scan.perDirectory, c.maintenance().directories()));
              found.addAll(scan.checksumProblems);
              return new IndexFacts(scan.artifacts, found);
            });
    problems.addAll(facts.problems());
    Known known = survey.known;
    for (Map.Entry<String, Long> e : known.blobSizes().entrySet()) {
      String key = e.getKey();
      Long size = survey.listed.get(key);
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
    for (Map.Entry<String, String> e : survey.abandonedPending().entrySet()) {
      problems.add(abandonedWrite(e.getKey(), e.getValue()));
    }
    Set<String> candidates = survey.candidates();
    Set<String> accounted = survey.accountedNow(candidates);
    for (String key : candidates) {
      if (accounted.contains(key)) {
        continue;
      }
      switch (survey.verdict(key)) {
        case ABANDONED -> problems.add(abandonedWrite(key, Objects.requireNonNull(
            Engine.ownerOf(key))));
        case UNKNOWN -> problems.add(new Problem(Kind.ORPHAN_BLOB, key,
            "backend object that no writer of this store made (another store's, an older"
                + " version's, or put there by hand); left alone: collectGarbage("
                + "GcOptions.deletingUnknownObjects()) deletes it"));
        case IN_FLIGHT -> { }
      }
    }
    return new VerifyReport(facts.artifacts(), known.blobSizes().size(), problems);
  }

  /** The index's own check of its storage: quick, or the full check when deep. */
  private List<Problem> checkIndexFile(boolean deep) {
    List<Problem> found = new ArrayList<>();
    for (IntegrityProblem p : engine.index.checkIntegrity(deep)) {
      found.add(new Problem(Kind.INDEX_DAMAGED, p.where(), p.detail()));
    }
    return found;
  }

  /**
   * The index's check of the full-text documents ({@link TextIndexer#check}). They are derived
   * data: damaged ones are reported, and set aside and rebuilt right away.
   */
  private List<Problem> checkTextIndex(boolean deep) {
    List<String> found = engine.textIndexer.check(deep);
    if (found.isEmpty()) {
      return List.of();
    }
    engine.textIndexer.rebuildDamaged();
    List<Problem> problems = new ArrayList<>();
    for (String line : found) {
      problems.add(new Problem(Kind.INDEX_DAMAGED, "full-text index",
          line + " (derived data: set aside and rebuilt from the artifacts)"));
    }
    return problems;
  }

  /**
   * One pass over the artifact rows: their count, the artifacts per blob and per directory, rows
   * whose blob row is missing and (deep) rows that no longer match their checksum ({@link
   * RowCheck}).
   */
  private static final class RowScan implements java.util.function.Consumer<StoredArtifact> {
    private final boolean deep;
    int artifacts;
    final Map<String, Integer> blobUses = new HashMap<>();
    /** Artifacts per disk and directory ({@code disk \0 path}), counting sub-directories. */
    final Map<String, Long> perDirectory = new HashMap<>();
    final List<Problem> missingBlobs = new ArrayList<>();
    final List<Problem> checksumProblems = new ArrayList<>();

    RowScan(boolean deep) {
      this.deep = deep;
    }

    @Override
    public void accept(StoredArtifact stored) {
      ArtifactRow row = stored.row();
      artifacts++;
      blobUses.merge(row.sha256(), 1, Integer::sum);
      for (String dir : PathRules.selfAndAncestors(row.path())) {
        perDirectory.merge(row.diskId() + "\0" + dir, 1L, Long::sum);
      }
      if (!stored.hasBlobRow()) {
        missingBlobs.add(new Problem(Kind.MISSING_BLOB, row.diskId(),
            "artifact " + row.path() + row.filename() + " references blob " + row.sha256()
                + ", which the index does not know"));
      }
      if (!deep) {
        return;
      }
      Long check = stored.rowCheck();
      if (check == null) {
        checksumProblems.add(new Problem(Kind.ROW_CHECKSUM_MISMATCH, row.diskId(),
            "artifact row " + row.id() + " has no checksum"));
      } else if (RowCheck.of(row) != check) {
        checksumProblems.add(new Problem(Kind.ROW_CHECKSUM_MISMATCH, row.diskId(),
            "artifact row " + row.id() + " (" + row.path() + row.filename()
                + ") no longer matches its checksum: its fields were changed inside the index"
                + " file; restore index.db from a backup"));
      }
    }
  }

  private static List<Problem> directoryProblems(
      Map<String, Long> expected, List<DirectoryRow> rows) {
    List<Problem> found = new ArrayList<>();
    Map<String, Long> actual = new HashMap<>();
    for (DirectoryRow row : rows) {
      String dir = row.path();
      actual.put(row.diskId() + "\0" + dir, row.artifactCount());
      if (!PathRules.parent(dir).equals(row.parent()) || !PathRules.name(dir).equals(row.name())) {
        found.add(new Problem(Kind.DIRECTORY_MISMATCH, row.diskId(),
            "directory " + dir + " has a wrong parent or name"));
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
    return found;
  }

  private static Problem abandonedWrite(String key, String owner) {
    return new Problem(Kind.UNCOLLECTED_GARBAGE, key,
        "blob of a write that will not commit (its owner " + owner + " is gone or gave up);"
            + " collectGarbage() removes it");
  }

  private static Known readKnown(IndexSession c) {
    Map<String, Long> sizes = new HashMap<>();
    Map<String, String> shas = new HashMap<>();
    for (BlobRow blob : c.blobs().all()) {
      sizes.put(blob.key(), blob.size());
      shas.put(blob.key(), blob.sha256());
    }
    return new Known(sizes, shas, c.garbage().legacyPendingWrites(), c.garbage().keys());
  }

  private @Nullable String hash(String key) {
    MessageDigest digest = Hashing.sha256();
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
