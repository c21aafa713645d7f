package dev.diskstore.adk;

import dev.diskstore.DiskStore;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fresh store keeping every version, a disk, and the service on it, per test; closed after. */
abstract class ServiceFixture {
  @TempDir Path directory;
  DiskStore store;
  String diskId;
  DiskStoreArtifactService service;

  @BeforeEach
  void open() {
    store = TestStores.open(directory);
    diskId = store.disks().create().id();
    service = DiskStoreArtifactService.forDisk(store, diskId);
  }

  @AfterEach
  void close() {
    store.close();
  }
}
