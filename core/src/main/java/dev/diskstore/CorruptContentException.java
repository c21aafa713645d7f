package dev.diskstore;

import org.jspecify.annotations.Nullable;

/**
 * The stored bytes of an artifact are not the bytes that were acknowledged: the backend returned
 * more or fewer bytes than the recorded size, or bytes whose SHA-256 differs from the recorded one
 * (a flipped bit on disk, a truncated or appended file, an object store that changed the object).
 *
 * <p>Thrown by {@code get(withContent)} and by reads of an {@link ArtifactStream}: a whole-artifact
 * stream throws it from the {@code read} that reaches the end (never completing normally with wrong
 * bytes), and any stream throws it instead of returning a byte beyond the recorded size. Not
 * retryable: reading again returns the same bytes. {@code maintenance().verify(true)} lists every
 * damaged blob; restore the artifact from a copy or upload it again.
 */
public class CorruptContentException extends StorageException {
  private static final long serialVersionUID = 1L;
  private final String diskId;
  private final String path;
  private final String filename;
  private final String blobKey;

  public CorruptContentException(
      String diskId, String path, String filename, String blobKey, String problem,
      @Nullable Throwable cause) {
    super(
        "the stored bytes of " + path + filename + " on disk " + diskId + " (blob " + blobKey
            + ") are damaged: " + problem + "; run maintenance().verify(true)",
        false,
        cause);
    this.diskId = diskId;
    this.path = path;
    this.filename = filename;
    this.blobKey = blobKey;
  }

  public String diskId() {
    return diskId;
  }

  /** The normalised directory path, e.g. {@code /documents/2024/}. */
  public String path() {
    return path;
  }

  public String filename() {
    return filename;
  }

  /** The backend key of the damaged blob. */
  public String blobKey() {
    return blobKey;
  }
}
