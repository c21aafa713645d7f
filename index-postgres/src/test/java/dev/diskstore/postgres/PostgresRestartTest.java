package dev.diskstore.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.StorageException;
import dev.diskstore.testkit.postgres.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database server restarts under an open store: calls fail with a retryable {@link
 * StorageException} (or succeed), the pool recovers, nothing acknowledged is lost.
 */
class PostgresRestartTest {

  @Test
  void aServerRestartFailsCallsRetryablyAndLosesNothingAcknowledged(@TempDir Path dir)
      throws Exception {
    try (DiskStore store = PostgresStores.open(dir, null)) {
      String disk = store.disks().create().id();
      List<String> acknowledged = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        store.disks().artifacts().upsert(disk, FileUpload.of("before" + i, bytes(i)));
        acknowledged.add("before" + i);
      }
      EmbeddedPostgresServer.shared().restart();
      int retryableFailures = 0;
      for (int i = 0; i < 5; i++) {
        String name = "after" + i;
        int n = i;
        retryableFailures += retry(() -> {
          store.disks().artifacts().upsert(disk, FileUpload.of(name, bytes(n)));
          return null;
        });
        acknowledged.add(name);
      }
      for (String name : acknowledged) {
        retry(() -> store.disks().artifacts().get(disk, "/", name));
      }
      assertThat(store.disks().artifacts().list(disk, "/").artifacts()).hasSize(10);
      System.out.println("retryable failures after the restart: " + retryableFailures);
      assertThat(store.maintenance().verify(true).problems()).isEmpty();
    }
  }

  /** Runs {@code call} until it succeeds (30 s at most); returns how many times it failed. */
  private static int retry(Supplier<?> call) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int failures = 0;
    while (true) {
      try {
        call.get();
        return failures;
      } catch (StorageException e) {
        assertThat(e.isRetryable()).as("%s", e).isTrue();
        failures++;
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  private static byte[] bytes(int i) {
    return ("content " + i).getBytes(UTF_8);
  }
}
