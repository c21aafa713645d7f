package dev.diskstore;

import dev.diskstore.internal.StoreCopier;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Copies a whole store into another, whatever their index and backend: an embedded store (SQLite
 * and a local directory) into PostgreSQL and S3 when an application grows to several instances, or
 * back. The command line's {@code diskstore copy} runs it.
 *
 * <p>What is kept: disk ids, users and times; every artifact's path, filename, metadata, etag,
 * content type, size, SHA-256, {@code createdAt}, {@code updatedAt} and content time; content
 * addressing (each distinct content is stored once in the target, whatever number of artifacts
 * share it); the project id and the URL secret. What is rebuilt: the full-text index (queued on the
 * target, indexed in the background by the target's instances), the parsed-content cache (filled
 * again on use) and the backend keys of the bytes (the target's own).
 *
 * <p><b>Contract.</b> The source is only read. Bytes are checked against the source's recorded
 * size and SHA-256 as they are copied: damaged source bytes fail the copy (a {@link
 * CorruptContentException}) rather than being copied. The target must be a new store or an
 * interrupted copy of the same source; anything else is refused with an {@link
 * InvalidRequestException} and left unchanged. <b>Resumable</b>: after an interruption (crash,
 * network failure, full disk), running the same copy again skips the disks already copied and
 * redoes the one in progress; the result is the same as an uninterrupted copy, and {@code verify}
 * is clean on it once the target's garbage collection has removed the objects of the interrupted
 * run. Stop the source's writers during the copy: each page of artifacts is read in its own
 * snapshot, so writes made during the copy may or may not be copied. Do not use the target before
 * the copy has finished.
 *
 * <p>Both configurations' backends are closed when the copy returns, like a store's.
 */
public final class StoreCopy {
  private StoreCopy() {}

  /**
   * What a copy did.
   *
   * @param sourceStoreId the source store's id
   * @param targetStoreId the target store's id (a store of its own: its marker differs)
   * @param disksCopied disks copied by this run
   * @param disksSkipped disks an earlier, interrupted run had already copied
   * @param artifacts artifacts copied by this run
   * @param blobsCopied distinct contents whose bytes this run copied
   * @param blobsReused contents of a page already in the target (shared with earlier artifacts)
   * @param bytesCopied bytes this run copied
   * @param resumed whether this run continued an interrupted copy
   */
  public record Report(
      String sourceStoreId,
      String targetStoreId,
      int disksCopied,
      int disksSkipped,
      long artifacts,
      long blobsCopied,
      long blobsReused,
      long bytesCopied,
      boolean resumed) {}

  /** Copies {@code source} into {@code target}; see the class comment. */
  public static Report copy(DiskStoreConfig source, DiskStoreConfig target) {
    return copy(source, target, line -> {});
  }

  /**
   * Copies {@code source} into {@code target}, telling {@code progress} what it does (a line per
   * disk).
   *
   * @throws InvalidRequestException if the target is neither new nor a copy of the source
   * @throws CorruptContentException if source bytes are damaged
   * @throws StorageException if either store fails; run the copy again to resume
   */
  public static Report copy(
      DiskStoreConfig source, DiskStoreConfig target, Consumer<String> progress) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(progress, "progress");
    return StoreCopier.copy(source, target, progress);
  }
}
