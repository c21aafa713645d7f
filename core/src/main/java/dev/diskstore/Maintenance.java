package dev.diskstore;

/**
 * Housekeeping: {@code store.maintenance()}. Safe to run while other threads and processes use the
 * store.
 */
public interface Maintenance {

  /**
   * Deletes blobs nothing references any more: those whose last reference was dropped but whose
   * deletion was interrupted, those left by writes whose process died, and any other backend object
   * the index does not know. Runs on open as well (see {@link DiskStoreConfig}).
   */
  GcReport collectGarbage();

  /**
   * Compares the index with the backend and reports every mismatch: missing or wrongly sized blobs,
   * reference counts that disagree with the artifacts, directory counts, orphan blobs. Reads no
   * content.
   */
  default VerifyReport verify() {
    return verify(false);
  }

  /** Like {@link #verify()}; with {@code deep}, also re-reads every blob and checks its SHA-256. */
  VerifyReport verify(boolean deep);
}
