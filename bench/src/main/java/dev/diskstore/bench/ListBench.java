package dev.diskstore.bench;

import dev.diskstore.ArtifactListing;
import dev.diskstore.Artifacts;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scenario "list a 100-entry directory": {@code artifacts().list(disk, "/dNNNNN/")} of one
 * directory holding 100 files, in a disk of {@code listArtifacts} artifacts (directories of 100
 * files each: 10 directories for 1,000, 10,000 for 1,000,000). The target compares the same call
 * across sizes.
 *
 * <p>The data sets are built once through the public API ({@code upsert} of small unique Markdown
 * files from 8 threads) and reused ({@link DataSets}). The store that builds and reads them has a
 * {@link DiscardingBlobBackend}: listing reads only the SQLite index, so the index is exactly what
 * {@code upsert} writes (artifact rows, blob rows, directory counts, full-text rows), but the blob
 * bytes are not kept. The store is reopened without garbage collection (which would otherwise find
 * every blob missing).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class ListBench {
  private static final int PER_DIRECTORY = 100;

  @Param({"1000", "1000000"})
  public int listArtifacts;

  private DiskStore store;
  private Artifacts artifacts;
  private String disk;
  private String directory;

  @Setup(Level.Trial)
  public void open() {
    Properties set = dataSet(listArtifacts);
    store = reopen(set);
    artifacts = store.disks().artifacts();
    disk = set.getProperty("disk");
    // bring the full-text index up to date now, so that no background indexing runs while listing
    // is measured
    store.search().fullText(disk, "warmup", 1);
    directory = dirName(listArtifacts / PER_DIRECTORY / 2);
    int entries = artifacts.list(disk, directory).artifacts().size();
    if (entries != PER_DIRECTORY) {
      throw new IllegalStateException(directory + " has " + entries + " entries, not 100");
    }
  }

  /**
   * The SQLite listing data set of {@code listArtifacts} artifacts (built once, reused; also read
   * by {@link PostgresIndexBench}).
   */
  static Properties dataSet(int listArtifacts) {
    int directories = listArtifacts / PER_DIRECTORY;
    return DataSets.ensure(
        "list-" + listArtifacts + "-v1",
        dir -> DiskStore.open(
            DiskStoreConfig.builder().directory(dir).backend(new DiscardingBlobBackend(dir))
                .build()),
        (s, diskId, pool) -> fillListingDisk(s, diskId, pool, directories));
  }

  /** Opens a data set of {@link #dataSet} without garbage collection. */
  static DiskStore reopen(Properties set) {
    java.nio.file.Path dir = java.nio.file.Path.of(set.getProperty("dir"));
    return DiskStore.open(DiskStoreConfig.builder().directory(dir)
        .backend(new DiscardingBlobBackend(dir)).collectGarbageOnOpen(false).build());
  }

  /**
   * Writes {@code directories} directories of 100 small Markdown files into a disk, from the
   * pool's threads (the listing disks of SQLite and PostgreSQL are the same writes).
   */
  static void fillListingDisk(DiskStore s, String diskId, ExecutorService pool, int directories)
      throws Exception {
    Artifacts a = s.disks().artifacts();
    DataSets.parallel(pool, directories, d -> {
      String path = dirName(d);
      for (int f = 0; f < PER_DIRECTORY; f++) {
        a.upsert(diskId,
            FileUpload.ofText(String.format(Locale.ROOT, "f-%03d.md", f),
                "# file " + f + " of " + path + "\n"),
            path);
      }
      if (d % 1000 == 999) {
        System.out.println("[dataset] " + (d + 1) * PER_DIRECTORY + " artifacts");
      }
    });
  }

  static String dirName(int d) {
    return String.format(Locale.ROOT, "/d%05d/", d);
  }

  @TearDown(Level.Trial)
  public void close() {
    store.close();
  }

  @Benchmark
  public ArtifactListing list() {
    return artifacts.list(disk, directory);
  }
}
