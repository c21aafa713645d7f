package dev.diskstore.testkit;

import dev.diskstore.DiskStore;
import java.nio.file.Path;

/** Runs the {@link DiskStoreContract} against {@link DiskStore#inMemory()}. */
class InMemoryDiskStoreTest extends DiskStoreContract {

  @Override
  protected DiskStore openStore(Path directory) {
    return DiskStore.inMemory();
  }

  /** Nothing survives close: the blobs live on the heap and the index in a deleted temp dir. */
  @Override
  protected boolean isPersistent() {
    return false;
  }
}
