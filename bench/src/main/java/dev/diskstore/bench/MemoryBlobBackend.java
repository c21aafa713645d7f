package dev.diskstore.bench;

import dev.diskstore.ByteRange;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.BlobNotFoundException;
import dev.diskstore.spi.BlobStat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Blobs in a map, for the index benchmarks ({@link PostgresIndexBench}): DiskStore on PostgreSQL,
 * DiskStore on SQLite and their floors all write and read their bytes through one of these, so
 * that the bytes cost the same near-nothing everywhere and the ratios isolate the index. Keeps
 * every blob until closed (the benchmarks write a few megabytes). Thread-safe; one process only.
 */
final class MemoryBlobBackend implements BlobBackend {
  private final ConcurrentHashMap<String, byte[]> blobs = new ConcurrentHashMap<>();

  @Override
  public long write(String key, InputStream content, OptionalLong lengthHint) {
    try {
      byte[] bytes = content.readAllBytes();
      blobs.put(key, bytes);
      return bytes.length;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The floors' write: the same map, without a stream. */
  void put(String key, byte[] bytes) {
    blobs.put(key, bytes.clone());
  }

  /** The floors' read. */
  byte[] bytes(String key) {
    byte[] bytes = blobs.get(key);
    if (bytes == null) {
      throw new BlobNotFoundException(key);
    }
    return bytes.clone();
  }

  @Override
  public InputStream open(String key, ByteRange range) {
    byte[] bytes = blobs.get(key);
    if (bytes == null) {
      throw new BlobNotFoundException(key);
    }
    int offset = (int) Math.min(range.offset(), bytes.length);
    int length =
        (int) Math.min(bytes.length - offset, range.length().orElse(bytes.length - offset));
    return new ByteArrayInputStream(bytes, offset, length);
  }

  @Override
  public Optional<BlobStat> stat(String key) {
    byte[] bytes = blobs.get(key);
    return bytes == null ? Optional.empty() : Optional.of(new BlobStat(key, bytes.length));
  }

  @Override
  public boolean delete(String key) {
    return blobs.remove(key) != null;
  }

  @Override
  public Stream<BlobStat> list(String prefix) {
    return blobs.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .map(e -> new BlobStat(e.getKey(), e.getValue().length));
  }

  @Override
  public void close() {
    blobs.clear();
  }
}
