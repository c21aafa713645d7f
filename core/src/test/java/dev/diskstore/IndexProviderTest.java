package dev.diskstore;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.index.sqlite.SqliteIndexProvider;
import dev.diskstore.memory.InMemoryBlobBackend;
import dev.diskstore.spi.index.IndexContext;
import dev.diskstore.spi.index.IndexProvider;
import dev.diskstore.spi.index.MetadataIndex;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DiskStoreConfig.Builder#index(IndexProvider)}: a store on an index it is given. */
class IndexProviderTest {
  @TempDir Path dir;

  @Test
  void aStoreWithAnIndexProviderNeedsNoDirectory() {
    AtomicReference<IndexContext> seen = new AtomicReference<>();
    AtomicReference<MetadataIndex> opened = new AtomicReference<>();
    IndexProvider provider =
        context -> {
          seen.set(context);
          // an index that keeps its files where it likes, not in the store's directory
          MetadataIndex index =
              SqliteIndexProvider.of()
                  .open(new IndexContext(Optional.of(dir.resolve("elsewhere")),
                      context.busyTimeout(), context.readConnections(),
                      context.durableCommits(), context.clock()));
          opened.set(index);
          return index;
        };
    DiskStoreConfig config =
        DiskStoreConfig.builder().index(provider).backend(new InMemoryBlobBackend()).build();
    assertThat(config.findDirectory()).isEmpty();
    assertThat(config.index()).contains(provider);
    assertThatThrownBy(config::directory).isInstanceOf(IllegalStateException.class);
    try (DiskStore store = DiskStore.open(config)) {
      String disk = store.disks().create().id();
      store.disks().artifacts().upsert(disk, FileUpload.of("a.txt", "hello seam".getBytes(UTF_8)),
          "/");
      assertThat(store.search().fullText(disk, "seam", 10)).hasSize(1);
      assertThat(store.maintenance().verify(true).problems()).isEmpty();
    }
    assertThat(seen.get().directory()).isEmpty();
    assertThat(dir.resolve("elsewhere/index.db")).exists();
    assertThat(opened.get().describe()).contains("elsewhere");
    assertThatThrownBy(() -> opened.get().read(s -> s.storeMeta("project_id")))
        .as("the store closed the index it opened")
        .isInstanceOf(StoreClosedException.class);
  }

  @Test
  void theDefaultIndexNeedsADirectory() {
    assertThatThrownBy(() -> DiskStoreConfig.builder().backend(new InMemoryBlobBackend()).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("directory is required");
    assertThat(SqliteIndexProvider.of().sharedAcrossHosts()).isFalse();
  }
}
