package dev.diskstore.bench;

import dev.diskstore.Artifact;
import dev.diskstore.Artifacts;
import dev.diskstore.ByteRange;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.local.LocalBlobBackend;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.BlobStat;
import dev.diskstore.spi.ForwardingBlobBackend;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * Design prototype (not a scenario of the issue; bench/run.sh proto): what the local backend's
 * two-level blob directories cost a durable upsert. Core keys are {@code ab/cd/abcd…} (65,536
 * leaf directories); {@link LocalBlobBackend} creates a missing leaf and forces its parent, and
 * forces the parent of every directory the first time this process writes into it, so a young
 * store or a freshly started process pays one or two extra directory fsyncs per upsert until it
 * has touched most of the 65,536 directories.
 *
 * <p>{@code layout=stock} is {@code DiskStore.local}'s backend as shipped; {@code
 * layout=oneLevel} wraps the same backend and stores key {@code ab/cd/abcd…} as {@code
 * ab/abcd…} (256 directories, reached after 256 writes); {@code layout=indexOnly} drops the bytes
 * ({@link DiscardingBlobBackend}), leaving what an upsert costs in the SQLite index alone (three
 * transactions, one of them fsync'd). Same 1 KiB binary upserts as {@link LocalUpsertBench}, a
 * fresh store per iteration.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class ProtoShardsBench {
  @Param({"stock", "oneLevel", "indexOnly"})
  public String layout;

  private Path dir;
  private DiskStore store;
  private Artifacts artifacts;
  private String disk;
  private byte[] content;
  private long counter;

  /** Keys {@code ab/cd/abcd…} stored as {@code ab/abcd…}. */
  static final class OneLevel extends ForwardingBlobBackend {
    OneLevel(BlobBackend delegate) {
      super(delegate);
    }

    static String map(String key) {
      int first = key.indexOf('/');
      int second = key.indexOf('/', first + 1);
      return second < 0 ? key : key.substring(0, first) + key.substring(second);
    }

    static String unmap(String key) {
      int slash = key.indexOf('/');
      return slash < 0 || key.length() < slash + 5
          ? key
          : key.substring(0, slash) + "/" + key.substring(slash + 3, slash + 5)
              + key.substring(slash);
    }

    @Override
    public long write(String key, InputStream content, OptionalLong lengthHint) {
      return super.write(map(key), content, lengthHint);
    }

    @Override
    public InputStream open(String key, ByteRange range) {
      return super.open(map(key), range);
    }

    @Override
    public Optional<BlobStat> stat(String key) {
      return super.stat(map(key)).map(s -> new BlobStat(key, s.sizeBytes()));
    }

    @Override
    public boolean delete(String key) {
      return super.delete(map(key));
    }

    @Override
    public Stream<BlobStat> list(String prefix) {
      return super.list(prefix.length() <= 2 ? prefix : map(prefix))
          .map(s -> new BlobStat(unmap(s.key()), s.sizeBytes()));
    }
  }

  @Setup(Level.Iteration)
  public void open() {
    dir = BenchFiles.scratch("proto-shards-");
    BlobBackend backend = LocalBlobBackend.at(dir.resolve("blobs"));
    if (layout.equals("oneLevel")) {
      backend = new OneLevel(backend);
    } else if (layout.equals("indexOnly")) {
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
