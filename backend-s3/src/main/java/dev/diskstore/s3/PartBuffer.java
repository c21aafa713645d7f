package dev.diskstore.s3;

import dev.diskstore.StorageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * The bytes of one request body (a whole small object, or one part of a multipart upload), read
 * from the caller's stream. Grows on demand up to a fixed maximum, so a write never holds more than
 * one part in memory however long the stream is. Reused from part to part.
 *
 * <p>Not thread-safe: it belongs to the one {@code write} call that created it.
 */
final class PartBuffer {
  private static final int MIN_GROWTH = 64 * 1024;

  private final int max;
  private byte[] bytes;
  private int size;

  /**
   * @param initialCapacity bytes to allocate up front (at least 1, at most {@code max})
   * @param max the most bytes the buffer holds
   */
  PartBuffer(int initialCapacity, int max) {
    this.max = max;
    this.bytes = new byte[Math.max(1, Math.min(initialCapacity, max))];
  }

  /**
   * Reads from {@code in} until the buffer holds {@code max} bytes or the stream ends.
   *
   * @return whether the stream ended
   * @throws StorageException (not retryable) if the stream fails; it names {@code key}
   */
  boolean fill(InputStream in, String key) {
    while (size < max) {
      if (size == bytes.length) {
        bytes = Arrays.copyOf(bytes, (int) Math.min(max, Math.max(2L * bytes.length, MIN_GROWTH)));
      }
      int n;
      try {
        n = in.read(bytes, size, bytes.length - size);
      } catch (IOException e) {
        throw unreadable(key, e);
      }
      if (n < 0) {
        return true;
      }
      size += n;
    }
    return false;
  }

  /**
   * Reads one byte past a full buffer to learn whether the stream has ended.
   *
   * @return the byte (0-255), or -1 at the end of the stream
   */
  static int peek(InputStream in, String key) {
    try {
      return in.read();
    } catch (IOException e) {
      throw unreadable(key, e);
    }
  }

  /** Empties the buffer, keeping its memory for the next part. */
  void clear() {
    size = 0;
  }

  /** Appends one byte (a byte read by {@link #peek}); the buffer must not be full. */
  void append(int b) {
    if (size == bytes.length) {
      bytes = Arrays.copyOf(bytes, (int) Math.min(max, Math.max(2L * bytes.length, MIN_GROWTH)));
    }
    bytes[size++] = (byte) b;
  }

  int size() {
    return size;
  }

  /**
   * A request body over the current contents, without copying them. The SDK may read it several
   * times (signing, retries); the buffer must not change until the request returns.
   */
  RequestBody body() {
    byte[] content = bytes;
    int length = size;
    return RequestBody.fromContentProvider(
        () -> new ByteArrayInputStream(content, 0, length), length, "application/octet-stream");
  }

  private static StorageException unreadable(String key, IOException e) {
    return new StorageException(
        "cannot read the content to write to blob \"" + key + "\": " + S3Errors.describe(e),
        false,
        e);
  }
}
