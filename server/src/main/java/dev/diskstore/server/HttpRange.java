package dev.diskstore.server;

import org.jspecify.annotations.Nullable;

/**
 * One {@code Range: bytes=...} request header against a file of known size (RFC 9110 §14): a
 * single range {@code a-b}, {@code a-} or {@code -n}. Several ranges, other units and malformed
 * headers are ignored (the whole file is sent, as the RFC allows); an {@code If-Range} that is not
 * the current (strong) ETag also sends the whole file. Values, no state.
 */
sealed interface HttpRange {
  /** Send the whole file (200). */
  record Whole() implements HttpRange {}

  /** Send bytes {@code first..first+length-1} (206). */
  record Part(long first, long length) implements HttpRange {
    String contentRange(long size) {
      return "bytes " + first + "-" + (first + length - 1) + "/" + size;
    }
  }

  /** No byte of the file is in the range (416). */
  record Unsatisfiable() implements HttpRange {}

  static HttpRange of(@Nullable String range, @Nullable String ifRange, String etag, long size) {
    if (range == null) {
      return new Whole();
    }
    if (ifRange != null && !ifRange.trim().equals(quoted(etag))) {
      return new Whole();
    }
    String r = range.trim();
    if (!r.regionMatches(true, 0, "bytes=", 0, 6)) {
      return new Whole();
    }
    String spec = r.substring(6).trim();
    if (spec.indexOf(',') >= 0) {
      return new Whole();
    }
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return new Whole();
    }
    String a = spec.substring(0, dash).trim();
    String b = spec.substring(dash + 1).trim();
    try {
      if (a.isEmpty()) {
        if (b.isEmpty()) {
          return new Whole();
        }
        long suffix = Long.parseLong(b);
        if (suffix <= 0 || size == 0) {
          return new Unsatisfiable();
        }
        long n = Math.min(suffix, size);
        return new Part(size - n, n);
      }
      long first = Long.parseLong(a);
      if (first < 0) {
        return new Whole();
      }
      long last = b.isEmpty() ? Long.MAX_VALUE : Long.parseLong(b);
      if (last < first) {
        return new Whole();
      }
      if (first >= size) {
        return new Unsatisfiable();
      }
      last = Math.min(last, size - 1);
      return new Part(first, last - first + 1);
    } catch (NumberFormatException e) {
      return new Whole();
    }
  }

  static String quoted(String etag) {
    return "\"" + etag + "\"";
  }
}
