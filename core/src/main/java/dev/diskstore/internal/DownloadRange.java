package dev.diskstore.internal;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a download answers to its {@code Range} and {@code If-Range} request headers (RFC 9110
 * §13.1.5, §14): the whole file, one byte range of it, or "416 Range Not Satisfiable".
 *
 * <p>Only single byte ranges are honoured: {@code bytes=first-last}, {@code bytes=first-} and
 * {@code bytes=-suffix}, the last position clipped to the file. A header this server does not
 * understand (another unit, bad syntax, {@code last < first}) or one naming several ranges is
 * ignored, which the RFC allows: the answer is the whole file. {@code If-Range} must carry the
 * artifact's current entity tag, compared strongly ({@code "etag"}, never {@code W/"etag"} or a
 * date: the server sends no {@code Last-Modified}); otherwise the range is ignored, so that a
 * client resuming a file that changed gets all of the new bytes instead of a splice of two
 * versions. A file of zero bytes has no byte to range over: a suffix range gives the whole (empty)
 * file, any other range is unsatisfiable.
 *
 * <p>Pure and immutable: no I/O.
 */
sealed interface DownloadRange {

  /** Serve the whole file with 200. */
  record Whole() implements DownloadRange {}

  /** Serve bytes {@code first..last} (inclusive, within the file) with 206. */
  record Part(long first, long last) implements DownloadRange {
    public Part {
      if (first < 0 || last < first) {
        throw new IllegalArgumentException("bad byte range " + first + "-" + last);
      }
    }

    long length() {
      return last - first + 1;
    }

    /** The {@code Content-Range} value for a file of {@code size} bytes. */
    String contentRange(long size) {
      return "bytes " + first + "-" + last + "/" + size;
    }
  }

  /** Answer 416 with {@code Content-Range: bytes *}{@code /size}. */
  record Unsatisfiable() implements DownloadRange {}

  /** The one unit this server ranges over. */
  String UNIT = "bytes";

  /**
   * Evaluates the request headers against a file of {@code size} bytes whose entity tag (without
   * quotes) is {@code etag}.
   *
   * @param range the {@code Range} header value, or null when absent
   * @param ifRange the {@code If-Range} header value, or null when absent
   */
  static DownloadRange of(
      @Nullable String range, @Nullable String ifRange, String etag, long size) {
    if (range == null) {
      return new Whole();
    }
    if (ifRange != null) {
      String tag = quoted(etag);
      if (tag.isEmpty() || !ifRange.strip().equals(tag)) {
        return new Whole();
      }
    }
    int equals = range.indexOf('=');
    if (equals < 0 || !range.substring(0, equals).strip().equalsIgnoreCase(UNIT)) {
      return new Whole();
    }
    List<String> specs = new ArrayList<>(1);
    for (String element : range.substring(equals + 1).split(",", -1)) {
      String spec = element.strip();
      if (!spec.isEmpty()) { // a list may carry empty elements (RFC 9110 §5.6.1)
        specs.add(spec);
      }
    }
    if (specs.size() != 1) {
      return new Whole();
    }
    return single(specs.get(0), size);
  }

  private static DownloadRange single(String spec, long size) {
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return new Whole();
    }
    String firstText = spec.substring(0, dash);
    String lastText = spec.substring(dash + 1);
    if (firstText.isEmpty()) {
      long suffix = digits(lastText);
      if (suffix < 0) {
        return new Whole();
      }
      if (suffix == 0) {
        return new Unsatisfiable();
      }
      if (size == 0) {
        return new Whole();
      }
      return new Part(Math.max(0, size - suffix), size - 1);
    }
    long first = digits(firstText);
    long last = lastText.isEmpty() ? Long.MAX_VALUE : digits(lastText);
    if (first < 0 || last < 0 || last < first) {
      return new Whole();
    }
    if (first >= size) {
      return new Unsatisfiable();
    }
    return new Part(first, Math.min(last, size - 1));
  }

  /**
   * A non-empty run of ASCII digits as a number, saturating at {@link Long#MAX_VALUE} (a position
   * past any file); -1 when {@code text} is not such a run.
   */
  private static long digits(String text) {
    if (text.isEmpty()) {
      return -1;
    }
    long value = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      int digit = c - '0';
      value = value > (Long.MAX_VALUE - digit) / 10 ? Long.MAX_VALUE : value * 10 + digit;
    }
    return value;
  }

  /**
   * {@code "etag"}: the strong entity tag the server sends in {@code ETag}, or an empty string when
   * {@code etag} has characters an entity tag cannot carry (then no {@code ETag} is sent and no
   * {@code If-Range} matches).
   */
  static String quoted(String etag) {
    for (int i = 0; i < etag.length(); i++) {
      char c = etag.charAt(i);
      // etagc = %x21 / %x23-7E (obs-text is not produced by this store)
      if (c != 0x21 && (c < 0x23 || c > 0x7E)) {
        return "";
      }
    }
    return '"' + etag + '"';
  }
}
