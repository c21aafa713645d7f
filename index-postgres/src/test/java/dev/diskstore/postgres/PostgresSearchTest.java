package dev.diskstore.postgres;

import dev.diskstore.DiskStore;
import dev.diskstore.spi.ContentParser;
import dev.diskstore.testkit.SearchContract;
import java.nio.file.Path;

/** Runs the {@link SearchContract} on the PostgreSQL index with blobs on S3 (an in-process S3Proxy). */
class PostgresSearchTest extends SearchContract {

  @Override
  protected DiskStore openStore(Path directory) {
    return PostgresStores.open(directory, null);
  }

  @Override
  protected DiskStore openStoreWithParser(Path directory, ContentParser parser) {
    return PostgresStores.open(directory, parser);
  }
}
