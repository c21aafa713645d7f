package dev.diskstore;

/**
 * A directory path or filename broke the path rules (see {@link Artifacts}): a {@code .} or
 * {@code ..} segment, NUL, a control character, a backslash, an empty filename, a segment over 255
 * UTF-8 bytes or a path over 4,096 bytes; for new names also an invisible character, a blank
 * segment, or whitespace at the start or end of a segment. The message names the offending input
 * (control and invisible characters escaped as backslash-u sequences) and the bad part, for
 * characters as {@code U+XXXX} with its position.
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
    int i = 0;
    while (i < s.length() && shown < 300) {
      int cp = s.codePointAt(i);
      int type = Character.getType(cp);
      // Controls, and characters that would reorder or hide the rest of the message when shown.
      if (type == Character.CONTROL || type == Character.SURROGATE
          || dev.diskstore.internal.PathRules.isInvisible(cp)) {
        for (char c : Character.toChars(cp)) {
          out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
        }
      } else {
        out.appendCodePoint(cp);
      }
      i += Character.charCount(cp);
      shown++;
    }
    if (i < s.length()) {
      out.append("…");
    }
    return out.append('"').toString();
  }
}
