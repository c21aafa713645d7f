package dev.diskstore.local;

import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.spi.ContentParser;
import dev.diskstore.testkit.SearchContract;
import java.nio.file.Path;

/**
 * Runs the {@link SearchContract} against {@link DiskStore#local(Path)}: the SQLite index at
 * {@code directory/index.db} and the blobs under {@code directory/blobs}.
 */
class LocalSearchTest extends SearchContract {

  @Override
  protected DiskStore openStore(Path directory) {
    return DiskStore.local(directory);
  }

  @Override
  protected DiskStore openStoreWithParser(Path directory, ContentParser parser) {
    return DiskStore.open(
        DiskStoreConfig.builder()
            .directory(directory)
            .backend(LocalBlobBackend.at(directory.resolve("blobs")))
            .contentParser(parser)
            .extractContentOnUpsert(true)
            .build());
  }
}
