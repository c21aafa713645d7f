package dev.diskstore.internal;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * SHA-256 of a stream of bytes, computed beside the thread that moves them once there are many: of
 * an upload on its way to the backend ({@link UploadStream}) and of a blob on its way to a reader
 * ({@link CheckedBlobStream}).
 *
 * <p><b>Pipelined hashing.</b> The first {@link #PIPELINE_THRESHOLD} bytes are hashed on the
 * calling thread: small streams never pay for a thread hand-off. Beyond that, each update's bytes
 * are copied into one of {@link #CHUNKS} pooled buffers of {@link #CHUNK_BYTES} (2 MiB per stream
 * in all, whatever its size) and handed to a hashing task on a shared executor, so that SHA-256
 * runs while the caller writes or reads. When every buffer is waiting to be hashed, {@code update}
 * waits for one (the hash, not memory, then sets the pace). {@link #hex()} waits until every
 * handed-off byte is hashed.
 *
 * <p><b>Why a shared executor and not a thread per stream.</b> The hashing task never waits for
 * the caller: it is scheduled when a chunk arrives, hashes what is queued (at most {@link #CHUNKS}
 * chunks per turn, then it goes to the back of the executor's queue, so that a long stream cannot
 * starve others) and ends when nothing is queued. So a stream that fails midway, or whose caller
 * never calls {@link #hex()}, leaves no thread behind: its task hashes the few chunks still queued
 * (milliseconds) and ends, and the buffers are garbage with this object. A thread per stream would
 * instead have to block waiting for the next chunk and be stopped explicitly on every failure path.
 * The executor's threads are daemons, at most one per processor, created on demand and ended after
 * {@link #IDLE_SECONDS} idle seconds; nothing has to stop them (not even {@code DiskStore.close}),
 * and none is left running once streams stop. Because no task ever blocks, a bounded pool cannot
 * deadlock: every queued task eventually runs and frees buffers.
 *
 * <p><b>Releasing.</b> Callers need not do anything on failure paths. {@link #release()}
 * (idempotent, and harmless after {@link #hex()}) skips the hashing of chunks still queued and
 * returns immediately; after it, {@link #hex()} throws unless it had already been called.
 *
 * <p><b>Thread-safety.</b> An instance belongs to one thread at a time (the one updating and then
 * asking for the hash); the hand-off to the hashing task is synchronised internally (a buffer is
 * only touched by the hasher between its hand-off and its return to the free queue, whose {@code
 * put}/{@code take} order the accesses). {@link #release()} may be called from any thread.
 */
final class PipelinedSha256 {
  /** Bytes hashed on the calling thread before hashing moves to the shared executor. */
  static final long PIPELINE_THRESHOLD = 4L << 20;

  /**
   * Size of one pooled buffer: large enough that a hand-off (a few microseconds) is cheap against
   * hashing it (about 170 µs), small enough not to be a humongous G1 object in a 128 MiB heap.
   */
  static final int CHUNK_BYTES = 256 * 1024;

  /** Pooled buffers per pipelined stream. */
  static final int CHUNKS = 8;

  /** How long an idle hashing thread lives. */
  static final int IDLE_SECONDS = 10;

  private static final Executor SHARED_HASHERS = newSharedHashers();

  /** Hashing tasks scheduled or running, over all streams; for tests. */
  private static final AtomicInteger ACTIVE_TASKS = new AtomicInteger();

  private final MessageDigest digest = Hashing.sha256();
  private final long pipelineThreshold;
  private final Executor hashers;
  private long count;

  /** Null until the stream passes the threshold. */
  private @Nullable Pipeline pipeline;

  /** Set by {@link #release()}, from any thread. */
  private volatile boolean released;

  private @Nullable String hex;

  PipelinedSha256() {
    this(PIPELINE_THRESHOLD, SHARED_HASHERS);
  }

  /** For tests: another threshold, another executor. */
  PipelinedSha256(long pipelineThreshold, Executor hashers) {
    this.pipelineThreshold = pipelineThreshold;
    this.hashers = hashers;
  }

  /**
   * Adds bytes to the hash.
   *
   * @throws IllegalStateException once the hash was taken or released
   */
  void update(byte[] b, int off, int n) {
    if (hex != null || released) {
      throw new IllegalStateException("the hash was already taken or released");
    }
    count += n;
    Pipeline p = pipeline;
    if (p == null) {
      if (count <= pipelineThreshold) {
        digest.update(b, off, n);
        return;
      }
      // Crossing the threshold (this whole update goes to the pipeline): the digest's state so far
      // reaches the hashing task through the executor hand-off of the first chunk.
      p = new Pipeline();
      pipeline = p;
    }
    p.add(b, off, n);
  }

  /**
   * The lowercase hex SHA-256 of every byte added; waits (uninterruptibly, for at most {@link
   * #CHUNKS} chunks of hashing) until the hashing task is done. Idempotent.
   *
   * @throws IllegalStateException if {@link #release()} came first, or hashing failed
   */
  String hex() {
    if (hex == null) {
      Pipeline p = pipeline;
      if (p != null) {
        pipeline = null;
        p.finish();
      }
      if (released) {
        throw new IllegalStateException("the hash was released before it was taken");
      }
      hex = HexFormat.of().formatHex(digest.digest());
    }
    return hex;
  }

  /**
   * Stops hashing: chunks still queued are skipped, buffers are dropped. Idempotent, returns at
   * once, callable from any thread. After it, {@link #hex()} throws unless it was called before.
   */
  void release() {
    released = true;
  }

  /** Hashing tasks scheduled or running, over all streams and executors; for tests. */
  static int activeHashingTasks() {
    return ACTIVE_TASKS.get();
  }

  /**
   * The hand-off of one stream's chunks to its hashing task. {@code free} holds the buffers the
   * reader may fill, {@code filled} those waiting to be hashed, in order; {@code pending} counts
   * those handed off and not yet hashed, and its 0→1 transition schedules the task.
   */
  private final class Pipeline implements Runnable {
    private final BlockingQueue<Chunk> free = new ArrayBlockingQueue<>(CHUNKS);
    private final ConcurrentLinkedQueue<Chunk> filled = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();

    /** The buffer being filled by the reader, if any. */
    private @Nullable Chunk current;

    /** The first failure of the hashing task, reported by {@link #finish()}. */
    private volatile @Nullable Throwable failure;

    Pipeline() {
      for (int i = 0; i < CHUNKS; i++) {
        free.add(new Chunk());
      }
    }

    /** Copies the bytes into pooled buffers, handing each full one to the hasher. */
    void add(byte[] b, int off, int n) {
      while (n > 0) {
        Chunk c = current;
        if (c == null) {
          c = takeFree();
          current = c;
        }
        int copied = Math.min(n, CHUNK_BYTES - c.length);
        System.arraycopy(b, off, c.bytes, c.length, copied);
        c.length += copied;
        off += copied;
        n -= copied;
        if (c.length == CHUNK_BYTES) {
          handOff(c);
        }
      }
    }

    /** Hands off the last partial buffer and waits until every buffer is back, i.e. hashed. */
    void finish() {
      Chunk c = current;
      if (c != null) {
        if (c.length > 0) {
          handOff(c);
        } else {
          current = null;
          free.add(c);
        }
      }
      for (int i = 0; i < CHUNKS; i++) {
        takeFree(); // dropped: the buffers are garbage from here on
      }
      Throwable f = failure;
      if (f != null) {
        throw new IllegalStateException("hashing failed: " + f, f);
      }
    }

    private void handOff(Chunk c) {
      current = null;
      filled.add(c);
      if (pending.getAndIncrement() == 0) {
        schedule();
      }
    }

    private void schedule() {
      ACTIVE_TASKS.incrementAndGet();
      try {
        hashers.execute(this);
      } catch (RejectedExecutionException e) {
        run(); // an executor that refuses work: hash here, in order, rather than lose bytes
      }
    }

    /** Hashes at most {@link #CHUNKS} queued chunks, then yields the thread if more are queued. */
    @Override
    public void run() {
      try {
        for (int turn = 0; turn < CHUNKS; turn++) {
          Chunk c = filled.poll(); // never null: a chunk is queued before pending counts it
          try {
            if (!released && failure == null) {
              digest.update(c.bytes, 0, c.length);
            }
          } catch (Throwable t) { // keep draining: the reader waits for every buffer
            failure = t;
          } finally {
            c.length = 0;
            free.add(c);
          }
          if (pending.decrementAndGet() == 0) {
            return;
          }
        }
        // Still more queued: go to the back of the executor's queue (fairness between uploads).
        schedule();
      } finally {
        ACTIVE_TASKS.decrementAndGet();
      }
    }

    /** A free buffer; waits for the hasher to return one, uninterruptibly (it is bounded work). */
    private Chunk takeFree() {
      boolean interrupted = false;
      try {
        while (true) {
          try {
            return free.take();
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private static final class Chunk {
    final byte[] bytes = new byte[CHUNK_BYTES];
    int length;
  }

  private static Executor newSharedHashers() {
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    AtomicInteger numbers = new AtomicInteger();
    ThreadFactory factory =
        task -> {
          Thread t = new Thread(task, "diskstore-sha256-" + numbers.incrementAndGet());
          t.setDaemon(true);
          t.setContextClassLoader(null); // pins no application class loader
          return t;
        };
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            threads, threads, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }
}
