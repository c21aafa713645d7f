package dev.diskstore.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar for a long transfer, redrawn in place on standard error with {@code \r}. Drawn
 * only when a person watches ({@link Io#interactive()}), never with {@code --json}, and only for
 * transfers big enough to be worth it ({@link #MIN_BYTES} or {@link #MIN_FILES}); otherwise every
 * method does nothing. Redrawn when the whole percentage or the file count changes, never on a
 * timer. Not thread-safe: one transfer on one thread.
 */
final class Progress implements AutoCloseable {
  /** Transfers of at least this many bytes get a bar. */
  static final long MIN_BYTES = 4L << 20;

  /** Transfers of at least this many files get a bar. */
  static final int MIN_FILES = 16;

  private static final int WIDTH = 30;
  private static final Progress NONE = new Progress(null, "", 0, 0);

  private final @org.jspecify.annotations.Nullable PrintStream err;
  private final String label;
  private final long totalBytes;
  private final int totalFiles;
  private long bytes;
  private int files;
  private int drawnPercent = -1;
  private int drawnFiles = -1;

  private Progress(
      @org.jspecify.annotations.Nullable PrintStream err, String label, long totalBytes,
      int totalFiles) {
    this.err = err;
    this.label = label;
    this.totalBytes = totalBytes;
    this.totalFiles = totalFiles;
  }

  /** A bar for {@code totalBytes} in {@code totalFiles}, or one that draws nothing. */
  static Progress start(Io io, boolean json, String label, long totalBytes, int totalFiles) {
    if (!io.interactive() || json || (totalBytes < MIN_BYTES && totalFiles < MIN_FILES)) {
      return NONE;
    }
    Progress progress = new Progress(io.err(), label, totalBytes, totalFiles);
    progress.draw();
    return progress;
  }

  /** Whether this bar draws anything. */
  boolean isDrawing() {
    return err != null;
  }

  void addBytes(long n) {
    if (err == null) {
      return;
    }
    bytes += n;
    draw();
  }

  void fileDone() {
    if (err == null) {
      return;
    }
    files++;
    draw();
  }

  /** {@code in}, counting what is read from it into this bar. Closing it closes {@code in}. */
  InputStream counting(InputStream in) {
    if (err == null) {
      return in;
    }
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          addBytes(1);
        }
        return b;
      }

      @Override
      public int read(byte[] buffer, int off, int len) throws IOException {
        int n = super.read(buffer, off, len);
        if (n > 0) {
          addBytes(n);
        }
        return n;
      }
    };
  }

  private void draw() {
    PrintStream e = err;
    if (e == null) {
      return;
    }
    int percent = totalBytes == 0 ? (totalFiles == 0 ? 100 : 100 * files / totalFiles)
        : (int) Math.min(100, 100 * bytes / totalBytes);
    if (percent == drawnPercent && files == drawnFiles) {
      return;
    }
    drawnPercent = percent;
    drawnFiles = files;
    int filled = WIDTH * percent / 100;
    StringBuilder line = new StringBuilder("\r").append(label).append(" [")
        .append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ")
        .append(String.format(Locale.ROOT, "%3d%%  %s / %s", percent, size(bytes),
            size(totalBytes)));
    if (totalFiles > 1) {
      line.append(String.format(Locale.ROOT, "  %d/%d files", files, totalFiles));
    }
    e.print(line);
    e.flush();
  }

  /** Ends the bar's line. */
  @Override
  public void close() {
    if (err != null) {
      err.println();
      err.flush();
    }
  }

  /** A size for people: bytes, KiB, MiB or GiB with one decimal. */
  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int unit = -1;
    while (v >= 1024 && unit < units.length - 1) {
      v /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[unit]);
  }
}
