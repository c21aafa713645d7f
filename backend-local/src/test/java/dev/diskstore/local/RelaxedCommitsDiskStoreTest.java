package dev.diskstore.local;

import java.util.function.UnaryOperator;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.testkit.DiskStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;

/**
 * The whole store contract with {@code durableCommits(false)}: relaxing the index's fsync must not
 * change any behaviour a process can observe (only what a power loss may take back).
 */
@DisplayName("DiskStore contract, local backend, relaxed commits")
class RelaxedCommitsDiskStoreTest extends DiskStoreContract {
  @Override
  protected DiskStore openStore(Path directory) {
    return DiskStore.open(
        DiskStoreConfig.builder()
            .directory(directory)
            .backend(LocalBlobBackend.at(directory.resolve("blobs")))
            .durableCommits(false)
            .build());
  }

  @Override
  protected DiskStore openStore(Path directory, UnaryOperator<DiskStoreConfig.Builder> tuning) {
    return DiskStore.open(tuning.apply(DiskStoreConfig.builder()
        .directory(directory)
        .backend(LocalBlobBackend.at(directory.resolve("blobs")))
        .durableCommits(false)).build());
  }
}
