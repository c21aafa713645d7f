package dev.diskstore;

import java.util.OptionalLong;

/**
 * A range of bytes to read: from {@code offset}, at most {@code length} bytes (to the end when
 * {@code length} is empty). A range starting at or past the end reads nothing.
 */
public record ByteRange(long offset, OptionalLong length) {
  public ByteRange {
    if (offset < 0) {
      throw new InvalidRequestException("range offset must be >= 0, was " + offset);
    }
    if (length.isPresent() && length.getAsLong() < 0) {
      throw new InvalidRequestException("range length must be >= 0, was " + length.getAsLong());
    }
  }

  /** Bytes {@code offset} to the end. */
  public static ByteRange from(long offset) {
    return new ByteRange(offset, OptionalLong.empty());
  }

  /** At most {@code length} bytes from {@code offset}. */
  public static ByteRange of(long offset, long length) {
    return new ByteRange(offset, OptionalLong.of(length));
  }
}
