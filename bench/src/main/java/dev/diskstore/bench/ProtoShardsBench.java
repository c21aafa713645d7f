package dev.diskstore.bench;

import dev.diskstore.Artifact;
import dev.diskstore.Artifacts;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.local.LocalBlobBackend;
import dev.diskstore.spi.BlobBackend;
import java.nio.file.Path;
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
 * Design prototype (not a scenario of the issue; bench/run.sh proto): what a durable upsert costs
 * in the SQLite index alone. {@code layout=stock} is {@code DiskStore.local}'s backend as shipped;
 * {@code layout=indexOnly} drops the bytes ({@link DiscardingBlobBackend}), leaving the index work
 * (one fsync'd transaction). Same 1 KiB binary upserts as {@link LocalUpsertBench}, a fresh store
 * per iteration. (Until the blob keys became one-level, this class also measured a one-level
 * layout against the two-level one of the time; that layout is now the product's.)
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class ProtoShardsBench {
  @Param({"stock", "indexOnly"})
  public String layout;

  private Path dir;
  private DiskStore store;
  private Artifacts artifacts;
  private String disk;
  private byte[] content;
  private long counter;

  @Setup(Level.Iteration)
  public void open() {
    dir = BenchFiles.scratch("proto-shards-");
    BlobBackend backend = LocalBlobBackend.at(dir.resolve("blobs"));
    if (layout.equals("indexOnly")) {
      backend.close();
      backend = new DiscardingBlobBackend();
    }
    store = DiskStore.open(DiskStoreConfig.builder().directory(dir).backend(backend).build());
    artifacts = store.disks().artifacts();
    disk = store.disks().create().id();
    content = Content.binary(1024, 42);
  }

  @TearDown(Level.Iteration)
  public void close() {
    store.close();
    BenchFiles.deleteTree(dir);
  }

  @Benchmark
  public Artifact upsert() {
    long n = counter++;
    Content.stamp(content, "binary", n);
    return artifacts.upsert(disk, FileUpload.of(Content.name("binary", n), content), "/bench/");
  }
}
