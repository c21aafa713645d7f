package dev.diskstore;

import org.jspecify.annotations.Nullable;

/**
 * A conditional write ({@link Precondition#ifMatch(String)} or {@link Precondition#ifNoneMatch()})
 * did not hold. Nothing was changed. {@link #currentEtag()} is the artifact's etag at the time of
 * the check, or {@code null} when the artifact did not exist.
 */
public class PreconditionFailedException extends DiskStoreException {
  private static final long serialVersionUID = 1L;
  private final @Nullable String currentEtag;

  public PreconditionFailedException(String message, @Nullable String currentEtag) {
    super(message);
    this.currentEtag = currentEtag;
  }

  public @Nullable String currentEtag() {
    return currentEtag;
  }
}
