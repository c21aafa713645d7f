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
   * collapsed, leading and trailing slash added.
   *
   * @throws InvalidPathException naming the bad part
   */
  public static String directory(String input) {
    if (input == null) {
      throw new InvalidPathException("null", "the path must not be null");
    }
    String nfc = nfc(input);
    StringBuilder out = new StringBuilder(nfc.length() + 2).append('/');
    for (String segment : nfc.split("/", -1)) {
      if (segment.isEmpty()) {
        continue;
      }
      checkSegment(input, segment);
      out.append(segment).append('/');
    }
    String path = out.toString();
    if (utf8Length(path) > MAX_PATH_BYTES) {
      throw new InvalidPathException(
          input, "the path is longer than " + MAX_PATH_BYTES + " UTF-8 bytes");
    }
    return path;
  }

  /**
   * Validates and NFC-normalises a filename: exactly one segment.
   *
   * @throws InvalidPathException naming the bad part
   */
  public static String filename(String input) {
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
    checkSegment(input, nfc);
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

  private static void checkSegment(String input, String segment) {
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
    int bytes = utf8Length(segment);
    if (bytes > MAX_SEGMENT_BYTES) {
      throw new InvalidPathException(
          input,
          "segment \"" + segment.substring(0, Math.min(40, segment.length())) + "…\" is " + bytes
              + " UTF-8 bytes; the limit is " + MAX_SEGMENT_BYTES);
    }
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
