package dev.diskstore.spi;

import dev.diskstore.StorageException;

/** The key rules of {@link BlobBackend}, for backends to check their input against. */
public final class BlobKeys {
  private BlobKeys() {}

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
