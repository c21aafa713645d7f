package dev.diskstore.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Wraps an upload on its way to the backend: computes the SHA-256, counts bytes, keeps the first
 * {@link #INDEX_BYTES} bytes for type detection and the full-text index (so that text need not be
 * read back), and stops the upload once it exceeds the size limit (the read throws, so the backend
 * write fails and nothing is committed).
 */
final class UploadStream extends FilterInputStream {
  static final int HEAD_BYTES = 8192;
  /** How much of an upload is kept for the full-text index (text files only use it). */
  static final int INDEX_BYTES = 1 << 20;

  private final MessageDigest digest;
  private final long limit;
  private final java.io.ByteArrayOutputStream prefix = new java.io.ByteArrayOutputStream();
  private long count;
  private boolean tooLarge;

  UploadStream(InputStream in, long limit) {
    super(in);
    this.limit = limit;
    try {
      this.digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
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
      digest.update(b, off, n);
      if (prefix.size() < INDEX_BYTES) {
        prefix.write(b, off, Math.min(n, INDEX_BYTES - prefix.size()));
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

  @Override
  public void close() {
    // The caller owns the underlying stream.
  }

  long count() {
    return count;
  }

  boolean tooLarge() {
    return tooLarge;
  }

  /** The first {@link #HEAD_BYTES} bytes, for type detection. */
  byte[] head() {
    byte[] all = prefix.toByteArray();
    return all.length <= HEAD_BYTES ? all : Arrays.copyOf(all, HEAD_BYTES);
  }

  /** The first {@link #INDEX_BYTES} bytes, and whether that is all of the upload. */
  byte[] prefix() {
    return prefix.toByteArray();
  }

  String sha256Hex() {
    return HexFormat.of().formatHex(digest.digest());
  }
}
