package dev.diskstore;

/**
 * A caller-supplied argument was rejected before anything was stored or changed: a limit out of
 * range, an {@code expire} outside 1 s – 7 days, an upload over the configured maximum size. The
 * message names the argument and the accepted range. Subtypes narrow it to paths, metadata and
 * cursors.
 */
public class InvalidRequestException extends DiskStoreException {
  private static final long serialVersionUID = 1L;

  public InvalidRequestException(String message) {
    super(message);
  }
}
