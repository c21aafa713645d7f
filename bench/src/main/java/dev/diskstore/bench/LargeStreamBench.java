package dev.diskstore.bench;

import dev.diskstore.Artifacts;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
 * Scenario "1 GiB streamed upsert + read, -Xmx128m": one call = upsert of a {@code streamBytes}
 * file as a stream ({@code FileUpload.of(name, inputStream, type)}), then reading the artifact back
 * through {@code open(...)} to the end, in a fork whose heap is 128 MiB. The baseline is the raw
 * streamed copy of the same source file ({@link FloorStore#put(String, String, InputStream)}: 64
 * KiB buffer, fsync, atomic rename, dir fsync, INSERT) and reading the copy back through a 64 KiB
 * buffer. Throughput ratio = baseline time / DiskStore time.
 *
 * <p>The source file (pseudo-random bytes) is generated once and kept ({@link BenchFiles#dataSet});
 * it is read through the page cache by both. Each call makes a new artifact (a new file for the
 * baseline), deleted after the iteration.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xmx128m"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class LargeStreamBench {
  private static final String NAME = "dataset.tar";
  private static final String TYPE = "application/x-tar";

  @Param({"1073741824"})
  public long streamBytes;

  private Path source;
  private Path dir;
  private DiskStore store;
  private Artifacts artifacts;
  private String disk;
  private FloorStore floor;

  @Setup(Level.Trial)
  public void prepare() throws IOException {
    source = source(streamBytes);
    dir = BenchFiles.scratch("stream-");
    store = DiskStore.local(dir.resolve("store"));
    artifacts = store.disks().artifacts();
    disk = store.disks().create().id();
    floor = FloorStore.open(dir.resolve("floor"));
    System.out.println("[stream] max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
  }

  /**
   * The source file of {@code streamBytes} pseudo-random bytes, generated once and kept ({@link
   * BenchFiles#dataSet}); also read by {@link PeerStreamBench}.
   */
  static Path source(long streamBytes) throws IOException {
    Path source = BenchFiles.dataSet("stream-" + streamBytes + ".bin");
    if (!Files.isRegularFile(source) || Files.size(source) != streamBytes) {
      Path tmp = source.resolveSibling(source.getFileName() + ".tmp");
      Files.createDirectories(tmp.getParent());
      byte[] chunk = Content.binary(1 << 20, 1);
      try (OutputStream out = Files.newOutputStream(tmp)) {
        for (long written = 0; written < streamBytes; written += chunk.length) {
          Content.stamp(chunk, "binary", written);
          out.write(chunk, 0, (int) Math.min(chunk.length, streamBytes - written));
        }
      }
      Files.move(tmp, source, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    return source;
  }

  @TearDown(Level.Iteration)
  public void clean() {
    if (artifacts.find(disk, "/", NAME).isPresent()) {
      artifacts.delete(disk, "/", NAME);
    }
    // and its history: a kept version would make the next iteration's identical bytes a
    // duplicate (written, then deleted as garbage), which the floor's fresh file never is
    artifacts.deleteVersions(disk, "/", NAME);
    floor.remove("/", NAME);
  }

  @TearDown(Level.Trial)
  public void close() {
    store.close();
    floor.close();
    BenchFiles.deleteTree(dir);
  }

  @Benchmark
  public long diskstore() throws IOException {
    try (InputStream in = Files.newInputStream(source)) {
      artifacts.upsert(disk, FileUpload.of(NAME, in, TYPE), "/");
    }
    try (InputStream in = artifacts.open(disk, "/", NAME)) {
      return drain(in);
    }
  }

  @Benchmark
  public long baseline() throws IOException {
    try (InputStream in = Files.newInputStream(source)) {
      floor.put("/", NAME, in);
    }
    FloorStore.Row row = floor.find("/", NAME);
    try (InputStream in = Files.newInputStream(floor.file(row))) {
      return drain(in);
    }
  }

  /**
   * The baseline with the check DiskStore makes on every whole read: the bytes read back are hashed
   * and compared with the hash computed while writing.
   */
  @Benchmark
  public long baselineVerified() throws IOException {
    MessageDigest written = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(source), written)) {
      floor.put("/", NAME, in);
    }
    byte[] expected = written.digest();
    FloorStore.Row row = floor.find("/", NAME);
    MessageDigest read = sha256();
    long total;
    try (InputStream in = new DigestInputStream(Files.newInputStream(floor.file(row)), read)) {
      total = drain(in);
    }
    if (!MessageDigest.isEqual(expected, read.digest())) {
      throw new IllegalStateException("damaged read-back");
    }
    return total;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private long drain(InputStream in) throws IOException {
    return drain(in, streamBytes);
  }

  /** Reads {@code in} to its end in 64 KiB reads; fails unless it held {@code expected} bytes. */
  static long drain(InputStream in, long expected) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    int n;
    while ((n = in.read(buffer)) > 0) {
      total += n;
    }
    if (total != expected) {
      throw new IllegalStateException("read " + total + " bytes, expected " + expected);
    }
    return total;
  }
}
