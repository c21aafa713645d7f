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
 */
public record GcReport(
    int abandonedWrites, int unreferencedBlobs, int orphanObjects, int unknownObjectsKept) {

  /** Objects deleted. */
  public int total() {
    return abandonedWrites + unreferencedBlobs + orphanObjects;
  }
}
