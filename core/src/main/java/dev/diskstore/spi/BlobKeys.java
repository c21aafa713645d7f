package dev.diskstore.spi;

import dev.diskstore.StorageException;

/** The key rules of {@link BlobBackend}, for backends to check their input against. */
public final class BlobKeys {
  private BlobKeys() {}

  /**
   * The key of the store marker: a small object, written once when a store is created, naming the
   * store the blobs under this backend's root or prefix belong to (so that a store never mistakes
   * another store's blobs, or its own after losing its index, for garbage). Never a blob's key
   * (those contain a {@code /}); backends store it like any object, and tools that inspect a
   * backend's objects should skip it.
   */
  public static final String STORE_MARKER = "diskstore-store";

  /** Whether {@code key} follows the key rules. */
  public static boolean isValid(String key) {
    int n = key.length();
    if (n == 0 || n > 200 || key.charAt(0) == '/' || key.charAt(n - 1) == '/') {
      return false;
    }
    char previous = 0;
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '/';
      if (!ok || (c == '/' && previous == '/')) {
        return false;
      }
      previous = c;
    }
    return true;
  }

  /**
   * Returns {@code key} if valid.
   *
   * @throws StorageException (not retryable) naming the key otherwise
   */
  public static String requireValid(String key) {
    if (!isValid(key)) {
      throw new StorageException("invalid blob key \"" + key + "\"", false, null);
    }
    return key;
  }
}
