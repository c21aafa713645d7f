package dev.diskstore.bench;

import dev.diskstore.DiskStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Data sets that take long to build, built once through the public API and kept under {@link
 * BenchFiles#dataSet} for later forks and runs (the build is never inside a measured region; a
 * reused data set is reopened in {@code @Setup}). A data set is built in {@code <name>.building}
 * (on {@code /dev/shm} when available: the build's fsyncs cost nothing there, and the build is
 * not measured), copied next to its final place and renamed when complete, so an interrupted build
 * is never reused. Its disk id is kept in {@code dataset.properties}.
 */
final class DataSets {
  private DataSets() {}

  /** Writes the artifacts of one data set into an open store; returns nothing. */
  interface Builder {
    void build(DiskStore store, String diskId, ExecutorService pool) throws Exception;
  }

  /**
   * The directory of data set {@code name}, built with {@code builder} on a store that {@code
   * opener} opens on a directory, if it does not exist yet. Returns the directory and the disk id.
   */
  static Properties ensure(String name, Function<Path, DiskStore> opener, Builder builder) {
    Path dir = BenchFiles.dataSet(name);
    Path marker = dir.resolve("dataset.properties");
    if (!Files.isRegularFile(marker)) {
      // Built on a RAM file system when there is one (fsync is free there; the build is not
      // measured), then copied to the data directory on disk, where the benchmarks read it.
      Path shm = Path.of("/dev/shm");
      Path building =
          Files.isDirectory(shm) && Files.isWritable(shm)
              ? shm.resolve("diskstore-bench-" + name + ".building")
              : dir.resolveSibling(name + ".building");
      BenchFiles.deleteTree(building);
      long start = System.nanoTime();
      System.out.println("[dataset] building " + name + " (once; reused by later forks and runs)");
      Properties properties = new Properties();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try (DiskStore store = opener.apply(Files.createDirectories(building))) {
        String disk = store.disks().create().id();
        builder.build(store, disk, pool);
        properties.setProperty("disk", disk);
      } catch (Exception e) {
        throw new IllegalStateException("building data set " + name + " failed", e);
      } finally {
        pool.shutdownNow();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      properties.setProperty("buildSeconds", String.format(java.util.Locale.ROOT, "%.1f", seconds));
      try {
        try (var out = Files.newOutputStream(building.resolve("dataset.properties"))) {
          properties.store(out, "DiskStore benchmark data set " + name);
        }
        BenchFiles.deleteTree(dir);
        Path copy = dir.resolveSibling(name + ".copying");
        BenchFiles.deleteTree(copy);
        copyTree(building, copy);
        Files.move(copy, dir, StandardCopyOption.ATOMIC_MOVE);
        BenchFiles.deleteTree(building);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      System.out.printf(java.util.Locale.ROOT, "[dataset] built %s in %.1f s%n", name, seconds);
    }
    Properties properties = new Properties();
    try (var in = Files.newInputStream(marker)) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    properties.setProperty("dir", dir.toString());
    return properties;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  /**
   * Runs {@code count} tasks {@code task(i)} on the pool and waits for all; rethrows the first
   * failure.
   */
  static void parallel(ExecutorService pool, int count, IntTask task) throws Exception {
    List<Future<?>> futures = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int index = i;
      futures.add(pool.submit(() -> {
        task.run(index);
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
  }

  /** One task of {@link #parallel}. */
  interface IntTask {
    void run(int index) throws Exception;
  }
}
