package dev.diskstore.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.ArtifactListing;
import dev.diskstore.Disk;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link TempDiskStore} fields and parameters as a test class uses them. */
class DiskStoreExtensionTest {
  @TempDiskStore static DiskStore classStore;
  @TempDiskStore DiskStore store;
  @TempDiskStore Disk disk;
  @TempDiskStore(seed = "fixtures/notes") DiskStore seededStore;
  @TempDiskStore(seed = "fixtures/notes") Disk seeded;

  static DiskStore beforeAllStore;
  DiskStore beforeEachStore;

  @BeforeAll
  static void beforeAll(@TempDiskStore DiskStore store) {
    beforeAllStore = store;
  }

  @BeforeEach
  void beforeEach(@TempDiskStore DiskStore store) {
    beforeEachStore = store;
  }

  @Test
  void aFieldAndADiskWithTheSameSettingsShareOneStore() {
    assertThat(store.disks().get(disk.id())).isEqualTo(disk);
    assertThat(store.disks().list().items()).containsExactly(disk);
    assertThat(seededStore.disks().get(seeded.id())).isEqualTo(seeded);
    assertThat(seededStore).isNotSameAs(store);
  }

  @Test
  void theTestAndItsBeforeEachSeeTheSameStoreTheClassScopeAnother(@TempDiskStore DiskStore param) {
    assertThat(param).isSameAs(store).isSameAs(beforeEachStore);
    assertThat(beforeAllStore).isSameAs(classStore).isNotSameAs(store);
  }

  @Test
  void aSeededDiskHoldsTheFolderAtItsRelativePaths() throws IOException {
    ArtifactListing root = seededStore.disks().artifacts().list(seeded.id(), "/");
    assertThat(root.directories()).containsExactly("2024");
    assertThat(root.artifacts()).extracting(a -> a.filename()).containsExactly("plan.md");
    assertThat(seededStore.disks().artifacts().list(seeded.id(), "/2024/").artifacts())
        .extracting(a -> a.filename()).containsExactly("meta.json", "q1.csv");
    try (InputStream in = seededStore.disks().artifacts().open(seeded.id(), "/", "plan.md")) {
      assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("# Plan\n- ship\n");
    }
    assertThat(seededStore.disks().artifacts().get(seeded.id(), "/2024/", "q1.csv").artifact()
        .info().contentType()).startsWith("text/csv");
  }

  @Test
  void eachTestStartsEmptyWhateverTheOthersWrote_1() {
    writeAndCheckAlone();
  }

  @Test
  void eachTestStartsEmptyWhateverTheOthersWrote_2() {
    writeAndCheckAlone();
  }

  private void writeAndCheckAlone() {
    assertThat(store.disks().artifacts().list(disk.id(), "/").artifacts()).isEmpty();
    store.disks().artifacts().upsert(disk.id(), FileUpload.of("mine.txt", "x".getBytes(UTF_8)));
    assertThat(store.disks().list().items()).hasSize(1);
  }

  /** Registered on the class: plain {@code DiskStore} and {@code Disk} parameters get defaults. */
  @Nested
  @ExtendWith(DiskStoreExtension.class)
  class WithoutTheAnnotation {
    @Test
    void parametersOfTheTypesAreInjected(DiskStore plain, Disk plainDisk) {
      assertThat(plain.disks().get(plainDisk.id())).isEqualTo(plainDisk);
      // the outer instance's fields are injected for a nested test too; the defaults are the
      // annotation's defaults, so within this test they are the same store
      assertThat(store).isSameAs(plain);
      assertThat(disk).isEqualTo(plainDisk);
    }
  }
}
