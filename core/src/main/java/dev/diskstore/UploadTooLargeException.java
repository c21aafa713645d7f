package dev.diskstore;

/**
 * An upload was larger than {@link DiskStoreConfig#maxUploadBytes()}. Thrown once the bytes read
 * pass the limit (or at once when the declared length does); nothing is stored, and an artifact
 * of the same name keeps its previous bytes. Servers answer it with 413.
 */
public final class UploadTooLargeException extends InvalidRequestException {
  private static final long serialVersionUID = 1L;

  private final String filename;
  private final long maxBytes;

  public UploadTooLargeException(String filename, long maxBytes) {
    super("upload " + filename + " is larger than the configured maximum of " + maxBytes
        + " bytes");
    this.filename = filename;
    this.maxBytes = maxBytes;
  }

  /** The name of the upload that was refused. */
  public String filename() {
    return filename;
  }

  /** The limit it passed, in bytes. */
  public long maxBytes() {
    return maxBytes;
  }
}
