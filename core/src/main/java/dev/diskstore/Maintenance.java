package dev.diskstore;

/**
 * Housekeeping: {@code store.maintenance()}. Safe to run while other threads and processes use the
 * store: garbage collection never deletes an object that a committed artifact references, whatever
 * other instances do meanwhile (see RELIABILITY.md). Within one store instance, collections and
 * verifications run one at a time; the first call after opening waits for the collection that
 * opening started in the background.
 */
public interface Maintenance {

  /**
   * Deletes what this store's writers left behind: blobs whose last reference was dropped but whose
   * deletion was interrupted, and objects and unfinished writes of writers that died or gave up
   * before committing. Objects that no writer of this store made are left alone ({@link
   * GcReport#unknownObjectsKept()}). Also runs in the background after opening (see {@link
   * DiskStoreConfig.Builder#collectGarbageOnOpen(boolean)}).
   */
  default GcReport collectGarbage() {
    return collectGarbage(GcOptions.defaults());
  }

  /** Like {@link #collectGarbage()}, with options. */
  GcReport collectGarbage(GcOptions options);

  /**
   * Compares the index with the backend and reports every mismatch: missing or wrongly sized blobs,
   * reference counts that disagree with the artifacts, directory counts, uncollected garbage,
   * objects no writer of this store made, and SQLite's own check of the index file ({@code PRAGMA
   * quick_check}). Reads no content.
   */
  default VerifyReport verify() {
    return verify(false);
  }

  /**
   * Like {@link #verify()}; with {@code deep}, also re-reads every blob and checks its SHA-256, runs
   * the full {@code PRAGMA integrity_check} and checks every artifact row against its checksum.
   */
  VerifyReport verify(boolean deep);
}
