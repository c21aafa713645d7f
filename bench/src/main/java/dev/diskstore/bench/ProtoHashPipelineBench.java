package dev.diskstore.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * Design prototype (not a scenario of the issue; bench/run.sh proto): what hashing the stream with
 * SHA-256 on the writing thread costs a large streamed write, and how much hashing on a second
 * thread (the chunk is handed to a hasher while the writer writes it) gives back. Each call copies
 * {@code protoBytes} from a source file into a new file through a 64 KiB buffer and forces it, as
 * the floor of the 1 GiB scenario does (no index row; the file is deleted after the call).
 *
 * <ul>
 *   <li>{@code copyNoHash}: the floor's streamed copy;
 *   <li>{@code copyInlineSha256}: read, {@code MessageDigest.update}, write, on one thread (what
 *       DiskStore's UploadStream does);
 *   <li>{@code copyPipelinedSha256}: read, hand the chunk to a hashing thread, write; four chunks
 *       in flight.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xmx128m"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class ProtoHashPipelineBench {
  private static final int CHUNK = 64 * 1024;
  private static final int IN_FLIGHT = 4;

  @Param({"268435456"})
  public long protoBytes;

  private Path source;
  private Path dir;
  private ExecutorService hasher;
  private long counter;

  @Setup(Level.Trial)
  public void prepare() throws IOException {
    source = BenchFiles.dataSet("proto-stream-" + protoBytes + ".bin");
    if (!Files.isRegularFile(source) || Files.size(source) != protoBytes) {
      Files.createDirectories(source.getParent());
      Path tmp = source.resolveSibling(source.getFileName() + ".tmp");
      byte[] chunk = Content.binary(1 << 20, 3);
      try (OutputStream out = Files.newOutputStream(tmp)) {
        for (long written = 0; written < protoBytes; written += chunk.length) {
          Content.stamp(chunk, "binary", written);
          out.write(chunk, 0, (int) Math.min(chunk.length, protoBytes - written));
        }
      }
      Files.move(tmp, source, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    dir = BenchFiles.scratch("proto-hash-");
    hasher = Executors.newSingleThreadExecutor();
  }

  @TearDown(Level.Iteration)
  public void clean() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.delete(p);
      }
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    hasher.shutdownNow();
    BenchFiles.deleteTree(dir);
  }

  private FileChannel target() throws IOException {
    return FileChannel.open(dir.resolve((counter++) + ".dat"), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
  }

  private static void write(FileChannel out, byte[] chunk, int n) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, n);
    while (buffer.hasRemaining()) {
      out.write(buffer);
    }
  }

  @Benchmark
  public long copyNoHash() throws IOException {
    long total = 0;
    byte[] chunk = new byte[CHUNK];
    try (InputStream in = Files.newInputStream(source); FileChannel out = target()) {
      int n;
      while ((n = in.read(chunk)) > 0) {
        write(out, chunk, n);
        total += n;
      }
      out.force(true);
    }
    return total;
  }

  @Benchmark
  public String copyInlineSha256() throws IOException, NoSuchAlgorithmException {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] chunk = new byte[CHUNK];
    try (InputStream in = Files.newInputStream(source); FileChannel out = target()) {
      int n;
      while ((n = in.read(chunk)) > 0) {
        sha.update(chunk, 0, n);
        write(out, chunk, n);
      }
      out.force(true);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  @Benchmark
  public String copyPipelinedSha256() throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[][] chunks = new byte[IN_FLIGHT][CHUNK];
    Future<?>[] hashed = new Future<?>[IN_FLIGHT];
    try (InputStream in = Files.newInputStream(source); FileChannel out = target()) {
      for (long i = 0; ; i++) {
        int slot = (int) (i % IN_FLIGHT);
        if (hashed[slot] != null) {
          hashed[slot].get(); // the hasher is done with this buffer: reuse it
        }
        byte[] chunk = chunks[slot];
        int n = in.readNBytes(chunk, 0, CHUNK);
        if (n <= 0) {
          break;
        }
        hashed[slot] = hasher.submit(() -> sha.update(chunk, 0, n));
        write(out, chunk, n);
      }
      for (Future<?> f : hashed) {
        if (f != null) {
          f.get();
        }
      }
      out.force(true);
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
