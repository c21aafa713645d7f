package dev.diskstore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.memory.InMemoryBlobBackend;
import dev.diskstore.spi.BlobBackend;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Beans the application defines win over the auto-configured ones. */
class OverrideTest {
  @TempDir Path dir;

  @Test
  void anApplicationStoreReplacesTheWholeAutoConfiguration() {
    try (DiskStore mine = DiskStore.inMemory()) {
      Contexts.runner()
          // settings that would fail if the auto-configuration ran
          .withPropertyValues("diskstore.s3.bucket=b")
          .withBean(DiskStore.class, () -> mine, definition -> definition.setDestroyMethodName(""))
          .run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(DiskStore.class)
                .doesNotHaveBean(BlobBackend.class).doesNotHaveBean(DiskStoreProperties.class);
            assertThat(context.getBean(DiskStore.class)).isSameAs(mine);
          });
    }
  }

  @Test
  void anApplicationBackendGetsTheBytes() {
    InMemoryBlobBackend mine = new InMemoryBlobBackend();
    Contexts.runner()
        .withPropertyValues("diskstore.directory=" + dir)
        .withBean(BlobBackend.class, () -> mine)
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(BlobBackend.class);
          DiskStore store = context.getBean(DiskStore.class);
          String diskId = store.disks().create().id();
          store.disks().artifacts().upsert(diskId, FileUpload.ofText("m.txt", "in memory"));
          assertThat(LocalStoreTest.read(store, diskId, "/", "m.txt")).isEqualTo("in memory");
          try (var blobs = mine.list("")) {
            assertThat(blobs.count()).as("the blob and the store's marker").isGreaterThan(1);
          }
        });
    assertThat(dir.resolve("index.db")).isRegularFile();
    assertThat(dir.resolve("blobs")).doesNotExist();
  }

  @Test
  void customizersRunInOrderAndTheLastWordWins() {
    Contexts.runner()
        .withPropertyValues("diskstore.directory=" + dir, "diskstore.project-id=from-properties")
        .withBean("late", DiskStoreConfigCustomizer.class,
            () -> new Ordered(2, config -> config.projectId("second")))
        .withBean("early", DiskStoreConfigCustomizer.class,
            () -> new Ordered(1, config -> config.projectId("first")))
        .run(context ->
            assertThat(context.getBean(DiskStore.class).projectId()).isEqualTo("second"));
  }

  /** A customizer with an order. */
  record Ordered(int order, DiskStoreConfigCustomizer customizer)
      implements DiskStoreConfigCustomizer, org.springframework.core.Ordered {
    @Override
    public void customize(dev.diskstore.DiskStoreConfig.Builder config) {
      customizer.customize(config);
    }

    @Override
    public int getOrder() {
      return order;
    }
  }
}
