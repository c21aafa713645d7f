package dev.diskstore.spi.index;

/**
 * How the store instances that share one store tell whether a writer is still running.
 *
 * <p>Every open store instance is an <em>owner</em> with a fresh id (32 lowercase hex digits) that
 * it embeds in the keys of the blobs it writes (the blob key names its owner). Garbage collection
 * asks {@link #isAlive} about the owners of objects the index does not reference, before it reads
 * the index a last time (see the core's garbage collection).
 *
 * <p><b>What safety rests on.</b> Not on this answer alone: an owner that garbage collection finds
 * dead is first declared dead in the index ({@link IndexSession.Owners#declareDead}), and a commit whose blob key names
 * an owner that is not alive there fails. So a wrong "dead" (a live owner whose liveness signal was
 * lost) costs that owner's writes in flight, never a committed blob; a wrong "alive" only delays the
 * collection of garbage. Implementations should still be exact: lock files on a local file system
 * (the SQLite index); a shared database's session locks for instances on several hosts.
 *
 * <p>It belongs to the index ({@link MetadataIndex#liveness()}) because how liveness is observed
 * depends on how instances share the index: lock files next to a local database file, session
 * advisory locks on a database server.
 *
 * <p>Thread-safe. The index closes it in {@link MetadataIndex#close()}, after its connections, so
 * that no commit of this owner can follow; callers never close it themselves.
 */
public interface Liveness extends AutoCloseable {

  /** This instance's owner id, alive from construction until {@link #close()} or process death. */
  String id();

  /** Whether the owner {@code ownerId} may still be running. Errs on the side of "alive". */
  boolean isAlive(String ownerId);

  /**
   * Called, outside any transaction, when a commit found this instance's current owner {@code
   * ownerId} recorded dead in the index while the instance runs (another instance judged its
   * liveness signal lost). Returns whether the instance now writes as a new owner ({@link #id()}
   * changed), so that the failed call may be retried. The default, for a liveness whose owner
   * never changes (lock files: their owner cannot lose its lock while its process lives), returns
   * false: the instance can no longer write.
   */
  default boolean renewAfterDeclaredDead(String ownerId) {
    return false;
  }

  /** Removes what dead owners left behind (lock files). Best effort. */
  void forgetDead();

  /** Ends this owner's life. Idempotent. */
  @Override
  void close();
}
