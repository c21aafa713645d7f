package dev.diskstore.tika;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.jspecify.annotations.Nullable;

/**
 * Checks a ZIP package (OOXML, OpenDocument, EPUB) before Tika parses it, by inflating every entry
 * once and counting the bytes, without keeping them.
 *
 * <p>Tika's own zip-bomb check counts the characters a parser emits, which does not help when a
 * parser buffers a huge XML text node before emitting anything (Tika's DOCX handler collects a
 * whole text run), and Tika switches POI's check ({@code ZipSecureFile}) off JVM-wide. This check
 * stops an entry once it inflates past {@link #ENTRY_GRACE_BYTES} <em>and</em> more than {@code
 * maxRatio} times its compressed size (real OOXML parts compress about 10 to 20 times, a bomb
 * about 1,000 times), and a package with more than {@link #MAX_ENTRIES} entries. Reading stops at
 * the limit, so a bomb costs at most {@code maxRatio} times its own size in inflation work.
 *
 * <p>Stateless and thread-safe.
 */
final class ZipBombCheck {
  private ZipBombCheck() {}

  /** Entries may inflate this far before their ratio is checked. */
  static final long ENTRY_GRACE_BYTES = 1024 * 1024;

  /** Most entries in one package (POI allows 10,000 in OOXML files when Tika configures it). */
  static final int MAX_ENTRIES = 10_000;

  /**
   * Why {@code zip} looks like a zip bomb, or null when it does not (also when it is not a ZIP file
   * that {@link ZipFile} can read: the parser then reports the damage).
   */
  static @Nullable String check(Path zip, long maxRatio) {
    long fileSize;
    try {
      fileSize = Files.size(zip);
    } catch (IOException e) {
      return null;
    }
    byte[] buffer = new byte[64 * 1024];
    try (ZipFile file = new ZipFile(zip.toFile())) {
      int entries = 0;
      for (Enumeration<? extends ZipEntry> e = file.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        if (++entries > MAX_ENTRIES) {
          return "zip bomb: more than " + MAX_ENTRIES + " entries";
        }
        if (entry.isDirectory()) {
          continue;
        }
        long compressed = entry.getCompressedSize();
        if (compressed < 0 || compressed > fileSize) {
          compressed = fileSize;
        }
        long limit = Math.max(ENTRY_GRACE_BYTES, satMultiply(Math.max(compressed, 1), maxRatio));
        long inflated = 0;
        try (InputStream in = file.getInputStream(entry)) {
          for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            inflated += n;
            if (inflated > limit) {
              return "zip bomb: entry " + entry.getName() + " expands more than " + maxRatio
                  + " times (" + compressed + " compressed bytes)";
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }

  private static long satMultiply(long a, long b) {
    long high = Math.multiplyHigh(a, b);
    long low = a * b;
    return (high == 0 && low >= 0) ? low : Long.MAX_VALUE;
  }
}
