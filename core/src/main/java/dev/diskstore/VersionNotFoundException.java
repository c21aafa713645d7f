package dev.diskstore;

/**
 * The artifact has no such version: it was never recorded, garbage collection removed it ({@link
 * History}), it was deleted with {@link Artifacts#deleteVersions}, or it records a removal and has
 * no content to read or restore. {@link Artifacts#versions} lists the versions that exist.
 */
public class VersionNotFoundException extends ArtifactNotFoundException {
  private static final long serialVersionUID = 1L;
  private final long version;

  public VersionNotFoundException(
      String diskId, String path, String filename, long version, String reason) {
    super(diskId, path, filename,
        "version " + version + " of artifact " + path + filename + " on disk " + diskId + " "
            + reason + " (list the versions with artifacts().versions(diskId, \"" + path + "\", \""
            + filename + "\"))");
    this.version = version;
  }

  /** The version asked for. */
  public long version() {
    return version;
  }
}
