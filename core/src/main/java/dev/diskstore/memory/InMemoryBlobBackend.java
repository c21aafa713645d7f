package dev.diskstore.memory;

import dev.diskstore.ByteRange;
import dev.diskstore.StorageException;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.BlobKeys;
import dev.diskstore.spi.BlobNotFoundException;
import dev.diskstore.spi.BlobStat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A {@link BlobBackend} holding blobs in heap memory. For unit tests and throw-away stores: the
 * data is gone when the JVM exits, and every blob must fit in a Java array (under 2 GiB).
 *
 * <p>It keeps track of the streams it hands out: {@link #openStreams()} counts those not yet
 * closed, and {@link #assertNoOpenStreams()} fails a test that leaked one. Thread-safe.
 */
public final class InMemoryBlobBackend implements BlobBackend {
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final Set<TrackedStream> open = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** An empty backend, open until {@link #close()}. */
  public InMemoryBlobBackend() {}

  @Override
  public long write(String key, InputStream content, OptionalLong lengthHint) {
    BlobKeys.requireValid(key);
    checkOpen();
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try {
      content.transferTo(buffer);
    } catch (IOException e) {
      throw new StorageException("cannot read content for blob " + key + ": " + e, e);
    } catch (OutOfMemoryError e) {
      throw new StorageException("blob " + key + " does not fit in memory", e);
    }
    byte[] bytes = buffer.toByteArray();
    blobs.put(key, bytes);
    return bytes.length;
  }

  @Override
  public InputStream open(String key, ByteRange range) {
    BlobKeys.requireValid(key);
    checkOpen();
    byte[] bytes = blobs.get(key);
    if (bytes == null) {
      throw new BlobNotFoundException(key);
    }
    int from = (int) Math.min(range.offset(), bytes.length);
    long wanted = range.length().orElse(Long.MAX_VALUE);
    int length = (int) Math.min(wanted, bytes.length - from);
    TrackedStream stream = new TrackedStream(bytes, from, length);
    open.add(stream);
    return stream;
  }

  @Override
  public Optional<BlobStat> stat(String key) {
    BlobKeys.requireValid(key);
    checkOpen();
    byte[] bytes = blobs.get(key);
    return bytes == null ? Optional.empty() : Optional.of(new BlobStat(key, bytes.length));
  }

  @Override
  public boolean delete(String key) {
    BlobKeys.requireValid(key);
    checkOpen();
    return blobs.remove(key) != null;
  }

  @Override
  public Stream<BlobStat> list(String prefix) {
    checkOpen();
    List<BlobStat> result = new ArrayList<>();
    blobs.forEach(
        (key, bytes) -> {
          if (key.startsWith(prefix)) {
            result.add(new BlobStat(key, bytes.length));
          }
        });
    return result.stream();
  }

  /** Number of streams from {@link #open} not closed yet. */
  public int openStreams() {
    return open.size();
  }

  /** @throws AssertionError if a stream handed out by {@link #open} was not closed */
  public void assertNoOpenStreams() {
    int n = open.size();
    if (n > 0) {
      throw new AssertionError(n + " blob stream(s) were opened and never closed");
    }
  }

  /** Number of blobs held. */
  public int size() {
    return blobs.size();
  }

  @Override
  public void close() {
    closed.set(true);
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new StorageException("the in-memory backend is closed", false, null);
    }
  }

  @Override
  public String toString() {
    return "InMemoryBlobBackend[" + blobs.size() + " blobs]";
  }

  private final class TrackedStream extends ByteArrayInputStream {
    TrackedStream(byte[] bytes, int offset, int length) {
      super(bytes, offset, length);
    }

    @Override
    public void close() {
      open.remove(this);
    }
  }
}
