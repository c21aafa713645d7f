package dev.diskstore.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Where the benchmarks keep their files: {@code $DISKSTORE_BENCH_DIR} (bench/run.sh sets it to
 * {@code bench/target/bench-data}), else {@code <java.io.tmpdir>/diskstore-bench}. An environment
 * variable rather than a system property, because JMH forks inherit the environment but not the
 * host JVM's properties. Scratch directories are deleted by the benchmark that made them; data
 * sets that take long to build ({@link #dataSet}) are kept and reused by later forks and runs.
 */
final class BenchFiles {
  private BenchFiles() {}

  static Path root() {
    String configured = System.getenv("DISKSTORE_BENCH_DIR");
    Path root =
        configured != null && !configured.isBlank()
            ? Path.of(configured)
            : Path.of(System.getProperty("java.io.tmpdir"), "diskstore-bench");
    try {
      return Files.createDirectories(root.toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new, empty scratch directory; the caller deletes it with {@link #deleteTree}. */
  static Path scratch(String prefix) {
    try {
      return Files.createTempDirectory(Files.createDirectories(root().resolve("scratch")), prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The directory of a reusable data set (may not exist yet). */
  static Path dataSet(String name) {
    return root().resolve("datasets").resolve(name);
  }

  /** Deletes a directory tree; a missing directory is fine. */
  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  private static void deleteIfExists(Path p) throws IOException {
    try {
      Files.deleteIfExists(p);
    } catch (NoSuchFileException ignored) {
      // already gone
    }
  }
}
