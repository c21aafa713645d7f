package dev.diskstore;

import java.util.List;
import java.util.Objects;

/**
 * The result of {@link Maintenance#verify()}.
 *
 * @param artifactsChecked artifacts examined
 * @param blobsChecked blobs examined
 * @param problems every mismatch found; empty when the store is consistent
 */
public record VerifyReport(int artifactsChecked, int blobsChecked, List<Problem> problems) {
  public VerifyReport {
    problems = List.copyOf(problems);
  }

  public boolean isClean() {
    return problems.isEmpty();
  }

  /** Kinds of mismatch. */
  public enum Kind {
    /** The index references a blob the backend does not have. */
    MISSING_BLOB,
    /** The backend's blob has another size than the index records. */
    SIZE_MISMATCH,
    /** (deep only) The blob's bytes do not hash to the recorded SHA-256. */
    HASH_MISMATCH,
    /**
     * A backend object that no writer of this store made (its key names no owner the index knows):
     * another store's, an older version's, or put there by hand. Left alone by garbage collection
     * unless {@link GcOptions#deleteUnknownObjects()}.
     */
    ORPHAN_BLOB,
    /** A blob's reference count differs from the number of artifacts using it. */
    REFCOUNT_MISMATCH,
    /** The directory index disagrees with the artifacts. */
    DIRECTORY_MISMATCH,
    /** Work left by a dead process or an interrupted delete that garbage collection will clean. */
    UNCOLLECTED_GARBAGE,
    /**
     * SQLite's own check of an index file found damage ({@code PRAGMA quick_check}, or {@code
     * integrity_check} when deep; a violated foreign key): restore the file from a backup.
     */
    INDEX_DAMAGED,
    /**
     * (deep only) An artifact row's fields no longer match the checksum stored with it: bytes of
     * the index file changed outside SQLite.
     */
    ROW_CHECKSUM_MISMATCH
  }

  /**
   * One mismatch.
   *
   * @param kind what is wrong
   * @param subject the blob key, disk or directory concerned
   * @param detail a human-readable explanation
   */
  public record Problem(Kind kind, String subject, String detail) {
    public Problem {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(detail, "detail");
    }
  }
}
