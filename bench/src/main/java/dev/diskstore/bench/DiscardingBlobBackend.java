package dev.diskstore.bench;

import dev.diskstore.ByteRange;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.BlobKeys;
import dev.diskstore.spi.BlobNotFoundException;
import dev.diskstore.spi.BlobStat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A blob backend that reads and drops every write, for building index-only data sets (the listing
 * benchmark's disk of 1,000,000 artifacts): listing never touches the backend, so the bytes need
 * not exist. Reads yield no bytes (the store's full-text indexer reads text blobs back when its
 * in-memory copy is gone; here it then indexes names only); {@link #list} is empty. The one
 * exception is the store marker ({@link BlobKeys#STORE_MARKER}), which a store must find again
 * when it reopens: it is kept in memory, or in a file in the store's directory so that data sets
 * reopened by later JVMs find it. Thread-safe.
 */
final class DiscardingBlobBackend implements BlobBackend {
  private final @Nullable Path markerFile;
  private volatile byte @Nullable [] marker;

  /** Keeps the store marker in memory: for stores opened once, in one JVM. */
  DiscardingBlobBackend() {
    this.markerFile = null;
  }

  /** Keeps the store marker in a file of {@code storeDirectory}, for stores reopened later. */
  DiscardingBlobBackend(Path storeDirectory) {
    this.markerFile = storeDirectory.resolve("discarding-backend-marker");
  }

  @Override
  public long write(String key, InputStream content, OptionalLong lengthHint) {
    try {
      if (key.equals(BlobKeys.STORE_MARKER)) {
        byte[] bytes = content.readAllBytes();
        marker = bytes;
        if (markerFile != null) {
          Files.write(markerFile, bytes);
        }
        return bytes.length;
      }
      return content.transferTo(java.io.OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public InputStream open(String key, ByteRange range) {
    if (key.equals(BlobKeys.STORE_MARKER)) {
      byte[] bytes = marker;
      try {
        if (bytes == null && markerFile != null && Files.exists(markerFile)) {
          bytes = Files.readAllBytes(markerFile);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (bytes == null) {
        throw new BlobNotFoundException(key);
      }
      return new ByteArrayInputStream(bytes);
    }
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
