package dev.diskstore.bench;

import dev.diskstore.Artifacts;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.History;
import dev.diskstore.local.LocalBlobBackend;
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
 * Where the 1 KiB durable upsert's time goes beyond the floor: the same upsert of a new file
 * (PeerBench's scenario) with one feature of the store taken away at a time, each run back to back
 * with the floor in one JMH run, so that the differences between the methods price the features:
 *
 * <ul>
 *   <li>{@code a_floor}: {@link FloorStore} (temp file, fsync, rename, directory fsync, one
 *       auto-committed SQLite insert);
 *   <li>{@code b_stock}: DiskStore as shipped, a Markdown file (full-text indexed in the
 *       background, history kept);
 *   <li>{@code c_binary}: the same with a PNG (no body to index: only its path and name);
 *   <li>{@code d_noHistory}: Markdown, {@link History#off()} (no version row: three b-tree pages
 *       fewer per commit);
 *   <li>{@code e_lean}: PNG and no history;
 *   <li>{@code f_relaxed}: as shipped but {@code durableCommits(false)} (the index commit does not
 *       fsync; the blob still does);
 *   <li>{@code g_indexOnly}: as shipped, bytes dropped ({@link DiscardingBlobBackend}): the index
 *       transaction alone, durable.
 * </ul>
 *
 * Run with {@code -prof dev.diskstore.bench.CpuPerOpProfiler} to get each variant's CPU per upsert
 * (all threads of the fork, the background indexer included) next to its time.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class UpsertCostBench {
  static final int SIZE = 1024;

  /** One configuration's store in a scratch directory, fresh for each trial. */
  abstract static class Variant {
    private final String kind;
    private final boolean history;
    private final boolean durable;
    private final boolean bytes;
    Path dir;
    DiskStore store;
    Artifacts artifacts;
    String disk;
    byte[] content;
    long counter;

    /**
     * {@code kind}: {@code text} (Markdown) or {@code binary} (PNG); {@code history}: the default
     * history or {@link History#off()}; {@code durable}: {@code durableCommits}; {@code bytes}:
     * the local backend, or {@link DiscardingBlobBackend}.
     */
    Variant(String kind, boolean history, boolean durable, boolean bytes) {
      this.kind = kind;
      this.history = history;
      this.durable = durable;
      this.bytes = bytes;
    }

    @Setup(Level.Trial)
    public void open() {
      dir = BenchFiles.scratch("upsert-cost-");
      DiskStoreConfig.Builder b = DiskStoreConfig.builder().directory(dir).durableCommits(durable)
          .backend(bytes ? LocalBlobBackend.at(dir.resolve("blobs")) : new DiscardingBlobBackend());
      if (!history) {
        b.history(History.off());
      }
      store = DiskStore.open(b.build());
      artifacts = store.disks().artifacts();
      disk = store.disks().create().id();
      content = Content.of(kind, SIZE, 1);
    }

    void upsert() {
      long n = counter++;
      Content.stamp(content, kind, n);
      artifacts.upsert(disk, FileUpload.of(Content.name(kind, n), content), "/w/");
    }

    @TearDown(Level.Trial)
    public void close() {
      store.close();
      BenchFiles.deleteTree(dir);
    }
  }

  @State(Scope.Benchmark)
  public static class Stock extends Variant {
    public Stock() {
      super("text", true, true, true);
    }
  }

  @State(Scope.Benchmark)
  public static class Binary extends Variant {
    public Binary() {
      super("binary", true, true, true);
    }
  }

  @State(Scope.Benchmark)
  public static class NoHistory extends Variant {
    public NoHistory() {
      super("text", false, true, true);
    }
  }

  @State(Scope.Benchmark)
  public static class Lean extends Variant {
    public Lean() {
      super("binary", false, true, true);
    }
  }

  @State(Scope.Benchmark)
  public static class Relaxed extends Variant {
    public Relaxed() {
      super("text", true, false, true);
    }
  }

  @State(Scope.Benchmark)
  public static class IndexOnly extends Variant {
    public IndexOnly() {
      super("text", true, true, false);
    }
  }

  @State(Scope.Benchmark)
  public static class Floor {
    Path dir;
    FloorStore files;
    byte[] content;
    long counter;

    @Setup(Level.Trial)
    public void open() {
      dir = BenchFiles.scratch("upsert-cost-floor-");
      files = FloorStore.open(dir);
      content = Content.of("text", SIZE, 1);
    }

    @TearDown(Level.Trial)
    public void close() {
      files.close();
      BenchFiles.deleteTree(dir);
    }
  }

  @Benchmark
  public void a_floor(Floor s) {
    long n = s.counter++;
    Content.stamp(s.content, "text", n);
    s.files.put("/w/", Content.name("text", n), s.content);
  }

  @Benchmark
  public void b_stock(Stock s) {
    s.upsert();
  }

  @Benchmark
  public void c_binary(Binary s) {
    s.upsert();
  }

  @Benchmark
  public void d_noHistory(NoHistory s) {
    s.upsert();
  }

  @Benchmark
  public void e_lean(Lean s) {
    s.upsert();
  }

  @Benchmark
  public void f_relaxed(Relaxed s) {
    s.upsert();
  }

  @Benchmark
  public void g_indexOnly(IndexOnly s) {
    s.upsert();
  }
}
