package dev.diskstore.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.Disk;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Per-test stores under JUnit's parallel execution (enabled in {@code junit-platform.properties};
 * this class opts in): tests run two at a time, proven by a barrier each pair must meet at, and
 * each still gets a store of its own while sharing the class's store.
 */
@Execution(ExecutionMode.CONCURRENT)
class DiskStoreExtensionParallelTest {
  static final int TESTS = 8;
  static final CyclicBarrier TWO_AT_ONCE = new CyclicBarrier(2);
  static final Set<DiskStore> stores = ConcurrentHashMap.newKeySet();
  static final Set<String> threads = ConcurrentHashMap.newKeySet();

  @TempDiskStore static DiskStore shared;
  @TempDiskStore DiskStore store;
  @TempDiskStore(seed = "fixtures/notes") Disk seeded;

  @RepeatedTest(TESTS)
  void eachConcurrentTestHasAStoreOfItsOwn()
      throws InterruptedException, BrokenBarrierException, TimeoutException {
    assertThat(store.disks().list().items()).isEmpty();
    Disk disk = store.disks().create();
    String name = Thread.currentThread().getName();
    store.disks().artifacts().upsert(disk.id(), FileUpload.of("t.txt", name.getBytes(UTF_8)));
    shared.disks().create();

    TWO_AT_ONCE.await(30, TimeUnit.SECONDS); // fails unless another test runs at the same time

    assertThat(store.disks().list().items()).containsExactly(disk);
    assertThat(store.disks().artifacts().list(disk.id(), "/").artifacts()).hasSize(1);
    assertThat(stores.add(store)).isTrue();
    threads.add(name);
  }

  @AfterAll
  static void everyTestHadItsOwnStoreAndTheClassStoreSawThemAll() {
    assertThat(stores).hasSize(TESTS);
    assertThat(threads).hasSizeGreaterThanOrEqualTo(2);
    assertThat(shared.disks().list(100, null, true, null).items()).hasSize(TESTS);
  }
}
