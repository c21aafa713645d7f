package dev.diskstore.internal;

import dev.diskstore.InvalidQueryException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * A compiled glob pattern (syntax in {@link dev.diskstore.Search}), matched against full artifact
 * paths without regular expressions: braces are expanded into alternatives, each alternative is a
 * list of segment patterns, and both {@code *} within a segment and {@code **} across segments are
 * matched by the iterative "back up to the last star" algorithm, so matching costs at most
 * (pattern length × path length) steps and uses no recursion, whatever the input. The longest
 * literal directory prefix narrows the index range scanned.
 */
final class Glob {
  private static final int MAX_LENGTH = 4096;
  private static final int MAX_BRACE_DEPTH = 8;
  private static final int MAX_ALTERNATIVES = 1024;

  private final String pattern;
  private final List<Segment[]> alternatives;
  private final String directoryPrefix;

  private Glob(String pattern, List<Segment[]> alternatives, String directoryPrefix) {
    this.pattern = pattern;
    this.alternatives = alternatives;
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
    String normalised = Normalizer.normalize(input, Normalizer.Form.NFC);
    if (normalised.charAt(0) != '/') {
      normalised = "/" + normalised;
    }
    List<String> expanded = new ArrayList<>();
    expand(input, normalised, expanded);
    List<Segment[]> alternatives = new ArrayList<>(expanded.size());
    for (String alternative : expanded) {
      alternatives.add(parse(input, alternative));
    }
    return new Glob(input, alternatives, literalDirectory(normalised));
  }

  // ---------------------------------------------------------------- braces

  /** Expands the first top-level brace group of {@code p} recursively into {@code out}. */
  private static void expand(String input, String p, List<String> out) {
    int open = -1;
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '[') {
        i = skipClass(input, p, i);
      } else if (c == '{') {
        open = i;
        break;
      } else if (c == '}') {
        throw new InvalidQueryException("glob " + quote(input) + ": unexpected '}'");
      }
    }
    if (open < 0) {
      if (out.size() >= MAX_ALTERNATIVES) {
        throw new InvalidQueryException(
            "glob " + quote(input) + " expands to more than " + MAX_ALTERNATIVES + " alternatives");
      }
      out.add(p);
      return;
    }
    List<String> choices = new ArrayList<>();
    int depth = 0;
    int start = open + 1;
    int close = -1;
    for (int i = open + 1; i < p.length() && close < 0; i++) {
      char c = p.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '[') {
        i = skipClass(input, p, i);
      } else if (c == '{') {
        if (++depth >= MAX_BRACE_DEPTH) {
          throw new InvalidQueryException(
              "glob " + quote(input) + " nests braces deeper than " + MAX_BRACE_DEPTH);
        }
      } else if (c == '}') {
        if (depth == 0) {
          choices.add(p.substring(start, i));
          close = i;
        } else {
          depth--;
        }
      } else if (c == ',' && depth == 0) {
        choices.add(p.substring(start, i));
        start = i + 1;
      }
    }
    if (close < 0) {
      throw new InvalidQueryException("glob " + quote(input) + ": unclosed '{'");
    }
    String before = p.substring(0, open);
    String after = p.substring(close + 1);
    for (String choice : choices) {
      expand(input, before + choice + after, out);
    }
  }

  /** The index of the ']' closing the class that starts at {@code open}. */
  private static int skipClass(String input, String p, int open) {
    int j = open + 1;
    if (j < p.length() && (p.charAt(j) == '!' || p.charAt(j) == '^')) {
      j++;
    }
    boolean first = true;
    while (j < p.length() && (first || p.charAt(j) != ']')) {
      if (p.charAt(j) == '\\') {
        j++;
      }
      first = false;
      j++;
    }
    if (j >= p.length()) {
      throw new InvalidQueryException("glob " + quote(input) + ": unclosed '['");
    }
    return j;
  }

  // ---------------------------------------------------------------- parsing

  /** A token of one path segment. */
  private sealed interface Token permits Literal, AnyChar, Star, CharClass {}

  private record Literal(int codePoint) implements Token {}

  private record AnyChar() implements Token {}

  private record Star() implements Token {}

  /** {@code ranges} holds pairs (from, to) of code points; never matches '/'. */
  private record CharClass(int[] ranges, boolean negated) implements Token {
    boolean matches(int cp) {
      boolean in = false;
      for (int i = 0; i < ranges.length; i += 2) {
        if (cp >= ranges[i] && cp <= ranges[i + 1]) {
          in = true;
          break;
        }
      }
      return in != negated;
    }
  }

  /** A segment pattern: a token list, or {@code **} (any number of whole segments). */
  private record Segment(Token[] tokens, boolean anySegments) {}

  private static Segment[] parse(String input, String p) {
    List<Segment> segments = new ArrayList<>();
    List<Token> tokens = new ArrayList<>();
    boolean onlyDoubleStar = false;
    int i = 0;
    while (i <= p.length()) {
      if (i == p.length() || p.charAt(i) == '/') {
        segments.add(
            onlyDoubleStar && tokens.size() == 1
                ? new Segment(new Token[0], true)
                : new Segment(tokens.toArray(new Token[0]), false));
        tokens.clear();
        onlyDoubleStar = false;
        i++;
        continue;
      }
      char c = p.charAt(i);
      switch (c) {
        case '\\' -> {
          if (i + 1 >= p.length()) {
            throw new InvalidQueryException("glob " + quote(input) + " ends with a lone '\\'");
          }
          int cp = p.codePointAt(i + 1);
          tokens.add(new Literal(cp));
          i += 1 + Character.charCount(cp);
        }
        case '*' -> {
          int run = 0;
          while (i < p.length() && p.charAt(i) == '*') {
            run++;
            i++;
          }
          onlyDoubleStar = run >= 2 && tokens.isEmpty();
          tokens.add(new Star());
        }
        case '?' -> {
          tokens.add(new AnyChar());
          i++;
        }
        case '[' -> {
          int close = skipClass(input, p, i);
          tokens.add(charClass(p, i, close));
          i = close + 1;
        }
        default -> {
          int cp = p.codePointAt(i);
          tokens.add(new Literal(cp));
          i += Character.charCount(cp);
        }
      }
      if (onlyDoubleStar && !tokens.isEmpty() && !(tokens.get(tokens.size() - 1) instanceof Star)) {
        onlyDoubleStar = false;
      }
    }
    // A trailing "**" means "everything below": at least one more segment (a file).
    int last = segments.size() - 1;
    if (last > 0 && segments.get(last).anySegments()) {
      segments.add(last, new Segment(new Token[] {new Star()}, false));
    }
    return segments.toArray(new Segment[0]);
  }

  private static CharClass charClass(String p, int open, int close) {
    int j = open + 1;
    boolean negated = j < close && (p.charAt(j) == '!' || p.charAt(j) == '^');
    if (negated) {
      j++;
    }
    List<Integer> ranges = new ArrayList<>();
    while (j < close) {
      int from;
      if (p.charAt(j) == '\\' && j + 1 < close) {
        j++;
      }
      from = p.codePointAt(j);
      j += Character.charCount(from);
      int to = from;
      if (j + 1 < close && p.charAt(j) == '-') {
        int k = j + 1;
        if (p.charAt(k) == '\\' && k + 1 < close) {
          k++;
        }
        to = p.codePointAt(k);
        j = k + Character.charCount(to);
      }
      ranges.add(Math.min(from, to));
      ranges.add(Math.max(from, to));
    }
    int[] array = new int[ranges.size()];
    for (int k = 0; k < array.length; k++) {
      array[k] = ranges.get(k);
    }
    return new CharClass(array, negated);
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

  // ---------------------------------------------------------------- matching

  /** The pattern as given. */
  String pattern() {
    return pattern;
  }

  /** Every match lies at or below this directory ("/" when the pattern starts with a wildcard). */
  String directoryPrefix() {
    return directoryPrefix;
  }

  boolean matches(String fullPath) {
    String[] segments = fullPath.split("/", -1);
    int[][] codePoints = new int[segments.length][];
    for (int i = 0; i < segments.length; i++) {
      codePoints[i] = segments[i].codePoints().toArray();
    }
    for (Segment[] alternative : alternatives) {
      if (matchPath(alternative, codePoints)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matchPath(Segment[] pattern, int[][] path) {
    int p = 0;
    int s = 0;
    int starP = -1;
    int starS = -1;
    while (s < path.length) {
      if (p < pattern.length && pattern[p].anySegments()) {
        starP = p++;
        starS = s;
      } else if (p < pattern.length && matchSegment(pattern[p].tokens(), path[s])) {
        p++;
        s++;
      } else if (starP >= 0) {
        p = starP + 1;
        s = ++starS;
      } else {
        return false;
      }
    }
    while (p < pattern.length && pattern[p].anySegments()) {
      p++;
    }
    return p == pattern.length;
  }

  private static boolean matchSegment(Token[] tokens, int[] text) {
    int t = 0;
    int i = 0;
    int starT = -1;
    int starI = -1;
    while (i < text.length) {
      if (t < tokens.length && tokens[t] instanceof Star) {
        starT = t++;
        starI = i;
      } else if (t < tokens.length && matchesOne(tokens[t], text[i])) {
        t++;
        i++;
      } else if (starT >= 0) {
        t = starT + 1;
        i = ++starI;
      } else {
        return false;
      }
    }
    while (t < tokens.length && tokens[t] instanceof Star) {
      t++;
    }
    return t == tokens.length;
  }

  private static boolean matchesOne(Token token, int cp) {
    if (token instanceof Literal literal) {
      return literal.codePoint() == cp;
    }
    if (token instanceof AnyChar) {
      return cp != '/';
    }
    return token instanceof CharClass charClass && cp != '/' && charClass.matches(cp);
  }

  private static String quote(String s) {
    return "\"" + (s.length() > 200 ? s.substring(0, 200) + "…" : s) + "\"";
  }
}
