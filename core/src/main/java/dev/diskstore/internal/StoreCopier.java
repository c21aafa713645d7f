package dev.diskstore.internal;

import dev.diskstore.ArtifactVersion;
import dev.diskstore.ByteRange;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.StorageException;
import dev.diskstore.StoreCopy;
import dev.diskstore.spi.index.ArtifactRow;
import dev.diskstore.spi.index.DirectoryRow;
import dev.diskstore.spi.index.DiskRow;
import dev.diskstore.spi.index.IndexSession;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Copies every disk of one store into another ({@link StoreCopy}): disk ids, paths, filenames,
 * metadata, etags, content types, every time ({@code createdAt}, {@code updatedAt}, content
 * modification) and content addressing (SHA-256; each distinct content is stored once), between any
 * index and any backend (SQLite + a local directory to PostgreSQL + S3, and back).
 *
 * <p><b>How.</b> Both stores are opened as ordinary instances (garbage collection on open off). The
 * target records which store it is a copy of ({@code copy.source} in its store settings) before
 * the first disk; a target that is neither new nor a copy of the same source is refused. Disks go
 * in creation order, each in pages of {@value #PAGE} artifacts: for each page the bytes not yet in
 * the target are streamed from the source backend into the target backend under keys of the
 * target's own instance (checked against the source's recorded size and SHA-256 as they stream, so
 * damaged source bytes fail the copy instead of being copied), then one target write transaction
 * inserts the page's blob references, artifact rows, directory counts and full-text queue entries.
 * The transaction that writes a disk's last page also records {@code copy.disk.<id> = done}.
 *
 * <p><b>Resuming.</b> Running the copy again after an interruption (a crash, a network failure, a
 * full disk) skips the disks recorded done and copies again, from scratch, the one disk that was in
 * progress: its partial rows are removed first, in one transaction that releases their blob
 * references exactly as deleting the disk would. Bytes already in the target that a page still
 * references are not copied again. Objects uploaded for a page whose transaction never committed
 * name the interrupted instance as their owner, which is dead once that instance is gone: garbage
 * collection of the target deletes them like those of any failed write, and the blob commit fence
 * ({@link OwnerRegistry}) applies to the copy as to any upsert.
 *
 * <p><b>History</b> is not copied: each artifact's history on the target starts with version 0,
 * its copied current state (recorded when the target's {@link dev.diskstore.History} is on), as
 * when a store of an earlier schema is migrated.
 *
 * <p><b>What it assumes.</b> The source is not written during the copy (each page is read in its
 * own snapshot, so concurrent writes to the source may or may not be copied). The target is not
 * used by anything else until the copy has finished. Public URLs signed by the source's built-in URL
 * server stay valid on the target only if it serves them too (the URL secret and project id are
 * copied).
 *
 * <p>Not thread-safe; one copy runs on the calling thread.
 */
public final class StoreCopier {
  /** Artifacts per target transaction. */
  static final int PAGE = 256;

  static final String SOURCE_KEY = "copy.source";
  static final String DONE_PREFIX = "copy.disk.";

  private final Engine source;
  private final Engine target;
  private final Consumer<String> progress;
  private int disksCopied;
  private int disksSkipped;
  private long artifacts;
  private long blobsCopied;
  private long bytesCopied;
  private long blobsReused;

  private StoreCopier(Engine source, Engine target, Consumer<String> progress) {
    this.source = source;
    this.target = target;
    this.progress = progress;
  }

  /** Opens both stores, copies, closes both. */
  public static StoreCopy.Report copy(
      DiskStoreConfig from, DiskStoreConfig to, Consumer<String> progress) {
    try (Engine source = Engine.open(from.toBuilder().collectGarbageOnOpen(false).build());
        Engine target = Engine.open(to.toBuilder().collectGarbageOnOpen(false).build())) {
      return new StoreCopier(source, target, progress).run();
    }
  }

  private StoreCopy.Report run() {
    String sourceId = source.requireStoreIdentity();
    String targetId = target.requireStoreIdentity();
    if (sourceId.equals(targetId)) {
      throw new InvalidRequestException(
          "source and target are the same store (" + sourceId + "): nothing to copy");
    }
    String project = source.index.read(c -> c.storeMeta("project_id")).orElseThrow();
    String secret = source.index.read(c -> c.storeMeta("url_secret")).orElseThrow();
    boolean resumed =
        target.index.write(
            true,
            c -> {
              Optional<String> copyOf = c.storeMeta(SOURCE_KEY);
              if (copyOf.isPresent()) {
                if (!copyOf.get().equals(sourceId)) {
                  throw new InvalidRequestException(
                      "the target " + target + " is a copy of store " + copyOf.get()
                          + ", not of the source store " + sourceId);
                }
                return true;
              }
              if (!c.disks().page(null, null, false, Long.MIN_VALUE, null, 1).isEmpty()) {
                throw new InvalidRequestException(
                    "the target " + target + " already holds disks: a store is copied"
                        + " only into a new store (or into an interrupted copy of the same"
                        + " source)");
              }
              c.putStoreMeta(SOURCE_KEY, sourceId);
              c.putStoreMeta("project_id", project);
              c.putStoreMeta("url_secret", secret);
              return false;
            });
    progress.accept((resumed ? "resuming the copy of store " : "copying store ") + sourceId
        + " (" + source + ") into " + target);
    long afterCreatedAt = Long.MIN_VALUE;
    String afterId = null;
    while (true) {
      long fromTime = afterCreatedAt;
      String fromId = afterId;
      List<DiskRow> disks =
          source.index.read(c -> c.disks().page(null, null, false, fromTime, fromId, 100));
      for (DiskRow disk : disks) {
        copyDisk(disk);
      }
      if (disks.size() < 100) {
        break;
      }
      DiskRow last = disks.get(disks.size() - 1);
      afterCreatedAt = last.createdAt();
      afterId = last.id();
    }
    StoreCopy.Report report =
        new StoreCopy.Report(
            sourceId, targetId, disksCopied, disksSkipped, artifacts, blobsCopied, blobsReused,
            bytesCopied, resumed);
    progress.accept("done: " + report);
    return report;
  }

  private void copyDisk(DiskRow disk) {
    String doneKey = DONE_PREFIX + disk.id();
    if (target.index.read(c -> c.storeMeta(doneKey)).isPresent()) {
      disksSkipped++;
      return;
    }
    // A disk left half-copied by an interrupted run goes first, as a disk delete would.
    List<String> garbage =
        target.index.write(
            true,
            c -> {
              List<String> keys = new ArrayList<>();
              if (c.disks().exists(disk.id())) {
                DiskOps.releaseBlobs(c, disk.id(), keys, target.now());
                c.text().enqueueDisk(disk.id());
                c.disks().delete(disk.id());
              }
              c.disks().insert(disk);
              return keys;
            });
    target.deleteGarbage(garbage);
    long count = 0;
    String afterPath = null;
    String afterFilename = null;
    while (true) {
      String fromPath = afterPath;
      String fromFilename = afterFilename;
      List<ArtifactRow> page =
          source.index.read(
              c -> {
                List<ArtifactRow> rows = new ArrayList<>(PAGE);
                // every path starts with "/", and "0" is the character after it
                c.artifacts().scan(disk.id(), "/", "0", fromPath, fromFilename,
                    row -> {
                      rows.add(row);
                      return rows.size() < PAGE;
                    });
                return rows;
              });
      boolean last = page.size() < PAGE;
      copyPage(disk, page, last ? doneKey : null);
      count += page.size();
      if (last) {
        break;
      }
      ArtifactRow end = page.get(page.size() - 1);
      afterPath = end.path();
      afterFilename = end.filename();
    }
    disksCopied++;
    artifacts += count;
    progress.accept("disk " + disk.id() + ": " + count + " artifacts");
  }

  /**
   * Copies the bytes a page needs that the target lacks, then commits the page's rows (and, for
   * the disk's last page, the disk's done mark) in one transaction.
   */
  private void copyPage(DiskRow disk, List<ArtifactRow> page, @Nullable String doneKey) {
    Map<String, String> uploaded = new HashMap<>();
    try {
      for (ArtifactRow row : page) {
        if (uploaded.containsKey(row.sha256())
            || target.index.readEach(c -> c.blobs().keyOf(row.sha256())).isPresent()) {
          continue;
        }
        String key = target.newBlobKey();
        target.inFlight.add(key);
        uploaded.put(row.sha256(), key);
        copyBytes(row, key);
      }
      List<String> garbage =
          target.index.write(
              true,
              c -> {
                List<String> unused = new ArrayList<>();
                for (ArtifactRow row : page) {
                  insert(c, disk, row, uploaded, unused);
                }
                if (doneKey != null) {
                  c.putStoreMeta(doneKey, "done");
                }
                return unused;
              });
      long reused = page.stream().map(ArtifactRow::sha256).distinct()
          .filter(sha -> !uploaded.containsKey(sha)).count();
      blobsReused += reused;
      target.deleteGarbage(garbage);
      target.textIndexer.wake();
    } catch (RuntimeException | Error e) {
      // not committed: the objects are the interrupted write's, deleted now or by GC later
      uploaded.values().forEach(target::cleanUpLater);
      throw e;
    } finally {
      uploaded.values().forEach(target.inFlight::remove);
    }
  }

  private void insert(
      IndexSession c, DiskRow disk, ArtifactRow row, Map<String, String> uploaded,
      List<String> unused) {
    Optional<String> existing = c.blobs().keyOf(row.sha256());
    String mine = uploaded.get(row.sha256());
    if (existing.isPresent()) {
      c.blobs().addReference(row.sha256());
      if (mine != null && !existing.get().equals(mine)) {
        c.garbage().add(mine, Engine.micros(target.now()));
        unused.add(mine);
      }
    } else {
      if (mine == null) {
        // the blob row seen before the upload phase went since (never on a target used only by
        // the copy); fail rather than reference bytes that are not there
        throw new StorageException(
            "the target lost the bytes of " + row.path() + row.filename() + " on disk "
                + disk.id() + " during the copy; run the copy again", true, null);
      }
      OwnerRegistry.requireAlive(c, mine, target.isClosed(), target.owners.id());
      c.blobs().insert(row.sha256(), mine, row.size(), Engine.micros(target.now()));
    }
    ArtifactRow copy =
        new ArtifactRow(0, row.diskId(), row.path(), row.filename(), row.sha256(), row.size(),
            row.contentType(), row.etag(), row.userMeta(), row.createdAt(), row.updatedAt(),
            row.contentModifiedAt(), "");
    long id = c.artifacts().insert(copy, RowCheck.of(copy));
    List<DirectoryRow> dirs = new ArrayList<>();
    for (String dir : PathRules.selfAndAncestors(row.path())) {
      dirs.add(new DirectoryRow(row.diskId(), dir, PathRules.parent(dir), PathRules.name(dir), 0));
    }
    if (!dirs.isEmpty()) {
      c.artifacts().addToDirectories(row.diskId(), dirs);
    }
    c.text().enqueue(id);
    // the history starts again on the target: version 0 is the copied state
    target.versionOps().record(c, row.diskId(), row.path(), row.filename(),
        ArtifactVersion.Change.UPSERTED, copy, row.updatedAt());
  }

  /** Streams a row's bytes from the source backend to {@code key} on the target's, checked. */
  private void copyBytes(ArtifactRow row, String key) {
    try (InputStream in = ArtifactOps.openChecked(source, row, ByteRange.from(0))) {
      long written = target.backend.write(key, in, OptionalLong.of(row.size()));
      if (written != row.size()) {
        throw new StorageException(
            "copying " + row.path() + row.filename() + " on disk " + row.diskId() + ": wrote "
                + written + " of " + row.size() + " bytes", true, null);
      }
      blobsCopied++;
      bytesCopied += written;
    } catch (IOException e) {
      throw new StorageException(
          "copying " + row.path() + row.filename() + " on disk " + row.diskId() + " failed: " + e,
          true, e);
    }
  }
}
