package dev.diskstore.index.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.memory.InMemoryBlobBackend;
import dev.diskstore.spi.index.IndexContext;
import dev.diskstore.spi.index.MetadataIndex;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At most one garbage collector per store: the SQLite index's collection lease is an OS lock in
 * the store's directory, and an explicit collection waits while another instance holds it.
 */
class CollectionLeaseTest {
  @TempDir Path dir;

  private MetadataIndex open() {
    return SqliteIndexProvider.of().open(new IndexContext(
        Optional.of(dir), Duration.ofSeconds(5), 2, true, Clock.systemUTC()));
  }

  @Test
  void oneInstanceAtATimeHoldsTheLease() {
    try (MetadataIndex a = open(); MetadataIndex b = open()) {
      Optional<MetadataIndex.CollectionLease> first = a.tryLockCollection();
      assertThat(first).isPresent();
      assertThat(b.tryLockCollection()).isEmpty();
      assertThat(a.tryLockCollection()).as("not re-entrant either").isEmpty();
      first.get().close();
      first.get().close(); // idempotent
      Optional<MetadataIndex.CollectionLease> second = b.tryLockCollection();
      assertThat(second).isPresent();
      assertThat(a.tryLockCollection()).isEmpty();
      second.get().close();
    }
  }

  @Test
  void anExplicitCollectionWaitsForTheInstanceThatCollects() throws Exception {
    try (DiskStore store = DiskStore.open(DiskStoreConfig.builder().directory(dir)
            .backend(new InMemoryBlobBackend()).build());
        MetadataIndex other = open()) {
      store.maintenance().collectGarbage(); // the collection after open is over
      MetadataIndex.CollectionLease held = other.tryLockCollection().orElseThrow();
      CompletableFuture<?> collection =
          CompletableFuture.runAsync(() -> store.maintenance().collectGarbage());
      Thread.sleep(500);
      assertThat(collection).as("waits while another instance collects").isNotDone();
      held.close();
      collection.get(10, TimeUnit.SECONDS);
    }
  }
}
