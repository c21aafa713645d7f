package dev.diskstore.bench;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Deterministic file contents for the benchmarks. Every write benchmark makes each upload unique
 * with {@link #stamp} (a counter written into the first bytes), so that DiskStore's SHA-256
 * de-duplication never turns a write into a no-op: every upsert stores new bytes, as every baseline
 * write does.
 */
final class Content {
  private Content() {}

  /** Where {@link #stamp} writes: after the 8-byte PNG signature of binary content. */
  static final int BINARY_STAMP_OFFSET = 8;

  private static final String[] WORDS = {
    "store", "artifact", "disk", "index", "commit", "stream", "bytes", "query", "agent", "path",
    "report", "sprint", "plan", "goal", "review", "metric", "system", "table", "value", "record",
    "cache", "write", "read", "list", "directory", "file", "search", "text", "token", "page"
  };

  /** Markdown-like ASCII text of exactly {@code size} bytes: words, spaces, lines. */
  static byte[] text(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    StringBuilder out = new StringBuilder(size + 16);
    out.append("# Benchmark file\n\n");
    int line = 0;
    while (out.length() < size) {
      out.append(WORDS[random.nextInt(WORDS.length)]);
      line++;
      out.append(line % 12 == 0 ? '\n' : ' ');
    }
    out.setLength(size);
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** {@code size} pseudo-random (incompressible) bytes behind a PNG signature, as an image. */
  static byte[] binary(int size, long seed) {
    byte[] bytes = new byte[size];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < size; i += 8) {
      long v = random.nextLong();
      for (int j = 0; j < 8 && i + j < size; j++) {
        bytes[i + j] = (byte) (v >>> (8 * j));
      }
    }
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10};
    System.arraycopy(png, 0, bytes, 0, Math.min(png.length, size));
    return bytes;
  }

  /** {@code text} or {@code binary} content. */
  static byte[] of(String kind, int size, long seed) {
    return switch (kind) {
      case "text" -> text(size, seed);
      case "binary" -> binary(size, seed);
      default -> throw new IllegalArgumentException("kind must be text or binary: " + kind);
    };
  }

  /** The file name for upload {@code n} of {@code kind}: {@code f-000042.md} or {@code .png}. */
  static String name(String kind, long n) {
    return String.format(Locale.ROOT, "f-%06d.%s", n, kind.equals("text") ? "md" : "png");
  }

  /** Writes {@code n} as 20 decimal digits into {@code bytes}, so that each upload is unique. */
  static void stamp(byte[] bytes, String kind, long n) {
    int offset = kind.equals("text") ? 0 : BINARY_STAMP_OFFSET;
    long v = n;
    for (int i = offset + 19; i >= offset; i--) {
      if (i < bytes.length) {
        bytes[i] = (byte) ('0' + (v % 10));
      }
      v /= 10;
    }
  }
}
