package dev.diskstore.s3;

import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.spi.ContentParser;
import dev.diskstore.testkit.SearchContract;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The {@link SearchContract} on S3: grep reads the text of each file from the object store. */
class S3SearchTest extends SearchContract {
  private static final SharedS3Proxy S3 = new SharedS3Proxy("transient");
  private static final Map<Path, String> PREFIXES = new ConcurrentHashMap<>();

  @BeforeAll
  static void startProxy() throws Exception {
    S3.start();
  }

  @AfterAll
  static void stopProxy() {
    S3.stop();
    PREFIXES.clear();
  }

  private DiskStoreConfig.Builder config(Path directory) {
    String prefix = PREFIXES.computeIfAbsent(directory, d -> S3.newPrefix());
    return DiskStoreConfig.builder().directory(directory).backend(S3.backend(prefix).build());
  }

  @Override
  protected DiskStore openStore(Path directory) {
    return DiskStore.open(config(directory).build());
  }

  @Override
  protected DiskStore openStoreWithParser(Path directory, ContentParser parser) {
    return DiskStore.open(
        config(directory).contentParser(parser).extractContentOnUpsert(true).build());
  }
}
