package dev.diskstore.internal;

import dev.diskstore.InvalidPathException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The path rules of the API (see {@link dev.diskstore.Artifacts}): directory normalisation and
 * filename validation. Pure functions, no I/O.
 */
public final class PathRules {
  public static final int MAX_SEGMENT_BYTES = 255;
  public static final int MAX_PATH_BYTES = 4096;

  private PathRules() {}

  /**
   * Normalises a directory path to {@code /a/b/} form ({@code /} for the root): NFC, slashes
   * collapsed, leading and trailing slash added. These are the rules for <em>addressing</em>
   * artifacts (lookups, listings, deletes, the source of a move): they also accept names that
   * {@link #newDirectory} refuses, so that artifacts stored by an older version stay reachable.
   *
   * @throws InvalidPathException naming the bad part
   */
  public static String directory(String input) {
    return directory(input, false);
  }

  /**
   * {@link #directory(String)} for a directory that an artifact is written to (upsert, the
   * destination of a move): additionally rejects look-alike segments (see {@link #newFilename}).
   *
   * @throws InvalidPathException naming the bad part
   */
  public static String newDirectory(String input) {
    return directory(input, true);
  }

  private static String directory(String input, boolean strict) {
    if (input == null) {
      throw new InvalidPathException("null", "the path must not be null");
    }
    String nfc = nfc(input);
    StringBuilder out = new StringBuilder(nfc.length() + 2).append('/');
    int start = 0;
    while (start < nfc.length()) {
      int end = nfc.indexOf('/', start);
      if (end < 0) {
        end = nfc.length();
      }
      if (end > start) { // empty segments (leading, trailing or doubled slashes) collapse
        String segment = nfc.substring(start, end);
        checkSegment(input, segment, strict);
        out.append(segment).append('/');
      }
      start = end + 1;
    }
    String path = out.toString();
    if (utf8Length(path) > MAX_PATH_BYTES) {
      throw new InvalidPathException(
          input, "the path is longer than " + MAX_PATH_BYTES + " UTF-8 bytes");
    }
    return path;
  }

  /**
   * Validates and NFC-normalises a filename: exactly one segment. The rules for addressing an
   * existing artifact, like {@link #directory(String)}.
   *
   * @throws InvalidPathException naming the bad part
   */
  public static String filename(String input) {
    return filename(input, false);
  }

  /**
   * {@link #filename(String)} for a name an artifact is written under (upsert, the destination of
   * a move). On top of the addressing rules it rejects names that look like other names: a segment
   * that is empty to the eye (only whitespace), that starts or ends with whitespace, or that
   * contains an invisible character (Unicode format characters, category Cf, such as U+202E
   * RIGHT-TO-LEFT OVERRIDE, U+200B ZERO WIDTH SPACE, U+FEFF and the tag characters; line and
   * paragraph separators; the Hangul fillers). Two joiners are legitimate in context and kept:
   * U+200D ZERO WIDTH JOINER between two emoji (emoji ZWJ sequences such as U+1F469 U+200D U+1F4BB, woman technologist), and U+200C/U+200D
   * between two letters of a script whose rendering they change (Arabic, Syriac, N'Ko, Mongolian
   * and the scripts of South and South-East Asia).
   *
   * @throws InvalidPathException naming the code point (U+XXXX) and where it is
   */
  public static String newFilename(String input) {
    return filename(input, true);
  }

  private static String filename(String input, boolean strict) {
    if (input == null) {
      throw new InvalidPathException("null", "the filename must not be null");
    }
    String nfc = nfc(input);
    if (nfc.isEmpty()) {
      throw new InvalidPathException(input, "the filename is empty");
    }
    if (nfc.indexOf('/') >= 0) {
      throw new InvalidPathException(
          input, "a filename must not contain '/'; pass the directory as filePath");
    }
    checkSegment(input, nfc, strict);
    return nfc;
  }

  /** Validates a directory plus filename together against the whole-path limit. */
  public static void checkFullPath(String directory, String filename) {
    if (utf8Length(directory) + utf8Length(filename) > MAX_PATH_BYTES) {
      throw new InvalidPathException(
          directory + filename, "the path is longer than " + MAX_PATH_BYTES + " UTF-8 bytes");
    }
  }

  /** The ancestors of a normalised directory, from the top: {@code /a/b/} gives {@code /a/}, {@code /a/b/}. */
  public static List<String> selfAndAncestors(String directory) {
    List<String> result = new ArrayList<>();
    int from = 1;
    int slash;
    while ((slash = directory.indexOf('/', from)) >= 0) {
      result.add(directory.substring(0, slash + 1));
      from = slash + 1;
    }
    return result;
  }

  /** The parent of a normalised, non-root directory: {@code /a/b/} gives {@code /a/}. */
  public static String parent(String directory) {
    int slash = directory.lastIndexOf('/', directory.length() - 2);
    return directory.substring(0, slash + 1);
  }

  /** The last segment of a normalised, non-root directory: {@code /a/b/} gives {@code b}. */
  public static String name(String directory) {
    int slash = directory.lastIndexOf('/', directory.length() - 2);
    return directory.substring(slash + 1, directory.length() - 1);
  }

  /**
   * {@code input} in Unicode normalisation form C. ASCII text is already NFC, and most paths are
   * ASCII: returning it as is skips {@link Normalizer}, whose first call loads the JDK's ICU
   * normalisation data (a few milliseconds on a cold JVM's first upsert).
   */
  private static String nfc(String input) {
    for (int i = 0; i < input.length(); i++) {
      if (input.charAt(i) >= 0x80) {
        return Normalizer.normalize(input, Normalizer.Form.NFC);
      }
    }
    return input;
  }

  private static void checkSegment(String input, String segment, boolean strict) {
    if (segment.equals(".") || segment.equals("..")) {
      throw new InvalidPathException(
          input, "'" + segment + "' segments are not allowed (no relative paths)");
    }
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == 0) {
        throw new InvalidPathException(input, "NUL character at position " + i + " of segment");
      }
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
        throw new InvalidPathException(
            input,
            String.format(java.util.Locale.ROOT, "control character U+%04X is not allowed", (int) c));
      }
      if (c == '\\') {
        throw new InvalidPathException(input, "backslash is not allowed; use '/' between directories");
      }
      if (Character.isSurrogate(c)) {
        boolean paired =
            Character.isHighSurrogate(c)
                && i + 1 < segment.length()
                && Character.isLowSurrogate(segment.charAt(i + 1));
        if (!paired) {
          throw new InvalidPathException(input, "unpaired UTF-16 surrogate at position " + i);
        }
        i++;
      }
    }
    if (strict) {
      checkLookAlikes(input, segment);
    }
    int bytes = utf8Length(segment);
    if (bytes > MAX_SEGMENT_BYTES) {
      throw new InvalidPathException(
          input,
          "segment \"" + segment.substring(0, Math.min(40, segment.length())) + "…\" is " + bytes
              + " UTF-8 bytes; the limit is " + MAX_SEGMENT_BYTES);
    }
  }

  /** Scripts in which U+200C ZWNJ and U+200D ZWJ change how a word renders. */
  private static final java.util.Set<Character.UnicodeScript> JOINING_SCRIPTS =
      java.util.EnumSet.of(
          Character.UnicodeScript.ARABIC, Character.UnicodeScript.SYRIAC,
          Character.UnicodeScript.NKO, Character.UnicodeScript.MONGOLIAN,
          Character.UnicodeScript.ADLAM, Character.UnicodeScript.HANIFI_ROHINGYA,
          Character.UnicodeScript.DEVANAGARI, Character.UnicodeScript.BENGALI,
          Character.UnicodeScript.GURMUKHI, Character.UnicodeScript.GUJARATI,
          Character.UnicodeScript.ORIYA, Character.UnicodeScript.TAMIL,
          Character.UnicodeScript.TELUGU, Character.UnicodeScript.KANNADA,
          Character.UnicodeScript.MALAYALAM, Character.UnicodeScript.SINHALA,
          Character.UnicodeScript.TIBETAN, Character.UnicodeScript.MYANMAR,
          Character.UnicodeScript.KHMER);

  private static final int ZWNJ = 0x200C;
  private static final int ZWJ = 0x200D;

  /**
   * The rules for new names (see {@link #newFilename}): nothing invisible, no segment that is
   * blank or starts or ends with a blank. {@code segment} is NFC and free of controls and lone
   * surrogates already.
   */
  private static void checkLookAlikes(String input, String segment) {
    int[] cps = segment.codePoints().toArray();
    boolean allBlank = true;
    for (int cp : cps) {
      allBlank &= isBlank(cp);
    }
    if (allBlank) {
      throw new InvalidPathException(
          input, "segment " + show(segment) + " is only whitespace (" + describe(cps[0])
              + (cps.length > 1 ? ", ..." : "") + "); a name must have a visible character");
    }
    if (isBlank(cps[0])) {
      throw new InvalidPathException(
          input, describe(cps[0]) + " at the start of segment " + show(segment)
              + ": names must not begin or end with whitespace (\" \" + name and name would look"
              + " alike; trim it)");
    }
    if (isBlank(cps[cps.length - 1])) {
      throw new InvalidPathException(
          input, describe(cps[cps.length - 1]) + " at the end of segment " + show(segment)
              + ": names must not begin or end with whitespace (name + \" \" and name would look"
              + " alike; trim it)");
    }
    for (int i = 0; i < cps.length; i++) {
      int cp = cps[i];
      if (isInvisible(cp) && !isJoinerInContext(cps, i)) {
        throw new InvalidPathException(
            input, "invisible character " + describe(cp) + " at character " + (i + 1) + " of "
                + "segment " + show(segment) + ": names must not contain invisible characters (bidirectional overrides,"
                + " zero-width and other format characters, separators, fillers), which make a"
                + " name look like another");
      }
    }
  }

  /** Whitespace to the eye: Java whitespace, Unicode space separators, the Braille blank. */
  static boolean isBlank(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x2800;
  }

  /**
   * Characters that render as nothing: format characters (Cf), line and paragraph separators, and
   * the Hangul fillers (default-ignorable letters).
   */
  public static boolean isInvisible(int cp) {
    int type = Character.getType(cp);
    return type == Character.FORMAT
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR
        || cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0;
  }

  /**
   * A ZWJ between two emoji (a ZWJ sequence), or a ZWNJ/ZWJ between two letters of one script
   * that uses joiners. Emoji modifiers, variation selectors and combining marks before the joiner
   * belong to the preceding character.
   */
  private static boolean isJoinerInContext(int[] cps, int at) {
    int cp = cps[at];
    if (cp != ZWJ && cp != ZWNJ) {
      return false;
    }
    int before = at - 1;
    while (before >= 0 && isAttached(cps[before])) {
      before--;
    }
    if (before < 0 || at + 1 >= cps.length) {
      return false;
    }
    int previous = cps[before];
    int next = cps[at + 1];
    if (cp == ZWJ
        && Character.getType(previous) == Character.OTHER_SYMBOL
        && Character.getType(next) == Character.OTHER_SYMBOL) {
      return true;
    }
    if (!Character.isLetter(previous) || !(Character.isLetter(next) || isAttached(next))) {
      return false;
    }
    Character.UnicodeScript script = Character.UnicodeScript.of(previous);
    return JOINING_SCRIPTS.contains(script) && Character.UnicodeScript.of(next) == script;
  }

  /** Marks, variation selectors and emoji skin-tone modifiers: part of the character before. */
  private static boolean isAttached(int cp) {
    int type = Character.getType(cp);
    return type == Character.NON_SPACING_MARK
        || type == Character.COMBINING_SPACING_MARK
        || type == Character.ENCLOSING_MARK
        || (cp >= 0x1F3FB && cp <= 0x1F3FF);
  }

  /** {@code U+202E RIGHT-TO-LEFT OVERRIDE}. */
  static String describe(int cp) {
    String name = Character.getName(cp);
    return String.format(java.util.Locale.ROOT, "U+%04X", cp) + (name == null ? "" : " " + name);
  }

  /** A segment in quotes, with invisible and control characters escaped as backslash-u escapes. */
  static String show(String segment) {
    StringBuilder out = new StringBuilder("\"");
    segment.codePoints().limit(80).forEach(cp -> {
      if (isInvisible(cp) || Character.isISOControl(cp) || (isBlank(cp) && cp != ' ')) {
        out.append(String.format(java.util.Locale.ROOT, "\\u%04x", cp));
      } else {
        out.appendCodePoint(cp);
      }
    });
    if (segment.codePointCount(0, segment.length()) > 80) {
      out.append('…');
    }
    return out.append('"').toString();
  }

  static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** For messages: the UTF-8 bytes of a string. */
  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
