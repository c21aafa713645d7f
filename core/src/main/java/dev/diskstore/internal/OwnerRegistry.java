package dev.diskstore.internal;

import dev.diskstore.StorageException;
import dev.diskstore.spi.index.IndexSession;
import dev.diskstore.spi.index.OwnerState;

/**
 * The owners of the index ({@link IndexSession.Owners}): every store instance that writes to this store, and whether it may still
 * commit. This is the fence that makes garbage collection safe whatever the liveness signal says.
 *
 * <ul>
 *   <li>An instance registers as {@code alive} when it opens, before it writes any blob.
 *   <li>A commit that references a new blob first checks, in its transaction, that the owner named
 *       in the blob's key is still {@code alive} here ({@link #requireAlive}); otherwise it fails
 *       and the blob stays unreferenced.
 *   <li>Garbage collection, before deleting an object of another owner, declares that owner dead
 *       here in a write transaction ({@link IndexSession.Owners#declareDead}); an instance that closes declares itself
 *       dead. A dead owner never becomes alive again.
 *   <li>An instance's owner id may change during its life on a shared index (after losing its
 *       connection it registers again under a new id), so the fence checks the owner <em>named in
 *       the key being committed</em>, never "the current owner of this instance".
 * </ul>
 *
 * <p>Write transactions are serialised, so a commit by owner O and the declaration of O's death are
 * ordered: either the commit comes first, and the index read that garbage collection makes after
 * the declaration sees the blob referenced, or the declaration comes first and the commit fails. An
 * object whose key names an owner this table has never known was not written by this store (or by a
 * version before the table existed): garbage collection leaves it alone unless asked.
 *
 * <p>Static helpers on a session inside the caller's transaction.
 */
final class OwnerRegistry {
  private OwnerRegistry() {}

  /**
   * The fence of a commit: throws unless the owner named in {@code key} is alive. A key that names
   * no owner (not made by {@link Engine#newBlobKey()}) is refused too.
   *
   * @param closing whether this instance is closing (the failure is then a plain "store closed")
   * @param currentOwner this instance's owner id now: when the key names an earlier one, the
   *     instance has registered again since the upload began, and the same call, made again,
   *     uploads under the new id, so the failure is retryable
   */
  static void requireAlive(
      IndexSession session, String key, boolean closing, String currentOwner) {
    String owner = Engine.ownerOf(key);
    OwnerState state = owner == null ? null : session.owners().state(owner).orElse(null);
    if (state == OwnerState.ALIVE) {
      return;
    }
    if (closing) {
      throw new dev.diskstore.StoreClosedException();
    }
    if (owner != null && !owner.equals(currentOwner)) {
      throw new StorageException(
          "the upload was made under this store instance's previous owner id " + owner
              + ", which another instance's garbage collection declared dead after this instance"
              + " lost its liveness session; the instance now writes as owner " + currentOwner
              + ", so the call may be retried",
          true, null);
    }
    throw new DeclaredDead(owner, state);
  }

  /**
   * The fence failed because this instance's <em>current</em> owner is not alive in the index:
   * another instance judged its liveness signal lost. Thrown inside the transaction; the caller,
   * outside it, asks the liveness to start a new owner ({@link #afterDeclaredDead}).
   */
  static final class DeclaredDead extends StorageException {
    private static final long serialVersionUID = 1L;
    final @org.jspecify.annotations.Nullable String owner;

    DeclaredDead(@org.jspecify.annotations.Nullable String owner,
        @org.jspecify.annotations.Nullable OwnerState state) {
      super("this store instance (owner " + owner + ") is no longer registered as alive in the"
              + " index (state "
              + (state == null ? null : state.name().toLowerCase(java.util.Locale.ROOT))
              + "): another instance's garbage collection found its liveness"
              + " signal gone and declared it dead, so it may not commit new blobs; close and"
              + " reopen the store",
          false, null);
      this.owner = owner;
    }
  }

  /**
   * What a write whose fence failed with {@link DeclaredDead} throws, outside its transaction: a
   * liveness that can start a new owner (a shared database's) does so now, and the call may be
   * retried under it; otherwise the instance can no longer write, as the failure says.
   */
  static StorageException afterDeclaredDead(DeclaredDead failure,
      dev.diskstore.spi.index.Liveness liveness) {
    if (failure.owner != null && liveness.renewAfterDeclaredDead(failure.owner)) {
      return new StorageException(
          "this store instance's owner " + failure.owner + " was declared dead by another"
              + " instance's garbage collection (its liveness signal was lost); the instance now"
              + " writes as owner " + liveness.id() + ", so the call may be retried",
          true, failure);
    }
    return failure;
  }
}
