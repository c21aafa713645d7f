package dev.diskstore.bench;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactStream;
import dev.diskstore.Artifacts;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.History;
import dev.diskstore.local.LocalBlobBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scenario "history on vs off": what keeping versions (the default {@link History}, the last 10
 * versions for 30 days) costs a durable 1 KiB upsert and a get, against the same store with
 * {@link History#off()} — the baseline is DiskStore without history, measured in the same run, so
 * the ratio is the price of history alone (the target: at most 1.10 on a 1 KiB upsert).
 *
 * <ul>
 *   <li>{@code upsertNew*}: a new file with unique bytes per call (version 0 of each artifact: one
 *       more row and reference per commit), as {@code LocalUpsertBench};
 *   <li>{@code upsertOverwrite*}: one of 100 files overwritten with new bytes per call, so every
 *       call adds a version and keeps the old bytes referenced (collection does not run during the
 *       measurement: versions accumulate as they do between collections);
 *   <li>{@code get*}: {@code open} of one of 100 files (each with several versions in the
 *       history store) and read of its 1 KiB.
 * </ul>
 *
 * Each measurement iteration starts on fresh stores (set up and deleted outside the measured
 * region).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class HistoryBench {
  private static final int FILES = 100;
  private static final int SIZE = 1024;

  private Path dir;
  private DiskStore withHistory;
  private DiskStore withoutHistory;
  private Artifacts on;
  private Artifacts off;
  private String onDisk;
  private String offDisk;
  private byte[] content;
  private long counter;

  @Setup(Level.Iteration)
  public void open() {
    dir = BenchFiles.scratch("history-");
    withHistory = store(dir.resolve("on"), null);
    withoutHistory = store(dir.resolve("off"), History.off());
    on = withHistory.disks().artifacts();
    off = withoutHistory.disks().artifacts();
    onDisk = withHistory.disks().create().id();
    offDisk = withoutHistory.disks().create().id();
    content = Content.of("text", SIZE, 42);
    // the files the overwrites and gets use: 3 versions each in the history store
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < FILES; i++) {
        Content.stamp(content, "text", counter++);
        on.upsert(onDisk, FileUpload.of(name(i), content), "/kept/");
        off.upsert(offDisk, FileUpload.of(name(i), content), "/kept/");
      }
    }
  }

  private static DiskStore store(Path where, History history) {
    DiskStoreConfig.Builder b =
        DiskStoreConfig.builder().directory(where).backend(LocalBlobBackend.at(where.resolve("blobs")));
    if (history != null) {
      b.history(history);
    }
    return DiskStore.open(b.build());
  }

  private static String name(int i) {
    return "file-" + i + ".md";
  }

  @TearDown(Level.Iteration)
  public void close() {
    withHistory.close();
    withoutHistory.close();
    BenchFiles.deleteTree(dir);
  }

  @Benchmark
  public Artifact upsertNew() {
    long n = counter++;
    Content.stamp(content, "text", n);
    return on.upsert(onDisk, FileUpload.of(Content.name("text", n), content), "/bench/");
  }

  @Benchmark
  public Artifact upsertNewHistoryOff() {
    long n = counter++;
    Content.stamp(content, "text", n);
    return off.upsert(offDisk, FileUpload.of(Content.name("text", n), content), "/bench/");
  }

  @Benchmark
  public Artifact upsertOverwrite() {
    long n = counter++;
    Content.stamp(content, "text", n);
    return on.upsert(onDisk, FileUpload.of(name((int) (n % FILES)), content), "/kept/");
  }

  @Benchmark
  public Artifact upsertOverwriteHistoryOff() {
    long n = counter++;
    Content.stamp(content, "text", n);
    return off.upsert(offDisk, FileUpload.of(name((int) (n % FILES)), content), "/kept/");
  }

  @Benchmark
  public int get() {
    return read(on, onDisk);
  }

  @Benchmark
  public int getHistoryOff() {
    return read(off, offDisk);
  }

  private int read(Artifacts artifacts, String disk) {
    int i = (int) (counter++ % FILES);
    try (ArtifactStream in = artifacts.open(disk, "/kept/", name(i))) {
      return in.readAllBytes().length + in.artifact().etag().length();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
