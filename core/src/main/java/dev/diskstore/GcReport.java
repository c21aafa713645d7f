package dev.diskstore;

/**
 * What one garbage collection did.
 *
 * @param abandonedWrites objects (and unfinished writes) of this store's writers that will never
 *     commit: their writer died or gave up
 * @param unreferencedBlobs blobs whose last reference was dropped
 * @param orphanObjects objects no writer of this store made, deleted because {@link
 *     GcOptions#deleteUnknownObjects()} asked for it
 * @param unknownObjectsKept objects no writer of this store made, left alone (the default)
 * @param expiredVersions artifact versions removed because the store's {@link History} no longer
 *     keeps them (their blobs, once nothing else references them, are among {@code
 *     unreferencedBlobs})
 */
public record GcReport(
    int abandonedWrites, int unreferencedBlobs, int orphanObjects, int unknownObjectsKept,
    int expiredVersions) {

  /** A report of a collection that removed no version. */
  public GcReport(
      int abandonedWrites, int unreferencedBlobs, int orphanObjects, int unknownObjectsKept) {
    this(abandonedWrites, unreferencedBlobs, orphanObjects, unknownObjectsKept, 0);
  }

  /** Backend objects deleted (expired versions are index rows, not counted here). */
  public int total() {
    return abandonedWrites + unreferencedBlobs + orphanObjects;
  }
}
