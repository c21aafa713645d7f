package dev.diskstore.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.diskstore.ByteRange;
import dev.diskstore.StorageException;
import dev.diskstore.spi.BlobStat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What several {@link LocalBlobBackend} instances (standing in for processes: each has its own
 * directory handles and its own record of durable directories) sharing one root, and other hands
 * changing the tree, must not break: directories created concurrently, removed, or replaced while a
 * backend holds a handle on them; interrupted writers; handles released on close.
 */
class SharedRootTest {
  private static final byte[] CONTENT = "shared".getBytes(StandardCharsets.UTF_8);

  @TempDir Path base;

  @Test
  void instancesCreatingTheSameNewDirectoriesConcurrentlyAllSucceed() throws Exception {
    Path root = base.resolve("store");
    int instances = 4;
    int threadsPerInstance = 2;
    int rounds = 20;
    List<LocalBlobBackend> backends = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      backends.add(LocalBlobBackend.at(root));
    }
    ExecutorService pool = Executors.newFixedThreadPool(instances * threadsPerInstance);
    Set<String> written = new HashSet<>();
    try {
      for (int round = 0; round < rounds; round++) {
        // Every writer needs the same two new levels at the same moment.
        String directory = String.format(Locale.ROOT, "r%02d/deeper", round);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> writes = new ArrayList<>();
        for (int w = 0; w < instances * threadsPerInstance; w++) {
          LocalBlobBackend backend = backends.get(w % instances);
          String key = directory + "/w" + w;
          writes.add(
              pool.submit(
                  () -> {
                    start.await();
                    backend.write(key, new ByteArrayInputStream(CONTENT), OptionalLong.empty());
                    return key;
                  }));
        }
        start.countDown();
        for (Future<String> write : writes) {
          written.add(write.get(60, TimeUnit.SECONDS));
        }
      }
      for (LocalBlobBackend backend : backends) {
        assertThat(keys(backend.list(""))).containsExactlyInAnyOrderElementsOf(written);
        for (String key : written) {
          assertThat(read(backend, key)).as(key).isEqualTo(CONTENT);
        }
      }
      try (Stream<Path> entries = Files.list(root)) {
        assertThat(entries.map(p -> p.getFileName().toString()))
            .as("no prepared directory left in the root")
            .containsExactly("objects");
      }
    } finally {
      pool.shutdownNow();
      backends.forEach(LocalBlobBackend::close);
    }
  }

  @Test
  void aDirectoryRemovedByAnotherProcessIsCreatedAgain() throws IOException {
    try (LocalBlobBackend backend = LocalBlobBackend.at(base.resolve("store"))) {
      write(backend, "ab/cd/k1");
      assertThat(backend.delete("ab/cd/k1")).isTrue();
      Files.delete(base.resolve("store/objects/ab/cd"));
      Files.delete(base.resolve("store/objects/ab"));

      write(backend, "ab/cd/k2");

      assertThat(read(backend, "ab/cd/k2")).isEqualTo(CONTENT);
      assertThat(base.resolve("store/objects/ab/cd/k2.blob")).hasBinaryContent(CONTENT);
    }
  }

  @Test
  void objectsReplacedByAnotherProcessIsUsedFromThenOn() throws IOException {
    Path root = base.resolve("store");
    try (LocalBlobBackend first = LocalBlobBackend.at(root)) {
      write(first, "ab/k1");
      // Another process moves the whole tree away and starts a new one (a restore, say).
      Files.move(root.resolve("objects"), base.resolve("old-objects"));
      try (LocalBlobBackend second = LocalBlobBackend.at(root)) {
        write(second, "ab/k2");
      }

      assertThat(read(first, "ab/k2")).isEqualTo(CONTENT);
      assertThat(first.stat("ab/k1")).as("in the directory moved away").isEmpty();
      write(first, "cd/k3");
      assertThat(root.resolve("objects/cd/k3.blob")).hasBinaryContent(CONTENT);
      assertThat(keys(first.list(""))).containsExactlyInAnyOrder("ab/k2", "cd/k3");

      // Removed altogether: nothing to read, and the next write starts a new tree.
      deleteTree(root.resolve("objects"));
      assertThat(first.stat("ab/k2")).isEmpty();
      assertThat(keys(first.list(""))).isEmpty();
      write(first, "ef/k4");
      assertThat(read(first, "ef/k4")).isEqualTo(CONTENT);
    }
  }

  @Test
  void aShardDirectoryReplacedOrRemovedByAnotherProcessIsSeenAtOnce() throws IOException {
    Path root = base.resolve("store");
    try (LocalBlobBackend first = LocalBlobBackend.at(root);
        LocalBlobBackend second = LocalBlobBackend.at(root)) {
      write(first, "ab/k1"); // first now keeps a handle on objects/ab
      Files.move(root.resolve("objects/ab"), base.resolve("ab-moved-away"));
      write(second, "ab/k2"); // a new objects/ab

      assertThat(read(first, "ab/k2")).isEqualTo(CONTENT);
      assertThat(first.stat("ab/k1")).as("in the directory moved away").isEmpty();
      write(first, "ab/k3");
      assertThat(root.resolve("objects/ab/k3.blob")).hasBinaryContent(CONTENT);
      assertThat(keys(first.list("ab/"))).containsExactlyInAnyOrder("ab/k2", "ab/k3");

      assertThat(second.delete("ab/k2")).isTrue();
      assertThat(second.delete("ab/k3")).isTrue();
      Files.delete(root.resolve("objects/ab"));
      assertThat(first.stat("ab/k3")).isEmpty();
      write(first, "ab/k4");
      assertThat(read(second, "ab/k4")).isEqualTo(CONTENT);
      assertThat(root.resolve("objects/ab/k4.blob")).hasBinaryContent(CONTENT);
    }
  }

  @Test
  void aBackendKeepsABoundedNumberOfDirectoryHandles() throws IOException {
    Path descriptors = Path.of("/proc/self/fd");
    assumeTrue(Files.isDirectory(descriptors), "needs /proc/self/fd");
    long before = count(descriptors);
    try (LocalBlobBackend backend = LocalBlobBackend.at(base.resolve("store"))) {
      for (int shard = 0; shard < 256; shard++) {
        String key = String.format(Locale.ROOT, "%02x/k", shard);
        write(backend, key);
        assertThat(read(backend, key)).isEqualTo(CONTENT);
      }
      // objects and at most CACHED_SHARDS shards, two descriptors each
      assertThat(count(descriptors))
          .as("open descriptors")
          .isLessThanOrEqualTo(before + 2L * (1 + BlobTree.CACHED_SHARDS) + 4);
    }
    assertThat(count(descriptors)).as("open descriptors after close").isLessThan(before + 4);
  }

  @Test
  void anInterruptedWriteFailsTypedKeepsTheInterruptAndLeavesNoFile() throws Exception {
    try (LocalBlobBackend backend = LocalBlobBackend.at(base.resolve("store"))) {
      InputStream interrupting =
          new InputStream() {
            private int served;

            @Override
            public int read() {
              if (++served == 100_000) {
                Thread.currentThread().interrupt(); // the next write to the channel fails
              }
              return served <= 300_000 ? 'i' : -1;
            }
          };
      ExecutorService writer = Executors.newSingleThreadExecutor();
      try {
        Future<Object[]> outcome =
            writer.submit(
                () -> {
                  Throwable thrown =
                      catchThrowable(
                          () -> backend.write("ab/k1", interrupting, OptionalLong.empty()));
                  return new Object[] {thrown, Thread.interrupted()};
                });
        Object[] result = outcome.get(30, TimeUnit.SECONDS);
        assertThat((Throwable) result[0])
            .isInstanceOf(StorageException.class)
            .hasMessageContaining("\"ab/k1\"")
            .hasMessageContaining("ClosedByInterruptException");
        assertThat((Boolean) result[1]).as("interrupt still set").isTrue();
      } finally {
        writer.shutdownNow();
      }
      assertThat(base.resolve("store/objects/ab/k1.blob.partial")).doesNotExist();
      assertThat(base.resolve("store/objects/ab/k1.blob")).doesNotExist();
      write(backend, "ab/k1");
      assertThat(read(backend, "ab/k1")).isEqualTo(CONTENT);
    }
  }

  @Test
  void abandonedPreparedDirectoriesAreRemovedWhenABackendOpens() throws IOException {
    Path root = Files.createDirectories(base.resolve("store"));
    Path abandoned = Files.createDirectory(root.resolve(".diskstore-new-directory-00000000000000aa"));
    Files.setLastModifiedTime(abandoned, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
    Path recent = Files.createDirectory(root.resolve(".diskstore-new-directory-00000000000000bb"));
    Path outside = Files.createDirectories(base.resolve("outside"));
    Path link = root.resolve(".diskstore-new-directory-00000000000000cc");
    SymbolicLinkTest.link(link, outside);
    Files.setLastModifiedTime(outside, FileTime.from(Instant.now().minus(Duration.ofHours(1))));

    LocalBlobBackend.at(root).close();

    assertThat(abandoned).doesNotExist();
    assertThat(recent).as("may be about to be moved by a live process").isDirectory();
    assertThat(link).isSymbolicLink();
    assertThat(outside).isDirectory();
  }

  @Test
  void theDefaultOnLinuxAndMacOsIsDirectoryHandles() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    assumeTrue(os.contains("linux") || os.contains("mac"), "Linux or macOS");
    try (LocalBlobBackend backend = LocalBlobBackend.at(base.resolve("store"))) {
      assertThat(backend.traversal()).isEqualTo(BlobTree.Traversal.DIRECTORY_HANDLES);
    }
  }

  @Test
  void closedBackendsReleaseTheirDirectoryHandles() throws IOException {
    Path descriptors = Path.of("/proc/self/fd");
    assumeTrue(Files.isDirectory(descriptors), "needs /proc/self/fd");
    Path root = base.resolve("store");
    try (LocalBlobBackend backend = LocalBlobBackend.at(root)) {
      write(backend, "ab/k1");
    }
    long before = count(descriptors);
    for (int i = 0; i < 50; i++) {
      LocalBlobBackend backend = LocalBlobBackend.at(root);
      InputStream open = backend.open("ab/k1", ByteRange.from(0));
      keys(backend.list(""));
      backend.close();
      open.close();
    }
    assertThat(count(descriptors)).as("open descriptors").isLessThan(before + 10);
  }

  private static long count(Path directory) throws IOException {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.count();
    }
  }

  private static void write(LocalBlobBackend backend, String key) {
    backend.write(key, new ByteArrayInputStream(CONTENT), OptionalLong.of(CONTENT.length));
  }

  private static byte[] read(LocalBlobBackend backend, String key) {
    try (InputStream in = backend.open(key, ByteRange.from(0))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> keys(Stream<BlobStat> listed) {
    try (listed) {
      return listed.map(BlobStat::key).collect(Collectors.toList());
    }
  }

  private static void deleteTree(Path directory) throws IOException {
    try (Stream<Path> walk = Files.walk(directory)) {
      for (Path p : walk.sorted((a, b) -> b.compareTo(a)).collect(Collectors.toList())) {
        Files.delete(p);
      }
    }
  }
}
