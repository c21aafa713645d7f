package dev.diskstore.cli;

/**
 * An artifact named on the command line by its full path, {@code /docs/a.md}: the directory
 * ({@code /docs/}) and the filename ({@code a.md}). A path without a leading slash is relative to
 * the root. Only the split happens here; the store validates both halves (rejecting {@code ..},
 * control characters, backslashes, ...), so the command line accepts exactly what the API does.
 *
 * @param directory the directory, starting and ending with {@code /}
 * @param filename the last segment
 */
record RemotePath(String directory, String filename) {

  /** Splits {@code remote}; a path ending with {@code /} names a directory and is refused. */
  static RemotePath of(String remote) {
    String full = remote.startsWith("/") ? remote : "/" + remote;
    if (full.endsWith("/")) {
      throw CommandException.usage(
          "\"" + remote + "\" names a directory; give a file's full path, like /docs/a.md");
    }
    int slash = full.lastIndexOf('/');
    return new RemotePath(full.substring(0, slash + 1), full.substring(slash + 1));
  }

  /** A directory named on the command line: {@code docs}, {@code /docs} and {@code /docs/} alike. */
  static String directory(String remote) {
    String d = remote.startsWith("/") ? remote : "/" + remote;
    return d.endsWith("/") ? d : d + "/";
  }

  String full() {
    return directory + filename;
  }

  @Override
  public String toString() {
    return full();
  }
}
