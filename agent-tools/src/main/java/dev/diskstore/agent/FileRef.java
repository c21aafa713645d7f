package dev.diskstore.agent;

import dev.diskstore.ArtifactPath;
import org.jspecify.annotations.Nullable;

/**
 * A file named by a tool call: a directory and a filename, before the store normalises them.
 *
 * <p>How {@code file_path} and {@code filename} combine ({@link #resolve}):
 *
 * <ul>
 *   <li>{@code file_path} is the directory ({@code ""}, {@code "/"} or absent: the root) and
 *       {@code filename} the name: {@code "/docs/"} + {@code "a.md"} is {@code /docs/a.md};
 *   <li>a {@code filename} with slashes is a path relative to {@code file_path} ({@code "/docs"} +
 *       {@code "2024/a.md"}), or, starting with {@code /}, a full path (then {@code file_path}
 *       must be absent, the root, or that same directory);
 *   <li>a {@code file_path} that already ends with the filename ({@code "/docs/a.md"} + {@code
 *       "a.md"}, a common model mistake) is taken as the full path, unless it ends with {@code /};
 *   <li>without a filename, a {@code file_path} not ending in {@code /} is the full path of the
 *       file ({@code "/docs/a.md"}).
 * </ul>
 *
 * @param directory the directory, normalised ({@code /docs/})
 * @param filename one path segment
 */
record FileRef(String directory, String filename) {

  /**
   * @param pathArgument name of the directory argument, for messages
   * @param nameArgument name of the filename argument, for messages
   * @throws ToolFailure if no filename can be found or the two arguments conflict
   * @throws dev.diskstore.InvalidPathException if the path breaks the store's path rules
   */
  static FileRef resolve(
      @Nullable String filePath, @Nullable String filename, String pathArgument,
      String nameArgument) {
    String dir = filePath == null ? "" : filePath;
    String full;
    if (filename == null || filename.isEmpty()) {
      if (dir.isEmpty() || dir.endsWith("/")) {
        throw new ToolFailure(
            "missing required argument \"" + nameArgument + "\": give the directory in "
                + pathArgument + " (e.g. \"/docs/\") and the file name in " + nameArgument
                + " (e.g. \"notes.md\")");
      }
      full = dir;
    } else if (filename.startsWith("/")) {
      String nameDir = filename.substring(0, filename.lastIndexOf('/') + 1);
      if (!isRoot(dir) && !sameDirectory(dir, nameDir)) {
        throw new ToolFailure(
            nameArgument + " " + quote(filename) + " is a full path but " + pathArgument + " is "
                + quote(dir) + "; give either the directory in " + pathArgument
                + " and the bare name in " + nameArgument + ", or only the full path in "
                + nameArgument);
      }
      full = filename;
    } else if (!dir.endsWith("/") && lastSegment(dir).equals(filename)) {
      full = dir;
    } else {
      full = dir + "/" + filename;
    }
    if (full.endsWith("/")) {
      throw new ToolFailure(
          nameArgument + " must name a file, not a directory: " + quote(full) + " ends with \"/\"");
    }
    // One splitter for the whole project: the API's, which also normalises and validates.
    ArtifactPath path = ArtifactPath.of(full);
    return new FileRef(path.path(), path.filename());
  }

  /** A readable full path for messages, e.g. {@code /docs/a.md}, with slashes tidied. */
  String display() {
    return displayDirectory(directory) + filename;
  }

  /** A directory as the store shows it: leading and trailing slash, no repeated slashes. */
  static String displayDirectory(String dir) {
    String collapsed = ("/" + dir + "/").replaceAll("/{2,}", "/");
    return collapsed;
  }

  private static boolean isRoot(String dir) {
    return displayDirectory(dir).equals("/");
  }

  private static boolean sameDirectory(String a, String b) {
    return displayDirectory(a).equals(displayDirectory(b));
  }

  private static String lastSegment(String dir) {
    int slash = dir.lastIndexOf('/');
    return dir.substring(slash + 1);
  }

  static String quote(String s) {
    return "\"" + s + "\"";
  }
}
