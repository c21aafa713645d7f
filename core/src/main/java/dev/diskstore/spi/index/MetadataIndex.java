package dev.diskstore.spi.index;

import dev.diskstore.Query;
import dev.diskstore.QuerySort;
import java.util.List;
import java.util.Optional;

/**
 * A store's metadata index: disks, artifact rows, blob references, garbage, owners, the full-text
 * queue and documents. Opened by an {@link IndexProvider}; the core does all domain logic and only
 * asks the index to run {@link IndexWork} in transactions.
 *
 * <p><b>Transactions.</b> {@link #read} runs work on one consistent snapshot. {@link #write} runs
 * work in a write transaction that is <em>serializable with respect to every other write
 * transaction of every instance on the store</em> (SQLite: one writer at a time, {@code BEGIN
 * IMMEDIATE}; a database server: {@code SERIALIZABLE} isolation with retries). The core's
 * correctness rests on it: the commit fence of a blob (its owner must be alive) and garbage
 * collection's declaration that an owner is dead are ordered by it. <b>Write work may be run more
 * than once</b> (retries after serialization failures, or a group commit that replays it), so it
 * must have no effects outside the session except what it returns.
 *
 * <p><b>Failures.</b> An exception thrown by the work rolls the transaction back and reaches the
 * caller unchanged. Failures of the index itself are {@link dev.diskstore.StorageException}s
 * (retryable when a retry may succeed: busy, locked, connection lost); no {@code SQLException}
 * crosses this interface. After {@link #close()}, every method throws {@link
 * dev.diskstore.StoreClosedException}.
 *
 * <p>Thread-safe. The core closes the index after its last write; the index closes its
 * connections, its {@link #fullText()} and then its {@link #liveness()}. {@code close} is
 * idempotent.
 */
public interface MetadataIndex extends AutoCloseable {

  /** Runs {@code work} on one consistent snapshot and returns its result. */
  <T> T read(IndexWork<T> work);

  /**
   * Runs {@code work} where each lookup may see its own snapshot: for work whose lookups need not
   * agree with each other (a single lookup), saving the cost of a transaction. Defaults to {@link
   * #read}.
   */
  default <T> T readEach(IndexWork<T> work) {
    return read(work);
  }

  /**
   * Runs {@code work} in a write transaction and commits it (see the class comment: serializable
   * against every writer of the store, and the work may run more than once).
   *
   * @param durable whether the commit must be on stable storage when this returns ({@code false}:
   *     bookkeeping whose loss on power failure garbage collection tolerates; the index may then
   *     skip the sync)
   */
  <T> T write(boolean durable, IndexWork<T> work);

  /**
   * How store instances sharing this index tell whether an owner is alive; {@link Liveness#id()}
   * is this instance's first owner id. Owned by the index (closed by {@link #close()}).
   */
  Liveness liveness();

  /** The full-text part of the index. Owned by the index (closed by {@link #close()}). */
  FullTextIndex fullText();

  /**
   * Compiles a metadata query of one disk for {@link IndexSession.ArtifactRows#query}: the index
   * turns the {@link Query} tree and sort into its own query language. Pure: reads nothing.
   *
   * @throws dev.diskstore.InvalidQueryException if the index cannot run the query
   */
  CompiledQuery compile(String diskId, Query query, QuerySort sort);

  /**
   * The index's own check of its storage: structural damage (SQLite: {@code quick_check}, or
   * {@code integrity_check} when {@code deep}, and {@code foreign_key_check}). Empty when sound.
   * Never throws for damage it finds: a check that could not run is itself a problem.
   */
  List<IntegrityProblem> checkIntegrity(boolean deep);

  /**
   * Tries to make this instance the store's only garbage collector for as long as the returned
   * lease is open; empty when another instance holds it, in this process or any other, on any host
   * sharing the index (SQLite: an OS lock on a file in the store's directory; a database server:
   * a session-level lock). The core collects only while holding it, and waits its turn while
   * another instance holds it.
   *
   * <p>Safety does not rest on it (collections running at once are correct, only wasteful: see the
   * core's garbage collection), so a lease silently lost with its connection is tolerable. The
   * caller closes the lease; closing is idempotent.
   */
  Optional<CollectionLease> tryLockCollection();

  /** The store-wide garbage-collector role, held until {@link #close()}. */
  interface CollectionLease extends AutoCloseable {
    /** Releases the role; idempotent, never throws. */
    @Override
    void close();
  }

  /** Whether instances on several hosts may share this index (see {@link IndexProvider}). */
  default boolean sharedAcrossHosts() {
    return false;
  }

  /** What and where this index is, for messages ({@code "index /data/index.db"}). */
  String describe();

  /** Closes the index; idempotent. Work running on other threads may fail. */
  @Override
  void close();
}
