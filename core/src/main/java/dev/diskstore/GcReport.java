package dev.diskstore;

/**
 * What one garbage collection did.
 *
 * @param abandonedWrites blobs of writes whose process died before committing
 * @param unreferencedBlobs blobs whose last reference was dropped
 * @param orphanObjects backend objects unknown to the index
 */
public record GcReport(int abandonedWrites, int unreferencedBlobs, int orphanObjects) {
  public int total() {
    return abandonedWrites + unreferencedBlobs + orphanObjects;
  }
}
