package dev.diskstore.postgres;

import java.util.function.UnaryOperator;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.DiskStore;
import dev.diskstore.testkit.DiskStoreContract;
import java.nio.file.Path;

/**
 * Runs the {@link DiskStoreContract} on the PostgreSQL index with blobs on S3 (an in-process
 * S3Proxy): download URLs are S3 presigned URLs.
 */
class PostgresDiskStoreTest extends DiskStoreContract {

  @Override
  protected DiskStore openStore(Path directory) {
    return PostgresStores.open(directory, null);
  }

  @Override
  protected boolean usesBuiltInUrlServer() {
    return false;
  }

  @Override
  protected DiskStore openStore(Path directory, UnaryOperator<DiskStoreConfig.Builder> tuning) {
    return PostgresStores.openTuned(directory, tuning);
  }
}
