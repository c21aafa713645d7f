package dev.diskstore;

/**
 * A directory path or filename broke the path rules (see {@link Artifacts}): a {@code .} or
 * {@code ..} segment, NUL, a control character, a backslash, an empty filename, a segment over 255
 * UTF-8 bytes or a path over 4,096 bytes. The message names the offending input and the bad part.
 */
public class InvalidPathException extends InvalidRequestException {
  private static final long serialVersionUID = 1L;
  private final String input;

  public InvalidPathException(String input, String reason) {
    super("invalid path " + quote(input) + ": " + reason);
    this.input = input;
  }

  /** The path or filename as the caller passed it. */
  public String input() {
    return input;
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    int shown = 0;
    for (int i = 0; i < s.length() && shown < 300; i++, shown++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (shown < s.length()) {
      out.append("…");
    }
    return out.append('"').toString();
  }
}
