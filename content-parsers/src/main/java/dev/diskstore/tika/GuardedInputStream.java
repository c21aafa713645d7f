package dev.diskstore.tika;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The artifact's stream as Tika sees it: counts bytes and fails the read that goes past {@code
 * maxBytes}, remembers a failure of the underlying stream (a storage failure, not bad content),
 * and can be closed from another thread to stop an abandoned parse at its next read.
 *
 * <p>Opened and closed by {@link TikaContentParser#parse} on the caller's thread; read by one
 * parse thread. {@link #close()} is idempotent and thread-safe; the underlying stream is closed
 * exactly once.
 */
final class GuardedInputStream extends FilterInputStream {
  private final long maxBytes;
  private long count;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean limitExceeded;
  private volatile @Nullable Throwable readFailure;

  GuardedInputStream(InputStream in, long maxBytes) {
    super(in);
    this.maxBytes = maxBytes;
  }

  /** Whether a read went past the limit. */
  boolean limitExceeded() {
    return limitExceeded;
  }

  /** The failure of the underlying stream, if one happened before this stream was closed. */
  @Nullable Throwable readFailure() {
    return readFailure;
  }

  /** Whether {@link #close()} was called. */
  boolean isClosed() {
    return closed.get();
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n <= 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    checkOpen();
    int n;
    try {
      n = in.read(b, off, len);
    } catch (IOException | RuntimeException e) {
      throw failed(e);
    }
    if (n > 0) {
      count(n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    checkOpen();
    long skipped;
    try {
      skipped = in.skip(n);
    } catch (IOException | RuntimeException e) {
      throw failed(e);
    }
    if (skipped > 0) {
      count(skipped);
    }
    return skipped;
  }

  @Override
  public int available() throws IOException {
    checkOpen();
    try {
      return in.available();
    } catch (IOException | RuntimeException e) {
      throw failed(e);
    }
  }

  /** Marks are not passed through; Tika buffers the stream itself. */
  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {
    // not supported, see markSupported()
  }

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("mark/reset not supported");
  }

  @Override
  public void close() throws IOException {
    if (closed.compareAndSet(false, true)) {
      in.close();
    }
  }

  /** Closes, ignoring a failure to close (the bytes were only read). */
  void closeQuietly() {
    try {
      close();
    } catch (IOException | RuntimeException e) {
      // Nothing was written; a failing close loses nothing.
    }
  }

  private void checkOpen() throws IOException {
    if (closed.get()) {
      throw new IOException("stream closed: the parse was abandoned");
    }
  }

  private void count(long n) throws IOException {
    count += n;
    if (count > maxBytes) {
      limitExceeded = true;
      throw new IOException("the content is larger than the parser's input limit of "
          + maxBytes + " bytes");
    }
  }

  private IOException failed(Exception e) {
    if (!closed.get() && readFailure == null) {
      readFailure = e;
    }
    return e instanceof IOException io ? io : new IOException(e);
  }
}
