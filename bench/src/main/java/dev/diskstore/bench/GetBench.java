package dev.diskstore.bench;

import dev.diskstore.ArtifactResult;
import dev.diskstore.ArtifactStream;
import dev.diskstore.Artifacts;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Scenario "get meta + bytes, 1 KiB": {@code artifacts().get(...)} (the artifact with its metadata)
 * plus {@code open(...).readAllBytes()}, against {@link FloorStore#find} (one SELECT on the unique
 * index) plus {@code Files.readAllBytes}. 1,000 files of 1 KiB in 10 directories are written by
 * both stores at setup (outside the measured region); each call reads the next file of a fixed
 * pseudo-random order, the same order for both. {@link #diskstoreMetaOnly} and {@link
 * #diskstoreBytesOnly} split DiskStore's figure into its two calls. DiskStore checks the size and
 * SHA-256 of every whole read; {@link #baselineVerified} is the baseline doing the same check.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class GetBench {
  private static final int FILES = 1000;
  private static final int DIRECTORIES = 10;

  private Path dir;
  private DiskStore store;
  private Artifacts artifacts;
  private String disk;
  private FloorStore floor;
  private final String[] paths = new String[FILES];
  private final String[] names = new String[FILES];
  /** SHA-256 of each file as the baseline recorded it, for {@link #baselineVerified}. */
  private final byte[][] sha256 = new byte[FILES][];
  private int[] order;
  private int next;

  @Setup(Level.Trial)
  public void build() {
    dir = BenchFiles.scratch("get-");
    store = DiskStore.local(dir.resolve("store"));
    artifacts = store.disks().artifacts();
    disk = store.disks().create().id();
    floor = FloorStore.open(dir.resolve("floor"));
    for (int i = 0; i < FILES; i++) {
      paths[i] = String.format(Locale.ROOT, "/docs/d%02d/", i % DIRECTORIES);
      names[i] = Content.name("text", i);
      byte[] bytes = Content.text(1024, i);
      artifacts.upsert(disk, FileUpload.of(names[i], bytes), paths[i]);
      floor.put(paths[i], names[i], bytes);
      sha256[i] = sha256(bytes);
    }
    order = new SplittableRandom(7).ints(FILES * 16L, 0, FILES).toArray();
  }

  @TearDown(Level.Trial)
  public void close() {
    store.close();
    floor.close();
    BenchFiles.deleteTree(dir);
  }

  private int nextIndex() {
    int i = order[next];
    next = next + 1 == order.length ? 0 : next + 1;
    return i;
  }

  @Benchmark
  public void diskstore(Blackhole bh) {
    int i = nextIndex();
    // one lookup yields the metadata and the bytes of the same version
    try (ArtifactStream in = artifacts.open(disk, paths[i], names[i])) {
      bh.consume(in.artifact());
      bh.consume(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Benchmark
  public void baseline(Blackhole bh) {
    int i = nextIndex();
    FloorStore.Row row = floor.find(paths[i], names[i]);
    bh.consume(row);
    try {
      bh.consume(Files.readAllBytes(floor.file(row)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The baseline doing the same checked read as DiskStore (which checks size and SHA-256 of every
   * whole read against the recorded ones): the bytes are hashed and compared.
   */
  @Benchmark
  public void baselineVerified(Blackhole bh) {
    int i = nextIndex();
    FloorStore.Row row = floor.find(paths[i], names[i]);
    bh.consume(row);
    try {
      byte[] bytes = Files.readAllBytes(floor.file(row));
      if (bytes.length != row.size() || !MessageDigest.isEqual(sha256(bytes), sha256[i])) {
        throw new IllegalStateException("damaged: " + names[i]);
      }
      bh.consume(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Benchmark
  public ArtifactResult diskstoreMetaOnly() {
    int i = nextIndex();
    return artifacts.get(disk, paths[i], names[i]);
  }

  @Benchmark
  public byte[] diskstoreBytesOnly() throws IOException {
    int i = nextIndex();
    try (InputStream in = artifacts.open(disk, paths[i], names[i])) {
      return in.readAllBytes();
    }
  }
}
