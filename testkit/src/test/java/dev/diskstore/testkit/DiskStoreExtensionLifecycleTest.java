package dev.diskstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.diskstore.Disk;
import dev.diskstore.DiskStore;
import dev.diskstore.StoreClosedException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * What {@link DiskStoreExtension} does when scopes end, seen from outside: example classes run
 * through JUnit's {@link EngineTestKit}, then their stores are checked. The example classes run only
 * from here ({@link #inTestKit}).
 */
class DiskStoreExtensionLifecycleTest {
  static volatile boolean inTestKit;
  static final List<DiskStore> perTest = new CopyOnWriteArrayList<>();
  static final List<DiskStore> perClass = new CopyOnWriteArrayList<>();
  static final List<Boolean> classStoreOpenAfterAll = new CopyOnWriteArrayList<>();

  static boolean inTestKit() {
    return inTestKit;
  }

  @Test
  void perTestStoresAreClosedAfterEachTestAndClassStoresAfterTheClass() {
    Events tests = run(Example.class).testEvents();

    tests.assertStatistics(s -> s.succeeded(3).failed(0));
    assertThat(perTest).hasSize(3).doesNotHaveDuplicates();
    assertThat(perClass).hasSize(3).containsOnly(perClass.get(0));
    assertThat(classStoreOpenAfterAll).containsExactly(true);
    for (DiskStore store : perTest) {
      assertThatThrownBy(() -> store.disks().list()).isInstanceOf(StoreClosedException.class);
    }
    assertThatThrownBy(() -> perClass.get(0).disks().list())
        .isInstanceOf(StoreClosedException.class);
  }

  @Test
  void misuseFailsTheTestSayingWhy() {
    run(WrongField.class).testEvents().assertStatistics(s -> s.failed(1))
        .assertThatEvents()
        .haveExactly(1, event(test("wrongFieldType"), finishedWithFailure(
            instanceOf(ExtensionConfigurationException.class),
            message(m -> m.contains("must be of type DiskStore, Disk or Path")))));

    Events tests = run(Misuse.class).testEvents();
    tests.assertStatistics(s -> s.failed(3));
    tests.assertThatEvents()
        .haveExactly(1, event(test("missingSeed"), finishedWithFailure(
            instanceOf(ParameterResolutionException.class),
            message(m -> m.contains("\"fixtures/none\" is not on the class path")))))
        .haveExactly(1, event(test("directoryWithoutTheLocalBackend"), finishedWithFailure(
            instanceOf(ParameterResolutionException.class),
            message(m -> m.contains("diskstore-backend-local")))))
        .haveExactly(1, event(test("pathOfAMemoryStore"), finishedWithFailure(
            instanceOf(ParameterResolutionException.class),
            message(m -> m.contains("this one is in memory")))));
  }

  private static EngineExecutionResults run(Class<?> testClass) {
    inTestKit = true;
    try {
      return EngineTestKit.engine("junit-jupiter").selectors(selectClass(testClass)).execute();
    } finally {
      inTestKit = false;
    }
  }

  @EnabledIf("dev.diskstore.testkit.DiskStoreExtensionLifecycleTest#inTestKit")
  static class Example {
    @TempDiskStore static DiskStore classStore;
    @TempDiskStore DiskStore store;

    @AfterAll
    static void afterAll() {
      classStoreOpenAfterAll.add(!classStore.disks().list().items().isEmpty());
    }

    @Test
    void one() {
      record();
    }

    @Test
    void two() {
      record();
    }

    @Test
    void three(@TempDiskStore Disk disk) {
      record();
      assertThat(store.disks().get(disk.id())).isEqualTo(disk);
    }

    private void record() {
      perTest.add(store);
      perClass.add(classStore);
      classStore.disks().create();
    }
  }

  @EnabledIf("dev.diskstore.testkit.DiskStoreExtensionLifecycleTest#inTestKit")
  static class Misuse {
    @Test
    void missingSeed(@TempDiskStore(seed = "fixtures/none") DiskStore store) {}

    @Test
    void directoryWithoutTheLocalBackend(
        @TempDiskStore(TempDiskStore.Storage.DIRECTORY) DiskStore store) {}

    @Test
    void pathOfAMemoryStore(@TempDiskStore java.nio.file.Path directory) {}
  }

  @EnabledIf("dev.diskstore.testkit.DiskStoreExtensionLifecycleTest#inTestKit")
  static class WrongField {
    @TempDiskStore String name;

    @Test
    void wrongFieldType() {}
  }
}
