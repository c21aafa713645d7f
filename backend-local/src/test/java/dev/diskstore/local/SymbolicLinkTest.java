package dev.diskstore.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.diskstore.ByteRange;
import dev.diskstore.StorageException;
import dev.diskstore.spi.BlobNotFoundException;
import dev.diskstore.spi.BlobStat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Symbolic links planted at every level below a {@link LocalBlobBackend}'s root — {@code objects}
 * itself, a shard directory, a deeper directory of a legacy key, the {@code .blob} file, the {@code
 * .partial} file, and a link swapped for the partial file while a write is in progress — point into
 * a real directory outside the root full of canary files named like the blobs the backend would look
 * for. After every test the outside directory is exactly as it was (nothing read into a result,
 * created, changed or deleted there), and every refused operation failed with a {@link
 * StorageException} naming the key and the link.
 *
 * <p>Subclasses choose how the backend walks its tree ({@link #openBackend}); the cases that only
 * directory handles can win (a link swapped in for a directory while a write runs) live in {@link
 * SymbolicLinkHandlesTest}.
 */
abstract class SymbolicLinkTest {
  static final byte[] CONTENT = "bytes inside the root".getBytes(StandardCharsets.UTF_8);

  @TempDir Path base;
  Path root;
  Path objects;
  /** Outside the root: what the planted links point into. */
  Path outside;

  LocalBlobBackend backend;
  private Map<String, String> outsideBefore;

  /** The backend under test over {@code root}. */
  abstract LocalBlobBackend openBackend(Path root);

  @BeforeEach
  void plantCanaries() throws IOException {
    root = base.resolve("store");
    objects = root.resolve("objects");
    outside = Files.createDirectories(base.resolve("outside"));
    // Shaped like the tree the links replace, so that following a link would find "its" files.
    for (String file :
        List.of(
            "objects/ab/k1.blob",
            "objects/ab/k2.blob",
            "objects/ab/k2.blob.partial",
            "objects/ab/cd/ef/k1.blob",
            "ab/k1.blob",
            "ab/k2.blob",
            "ab/k2.blob.partial",
            "cd/ef/k1.blob",
            "cd/ef/k2.blob.partial",
            "file")) {
      Path canary = outside.resolve(file);
      Files.createDirectories(canary.getParent());
      Files.write(canary, ("OUTSIDE " + file).getBytes(StandardCharsets.UTF_8));
    }
    backend = openBackend(root);
    outsideBefore = snapshot(outside);
  }

  @AfterEach
  void outsideIsUntouched() {
    backend.close();
    assertThat(snapshot(outside)).as("the directory outside the root").isEqualTo(outsideBefore);
  }

  @Test
  void objectsReplacedByALinkIsNeverFollowed() throws IOException {
    write("ab/k1");
    Files.move(objects, base.resolve("objects-moved-away"));
    link(objects, outside.resolve("objects"));

    assertRefused(() -> backend.open("ab/k1", ByteRange.from(0)), "ab/k1", objects);
    assertRefused(() -> backend.stat("ab/k1"), "ab/k1", objects);
    assertRefused(() -> backend.delete("ab/k1"), "ab/k1", objects);
    assertRefused(() -> backend.deleteIncomplete("ab/k2"), "ab/k2", objects);
    assertRefused(() -> write("ab/k2"), "ab/k2", objects);
    assertRefused(() -> write("zz/new"), "zz/new", objects);
    assertRefused(() -> write("ab/cd/ef/new"), "ab/cd/ef/new", objects);
    assertThat(list("")).isEmpty();
    assertThat(list("ab/")).isEmpty();
    assertThat(listIncomplete("")).isEmpty();

    Throwable reopening = catchThrowable(() -> openBackend(root).close());
    assertThat(reopening)
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("refusing to follow a symbolic link at " + objects);
    assertThat(objects).isSymbolicLink();
  }

  @Test
  void aShardDirectoryReplacedByALinkIsNeverFollowed() throws IOException {
    write("ab/k1");
    write("cd/k1");
    Path shard = objects.resolve("ab");
    Files.move(shard, base.resolve("ab-moved-away"));
    link(shard, outside.resolve("ab"));

    assertRefused(() -> backend.open("ab/k1", ByteRange.from(0)), "ab/k1", shard);
    assertRefused(() -> backend.stat("ab/k1"), "ab/k1", shard);
    assertRefused(() -> backend.delete("ab/k1"), "ab/k1", shard);
    assertRefused(() -> backend.deleteIncomplete("ab/k2"), "ab/k2", shard);
    assertRefused(() -> write("ab/k2"), "ab/k2", shard);
    assertRefused(() -> write("ab/new"), "ab/new", shard);
    assertRefused(() -> write("ab/cd/ef/new"), "ab/cd/ef/new", shard);
    assertThat(list("")).containsExactly(new BlobStat("cd/k1", CONTENT.length));
    assertThat(list("ab/")).isEmpty();
    assertThat(listIncomplete("")).isEmpty();

    // The rest of the tree keeps working.
    assertThat(read("cd/k1")).isEqualTo(CONTENT);
    write("cd/k2");
    assertThat(read("cd/k2")).isEqualTo(CONTENT);
    assertThat(backend.delete("cd/k1")).isTrue();
  }

  @Test
  void aDeeperDirectoryOfALegacyKeyReplacedByALinkIsNeverFollowed() throws IOException {
    write("ab/cd/ef/k1");
    write("ab/k3");
    Path deeper = objects.resolve("ab/cd");
    Files.move(deeper, base.resolve("cd-moved-away"));
    link(deeper, outside.resolve("cd"));

    assertRefused(() -> backend.open("ab/cd/ef/k1", ByteRange.from(0)), "ab/cd/ef/k1", deeper);
    assertRefused(() -> backend.stat("ab/cd/ef/k1"), "ab/cd/ef/k1", deeper);
    assertRefused(() -> backend.delete("ab/cd/ef/k1"), "ab/cd/ef/k1", deeper);
    assertRefused(() -> backend.deleteIncomplete("ab/cd/ef/k2"), "ab/cd/ef/k2", deeper);
    assertRefused(() -> write("ab/cd/ef/k2"), "ab/cd/ef/k2", deeper);
    assertRefused(() -> write("ab/cd/gh/new"), "ab/cd/gh/new", deeper);
    assertThat(list("")).containsExactly(new BlobStat("ab/k3", CONTENT.length));
    assertThat(list("ab/cd/")).isEmpty();
    assertThat(list("ab/cd/ef/")).isEmpty();
    assertThat(listIncomplete("")).isEmpty();

    assertThat(read("ab/k3")).isEqualTo(CONTENT);
    write("ab/k4");
    assertThat(read("ab/k4")).isEqualTo(CONTENT);
  }

  @Test
  void aBlobFileThatIsALinkIsNeverFollowedNorRemoved() throws IOException {
    write("ab/k3");
    Path blob = objects.resolve("ab/k1.blob");
    link(blob, outside.resolve("file"));

    assertRefused(() -> backend.open("ab/k1", ByteRange.from(0)), "ab/k1", blob);
    assertRefused(() -> backend.stat("ab/k1"), "ab/k1", blob);
    assertRefused(() -> backend.delete("ab/k1"), "ab/k1", blob);
    assertRefused(() -> write("ab/k1"), "ab/k1", blob);
    assertThat(list("")).containsExactly(new BlobStat("ab/k3", CONTENT.length));
    assertThat(listIncomplete("")).isEmpty();
    assertThat(blob).isSymbolicLink();
    assertThat(objects.resolve("ab/k1.blob.partial")).doesNotExist();

    assertThat(read("ab/k3")).isEqualTo(CONTENT);
  }

  @Test
  void aPartialFileThatIsALinkIsNeverFollowedNorRemoved() throws IOException {
    write("ab/k3");
    Path partial = objects.resolve("ab/k2.blob.partial");
    link(partial, outside.resolve("ab/k2.blob.partial"));

    assertRefused(() -> write("ab/k2"), "ab/k2", partial);
    assertRefused(() -> backend.delete("ab/k2"), "ab/k2", partial);
    assertRefused(() -> backend.deleteIncomplete("ab/k2"), "ab/k2", partial);
    assertThat(listIncomplete("")).isEmpty();
    assertThat(list("")).containsExactly(new BlobStat("ab/k3", CONTENT.length));
    assertThatNotFound("ab/k2");
    assertThat(partial).isSymbolicLink();
    assertThat(objects.resolve("ab/k2.blob")).doesNotExist();
  }

  @Test
  void aLinkSwappedForThePartialFileWhileAWriteRunsIsNeverPublished() throws Exception {
    Path partial = objects.resolve("ab/k1.blob.partial");
    Path movedAway = base.resolve("partial-moved-away");
    Throwable thrown =
        writeWhileSwapping(
            "ab/k1",
            () -> {
              Files.move(partial, movedAway);
              link(partial, outside.resolve("ab/k1.blob"));
            });

    assertThat(thrown)
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("\"ab/k1\"")
        .hasMessageContaining("refusing to follow a symbolic link at " + partial);
    assertThat(((StorageException) thrown).isRetryable()).isFalse();
    // The bytes went to the file the write created (now moved away), never through the link.
    assertThat(Files.size(movedAway)).isEqualTo(200_000);
    assertThat(list("")).isEmpty();
    Path blob = objects.resolve("ab/k1.blob");
    assertThat(Files.exists(blob, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(blob))
        .as("a regular file published under the key")
        .isFalse();
  }

  @Test
  void linksToDirectoriesInsideTheRootAreNotFollowedEither() throws IOException {
    write("ab/k1");
    link(objects.resolve("cd"), objects.resolve("ab"));

    assertRefused(() -> backend.open("cd/k1", ByteRange.from(0)), "cd/k1", objects.resolve("cd"));
    assertRefused(() -> backend.delete("cd/k1"), "cd/k1", objects.resolve("cd"));
    assertThat(list("")).containsExactly(new BlobStat("ab/k1", CONTENT.length));
    assertThat(read("ab/k1")).isEqualTo(CONTENT);
  }

  /**
   * Runs a write of 200,000 bytes whose content blocks halfway, runs {@code swap} meanwhile, lets
   * the write finish, and returns what it threw (null if it returned).
   */
  Throwable writeWhileSwapping(String key, Swap swap) throws Exception {
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    InputStream content =
        new InputStream() {
          private int served;

          @Override
          public int read() throws IOException {
            if (served == 100_000) {
              blocked.countDown();
              try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                  throw new IOException("the test never released the write");
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
              }
            }
            return served++ < 200_000 ? 'x' : -1;
          }
        };
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try {
      Future<Long> written =
          writer.submit(() -> backend.write(key, content, OptionalLong.empty()));
      assertThat(blocked.await(30, TimeUnit.SECONDS)).as("the write is under way").isTrue();
      swap.run();
      release.countDown();
      try {
        written.get(30, TimeUnit.SECONDS);
        return null;
      } catch (java.util.concurrent.ExecutionException e) {
        return e.getCause();
      }
    } finally {
      release.countDown();
      writer.shutdownNow();
      assertThat(writer.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  /** A change made to the tree while a write is blocked. */
  interface Swap {
    void run() throws IOException;
  }

  void assertRefused(ThrowingCallable operation, String key, Path link) {
    Throwable thrown = catchThrowable(operation);
    assertThat(thrown)
        .as("%s near %s", key, link)
        .isInstanceOf(StorageException.class)
        .isNotInstanceOf(BlobNotFoundException.class)
        .hasMessageContaining("\"" + key + "\"")
        .hasMessageContaining("refusing to follow a symbolic link at " + link);
    assertThat(((StorageException) thrown).isRetryable()).isFalse();
  }

  void assertThatNotFound(String key) {
    assertThat(catchThrowable(() -> backend.open(key, ByteRange.from(0))))
        .isInstanceOf(BlobNotFoundException.class);
    assertThat(backend.stat(key)).isEmpty();
  }

  static void link(Path link, Path target) throws IOException {
    try {
      Files.createSymbolicLink(link, target);
    } catch (UnsupportedOperationException | IOException e) {
      assumeTrue(false, "cannot create symbolic links here: " + e);
    }
  }

  long write(String key) {
    return backend.write(key, new ByteArrayInputStream(CONTENT), OptionalLong.of(CONTENT.length));
  }

  byte[] read(String key) {
    try (InputStream in = backend.open(key, ByteRange.from(0))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  List<BlobStat> list(String prefix) {
    try (Stream<BlobStat> stream = backend.list(prefix)) {
      return stream.collect(Collectors.toList());
    }
  }

  List<String> listIncomplete(String prefix) {
    try (Stream<String> stream = backend.listIncomplete(prefix)) {
      return stream.collect(Collectors.toList());
    }
  }

  /** Every entry below {@code directory}: its type, a link's target, a file's bytes and mtime. */
  static Map<String, String> snapshot(Path directory) {
    Map<String, String> entries = new TreeMap<>();
    try {
      Files.walkFileTree(
          directory,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
              entries.put(directory.relativize(dir).toString(), "directory");
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
                throws IOException {
              String what =
                  attributes.isSymbolicLink()
                      ? "link to " + Files.readSymbolicLink(file)
                      : attributes.isRegularFile()
                          ? "file "
                              + new String(Files.readAllBytes(file), StandardCharsets.UTF_8)
                              + " modified "
                              + attributes.lastModifiedTime()
                          : "other";
              entries.put(directory.relativize(file).toString(), what);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return entries;
  }
}
