package dev.diskstore.index.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

class SqliteNativeLibraryTest {
  @TempDir Path cache;

  private static byte[] libraryInTheJar() throws Exception {
    String resource =
        LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName();
    try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      return in.readAllBytes();
    }
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  private static List<Path> filesUnder(Path root) throws Exception {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void extractsTheLibraryOnceAndReusesIt() throws Exception {
    Path library = SqliteNativeLibrary.cachedLibrary(cache).orElseThrow();

    assertThat(library.startsWith(cache.resolve("sqlite-jdbc-" + SQLiteJDBCLoader.getVersion())))
        .as("%s", library).isTrue();
    assertThat(library.getFileName().toString()).endsWith(LibraryLoaderUtil.getNativeLibName());
    assertThat(Files.readAllBytes(library)).isEqualTo(libraryInTheJar());
    Object fileKey = Files.readAttributes(library, "basic:fileKey").get("fileKey");

    assertThat(SqliteNativeLibrary.cachedLibrary(cache)).contains(library);
    assertThat(Files.readAttributes(library, "basic:fileKey").get("fileKey"))
        .as("the same file, not a new copy").isEqualTo(fileKey);
    assertThat(filesUnder(cache)).containsExactly(library);
  }

  @Test
  void theCacheIsPrivateToTheUser() throws Exception {
    assumeTrue(posix(), "POSIX permissions");
    Path library = SqliteNativeLibrary.cachedLibrary(cache).orElseThrow();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(library)))
        .isEqualTo("r-x------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(library.getParent())))
        .isEqualTo("rwx------");
  }

  @Test
  void replacesADamagedCopy() throws Exception {
    Path library = SqliteNativeLibrary.cachedLibrary(cache).orElseThrow();
    byte[] original = Files.readAllBytes(library);

    library.toFile().setWritable(true, true);
    byte[] flipped = original.clone();
    flipped[flipped.length / 2] ^= 1; // same size, other content
    Files.write(library, flipped);
    library.toFile().setWritable(false, false);
    assertThat(SqliteNativeLibrary.cachedLibrary(cache)).contains(library);
    assertThat(Files.readAllBytes(library)).isEqualTo(original);

    library.toFile().setWritable(true, true);
    Files.write(library, new byte[] {1, 2, 3}); // truncated
    assertThat(SqliteNativeLibrary.cachedLibrary(cache)).contains(library);
    assertThat(Files.readAllBytes(library)).isEqualTo(original);
    assertThat(filesUnder(cache)).containsExactly(library);
  }

  @Test
  void concurrentCallersAllGetTheSameCompleteCopy() throws Exception {
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Optional<Path>>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return SqliteNativeLibrary.cachedLibrary(cache);
                }));
      }
      start.countDown();
      Path first = results.get(0).get().orElseThrow();
      for (Future<Optional<Path>> result : results) {
        assertThat(result.get()).contains(first);
      }
      assertThat(Files.readAllBytes(first)).isEqualTo(libraryInTheJar());
      assertThat(filesUnder(cache)).as("no temporary file left").containsExactly(first);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void refusesADirectoryOthersCanWrite() throws Exception {
    assumeTrue(posix(), "POSIX permissions");
    Path library = SqliteNativeLibrary.cachedLibrary(cache).orElseThrow();
    Files.setPosixFilePermissions(
        library.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThat(SqliteNativeLibrary.cachedLibrary(cache)).isEmpty();
  }

  @Test
  void anUnusableCacheMeansNoCache() throws Exception {
    Path notADirectory = Files.writeString(cache.resolve("file"), "x");
    // prepare() turns the exception into sqlite-jdbc's own extraction
    assertThatThrownBy(() -> SqliteNativeLibrary.load(notADirectory))
        .isInstanceOf(java.io.IOException.class);
    assertThat(System.getProperty(SqliteNativeLibrary.LIB_PATH)).isNull();
    assertThat(System.getProperty(SqliteNativeLibrary.LIB_NAME)).isNull();
  }

  @Test
  void leavesALibraryTheApplicationChoseAlone() throws Exception {
    System.setProperty(SqliteNativeLibrary.LIB_PATH, "/nowhere");
    try {
      assertThat(SqliteNativeLibrary.load(cache)).isFalse();
      assertThat(System.getProperty(SqliteNativeLibrary.LIB_PATH)).isEqualTo("/nowhere");
      assertThat(System.getProperty(SqliteNativeLibrary.LIB_NAME)).isNull();
      assertThat(filesUnder(cache)).isEmpty();
    } finally {
      System.clearProperty(SqliteNativeLibrary.LIB_PATH);
    }
  }

  @Test
  void loadsTheCachedCopyAndRestoresTheProperties() throws Exception {
    assertThat(SqliteNativeLibrary.load(cache)).isTrue();
    assertThat(System.getProperty(SqliteNativeLibrary.LIB_PATH)).isNull();
    assertThat(System.getProperty(SqliteNativeLibrary.LIB_NAME)).isNull();
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite::memory:");
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("select sqlite_version()")) {
      assertThat(result.next()).isTrue();
      assertThat(result.getString(1)).isNotBlank();
    }
  }

  @Test
  void cacheRootIsPerUser() {
    Path root = SqliteNativeLibrary.cacheRoot();
    assertThat(root).isNotNull();
    assertThat(root.isAbsolute()).isTrue();
    assertThat(root.getFileName().toString()).isEqualTo("diskstore");
  }
}
