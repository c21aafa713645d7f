package dev.diskstore;

/**
 * Options of {@link Maintenance#collectGarbage(GcOptions)}.
 *
 * @param deleteUnknownObjects also delete backend objects that no writer of this store made: keys
 *     the index cannot account for, written by another store sharing the backend, by a DiskStore
 *     version before writers were recorded, or by hand. Never done automatically; see {@link
 *     GcReport#unknownObjectsKept()} and {@link VerifyReport.Kind#ORPHAN_BLOB}
 */
public record GcOptions(boolean deleteUnknownObjects) {
  private static final GcOptions DEFAULTS = new GcOptions(false);

  /** Deletes only what this store's own writers left behind. */
  public static GcOptions defaults() {
    return DEFAULTS;
  }

  /** Also deletes objects no writer of this store made: only when they are knowingly given up. */
  public static GcOptions deletingUnknownObjects() {
    return new GcOptions(true);
  }
}
