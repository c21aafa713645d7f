package dev.diskstore.internal;

import dev.diskstore.CorruptContentException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A blob's bytes as the index recorded them: never more bytes than recorded, and, for a read of the
 * whole blob, exactly the recorded size and SHA-256, checked as the bytes stream by.
 *
 * <p>A whole read ({@link #whole}) hashes every byte it returns and, on the {@code read} that
 * reaches the end, asks the backend stream for one more byte: if there is one (bytes were appended
 * to the blob), or if the stream ended early (truncated), or if the hash differs (changed bytes),
 * that {@code read} throws {@link CorruptContentException} instead of returning {@code -1}: a
 * caller that reads to the end never completes normally with wrong bytes. A range read ({@link
 * #range}) cannot be hashed; it returns at most the bytes of the range that lie within the recorded
 * size and throws when the blob ends before them. Bytes already returned before the end was
 * reached cannot be taken back: callers that must not pass on unverified bytes (the download
 * server) read to the end first or cut the transfer when the exception comes.
 *
 * <p>Hashing runs on the reading thread. (Hashing beside it, as uploads do, was measured slower
 * for reads: a read from the page cache is much faster than SHA-256, so the hand-offs only add to
 * the hash's own time; an upload's hash instead overlaps the backend's write.)
 *
 * <p>The exception is unchecked (the store's one hierarchy) although it comes from a stream
 * method; failures of the backend stream itself stay {@link IOException}s. Once thrown, every later
 * {@code read} throws it again. {@link #skip} of a whole read reads through the digest. Owns the
 * backend stream (closes it). Not thread-safe, like any stream.
 */
final class CheckedBlobStream extends InputStream {
  /** Makes the exception for a problem ("ended after 3 of 15 bytes") with the artifact named. */
  @FunctionalInterface
  interface Corruption {
    CorruptContentException describe(String problem);
  }

  /** The largest array {@link #readAllBytes} allocates at once (the JDK's own limit). */
  private static final int MAX_EXACT_ARRAY = Integer.MAX_VALUE - 8;

  private final InputStream in;
  /** Bytes this stream must deliver. */
  private final long expected;
  /** Hash of the whole blob, or null for a range read. */
  private final @Nullable MessageDigest digest;
  private final @Nullable String expectedSha256;
  private final Corruption corruption;
  private long delivered;
  private boolean ended;
  private @Nullable CorruptContentException failure;

  private CheckedBlobStream(
      InputStream in, long expected, @Nullable String expectedSha256, Corruption corruption) {
    this.in = Objects.requireNonNull(in, "in");
    this.expected = expected;
    this.expectedSha256 = expectedSha256;
    this.digest = expectedSha256 == null ? null : Hashing.sha256();
    this.corruption = corruption;
  }

  /**
   * The whole blob, {@code size} bytes hashing to {@code sha256}. {@code in} must read the blob
   * from its first byte without a length limit, so that appended bytes show.
   */
  static CheckedBlobStream whole(InputStream in, long size, String sha256, Corruption corruption) {
    return new CheckedBlobStream(in, size, Objects.requireNonNull(sha256, "sha256"), corruption);
  }

  /** {@code length} bytes of a range that lies within the recorded size. */
  static CheckedBlobStream range(InputStream in, long length, Corruption corruption) {
    return new CheckedBlobStream(in, length, null, corruption);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n <= 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, buffer.length);
    if (failure != null) {
      throw failure;
    }
    if (length == 0) {
      return 0;
    }
    if (delivered >= expected) {
      return atEnd();
    }
    int n = in.read(buffer, offset, (int) Math.min(length, expected - delivered));
    if (n < 0) {
      throw fail("the backend returned " + delivered + " of the " + expected + " bytes recorded");
    }
    if (digest != null) {
      digest.update(buffer, offset, n);
    }
    delivered += n;
    return n;
  }

  /**
   * The bytes still expected, in one array of exactly that size (not the 8 KiB chunks and final
   * copy of {@link InputStream#readAllBytes}), after the end checks: throws like {@link #read}.
   */
  @Override
  public byte[] readAllBytes() throws IOException {
    long remaining = expected - delivered;
    if (failure != null || remaining > MAX_EXACT_ARRAY) {
      return super.readAllBytes();
    }
    byte[] bytes = new byte[(int) Math.max(remaining, 0)];
    int filled = 0;
    while (filled < bytes.length) {
      filled += read(bytes, filled, bytes.length - filled); // never -1 before the end: it throws
    }
    atEnd();
    return bytes;
  }

  /** All expected bytes were returned: check what a whole read can check, once. */
  private int atEnd() throws IOException {
    if (ended) {
      return -1;
    }
    if (digest != null) {
      byte[] probe = new byte[1];
      int extra;
      do {
        extra = in.read(probe, 0, 1);
      } while (extra == 0);
      if (extra > 0) {
        throw fail("the backend has more bytes than the " + expected + " recorded");
      }
      String actual = HexFormat.of().formatHex(digest.digest());
      if (!actual.equals(expectedSha256)) {
        throw fail("the bytes hash to SHA-256 " + actual + ", not the recorded " + expectedSha256);
      }
    }
    ended = true;
    return -1;
  }

  private CorruptContentException fail(String problem) {
    failure = corruption.describe(problem);
    return failure;
  }

  @Override
  public long skip(long n) throws IOException {
    if (n <= 0 || failure != null || delivered >= expected) {
      return 0;
    }
    long wanted = Math.min(n, expected - delivered);
    if (digest == null) {
      long skipped = in.skip(wanted);
      if (skipped > 0) {
        delivered += skipped;
        return skipped;
      }
    }
    // a whole read must hash what it skips; a range read whose stream cannot skip reads instead
    byte[] scratch = new byte[(int) Math.min(wanted, 64 * 1024)];
    long skipped = 0;
    while (skipped < wanted) {
      int read = read(scratch, 0, (int) Math.min(scratch.length, wanted - skipped));
      if (read <= 0) {
        break;
      }
      skipped += read;
    }
    return skipped;
  }

  @Override
  public int available() throws IOException {
    return (int) Math.min(in.available(), expected - delivered);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
