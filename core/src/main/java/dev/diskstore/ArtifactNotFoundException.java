package dev.diskstore;

/**
 * No artifact exists at the given disk, directory and filename. The message names all three and
 * suggests listing the directory, like the Acontext quickstart's troubleshooting section.
 */
public class ArtifactNotFoundException extends DiskStoreException {
  private static final long serialVersionUID = 1L;
  private final String diskId;
  private final String path;
  private final String filename;

  public ArtifactNotFoundException(String diskId, String path, String filename) {
    super("artifact not found: disk " + diskId + ", path " + path + ", filename " + filename
        + " (paths and filenames are case-sensitive; list the directory with"
        + " artifacts().list(diskId, \"" + path + "\") to see what exists)");
    this.diskId = diskId;
    this.path = path;
    this.filename = filename;
  }

  /** For subclasses that say more precisely what is missing. */
  protected ArtifactNotFoundException(
      String diskId, String path, String filename, String message) {
    super(message);
    this.diskId = diskId;
    this.path = path;
    this.filename = filename;
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
}
