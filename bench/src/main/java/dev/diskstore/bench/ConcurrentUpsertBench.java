package dev.diskstore.bench;

import dev.diskstore.Artifact;
import dev.diskstore.Artifacts;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scenario "8 threads upserting 1 KiB": total throughput of 8 threads upserting into one
 * {@code DiskStore.local} (durable; concurrent index commits are grouped into one WAL fsync),
 * against the single-thread floor of {@link FloorStore#put} (one fsync'd file plus one
 * fsync'd INSERT per write). The single-thread DiskStore figure is measured too, for reference.
 * Each thread writes its own unique 1 KiB Markdown files; each iteration starts on a fresh store.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class ConcurrentUpsertBench {
  private static final int SIZE = 1024;

  private Path dir;
  private DiskStore store;
  private Artifacts artifacts;
  private String disk;
  private FloorStore floor;
  private final AtomicLong counter = new AtomicLong();

  /** Each thread's own upload buffer. */
  @State(Scope.Thread)
  public static class Buffer {
    byte[] content;

    @Setup(Level.Trial)
    public void fill() {
      content = Content.text(SIZE, Thread.currentThread().getId());
    }
  }

  @Setup(Level.Iteration)
  public void open() {
    dir = BenchFiles.scratch("concurrent-");
    store = DiskStore.local(dir.resolve("store"));
    artifacts = store.disks().artifacts();
    disk = store.disks().create().id();
    floor = FloorStore.open(dir.resolve("floor"));
  }

  @TearDown(Level.Iteration)
  public void close() {
    store.close();
    floor.close();
    BenchFiles.deleteTree(dir);
  }

  private Artifact upsert(Buffer buffer) {
    long n = counter.getAndIncrement();
    Content.stamp(buffer.content, "text", n);
    return artifacts.upsert(
        disk, FileUpload.of(Content.name("text", n), buffer.content), "/bench/");
  }

  @Benchmark
  @Threads(8)
  public Artifact diskstore8Threads(Buffer buffer) {
    return upsert(buffer);
  }

  @Benchmark
  @Threads(1)
  public Artifact diskstore1Thread(Buffer buffer) {
    return upsert(buffer);
  }

  @Benchmark
  @Threads(1)
  public long baseline1Thread(Buffer buffer) {
    long n = counter.getAndIncrement();
    Content.stamp(buffer.content, "text", n);
    return floor.put("/bench/", Content.name("text", n), buffer.content);
  }
}
