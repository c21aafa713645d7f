package dev.diskstore.internal;

/**
 * How the store instances that share one store tell whether a writer is still running.
 *
 * <p>Every open store instance is an <em>owner</em> with a fresh id (32 lowercase hex digits) that
 * it embeds in the keys of the blobs it writes ({@link Engine#newBlobKey()}). Garbage collection
 * asks {@link #isAlive} about the owners of objects the index does not reference, before it reads
 * the index a last time (see {@link Housekeeping}).
 *
 * <p><b>What safety rests on.</b> Not on this answer alone: an owner that garbage collection finds
 * dead is first declared dead in the index ({@link OwnerRegistry}), and a commit whose blob key names
 * an owner that is not alive there fails. So a wrong "dead" (a live owner whose liveness signal was
 * lost) costs that owner's writes in flight, never a committed blob; a wrong "alive" only delays the
 * collection of garbage. Implementations should still be exact: lock files on a local file system
 * ({@link LockFileLiveness}); a shared database's session locks for instances on several hosts.
 *
 * <p>Thread-safe. The engine closes it after the index, so that no commit can follow.
 */
interface Liveness extends AutoCloseable {

  /** This instance's owner id, alive from construction until {@link #close()} or process death. */
  String id();

  /** Whether the owner {@code ownerId} may still be running. Errs on the side of "alive". */
  boolean isAlive(String ownerId);

  /** Removes what dead owners left behind (lock files). Best effort. */
  void forgetDead();

  /** Ends this owner's life. Idempotent. */
  @Override
  void close();
}
