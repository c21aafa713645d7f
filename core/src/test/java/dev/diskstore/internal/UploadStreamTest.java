package dev.diskstore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UploadStreamTest {
  private static final long THRESHOLD = UploadStream.PIPELINE_THRESHOLD;
  private static final int CHUNK = UploadStream.CHUNK_BYTES;

  /** A private hashing pool whose threads end 50 ms after their last task. */
  private final ThreadPoolExecutor hashers =
      new ThreadPoolExecutor(1, 1, 50, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());

  {
    hashers.allowCoreThreadTimeOut(true);
  }

  @AfterEach
  void stopHashers() {
    hashers.shutdownNow();
  }

  @Test
  void hashCountHeadAndPrefixMatchTheBytesForSizesAroundTheThreshold() throws IOException {
    long[] sizes = {
      0, 1, UploadStream.HEAD_BYTES - 1, UploadStream.INDEX_BYTES, UploadStream.INDEX_BYTES + 1,
      THRESHOLD - 1, THRESHOLD, THRESHOLD + 1, THRESHOLD + CHUNK - 1, THRESHOLD + CHUNK,
      THRESHOLD + CHUNK + 1, THRESHOLD + 3L * UploadStream.CHUNKS * CHUNK + 17
    };
    int[] readSizes = {1, 8191, 65536, 300_000};
    for (long size : sizes) {
      // single-byte reads only for the small sizes: they are slow
      for (int readSize : size > 100_000 ? Arrays.copyOfRange(readSizes, 1, 4) : readSizes) {
        byte[] bytes = bytes(size, size * 31 + readSize);
        UploadStream upload = new UploadStream(new ByteArrayInputStream(bytes), Long.MAX_VALUE);
        drain(upload, readSize);
        String what = "size " + size + ", reads of " + readSize;
        assertThat(upload.count()).as(what).isEqualTo(size);
        assertThat(upload.sha256Hex()).as(what).isEqualTo(sha256(bytes));
        assertThat(upload.sha256Hex()).as("idempotent").isEqualTo(sha256(bytes));
        assertThat(upload.head())
            .as(what)
            .isEqualTo(Arrays.copyOf(bytes, (int) Math.min(size, UploadStream.HEAD_BYTES)));
        assertThat(upload.prefix())
            .as(what)
            .isEqualTo(Arrays.copyOf(bytes, (int) Math.min(size, UploadStream.INDEX_BYTES)));
        assertThat(upload.tooLarge()).isFalse();
      }
    }
  }

  @Test
  void singleByteReadsAreHashedToo() throws IOException {
    byte[] bytes = bytes(1000, 3);
    UploadStream upload = new UploadStream(new ByteArrayInputStream(bytes), 10_000, 100, hashers);
    int b;
    int n = 0;
    while ((b = upload.read()) >= 0) {
      assertThat((byte) b).isEqualTo(bytes[n++]);
    }
    assertThat(n).isEqualTo(1000);
    assertThat(upload.sha256Hex()).isEqualTo(sha256(bytes));
  }

  @Test
  void aLargeStreamIsHashedLikeMessageDigestWithBoundedBuffers() throws IOException {
    long size = (256L << 20) + 12_345;
    GeneratedStream source = new GeneratedStream(42, size);
    UploadStream upload = new UploadStream(source, Long.MAX_VALUE);
    drain(upload, 64 * 1024);
    assertThat(upload.count()).isEqualTo(size);
    assertThat(upload.sha256Hex()).isEqualTo(source.sha256Hex());
    assertThat(upload.prefix()).hasSize(UploadStream.INDEX_BYTES);
  }

  @Test
  void aPipelineFromTheFirstByteWithIrregularReadsHashesCorrectly() throws IOException {
    SplittableRandom random = new SplittableRandom(7);
    for (int round = 0; round < 20; round++) {
      long size = random.nextLong(5L * CHUNK * UploadStream.CHUNKS);
      GeneratedStream source = new GeneratedStream(round, size);
      UploadStream upload = new UploadStream(source, Long.MAX_VALUE, 0, hashers);
      byte[] buffer = new byte[3 * CHUNK];
      while (upload.read(buffer, 0, 1 + random.nextInt(buffer.length)) >= 0) {
        // the bytes themselves are checked through the hash
      }
      assertThat(upload.sha256Hex()).as("round %d, size %d", round, size)
          .isEqualTo(source.sha256Hex());
    }
  }

  @Test
  void anExecutorThatRefusesWorkMakesTheReaderHashInOrder() throws IOException {
    Executor refusing =
        task -> {
          throw new RejectedExecutionException("no");
        };
    GeneratedStream source = new GeneratedStream(9, 20L * CHUNK + 5);
    UploadStream upload = new UploadStream(source, Long.MAX_VALUE, CHUNK, refusing);
    drain(upload, 100_000);
    assertThat(upload.sha256Hex()).isEqualTo(source.sha256Hex());
    assertThat(UploadStream.activeHashingTasks()).isZero();
  }

  @Test
  void concurrentUploadsSharingOneHashingThreadAllFinish() throws Exception {
    ExecutorService readers = Executors.newFixedThreadPool(4);
    try {
      Future<?>[] done = new Future<?>[4];
      for (int i = 0; i < done.length; i++) {
        long seed = i;
        done[i] =
            readers.submit(
                () -> {
                  GeneratedStream source = new GeneratedStream(seed, 40L * CHUNK + seed);
                  UploadStream upload = new UploadStream(source, Long.MAX_VALUE, 0, hashers);
                  drain(upload, 64 * 1024);
                  assertThat(upload.sha256Hex()).isEqualTo(source.sha256Hex());
                  return null;
                });
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      readers.shutdownNow();
    }
  }

  @Test
  void anUploadFailingMidwayLeavesNoHashingTaskOrThreadBehind() throws Exception {
    for (int round = 0; round < 5; round++) {
      InputStream failing = new FailingStream(new GeneratedStream(round, Long.MAX_VALUE), 40 << 20);
      UploadStream upload = new UploadStream(failing, Long.MAX_VALUE, 1 << 20, hashers);
      assertThatThrownBy(() -> drain(upload, 64 * 1024)).hasMessageContaining("disk on fire");
      // the caller gives up: neither sha256Hex nor release is called
    }
    awaitIdle();
    assertThat(hashers.getPoolSize()).as("threads of the hashing pool").isZero();
  }

  @Test
  void theSharedHashersEndTheirTasksAfterAbandonedUploadsAndStayFew() throws Exception {
    for (int round = 0; round < 5; round++) {
      long failAfter = THRESHOLD + 10L * CHUNK + round;
      InputStream failing = new FailingStream(new GeneratedStream(round, Long.MAX_VALUE), failAfter);
      UploadStream upload = new UploadStream(failing, Long.MAX_VALUE);
      assertThatThrownBy(() -> drain(upload, 64 * 1024)).hasMessageContaining("disk on fire");
    }
    awaitIdle();
    long threads =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("diskstore-sha256-"))
            .peek(t -> assertThat(t.isDaemon()).isTrue())
            .count();
    assertThat(threads).isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void releaseIsIdempotentAndMakesALaterHashFail() throws Exception {
    GeneratedStream source = new GeneratedStream(5, 30L * CHUNK);
    UploadStream upload = new UploadStream(source, Long.MAX_VALUE, 0, hashers);
    byte[] buffer = new byte[64 * 1024];
    for (int i = 0; i < 40; i++) {
      assertThat(upload.read(buffer)).isPositive();
    }
    upload.release();
    upload.release();
    assertThatThrownBy(() -> upload.read(buffer)).isInstanceOf(IOException.class);
    assertThatThrownBy(upload::sha256Hex).isInstanceOf(IllegalStateException.class);
    awaitIdle();

    UploadStream hashed = new UploadStream(new ByteArrayInputStream(new byte[10]), 100);
    drain(hashed, 4);
    String hex = hashed.sha256Hex();
    hashed.release();
    assertThat(hashed.sha256Hex()).isEqualTo(hex);
  }

  @Test
  void exceedingTheLimitThrowsAndSetsTooLargeBelowAndAboveTheThreshold() throws IOException {
    for (long limit : new long[] {0, 1000, THRESHOLD + 5L * CHUNK + 1}) {
      UploadStream upload = new UploadStream(new GeneratedStream(1, limit + 1), limit);
      assertThatThrownBy(() -> drain(upload, 64 * 1024))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("maximum size of " + limit);
      assertThat(upload.tooLarge()).as("limit %d", limit).isTrue();
    }
    long atLimit = THRESHOLD + 5L * CHUNK + 1;
    GeneratedStream source = new GeneratedStream(1, atLimit);
    UploadStream exact = new UploadStream(source, atLimit);
    assertThat(drain(exact, 64 * 1024)).isEqualTo(atLimit);
    assertThat(exact.tooLarge()).isFalse();
    assertThat(exact.sha256Hex()).isEqualTo(source.sha256Hex());
  }

  @Test
  void skipThrowsAndCloseLeavesTheUnderlyingStreamOpen() throws IOException {
    AtomicBoolean closed = new AtomicBoolean();
    InputStream underlying =
        new ByteArrayInputStream(new byte[100]) {
          @Override
          public void close() {
            closed.set(true);
          }
        };
    UploadStream upload = new UploadStream(underlying, 1000);
    assertThatThrownBy(() -> upload.skip(10)).isInstanceOf(IOException.class);
    assertThat(upload.markSupported()).isFalse();
    upload.close();
    assertThat(closed).isFalse();
    drain(upload, 7);
    assertThat(upload.count()).isEqualTo(100);
  }

  private void awaitIdle() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while ((UploadStream.activeHashingTasks() > 0 || hashers.getPoolSize() > 0)
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(UploadStream.activeHashingTasks()).as("hashing tasks").isZero();
  }

  private static long drain(InputStream in, int readSize) throws IOException {
    byte[] buffer = new byte[readSize];
    long total = 0;
    int n;
    while ((n = in.read(buffer, 0, readSize)) >= 0) {
      total += n;
    }
    return total;
  }

  private static byte[] bytes(long size, long seed) {
    byte[] bytes = new byte[(int) size];
    new SplittableRandom(seed).nextBytes(bytes);
    return bytes;
  }

  private static String sha256(byte[] bytes) throws IOException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IOException(e);
    }
  }

  /**
   * {@code length} pseudo-random bytes generated on the fly, hashed independently (on the reading
   * thread, with {@link MessageDigest}) as they are handed out.
   */
  private static final class GeneratedStream extends InputStream {
    private final SplittableRandom random;
    private final MessageDigest digest;
    private long remaining;

    GeneratedStream(long seed, long length) {
      this.random = new SplittableRandom(seed);
      this.remaining = length;
      try {
        this.digest = MessageDigest.getInstance("SHA-256");
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (remaining == 0) {
        return -1;
      }
      int n = (int) Math.min(len, remaining);
      for (int i = 0; i < n; i += 8) {
        long word = random.nextLong();
        for (int j = 0; j < 8 && i + j < n; j++) {
          b[off + i + j] = (byte) (word >>> (8 * j));
        }
      }
      digest.update(b, off, n);
      remaining -= n;
      return n;
    }

    String sha256Hex() {
      return HexFormat.of().formatHex(digest.digest());
    }
  }

  /** Passes bytes through, then throws once {@code failAfter} bytes were read. */
  private static final class FailingStream extends InputStream {
    private final InputStream in;
    private long remaining;

    FailingStream(InputStream in, long failAfter) {
      this.in = in;
      this.remaining = failAfter;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining <= 0) {
        throw new IOException("disk on fire");
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      remaining -= Math.max(n, 0);
      return n;
    }
  }
}
