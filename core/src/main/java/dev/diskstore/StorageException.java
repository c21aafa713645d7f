package dev.diskstore;

import org.jspecify.annotations.Nullable;

/**
 * The metadata index or the blob backend failed (I/O error, disk full, database locked past the
 * busy timeout, network or server error). {@link #isRetryable()} tells whether the same call may
 * succeed if repeated unchanged (a timeout, throttling, a 5xx); permission and configuration errors
 * are not retryable. Whatever the cause, a failed write leaves the previous state intact.
 */
public class StorageException extends DiskStoreException {
  private static final long serialVersionUID = 1L;
  private final boolean retryable;

  public StorageException(String message, boolean retryable, @Nullable Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public StorageException(String message, @Nullable Throwable cause) {
    this(message, false, cause);
  }

  public boolean isRetryable() {
    return retryable;
  }
}
