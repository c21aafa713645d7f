package dev.diskstore.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.diskstore.ByteRange;
import dev.diskstore.StorageException;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.BlobBackendProvider;
import dev.diskstore.spi.BlobNotFoundException;
import dev.diskstore.spi.BlobStat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.OptionalLong;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the contract cannot see: the files {@link LocalBlobBackend} leaves on disk. */
class LocalBlobBackendTest {
  private static final byte[] CONTENT = "some blob bytes".getBytes(StandardCharsets.UTF_8);

  @TempDir Path base;
  private Path root;
  private Path objects;
  private LocalBlobBackend backend;

  @BeforeEach
  void open() {
    root = base.resolve("store");
    objects = root.resolve("objects");
    backend = LocalBlobBackend.at(root);
  }

  @AfterEach
  void close() {
    backend.close();
  }

  @Test
  void blobsAreFilesNamedAfterTheirKeysUnderTheObjectsDirectory() throws IOException {
    write("ab/cd/0123-key");
    write("top");

    assertThat(backend.root()).isEqualTo(root.toAbsolutePath().normalize());
    assertThat(backend.fileOf("ab/cd/0123-key")).isEqualTo(objects.resolve("ab/cd/0123-key.blob"));
    assertThat(Files.readAllBytes(objects.resolve("ab/cd/0123-key.blob"))).isEqualTo(CONTENT);
    assertThat(Files.readAllBytes(objects.resolve("top.blob"))).isEqualTo(CONTENT);
    assertThat(filesUnder(base))
        .containsExactlyInAnyOrder(
            objects.resolve("ab/cd/0123-key.blob"), objects.resolve("top.blob"));
  }

  @Test
  void invalidKeysNeverTouchTheFileSystem() throws IOException {
    for (String key : List.of("../escape", "..", "a/../../b", "A/B")) {
      assertThatThrownBy(
              () -> backend.write(key, new ByteArrayInputStream(CONTENT), OptionalLong.empty()))
          .as(key)
          .isInstanceOf(StorageException.class)
          .hasMessageContaining(key);
    }

    assertThat(filesUnder(base)).isEmpty();
  }

  @Test
  void aLeftoverPartialFileIsNeverListedAndDeleteRemovesIt() throws IOException {
    Path partial = backend.partialFileOf("a/b");
    assertThat(partial).isEqualTo(objects.resolve("a/b.blob.partial"));
    Files.createDirectories(partial.getParent());
    Files.write(partial, CONTENT);

    assertThat(list("")).isEmpty();
    assertThat(backend.stat("a/b")).isEmpty();
    assertThatThrownBy(() -> backend.open("a/b", ByteRange.from(0)))
        .isInstanceOf(BlobNotFoundException.class);

    assertThat(backend.delete("a/b")).as("no complete blob existed").isFalse();
    assertThat(partial).doesNotExist();
  }

  @Test
  void aLeftoverPartialFileBlocksAWriteToItsKeyUntilDeleted() throws IOException {
    Path partial = backend.partialFileOf("a/b");
    Files.createDirectories(partial.getParent());
    Files.write(partial, new byte[] {9, 9});

    Throwable thrown =
        catchThrowable(
            () -> backend.write("a/b", new ByteArrayInputStream(CONTENT), OptionalLong.empty()));

    assertThat(thrown).isInstanceOf(StorageException.class).hasMessageContaining("\"a/b\"");
    assertThat(Files.readAllBytes(partial))
        .as("the other write's bytes are untouched")
        .containsExactly(9, 9);
    assertThat(backend.stat("a/b")).isEmpty();

    backend.delete("a/b");
    write("a/b");
    assertThat(read("a/b")).isEqualTo(CONTENT);
  }

  @Test
  void deleteRemovesBothTheBlobAndAPartialFileOfTheSameKey() throws IOException {
    write("c/d");
    Files.write(backend.partialFileOf("c/d"), CONTENT);

    assertThat(list("")).containsExactly(new BlobStat("c/d", CONTENT.length));
    assertThat(backend.delete("c/d")).isTrue();

    assertThat(filesUnder(root)).isEmpty();
  }

  @Test
  void aFailedWriteLeavesNoFileBehind() {
    InputStream failing =
        new InputStream() {
          private int served;

          @Override
          public int read() throws IOException {
            if (served++ < 100_000) {
              return 7;
            }
            throw new IOException("content source broke");
          }
        };

    Throwable thrown = catchThrowable(() -> backend.write("x/y", failing, OptionalLong.empty()));

    assertThat(thrown)
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("\"x/y\"")
        .hasRootCauseMessage("content source broke");
    assertThat(filesUnder(root)).isEmpty();
  }

  @Test
  void filesAndDirectoriesOutsideTheNamingSchemeAreIgnored() throws IOException {
    write("good/1");
    Files.write(root.resolve("unrelated.txt"), CONTENT);
    Files.write(objects.resolve("README.txt"), CONTENT);
    Files.write(objects.resolve("UPPER.blob"), CONTENT);
    Files.write(objects.resolve("dot.ted.blob"), CONTENT);
    Files.write(objects.resolve(".blob"), CONTENT);
    Files.write(objects.resolve("nosuffix"), CONTENT);
    Files.createDirectories(objects.resolve("Upper"));
    Files.write(objects.resolve("Upper/x.blob"), CONTENT);
    Files.createDirectories(objects.resolve(".hidden"));
    Files.write(objects.resolve(".hidden/x.blob"), CONTENT);
    Files.createDirectories(objects.resolve("good/dir.blob"));
    Files.createDirectories(objects.resolve("empty/dir"));

    assertThat(list("")).containsExactly(new BlobStat("good/1", CONTENT.length));
    assertThat(list("good/")).containsExactly(new BlobStat("good/1", CONTENT.length));

    // A directory where a blob file would be is not a blob, and delete leaves it alone.
    assertThat(backend.stat("good/dir")).isEmpty();
    assertThatThrownBy(() -> backend.open("good/dir", ByteRange.from(0)))
        .isInstanceOf(BlobNotFoundException.class);
    assertThat(backend.delete("good/dir")).isFalse();
    assertThat(objects.resolve("good/dir.blob")).isDirectory();

    // A stray file without the suffix is not the blob "nosuffix".
    assertThat(backend.stat("nosuffix")).isEmpty();
    assertThat(backend.delete("nosuffix")).isFalse();
    assertThat(objects.resolve("nosuffix")).exists();
  }

  @Test
  void symbolicLinksAreNeverListedFollowedOrRemoved() throws IOException {
    Path outside = Files.write(base.resolve("outside"), CONTENT);
    Path outsideDirectory = Files.createDirectories(base.resolve("outside-dir"));
    Files.write(outsideDirectory.resolve("x.blob"), CONTENT);
    SymbolicLinkTest.link(objects.resolve("link.blob"), outside);
    SymbolicLinkTest.link(objects.resolve("linkdir"), outsideDirectory);

    assertThat(list("")).isEmpty();
    assertThat(list("linkdir/")).isEmpty();
    for (ThrowingCallable operation :
        List.<ThrowingCallable>of(
            () -> backend.stat("link"),
            () -> backend.open("link", ByteRange.from(0)),
            () -> backend.delete("link"),
            () -> backend.open("linkdir/x", ByteRange.from(0)),
            () -> backend.delete("linkdir/x"))) {
      assertThatThrownBy(operation)
          .isInstanceOf(StorageException.class)
          .isNotInstanceOf(BlobNotFoundException.class)
          .hasMessageContaining("refusing to follow a symbolic link at");
    }
    assertThat(outside).hasBinaryContent(CONTENT);
    assertThat(outsideDirectory.resolve("x.blob")).hasBinaryContent(CONTENT);
    assertThat(objects.resolve("link.blob")).isSymbolicLink();
  }

  @Test
  void aStrayFileInTheWayOfADirectoryFailsTheWriteNamingTheKey() throws IOException {
    Files.write(objects.resolve("in"), CONTENT);

    Throwable thrown =
        catchThrowable(
            () ->
                backend.write(
                    "in/the/way", new ByteArrayInputStream(CONTENT), OptionalLong.empty()));

    assertThat(thrown).isInstanceOf(StorageException.class).hasMessageContaining("\"in/the/way\"");
    assertThat(((StorageException) thrown).isRetryable()).isFalse();
    assertThat(backend.stat("in/the/way")).isEmpty();
    assertThat(list("")).isEmpty();
  }

  @Test
  void aReadOnlyDirectoryFailsTheWriteNamingTheKey() throws IOException {
    assumeTrue(
        FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
        "needs POSIX permissions");
    Path locked = Files.createDirectories(objects.resolve("locked"));
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      assumeTrue(!Files.isWritable(locked), "permissions are not enforced (running as root?)");

      Throwable thrown =
          catchThrowable(
              () ->
                  backend.write(
                      "locked/k", new ByteArrayInputStream(CONTENT), OptionalLong.empty()));

      assertThat(thrown)
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("\"locked/k\"")
          .hasMessageContaining("AccessDeniedException");
      assertThat(((StorageException) thrown).isRetryable()).isFalse();
    } finally {
      Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    assertThat(backend.stat("locked/k")).isEmpty();
  }

  @Test
  void aNewInstanceOnTheSameDirectorySeesTheBlobsAndViceVersa() {
    write("shared/1");
    LocalBlobBackend second = LocalBlobBackend.at(root);
    try {
      assertThat(readFrom(second, "shared/1")).isEqualTo(CONTENT);

      second.write("shared/2", new ByteArrayInputStream(new byte[] {4, 2}), OptionalLong.of(2));
      assertThat(read("shared/2")).containsExactly(4, 2);
      assertThat(list("shared/"))
          .containsExactlyInAnyOrder(
              new BlobStat("shared/1", CONTENT.length), new BlobStat("shared/2", 2));
    } finally {
      second.close();
    }

    backend.close();
    LocalBlobBackend reopened = LocalBlobBackend.at(root);
    try {
      assertThat(readFrom(reopened, "shared/1")).isEqualTo(CONTENT);
      assertThat(readFrom(reopened, "shared/2")).containsExactly(4, 2);
    } finally {
      reopened.close();
    }
  }

  @Test
  void useAfterCloseFailsButOpenStreamsStayReadable() throws IOException {
    write("k");
    InputStream openBeforeClose = backend.open("k", ByteRange.from(0));
    backend.close();
    backend.close();

    assertThatThrownBy(() -> backend.stat("k"))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> backend.open("k", ByteRange.from(0)))
        .isInstanceOf(StorageException.class)
        .isNotInstanceOf(BlobNotFoundException.class);
    assertThatThrownBy(
            () -> backend.write("k2", new ByteArrayInputStream(CONTENT), OptionalLong.empty()))
        .isInstanceOf(StorageException.class);
    assertThatThrownBy(() -> backend.delete("k")).isInstanceOf(StorageException.class);
    assertThatThrownBy(() -> backend.list("")).isInstanceOf(StorageException.class);
    try (openBeforeClose) {
      assertThat(openBeforeClose.readAllBytes()).isEqualTo(CONTENT);
    }
    assertThat(objects.resolve("k.blob")).as("close deletes no data").exists();
  }

  @Test
  void atCreatesAMissingRootWithItsParents() {
    Path nested = base.resolve("x/y/z");

    LocalBlobBackend created = LocalBlobBackend.at(nested);
    try {
      assertThat(nested.resolve("objects")).isDirectory();
      created.write("k", new ByteArrayInputStream(CONTENT), OptionalLong.empty());
      assertThat(nested.resolve("objects/k.blob")).hasBinaryContent(CONTENT);
    } finally {
      created.close();
    }
  }

  @Test
  void atFailsWhenTheRootIsARegularFile() throws IOException {
    Path file = Files.write(base.resolve("a-file"), CONTENT);

    assertThatThrownBy(() -> LocalBlobBackend.at(file))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void aRangeNearTheEndOfALargeBlobHasOnlyTheRemainingBytes() throws IOException {
    byte[] content = new byte[1 << 20];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) (i * 31);
    }
    backend.write("big", new ByteArrayInputStream(content), OptionalLong.of(content.length));

    try (InputStream in = backend.open("big", ByteRange.of(content.length - 3, 10))) {
      assertThat(in.available()).isEqualTo(3);
      assertThat(in.readAllBytes())
          .containsExactly(
              content[content.length - 3],
              content[content.length - 2],
              content[content.length - 1]);
    }
  }

  @Test
  void theProviderIsFoundByServiceLoaderAsLocal() {
    List<BlobBackendProvider> providers =
        ServiceLoader.load(BlobBackendProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(provider -> provider.name().equals("local"))
            .collect(Collectors.toList());

    assertThat(providers).hasSize(1).first().isInstanceOf(LocalBlobBackendProvider.class);
    Path directory = base.resolve("via-provider");
    try (BlobBackend opened = providers.get(0).openDirectory(directory)) {
      assertThat(opened).isInstanceOf(LocalBlobBackend.class);
      opened.write("k", new ByteArrayInputStream(CONTENT), OptionalLong.empty());
      assertThat(directory.resolve("objects/k.blob")).hasBinaryContent(CONTENT);
    }
  }

  private void write(String key) {
    backend.write(key, new ByteArrayInputStream(CONTENT), OptionalLong.of(CONTENT.length));
  }

  private byte[] read(String key) {
    return readFrom(backend, key);
  }

  private static byte[] readFrom(BlobBackend from, String key) {
    try (InputStream in = from.open(key, ByteRange.from(0))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<BlobStat> list(String prefix) {
    try (Stream<BlobStat> stream = backend.list(prefix)) {
      return stream.collect(Collectors.toList());
    }
  }

  /** Every regular file below {@code directory} (directories themselves are not reported). */
  private static List<Path> filesUnder(Path directory) {
    try (Stream<Path> walk = Files.walk(directory)) {
      return walk.filter(Files::isRegularFile).collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
