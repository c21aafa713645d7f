package dev.diskstore.testkit;

import java.util.function.UnaryOperator;
import dev.diskstore.memory.InMemoryBlobBackend;
import dev.diskstore.DiskStoreConfig;
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

  @Override
  protected DiskStore openStore(Path directory, UnaryOperator<DiskStoreConfig.Builder> tuning) {
    return DiskStore.open(tuning.apply(DiskStoreConfig.builder()
        .directory(directory)
        .backend(new InMemoryBlobBackend())).build());
  }
}
