package dev.diskstore.s3;

import java.util.function.UnaryOperator;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.testkit.DiskStoreContract;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The whole {@link DiskStoreContract} on S3: the SQLite index in the test's directory, the blobs in
 * an in-process S3Proxy ({@code transient} provider) under a key prefix of their own per store
 * directory, so that a reopened store finds its blobs again. Download URLs are S3 presigned URLs.
 */
class S3DiskStoreContractTest extends DiskStoreContract {
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

  @Override
  protected DiskStore openStore(Path directory) {
    String prefix = PREFIXES.computeIfAbsent(directory, d -> S3.newPrefix());
    return DiskStore.open(
        DiskStoreConfig.builder().directory(directory).backend(S3.backend(prefix).build()).build());
  }

  @Override
  protected boolean usesBuiltInUrlServer() {
    return false;
  }

  @Override
  protected DiskStore openStore(Path directory, UnaryOperator<DiskStoreConfig.Builder> tuning) {
    String prefix = PREFIXES.computeIfAbsent(directory, d -> S3.newPrefix());
    return DiskStore.open(tuning.apply(
        DiskStoreConfig.builder().directory(directory).backend(S3.backend(prefix).build())).build());
  }
}
