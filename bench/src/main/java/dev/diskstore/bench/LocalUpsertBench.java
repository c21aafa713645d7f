package dev.diskstore.bench;

import dev.diskstore.Artifact;
import dev.diskstore.Artifacts;
import dev.diskstore.DiskStore;
import dev.diskstore.local.LocalBlobBackend;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
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
 * Scenario "upsert 1 KiB, 64 KiB, 1 MiB on local (durable)": {@code DiskStore.local} upserting a
 * new artifact per call, against {@link FloorStore#put} (temp file + fsync + atomic rename + dir
 * fsync + one INSERT commit at synchronous=FULL in WAL).
 *
 * <p>Every call writes a new file with unique bytes ({@link Content#stamp}) under a new name, in
 * both methods. {@code kind=text} is Markdown ({@code .md}: DiskStore also puts its text in the
 * full-text index); {@code kind=binary} is random bytes behind a PNG signature ({@code .png}: no
 * text indexing; detection by magic number, so Tika is not asked). Each measurement iteration
 * starts on a fresh, empty store and floor directory (set up and deleted outside the measured
 * region), which keeps disk use bounded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class LocalUpsertBench {
  @Param({"1024", "65536", "1048576"})
  public int size;

  @Param({"text", "binary"})
  public String kind;

  private Path dir;
  private DiskStore store;
  private Artifacts artifacts;
  private String disk;
  private DiskStore relaxedStore;
  private Artifacts relaxedArtifacts;
  private String relaxedDisk;
  private FloorStore floor;
  private byte[] content;
  private long counter;

  @Setup(Level.Iteration)
  public void open() {
    dir = BenchFiles.scratch("upsert-");
    store = DiskStore.local(dir.resolve("store"));
    artifacts = store.disks().artifacts();
    disk = store.disks().create().id();
    Path relaxed = dir.resolve("relaxed");
    relaxedStore =
        DiskStore.open(
            DiskStoreConfig.builder()
                .directory(relaxed)
                .backend(LocalBlobBackend.at(relaxed.resolve("blobs")))
                .durableCommits(false)
                .build());
    relaxedArtifacts = relaxedStore.disks().artifacts();
    relaxedDisk = relaxedStore.disks().create().id();
    floor = FloorStore.open(dir.resolve("floor"));
    content = Content.of(kind, size, 42);
  }

  @TearDown(Level.Iteration)
  public void close() {
    store.close();
    relaxedStore.close();
    floor.close();
    BenchFiles.deleteTree(dir);
  }

  @Benchmark
  public Artifact diskstore() {
    long n = counter++;
    Content.stamp(content, kind, n);
    return artifacts.upsert(disk, FileUpload.of(Content.name(kind, n), content), "/bench/");
  }

  /** The same upsert with {@code durableCommits(false)}: no fsync of the index at commit. */
  @Benchmark
  public Artifact diskstoreRelaxed() {
    long n = counter++;
    Content.stamp(content, kind, n);
    return relaxedArtifacts.upsert(
        relaxedDisk, FileUpload.of(Content.name(kind, n), content), "/bench/");
  }

  @Benchmark
  public long baseline() {
    long n = counter++;
    Content.stamp(content, kind, n);
    return floor.put("/bench/", Content.name(kind, n), content);
  }
}
