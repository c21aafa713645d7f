package dev.diskstore.testkit;

import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.memory.InMemoryBlobBackend;
import dev.diskstore.spi.ContentParser;
import java.nio.file.Path;

/** Runs the {@link SearchContract} against {@link DiskStore#inMemory()}. */
class InMemorySearchTest extends SearchContract {

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
  protected DiskStore openStoreWithParser(Path directory, ContentParser parser) {
    return DiskStore.open(
        DiskStoreConfig.builder()
            .directory(directory)
            .backend(new InMemoryBlobBackend())
            .contentParser(parser)
            .extractContentOnUpsert(true)
            .build());
  }
}
