package dev.diskstore.reliability;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A size-limited tmpfs mounted on a directory, for real "disk full" and "read-only file system"
 * failures: {@code chmod} does not stop root, and the suites run as root in CI, so the kernel's
 * own limits are used instead. Needs {@code mount} privileges (root with CAP_SYS_ADMIN); {@link
 * #available()} tells whether this machine allows it. The caller closes it, which unmounts.
 */
final class Tmpfs implements AutoCloseable {
  private final Path mountPoint;
  private boolean mounted;

  private Tmpfs(Path mountPoint) {
    this.mountPoint = mountPoint;
  }

  /** Mounts a tmpfs of {@code bytes} on {@code mountPoint} (created if missing). */
  static Tmpfs mount(Path mountPoint, long bytes) throws IOException {
    Files.createDirectories(mountPoint);
    Tmpfs fs = new Tmpfs(mountPoint);
    run("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0755", "tmpfs",
        mountPoint.toString());
    fs.mounted = true;
    return fs;
  }

  /** Whether tmpfs mounts are permitted here (tries one). */
  static boolean available(Path scratch) {
    try (Tmpfs fs = mount(scratch, 1 << 20)) {
      return true;
    } catch (IOException | RuntimeException e) {
      System.out.println("tmpfs mounts are not available here: " + e.getMessage());
      return false;
    }
  }

  Path path() {
    return mountPoint;
  }

  /** Remounts read-only; fails while a file on it is open for writing ("busy"). */
  void readOnly() throws IOException {
    run("mount", "-o", "remount,ro", mountPoint.toString());
  }

  void readWrite() throws IOException {
    run("mount", "-o", "remount,rw", mountPoint.toString());
  }

  /** Fills the free space with a file ({@code filler}); returns its size. */
  long fill(String filler) throws IOException {
    Path file = mountPoint.resolve(filler);
    byte[] chunk = new byte[64 * 1024];
    long written = 0;
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(chunk);
        written += chunk.length;
      }
    } catch (IOException full) {
      // ENOSPC: the file system is full
    }
    // the last partial chunks: byte by byte-ish, so that not even a page is left
    for (int size : new int[] {4096, 512, 1}) {
      byte[] small = new byte[size];
      try (OutputStream out =
          Files.newOutputStream(file, java.nio.file.StandardOpenOption.APPEND)) {
        while (true) {
          out.write(small);
          out.flush();
          written += size;
        }
      } catch (IOException full) {
        // full again
      }
    }
    return written;
  }

  @Override
  public void close() throws IOException {
    if (mounted) {
      run("umount", mountPoint.toString());
      mounted = false;
    }
  }

  private static void run(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + output);
    }
  }

  static List<String> describe(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    try (var s = Files.list(dir)) {
      s.forEach(p -> out.add(p.getFileName() + ":" + p.toFile().length()));
    }
    return out;
  }
}
