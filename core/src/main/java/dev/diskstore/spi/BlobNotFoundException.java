package dev.diskstore.spi;

import dev.diskstore.StorageException;

/** A backend was asked for a blob key that does not exist. Not retryable. */
public class BlobNotFoundException extends StorageException {
  private static final long serialVersionUID = 1L;
  private final String key;

  public BlobNotFoundException(String key) {
    super("blob not found: " + key, false, null);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
