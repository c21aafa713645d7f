package dev.diskstore.local;

import java.util.function.UnaryOperator;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.DiskStore;
import dev.diskstore.testkit.DiskStoreContract;
import java.nio.file.Path;

/**
 * Runs the {@link DiskStoreContract} against {@link DiskStore#local(Path)}: the SQLite index at
 * {@code directory/index.db} and the blobs under {@code directory/blobs}, with the local backend
 * found through {@link java.util.ServiceLoader}.
 */
class LocalDiskStoreTest extends DiskStoreContract {

  @Override
  protected DiskStore openStore(Path directory) {
    return DiskStore.local(directory);
  }

  @Override
  protected DiskStore openStore(Path directory, UnaryOperator<DiskStoreConfig.Builder> tuning) {
    return DiskStore.open(tuning.apply(DiskStoreConfig.builder()
        .directory(directory)
        .backend(LocalBlobBackend.at(directory.resolve("blobs")))).build());
  }
}
