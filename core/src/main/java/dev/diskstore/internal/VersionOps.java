package dev.diskstore.internal;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactVersion;
import dev.diskstore.ArtifactVersionPage;
import dev.diskstore.History;
import dev.diskstore.InvalidCursorException;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.VersionNotFoundException;
import dev.diskstore.spi.index.ArtifactRow;
import dev.diskstore.spi.index.IndexSession;
import dev.diskstore.spi.index.VersionRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The artifacts' history: recording a version with every change, listing, reading, restoring and
 * purging versions, and the retention pass of garbage collection ({@link History}).
 *
 * <p><b>What a version is.</b> A row of {@link IndexSession.VersionRows} per change of the artifact
 * at {@code (disk, path, filename)}, numbered from 0: the state the change left (bytes by SHA-256,
 * size, content type, etag, user metadata, times) or, for a delete or a move away, no state. The
 * newest version of an existing artifact is its current state; a version is never changed after it
 * is written, only deleted (retention, {@code deleteVersions}, the disk's deletion).
 *
 * <p><b>References.</b> A version with a state holds one reference to its blob, counted in the
 * blob's reference count like an artifact row's: {@code ref_count = artifacts + versions} using the
 * blob. It is added in the transaction that inserts the version ({@link #record}) and released in
 * the one that deletes it ({@link #purge}); so garbage collection's rule is unchanged — a blob's key
 * moves to the garbage when its last reference, artifact or version, goes — and an artifact that is
 * deleted or replaced keeps its old bytes for as long as a version names them. Identical bytes are
 * never stored twice: a version references the blob by SHA-256. Verification counts both kinds of
 * row ({@code Housekeeping}).
 *
 * <p><b>Numbering, and why it cannot gap or duplicate.</b> {@link #record} runs inside the write
 * transaction of the change it records, after that change: it reads the artifact's newest version
 * number ({@link IndexSession.VersionRows#newest}) and inserts the next one (0 when there is none).
 * Write transactions are serializable against every writer of every instance sharing the store
 * ({@link dev.diskstore.spi.index.MetadataIndex#write}: SQLite takes the one write lock with {@code
 * BEGIN IMMEDIATE}; PostgreSQL runs {@code SERIALIZABLE} and retries). So two changes of one
 * artifact, from any threads of any instances, are ordered, and the later one reads the number the
 * earlier one wrote: no duplicate. Should two transactions still read the same newest number (a
 * database server running them at once), the primary key {@code (disk, path, filename, version)}
 * fails the second one, which the index reports as a serialization failure and runs again — never
 * two rows with one number. The read and the insert are in the transaction of the change, so a
 * change that commits has its version and one that rolls back has none: no gap. A retried write
 * re-runs the whole work, reading the number afresh. Numbers are never reused while history is on:
 * retention and {@code deleteVersions} never delete an artifact's newest version, so {@code newest
 * + 1} keeps growing (with history off, or after the disk is deleted, numbering starts again at 0).
 *
 * <p><b>Retention</b> ({@link #expire}) runs at the start of each garbage collection, in write
 * transactions of at most {@link #EXPIRE_BATCH} versions: it selects and deletes the versions the
 * policy no longer keeps in the same transaction, releases their blob references, and returns the
 * keys that lost their last reference, which the collection deletes with the rest of the garbage.
 *
 * <p>Stateless apart from the engine; thread-safe. Every method taking an {@link IndexSession} runs
 * inside the caller's transaction and may be run more than once with it.
 */
final class VersionOps {
  /** Versions deleted per transaction of the retention pass. */
  static final int EXPIRE_BATCH = 1_000;
  static final int MAX_LIMIT = ArtifactOps.MAX_LIST_LIMIT;

  private final Engine engine;
  private final ArtifactOps artifacts;

  VersionOps(Engine engine, ArtifactOps artifacts) {
    this.engine = engine;
    this.artifacts = artifacts;
  }

  private History policy() {
    return engine.config.history();
  }

  // ---------------------------------------------------------------- recording

  /**
   * Records the version a change made, in the change's transaction: {@code state} is the artifact
   * row after the change, or null when the change removed the artifact from this path. Nothing
   * when history is off.
   */
  void record(
      IndexSession c, String diskId, String path, String filename, ArtifactVersion.Change change,
      @Nullable ArtifactRow state, long nowMicros) {
    if (!policy().enabled()) {
      return;
    }
    OptionalLong newest = c.versions().newest(diskId, path, filename);
    long next = newest.isPresent() ? newest.getAsLong() + 1 : 0;
    c.versions().insert(new VersionRow(diskId, path, filename, next, change.name(), nowMicros,
        state));
    if (state != null) {
      c.blobs().addReference(state.sha256());
    }
  }

  // ---------------------------------------------------------------- reading

  /**
   * The state of one version, joined with its blob key; null when the version does not exist or
   * records a removal. Throws {@link dev.diskstore.DiskNotFoundException} when the disk is missing.
   */
  @Nullable ArtifactRow lookup(String diskId, String path, String filename, long version) {
    return engine.index.read(
        c -> {
          DiskOps.requireDisk(c, diskId);
          return c.versions().find(diskId, path, filename, version)
              .map(VersionRow::state)
              .orElse(null);
        });
  }

  /** Why {@link #lookup} found nothing, as an exception. */
  VersionNotFoundException notFound(String diskId, String path, String filename, long version) {
    Optional<VersionRow> row =
        engine.index.read(c -> c.versions().find(diskId, path, filename, version));
    String reason =
        row.isPresent()
            ? "records a removal (" + row.get().change() + ") and has no content"
            : "does not exist (never recorded, or removed by garbage collection or"
                + " deleteVersions)";
    return new VersionNotFoundException(diskId, path, filename, version, reason);
  }

  ArtifactVersionPage versions(
      String diskId, String filePath, String filename, int limit, @Nullable String cursor) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(filePath, "filePath");
    Objects.requireNonNull(filename, "filename");
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidRequestException(
          "limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
    }
    String path = PathRules.directory(filePath);
    String name = PathRules.filename(filename);
    String scope = "versions\0" + diskId + "\0" + path + name;
    long before = Long.MAX_VALUE;
    if (cursor != null) {
      String field = Cursors.decode(cursor, "v1", scope, 1).get(0);
      try {
        before = Long.parseLong(field);
      } catch (NumberFormatException e) {
        throw new InvalidCursorException("malformed cursor");
      }
    }
    long beforeVersion = before;
    List<VersionRow> rows =
        engine.index.read(
            c -> {
              DiskOps.requireDisk(c, diskId);
              return c.versions().page(diskId, path, name, beforeVersion, limit + 1);
            });
    boolean more = rows.size() > limit;
    List<VersionRow> items = more ? rows.subList(0, limit) : rows;
    List<ArtifactVersion> versions = new ArrayList<>(items.size());
    for (VersionRow row : items) {
      versions.add(toVersion(row));
    }
    Optional<String> next =
        more
            ? Optional.of(Cursors.encode("v1", scope,
                List.of(Long.toString(items.get(items.size() - 1).version()))))
            : Optional.empty();
    return new ArtifactVersionPage(versions, next);
  }

  private ArtifactVersion toVersion(VersionRow row) {
    ArtifactRow state = row.state();
    Optional<Artifact> artifact =
        state == null ? Optional.empty() : Optional.of(artifacts.toArtifact(state));
    return new ArtifactVersion(
        row.version(), ArtifactVersion.Change.valueOf(row.change()),
        Engine.instant(row.changedAt()), artifact);
  }

  // ---------------------------------------------------------------- purging

  int deleteVersions(String diskId, String filePath, String filename) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(filePath, "filePath");
    Objects.requireNonNull(filename, "filename");
    String path = PathRules.directory(filePath);
    String name = PathRules.filename(filename);
    record Purged(int count, List<String> garbage) {}
    Purged purged =
        engine.index.write(
            true,
            c -> {
              DiskOps.requireDisk(c, diskId);
              OptionalLong newest = c.versions().newest(diskId, path, name);
              if (newest.isEmpty()) {
                return new Purged(0, List.of());
              }
              List<VersionRow> gone =
                  c.versions().deleteBefore(diskId, path, name, newest.getAsLong());
              List<String> garbage = new ArrayList<>();
              release(c, gone, garbage, engine.now());
              return new Purged(gone.size(), garbage);
            });
    engine.deleteGarbage(purged.garbage());
    return purged.count();
  }

  /** Releases the blob references of deleted version rows; freed keys go to {@code garbage}. */
  static void release(IndexSession c, List<VersionRow> gone, List<String> garbage, Instant now) {
    java.util.Map<String, Integer> uses = new java.util.HashMap<>();
    for (VersionRow row : gone) {
      String sha256 = row.sha256();
      if (sha256 != null) {
        uses.merge(sha256, 1, Integer::sum);
      }
    }
    for (Map.Entry<String, Integer> use : uses.entrySet()) {
      ArtifactOps.releaseBlob(c, use.getKey(), use.getValue(), garbage, now);
    }
  }

  /**
   * The retention pass of garbage collection: deletes every version the policy no longer keeps, in
   * transactions of at most {@link #EXPIRE_BATCH}, and returns the blob keys that lost their last
   * reference (already in the garbage table; the caller deletes the objects), with how many
   * versions went. The transactions are durable: the objects of the freed keys are deleted right
   * after, so the versions that referenced them must not come back after a power loss.
   */
  record Expired(int versions, List<String> freedKeys) {}

  Expired expire() {
    int removed = 0;
    History history = policy();
    int keepLast = history.keepLast();
    List<String> freed = new ArrayList<>();
    while (true) {
      engine.checkOpen();
      Instant now = engine.now();
      long changedBefore =
          history.maxAge().map(age -> Engine.micros(now.minus(age))).orElse(Long.MIN_VALUE);
      // a read first: most collections find nothing to expire and need no write (and no fsync)
      boolean due =
          engine.index.read(
              c -> !c.versions().expired(keepLast, changedBefore, 1).isEmpty());
      if (!due) {
        return new Expired(removed, freed);
      }
      record Batch(int count, List<String> garbage) {}
      Batch batch =
          engine.index.write(
              true,
              c -> {
                List<VersionRow> doomed =
                    c.versions().expired(keepLast, changedBefore, EXPIRE_BATCH);
                List<VersionRow> gone = new ArrayList<>(doomed.size());
                for (VersionRow row : doomed) {
                  if (c.versions().delete(row.diskId(), row.path(), row.filename(),
                      row.version())) {
                    gone.add(row);
                  }
                }
                List<String> garbage = new ArrayList<>();
                release(c, gone, garbage, now);
                return new Batch(doomed.size(), garbage);
              });
      removed += batch.count();
      freed.addAll(batch.garbage());
      if (batch.count() < EXPIRE_BATCH) {
        return new Expired(removed, freed);
      }
    }
  }
}
