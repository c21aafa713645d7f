package dev.diskstore.bench;

import dev.diskstore.ByteRange;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.BlobStat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * A blob backend that reads and drops every write, for building index-only data sets (the listing
 * benchmark's disk of 1,000,000 artifacts): listing never touches the backend, so the bytes need
 * not exist. Reads yield no bytes (the store's full-text indexer reads text blobs back when its
 * in-memory copy is gone; here it then indexes names only); {@link #list} is empty. Thread-safe
 * (stateless).
 */
final class DiscardingBlobBackend implements BlobBackend {
  @Override
  public long write(String key, InputStream content, OptionalLong lengthHint) {
    try {
      return content.transferTo(java.io.OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public InputStream open(String key, ByteRange range) {
    return InputStream.nullInputStream();
  }

  @Override
  public Optional<BlobStat> stat(String key) {
    return Optional.empty();
  }

  @Override
  public boolean delete(String key) {
    return false;
  }

  @Override
  public Stream<BlobStat> list(String prefix) {
    return Stream.empty();
  }

  @Override
  public void close() {}
}
