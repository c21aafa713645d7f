package dev.diskstore;

import dev.diskstore.internal.PathRules;
import java.util.Objects;

/**
 * Where an artifact lives in its disk: a directory and a filename, as one value. Acontext code
 * carries full paths such as {@code "/docs/a.md"} (its {@code file_path}); {@link #of(String)}
 * splits them, and the overloads of {@link Artifacts} taking an {@code ArtifactPath} accept them
 * where the API otherwise takes {@code filePath} and {@code filename} separately.
 *
 * <p>Both parts are normalised and validated when the value is made, by the rules the store uses
 * to address artifacts (see {@link Artifacts}, "Paths"): {@code path} starts and ends with {@code
 * /} ({@code /} for the root), repeated slashes collapse, Unicode is NFC; {@code .}/{@code ..}
 * segments, control characters, backslashes and over-long segments or paths are an {@link
 * InvalidPathException}. Writing under a name (the destination of a move) additionally applies the
 * rules for new names, so a look-alike name is refused there. Nothing is trimmed: {@code " a.md"}
 * is not {@code "a.md"}. Immutable; does no I/O.
 *
 * @param path the directory, normalised: {@code /docs/}
 * @param filename the last segment: {@code a.md}
 */
public record ArtifactPath(String path, String filename) {

  /**
   * @throws InvalidPathException for an invalid directory or filename
   */
  public ArtifactPath {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(filename, "filename");
    path = PathRules.directory(path);
    filename = PathRules.filename(filename);
    PathRules.checkFullPath(path, filename);
  }

  /**
   * Splits a full path at its last {@code /}: {@code "/docs/a.md"} is directory {@code /docs/} and
   * filename {@code a.md}; {@code "docs/a.md"} the same (relative to the root); {@code "a.md"} is
   * {@code a.md} in the root. This is how Acontext reads {@code file_path} on get, update, delete
   * and download (without its trimming of surrounding whitespace).
   *
   * @throws InvalidPathException if {@code fullPath} is empty or ends with {@code /} (it names a
   *     directory, not a file), or either part breaks the path rules
   */
  public static ArtifactPath of(String fullPath) {
    Objects.requireNonNull(fullPath, "fullPath");
    if (fullPath.isEmpty() || fullPath.endsWith("/")) {
      throw new InvalidPathException(
          fullPath,
          "a full path names a file and ends with its filename, like /docs/a.md; this one "
              + (fullPath.isEmpty() ? "is empty" : "ends with '/' (a directory)"));
    }
    int slash = fullPath.lastIndexOf('/');
    return new ArtifactPath(
        slash < 0 ? "/" : fullPath.substring(0, slash + 1), fullPath.substring(slash + 1));
  }

  /**
   * A directory and a filename: {@code of("docs", "a.md")} is {@code /docs/a.md}.
   *
   * @throws InvalidPathException for an invalid directory or filename
   */
  public static ArtifactPath of(String directory, String filename) {
    return new ArtifactPath(directory, filename);
  }

  /** Where {@code artifact} lives. */
  public static ArtifactPath of(Artifact artifact) {
    Objects.requireNonNull(artifact, "artifact");
    return new ArtifactPath(artifact.path(), artifact.filename());
  }

  /** The full path, {@code /docs/a.md}: {@link #of(String)} gives this value back. */
  @Override
  public String toString() {
    return path + filename;
  }
}
