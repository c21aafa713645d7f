package dev.diskstore;

import org.jspecify.annotations.Nullable;

/**
 * Root of every exception DiskStore throws. Unchecked: callers catch the subtypes they can act on.
 *
 * <p>No raw {@code SQLException} or {@code IOException} ever escapes the API; they are wrapped in a
 * subtype of this class (usually {@link StorageException}) with the original as the cause.
 */
public class DiskStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DiskStoreException(String message) {
    super(message);
  }

  public DiskStoreException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
