package dev.diskstore.s3;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Deterministic test content whose byte at position {@code i} is a function of {@code i} alone, so
 * any slice can be checked without keeping the content in memory. {@link #stream} hides the length
 * (an upload of unknown length) and hands out bytes in odd-sized chunks.
 */
final class PositionalBytes {
  private PositionalBytes() {}

  /** The byte at {@code position} (a 64-bit mix of the position). */
  static byte at(long position) {
    long z = position * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return (byte) (z ^ (z >>> 31));
  }

  /** Bytes {@code [from, from + length)}. */
  static byte[] slice(long from, int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = at(from + i);
    }
    return bytes;
  }

  /** The SHA-256 of the first {@code length} bytes. */
  static byte[] sha256(long length) {
    MessageDigest digest = newSha256();
    byte[] chunk = new byte[1 << 16];
    for (long done = 0; done < length; ) {
      int n = (int) Math.min(chunk.length, length - done);
      for (int i = 0; i < n; i++) {
        chunk[i] = at(done + i);
      }
      digest.update(chunk, 0, n);
      done += n;
    }
    return digest.digest();
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A stream of the first {@code length} bytes whose length is not known in advance. */
  static Stream stream(long length) {
    return new Stream(length);
  }

  /** The content as a stream; {@link #position()} tells how far it was read. */
  static class Stream extends InputStream {
    private final long length;
    private long position;

    Stream(long length) {
      this.length = length;
    }

    long position() {
      return position;
    }

    /** Called before bytes from {@code position} on are handed out; a hook for subclasses. */
    void beforeRead(long position) throws IOException {}

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int count) throws IOException {
      if (count == 0) {
        return 0;
      }
      if (position >= length) {
        return -1;
      }
      beforeRead(position);
      int n = (int) Math.min(Math.min(count, 50_021), length - position);
      for (int i = 0; i < n; i++) {
        buffer[offset + i] = at(position + i);
      }
      position += n;
      return n;
    }

    @Override
    public int available() {
      return 0;
    }
  }

  static boolean equalsSlice(byte[] actual, long from) {
    return Arrays.equals(actual, slice(from, actual.length));
  }
}
