package dev.diskstore.internal;

import dev.diskstore.InvalidQueryException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A compiled glob pattern (syntax in {@link dev.diskstore.Search}): a regular expression over full
 * artifact paths, plus the longest literal directory prefix, which narrows the index range scanned.
 */
final class Glob {
  private static final int MAX_LENGTH = 4096;
  private static final int MAX_BRACE_DEPTH = 8;

  private final String pattern;
  private final Pattern regex;
  private final String directoryPrefix;

  private Glob(String pattern, Pattern regex, String directoryPrefix) {
    this.pattern = pattern;
    this.regex = regex;
    this.directoryPrefix = directoryPrefix;
  }

  /**
   * @throws InvalidQueryException naming the pattern and the problem
   */
  static Glob compile(String input) {
    if (input == null || input.isEmpty()) {
      throw new InvalidQueryException("the glob pattern is empty");
    }
    if (input.length() > MAX_LENGTH) {
      throw new InvalidQueryException("the glob pattern is longer than " + MAX_LENGTH + " chars");
    }
    String pattern = Normalizer.normalize(input, Normalizer.Form.NFC);
    if (pattern.charAt(0) != '/') {
      pattern = "/" + pattern;
    }
    StringBuilder out = new StringBuilder();
    int end = translate(input, pattern, 0, out, 0, false);
    if (end != pattern.length()) {
      throw new InvalidQueryException("glob " + quote(input) + ": unexpected '}' at " + end);
    }
    Pattern regex;
    try {
      regex = Pattern.compile(out.toString(), Pattern.DOTALL);
    } catch (RuntimeException e) {
      throw new InvalidQueryException("glob " + quote(input) + " is malformed: " + e.getMessage());
    }
    return new Glob(input, regex, literalDirectory(pattern));
  }

  /** Translates from {@code i} until the end, or until a top-level ',' or '}' inside braces. */
  private static int translate(
      String input, String p, int i, StringBuilder out, int depth, boolean inBraces) {
    while (i < p.length()) {
      char c = p.charAt(i);
      switch (c) {
        case '\\' -> {
          if (i + 1 >= p.length()) {
            throw new InvalidQueryException("glob " + quote(input) + " ends with a lone '\\'");
          }
          literal(p.charAt(i + 1), out);
          i += 2;
        }
        case '*' -> {
          boolean doubleStar = i + 1 < p.length() && p.charAt(i + 1) == '*';
          if (doubleStar) {
            int after = i + 2;
            while (after < p.length() && p.charAt(after) == '*') {
              after++;
            }
            boolean segmentStart = i == 0 || p.charAt(i - 1) == '/';
            boolean segmentEnd = after == p.length() || p.charAt(after) == '/';
            if (segmentStart && segmentEnd) {
              if (after == p.length()) {
                out.append(".*"); // "/docs/**": everything below
                i = after;
              } else {
                out.append("(?:[^/]*/)*"); // "/**/x": zero or more directories
                i = after + 1;
              }
              continue;
            }
            out.append("[^/]*");
            i = after;
          } else {
            out.append("[^/]*");
            i++;
          }
        }
        case '?' -> {
          out.append("[^/]");
          i++;
        }
        case '[' -> i = characterClass(input, p, i, out);
        case '{' -> {
          if (depth >= MAX_BRACE_DEPTH) {
            throw new InvalidQueryException(
                "glob " + quote(input) + " nests braces deeper than " + MAX_BRACE_DEPTH);
          }
          List<String> alternatives = new ArrayList<>();
          int j = i + 1;
          while (true) {
            StringBuilder alt = new StringBuilder();
            j = translate(input, p, j, alt, depth + 1, true);
            alternatives.add(alt.toString());
            if (j >= p.length()) {
              throw new InvalidQueryException("glob " + quote(input) + ": unclosed '{'");
            }
            if (p.charAt(j) == '}') {
              j++;
              break;
            }
            j++; // ','
          }
          out.append("(?:").append(String.join("|", alternatives)).append(')');
          i = j;
        }
        case ',', '}' -> {
          if (inBraces) {
            return i;
          }
          literal(c, out);
          i++;
        }
        default -> {
          literal(c, out);
          i++;
        }
      }
    }
    return i;
  }

  private static int characterClass(String input, String p, int i, StringBuilder out) {
    int j = i + 1;
    boolean negate = j < p.length() && (p.charAt(j) == '!' || p.charAt(j) == '^');
    if (negate) {
      j++;
    }
    StringBuilder set = new StringBuilder();
    boolean first = true;
    while (j < p.length() && (first || p.charAt(j) != ']')) {
      char c = p.charAt(j);
      if (c == '\\' && j + 1 < p.length()) {
        c = p.charAt(++j);
        set.append('\\').append(c);
      } else if (c == '-' && !first && j + 1 < p.length() && p.charAt(j + 1) != ']') {
        set.append('-');
      } else if (Character.isLetterOrDigit(c)) {
        set.append(c);
      } else {
        set.append('\\').append(c);
      }
      first = false;
      j++;
    }
    if (j >= p.length()) {
      throw new InvalidQueryException("glob " + quote(input) + ": unclosed '['");
    }
    if (negate) {
      out.append("[^/").append(set).append(']');
    } else {
      out.append('[').append(set).append("&&[^/]]");
    }
    return j + 1;
  }

  private static void literal(char c, StringBuilder out) {
    if ("\\.[]{}()<>*+-=!?^$|".indexOf(c) >= 0) {
      out.append('\\');
    }
    out.append(c);
  }

  /** The directory part of the pattern before its first special character, e.g. "/docs/". */
  private static String literalDirectory(String p) {
    int special = p.length();
    for (int i = 0; i < p.length(); i++) {
      if ("*?[{\\".indexOf(p.charAt(i)) >= 0) {
        special = i;
        break;
      }
    }
    return p.substring(0, p.lastIndexOf('/', Math.min(special, p.length() - 1)) + 1);
  }

  /** The pattern as given. */
  String pattern() {
    return pattern;
  }

  /** Every match lies at or below this directory ("/" when the pattern starts with a wildcard). */
  String directoryPrefix() {
    return directoryPrefix;
  }

  boolean matches(String fullPath) {
    return regex.matcher(fullPath).matches();
  }

  private static String quote(String s) {
    return "\"" + (s.length() > 200 ? s.substring(0, 200) + "…" : s) + "\"";
  }
}
