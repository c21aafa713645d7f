package dev.diskstore.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.Disk;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.testkit.TempDiskStore;
import dev.diskstore.testkit.TempDiskStore.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * testkit's {@code @TempDiskStore(Storage.DIRECTORY)}, which needs this module's backend (testkit
 * cannot depend on it): a store on a temporary directory per test, deleted after the test.
 */
class TempDiskStoreOnDirectoryTest {
  static final List<Path> directories = new CopyOnWriteArrayList<>();

  @TempDiskStore(Storage.DIRECTORY) DiskStore store;
  @TempDiskStore(Storage.DIRECTORY) Path directory;
  @TempDiskStore(value = Storage.DIRECTORY, seed = "fixtures") Disk seeded;

  @Test
  void theStoreKeepsItsIndexAndBlobsInItsDirectory() throws IOException {
    directories.add(directory);
    Disk disk = store.disks().create();
    store.disks().artifacts().upsert(disk.id(), FileUpload.of("a.txt", "hello".getBytes(UTF_8)));

    assertThat(directory.resolve("index.db")).isRegularFile();
    try (Stream<Path> blobs = Files.walk(directory.resolve("blobs"))) {
      assertThat(blobs.filter(Files::isRegularFile).count()).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void aSeededDirectoryStoreIsAnotherStoreWithTheFiles(@TempDiskStore(Storage.DIRECTORY) Path same) {
    directories.add(directory);
    assertThat(same).isEqualTo(directory);
    assertThat(store.disks().list().items()).isEmpty(); // the seeded store is a separate one
    assertThat(seeded.id()).isNotBlank();
  }

  @AfterAll
  static void everyDirectoryIsDeletedAfterItsTest() {
    assertThat(directories).hasSize(2).doesNotHaveDuplicates();
    assertThat(directories).allSatisfy(d -> assertThat(d).doesNotExist());
  }
}
