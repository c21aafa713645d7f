package dev.diskstore.adk;

import static dev.diskstore.adk.TestStores.bytes;
import static dev.diskstore.adk.TestStores.optional;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.genai.types.Part;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreException;
import dev.diskstore.History;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the store's History does to ADK's versions, as the service's javadoc states it. */
class RetentionTest {
  @TempDir Path directory;

  @Test
  void aStoreWithoutHistoryFailsTheFirstSaveSayingWhatToChange() {
    try (DiskStore store = TestStores.open(directory, History.off())) {
      var service = DiskStoreArtifactService.forDisk(store, store.disks().create().id());

      assertThatThrownBy(() -> service
              .saveArtifact("app", "u", "s", "a.txt", Part.fromText("x")).blockingGet())
          .isInstanceOf(DiskStoreException.class)
          .hasMessageContaining("History.off()")
          .hasMessageContaining("History.unlimited()");
    }
  }

  @Test
  void aLimitedHistoryDropsOldVersionsAtGarbageCollectionAndKeepsTheNewest() {
    try (DiskStore store = TestStores.open(directory, History.keepLast(2))) {
      var service = DiskStoreArtifactService.forDisk(store, store.disks().create().id());
      for (int i = 0; i < 5; i++) {
        assertThat(service.saveArtifact("app", "u", "s", "a.bin",
            Part.fromBytes(new byte[] {(byte) i}, "application/octet-stream")).blockingGet())
            .isEqualTo(i);
      }

      store.maintenance().collectGarbage();

      assertThat(service.listVersions("app", "u", "s", "a.bin").blockingGet())
          .containsExactly(3, 4);
      assertThat(optional(service.loadArtifact("app", "u", "s", "a.bin", 0))).isEmpty();
      assertThat(bytes(optional(service.loadArtifact("app", "u", "s", "a.bin")).orElseThrow()))
          .containsExactly(4);
      // numbering is not reset by retention
      assertThat(service.saveArtifact("app", "u", "s", "a.bin",
          Part.fromBytes(new byte[] {5}, "application/octet-stream")).blockingGet())
          .isEqualTo(5);
    }
  }

  @Test
  void anUnlimitedHistoryKeepsEveryVersionThroughGarbageCollection() {
    try (DiskStore store = TestStores.open(directory)) {
      var service = DiskStoreArtifactService.forDisk(store, store.disks().create().id());
      for (int i = 0; i < 12; i++) {
        service.saveArtifact("app", "u", "s", "a.bin",
            Part.fromBytes(new byte[] {(byte) i}, "application/octet-stream")).blockingGet();
      }

      store.maintenance().collectGarbage();

      assertThat(service.listVersions("app", "u", "s", "a.bin").blockingGet()).hasSize(12);
      assertThat(bytes(optional(service.loadArtifact("app", "u", "s", "a.bin", 0)).orElseThrow()))
          .containsExactly(0);
    }
  }
}
