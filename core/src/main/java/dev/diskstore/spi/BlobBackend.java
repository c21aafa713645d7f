package dev.diskstore.spi;

import dev.diskstore.ByteRange;
import dev.diskstore.StorageException;
import java.io.InputStream;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where the bytes live: a flat namespace of immutable blobs under opaque keys.
 *
 * <p><b>Keys</b> are chosen by the core, never by users: 1–200 characters of {@code [0-9a-z/-]},
 * not starting or ending with {@code /}, without {@code //}. A key is written once and never
 * rewritten (the core generates a fresh key for every write), so implementations need no
 * read/write coordination on a key. See {@link BlobKeys#requireValid(String)}.
 *
 * <p><b>Durability.</b> When {@link #write} returns, the blob must survive a process crash and,
 * where the medium allows, a power loss (fsync, or the server's acknowledgement). If it throws, the
 * write may have left a complete object (an object store stored it but its answer was lost: {@link
 * #list} shows it, {@link #delete} removes it) or an unfinished one ({@link #listIncomplete} shows
 * it, {@link #deleteIncomplete} removes it); the store never references such a key, and garbage
 * collection removes both. {@code write} should not spend the caller's time cleaning up after a
 * failure against a medium that may be what failed.
 *
 * <p><b>Errors.</b> Every method throws {@link StorageException} (retryable or not) on failure;
 * {@link BlobNotFoundException} when the key does not exist.
 *
 * <p><b>Thread-safety.</b> Implementations must be safe for concurrent use by many threads and, for
 * backends that can be shared, by several processes.
 *
 * <p><b>Ownership.</b> The store that is given a backend closes it in {@link dev.diskstore.DiskStore#close()}.
 */
public interface BlobBackend extends AutoCloseable {

  /** Optional abilities, declared instead of discovered with {@code instanceof}. */
  enum Capability {
    /** {@link #open} with a range reads only the requested bytes from the medium. */
    RANGED_READS,
    /** {@link #publicUrlSigner()} returns a signer whose URLs the medium serves itself. */
    PUBLIC_URLS,
    /** Data survives the process (a directory, an object store); not an in-memory backend. */
    PERSISTENT,
    /**
     * Every host that reaches the backend sees the same objects: an object store, or a directory
     * on a file system that every host of the store mounts (which only its owner can vouch for).
     * A store whose index is shared across hosts (a database server) needs it: instances on other
     * hosts must be able to read the bytes this one writes.
     */
    SHARED_ACROSS_HOSTS
  }

  /**
   * Stores all bytes of {@code content} under {@code key}, durably.
   *
   * @param content consumed to its end but <em>not</em> closed; the caller owns it
   * @param lengthHint the content length if known in advance (backends may use it to choose a
   *     single request over a multipart upload); the content is authoritative
   * @return the number of bytes written
   */
  long write(String key, InputStream content, OptionalLong lengthHint);

  /**
   * Opens a blob for reading. The caller closes the returned stream.
   *
   * @param range the bytes to read; {@code ByteRange.from(0)} for all
   * @throws BlobNotFoundException if no blob exists under the key
   */
  InputStream open(String key, ByteRange range);

  /** Size (and nothing else) of the blob, or empty when it does not exist. */
  Optional<BlobStat> stat(String key);

  /**
   * Deletes the blob under the key. Idempotent. Must not depend on optional calls of the medium
   * (an S3 {@code ListMultipartUploads}): it is on the path of every artifact delete. Leftovers of
   * an unfinished write under the same key are removed by {@link #deleteIncomplete}; a backend for
   * which that is free (a local temporary file) may remove them here too.
   *
   * @return whether a complete blob existed
   */
  boolean delete(String key);

  /**
   * Removes whatever an unfinished write under {@code key} left behind (see {@link
   * #listIncomplete}): a temporary file, the uploaded parts of an S3 multipart upload. Called by
   * garbage collection only, for writes whose writer is gone. Idempotent. Default: {@link
   * #delete(String)}, for backends whose {@code delete} already does it.
   */
  default void deleteIncomplete(String key) {
    delete(key);
  }

  /**
   * The keys of all complete blobs whose key starts with {@code prefix} ({@code ""} for all), in no
   * particular order. The caller closes the stream. Used by garbage collection and verification,
   * never on the read or write path.
   */
  Stream<BlobStat> list(String prefix);

  /**
   * The keys under which a write was started but not completed and left something behind that
   * {@link #delete} removes (a temporary file; an S3 multipart upload in progress): writes still
   * running, or abandoned by a process that died. Garbage collection deletes those whose writer
   * is gone. The caller closes the stream. Default: none (for backends whose writes leave nothing
   * behind when they fail).
   */
  default Stream<String> listIncomplete(String prefix) {
    return Stream.empty();
  }

  /** What this backend supports beyond the required operations. */
  default Set<Capability> capabilities() {
    return Set.of();
  }

  /**
   * A signer for download URLs served by the medium itself (an S3 presigned URL). Empty when the
   * store should serve URLs through its built-in loopback HTTP server.
   */
  default Optional<PublicUrlSigner> publicUrlSigner() {
    return Optional.empty();
  }

  /** Releases clients, threads and handles. Idempotent. Does not delete data. */
  @Override
  void close();
}
