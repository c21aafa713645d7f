package dev.diskstore.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A deterministic stream of {@code length} pseudo-random bytes (SplitMix64), generated on the fly:
 * the same seed and length always give the same bytes, however the stream is read, and nothing is
 * held in memory. Optionally hashes what it hands out with SHA-256. Not thread-safe.
 */
public final class PseudoRandomInputStream extends InputStream {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final long length;
  private final MessageDigest digest;
  private long state;
  private long position;
  /** Unused bytes of the last generated word, lowest byte next. */
  private long word;
  private int wordBytesLeft;

  public PseudoRandomInputStream(long seed, long length) {
    if (length < 0) {
      throw new IllegalArgumentException("length < 0");
    }
    this.state = seed;
    this.length = length;
    this.digest = newSha256();
  }

  /** Lowercase hex SHA-256 of the bytes of a stream with this seed and length. */
  public static String sha256Of(long seed, long length) {
    try (PseudoRandomInputStream in = new PseudoRandomInputStream(seed, length)) {
      in.transferTo(OutputStream.nullOutputStream());
      return in.sha256Hex();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** All bytes of a stream with this seed and length, for small payloads. */
  public static byte[] bytes(long seed, int length) {
    byte[] bytes = new byte[length];
    new PseudoRandomInputStream(seed, length).fill(bytes, 0, length);
    return bytes;
  }

  /** Lowercase hex SHA-256 of {@code bytes}. */
  public static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(newSha256().digest(bytes));
  }

  /** Lowercase hex SHA-256 of everything read from {@code in}; does not close it. */
  public static String sha256Hex(InputStream in) throws IOException {
    MessageDigest sha = newSha256();
    byte[] buffer = new byte[1 << 16];
    for (int n; (n = in.read(buffer)) != -1; ) {
      sha.update(buffer, 0, n);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** SHA-256 of the bytes read so far (all of them once the stream is at its end). */
  public String sha256Hex() {
    try {
      return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
  }

  public long position() {
    return position;
  }

  @Override
  public int read() {
    byte[] one = new byte[1];
    return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buffer, int offset, int len) {
    Objects.checkFromIndexSize(offset, len, buffer.length);
    if (len == 0) {
      return 0;
    }
    if (position == length) {
      return -1;
    }
    int n = (int) Math.min(len, length - position);
    fill(buffer, offset, n);
    digest.update(buffer, offset, n);
    position += n;
    return n;
  }

  private void fill(byte[] buffer, int offset, int n) {
    int i = 0;
    while (i < n && wordBytesLeft > 0) {
      buffer[offset + i++] = (byte) word;
      word >>>= 8;
      wordBytesLeft--;
    }
    // Here either n bytes are done or the current word is used up: whole words go in directly.
    while (n - i >= 8) {
      LONGS.set(buffer, offset + i, nextLong());
      i += 8;
    }
    while (i < n) {
      if (wordBytesLeft == 0) {
        word = nextLong();
        wordBytesLeft = 8;
      }
      buffer[offset + i++] = (byte) word;
      word >>>= 8;
      wordBytesLeft--;
    }
  }

  private long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
