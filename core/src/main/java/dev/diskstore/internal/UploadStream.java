package dev.diskstore.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Wraps an upload on its way to the backend: computes the SHA-256, counts bytes, keeps the first
 * {@link #INDEX_BYTES} bytes for type detection and the full-text index (so that text need not be
 * read back), and stops the upload once it exceeds the size limit (the read throws, so the backend
 * write fails and nothing is committed).
 *
 * <p><b>Hashing</b> runs beside the backend's write once the upload is large ({@link
 * PipelinedSha256}); {@link #sha256Hex()} waits for it. Callers need not do anything on failure
 * paths: {@link #release()} (idempotent, harmless after {@link #sha256Hex()}) skips hashing still
 * queued. {@link #close()} does not release: backends may close the stream they were given, and the
 * hash is still needed after the write.
 *
 * <p><b>Thread-safety.</b> Like any stream, an instance belongs to one thread at a time (the one
 * reading and then asking for the hash); {@link #release()} may be called from any thread.
 *
 * <p>The underlying stream is never closed (the caller owns it) and cannot be skipped (skipping
 * would bypass the digest).
 */
final class UploadStream extends FilterInputStream {
  static final int HEAD_BYTES = 8192;

  /** How much of an upload is kept for the full-text index (text files only use it). */
  static final int INDEX_BYTES = 1 << 20;

  /** Bytes hashed on the reading thread before hashing moves to the shared executor. */
  static final long PIPELINE_THRESHOLD = PipelinedSha256.PIPELINE_THRESHOLD;

  /** Size of one pooled hashing buffer. */
  static final int CHUNK_BYTES = PipelinedSha256.CHUNK_BYTES;

  /** Pooled hashing buffers per large upload. */
  static final int CHUNKS = PipelinedSha256.CHUNKS;

  private final PipelinedSha256 hash;
  private final long limit;
  private final byte[] one = new byte[1];

  /** The first bytes, up to {@link #INDEX_BYTES}; grown as needed (most uploads are small). */
  private byte[] prefix = new byte[0];

  private int prefixSize;
  private long count;
  private boolean tooLarge;

  UploadStream(InputStream in, long limit) {
    super(Objects.requireNonNull(in, "in"));
    this.limit = limit;
    this.hash = new PipelinedSha256();
  }

  /** For tests: another threshold, another executor. */
  UploadStream(InputStream in, long limit, long pipelineThreshold, Executor hashers) {
    super(Objects.requireNonNull(in, "in"));
    this.limit = limit;
    this.hash = new PipelinedSha256(pipelineThreshold, Objects.requireNonNull(hashers, "hashers"));
  }

  @Override
  public int read() throws IOException {
    int n = read(one, 0, 1);
    return n <= 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      count += n;
      if (count > limit) {
        tooLarge = true;
        throw new IOException("upload exceeds the maximum size of " + limit + " bytes");
      }
      if (prefixSize < INDEX_BYTES) {
        keepPrefix(b, off, Math.min(n, INDEX_BYTES - prefixSize));
      }
      try {
        hash.update(b, off, n);
      } catch (IllegalStateException e) {
        throw new IOException("the upload stream was already hashed or released", e);
      }
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    // Skipping would bypass the digest; backends must read everything.
    throw new IOException("skip is not supported on an upload stream");
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  /** Does nothing: the caller owns the underlying stream, and the hash is still to be taken. */
  @Override
  public void close() {}

  long count() {
    return count;
  }

  boolean tooLarge() {
    return tooLarge;
  }

  /** The first {@link #HEAD_BYTES} bytes, for type detection. */
  byte[] head() {
    return Arrays.copyOf(prefix, Math.min(prefixSize, HEAD_BYTES));
  }

  /**
   * The first {@link #INDEX_BYTES} bytes, and whether that is all of the upload. Not a copy when
   * the prefix is full (the large-upload case): callers must not modify it.
   */
  byte[] prefix() {
    return prefixSize == prefix.length ? prefix : Arrays.copyOf(prefix, prefixSize);
  }

  /**
   * The lowercase hex SHA-256 of everything read; waits until the hashing of a large upload is
   * done. Idempotent; call it once the stream is read to its end.
   *
   * @throws IllegalStateException if {@link #release()} came first, or hashing failed
   */
  String sha256Hex() {
    return hash.hex();
  }

  /** Stops hashing (see {@link PipelinedSha256#release()}). */
  void release() {
    hash.release();
  }

  /** Hashing tasks scheduled or running, over all streams and executors; for tests. */
  static int activeHashingTasks() {
    return PipelinedSha256.activeHashingTasks();
  }

  private void keepPrefix(byte[] b, int off, int n) {
    int needed = prefixSize + n;
    if (needed > prefix.length) {
      // Double (at least HEAD_BYTES) up to INDEX_BYTES: few copies, and small uploads stay small.
      int doubled = Math.min(INDEX_BYTES, Math.max(HEAD_BYTES, prefix.length * 2));
      int capacity = Math.max(needed, doubled);
      prefix = Arrays.copyOf(prefix, capacity);
    }
    System.arraycopy(b, off, prefix, prefixSize, n);
    prefixSize = needed;
  }
}
