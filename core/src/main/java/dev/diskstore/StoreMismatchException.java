package dev.diskstore;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The index and the blob backend given to {@link DiskStore#open} do not belong to the same store:
 * the backend holds another store's data (its store marker names another store id), holds data
 * without a marker while the index is new, or has lost the marker of the store the index belongs to.
 * Opening anyway would show an empty or wrong store, and garbage collection could not tell whose
 * objects it sees. Nothing was changed.
 *
 * <p>The message says what was found and how to recover: point the store at the right index
 * directory or backend (directory, bucket, key prefix), restore {@code index.db} from a backup, or —
 * only when the backend's existing objects are knowingly given up or kept aside — open with {@link
 * DiskStoreConfig.Builder#adoptBackend(boolean)}, which claims the backend for this index and leaves
 * the objects it cannot account for alone.
 */
public class StoreMismatchException extends DiskStoreException {
  private static final long serialVersionUID = 1L;
  private final @Nullable String indexStoreId;
  private final @Nullable String backendStoreId;

  public StoreMismatchException(
      String message, @Nullable String indexStoreId, @Nullable String backendStoreId) {
    super(message);
    this.indexStoreId = indexStoreId;
    this.backendStoreId = backendStoreId;
  }

  /** The store id recorded in the index; empty when the index is new. */
  public Optional<String> indexStoreId() {
    return Optional.ofNullable(indexStoreId);
  }

  /** The store id in the backend's marker; empty when the backend has no marker. */
  public Optional<String> backendStoreId() {
    return Optional.ofNullable(backendStoreId);
  }
}
