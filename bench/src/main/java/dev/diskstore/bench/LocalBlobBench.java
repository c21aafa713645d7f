package dev.diskstore.bench;

import dev.diskstore.ByteRange;
import dev.diskstore.local.LocalBlobBackend;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.OptionalLong;
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

/**
 * The local blob backend alone, 1 KiB blobs laid out as the store lays them out ({@code
 * <shard>/<name>}, 16 consecutive keys per shard directory): {@code LocalBlobBackend.open} plus
 * reading the bytes against {@code Files.readAllBytes} of the same file's path, and {@code
 * LocalBlobBackend.write} against the same durable steps on plain paths (temporary file, fsync,
 * atomic rename, directory fsync). Isolates what walking the tree level by level through directory
 * handles without following links costs (issue 11, item 6) from the index work that the store's
 * benchmarks ({@link GetBench}, {@link LocalUpsertBench}) include. The 1,000 blobs are written at
 * setup; reads go through them in a fixed pseudo-random order.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LocalBlobBench {
  private static final int BLOBS = 1000;
  private static final int KEYS_PER_SHARD = 16;

  private Path dir;
  private LocalBlobBackend backend;
  private Path plain;
  private final String[] keys = new String[BLOBS];
  private final Path[] files = new Path[BLOBS];
  private final byte[] content = new byte[1024];
  private int[] order;
  private int next;
  private long written;

  @Setup(Level.Trial)
  public void build() {
    dir = BenchFiles.scratch("local-blob-");
    backend = LocalBlobBackend.at(dir.resolve("backend"));
    plain = dir.resolve("plain");
    new SplittableRandom(3).nextBytes(content);
    try {
      for (int i = 0; i < BLOBS; i++) {
        keys[i] = shard(i) + "/blob-" + i;
        backend.write(keys[i], new ByteArrayInputStream(content), OptionalLong.of(content.length));
        Path file = plain.resolve(shard(i)).resolve("blob-" + i + ".blob");
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        files[i] = file;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    order = new SplittableRandom(7).ints(BLOBS * 16L, 0, BLOBS).toArray();
  }

  @TearDown(Level.Trial)
  public void close() {
    backend.close();
    BenchFiles.deleteTree(dir);
  }

  private static String shard(long n) {
    return HexFormat.of().toHexDigits((byte) (n / KEYS_PER_SHARD));
  }

  private int nextIndex() {
    int i = order[next];
    next = next + 1 == order.length ? 0 : next + 1;
    return i;
  }

  @Benchmark
  public byte[] open() throws IOException {
    try (InputStream in = backend.open(keys[nextIndex()], ByteRange.from(0))) {
      return in.readAllBytes();
    }
  }

  @Benchmark
  public byte[] openBaseline() throws IOException {
    return Files.readAllBytes(files[nextIndex()]);
  }

  @Benchmark
  public long write() {
    long n = BLOBS + written++;
    return backend.write(
        shard(n) + "/new-" + n, new ByteArrayInputStream(content), OptionalLong.of(content.length));
  }

  @Benchmark
  public long writeBaseline() throws IOException {
    long n = BLOBS + written++;
    Path directory = plain.resolve(shard(n));
    if (n % KEYS_PER_SHARD == 0 && !Files.isDirectory(directory)) {
      Files.createDirectory(directory); // durably, as the backend does: force its parent
      try (FileChannel channel = FileChannel.open(plain, StandardOpenOption.READ)) {
        channel.force(true);
      }
    }
    Path target = directory.resolve("new-" + n + ".blob");
    Path partial = directory.resolve("new-" + n + ".blob.partial");
    try (FileChannel channel =
        FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
    return content.length;
  }
}
