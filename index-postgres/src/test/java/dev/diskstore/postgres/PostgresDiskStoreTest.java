package dev.diskstore.postgres;

import dev.diskstore.DiskStore;
import dev.diskstore.testkit.DiskStoreContract;
import java.nio.file.Path;

/** Runs the {@link DiskStoreContract} on the PostgreSQL index with local blobs. */
class PostgresDiskStoreTest extends DiskStoreContract {

  @Override
  protected DiskStore openStore(Path directory) {
    return PostgresStores.open(directory, null);
  }
}
