package dev.diskstore.index.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;
import org.sqlite.util.OSInfo;

/**
 * Keeps sqlite-jdbc's native library in a per-user cache directory, so that it is copied out of the
 * jar once per machine and user rather than once per JVM.
 *
 * <p>Left alone, sqlite-jdbc copies its 1.1 MB library into {@code java.io.tmpdir} under a fresh
 * random name in every JVM, reads it back byte by byte to compare, and deletes it on exit: about 60
 * ms of every cold open (BENCHMARKS.md, section 6). {@link #prepare()} copies the library once into
 * {@code <cache>/diskstore/sqlite-jdbc-<version>/<os>-<arch>/<crc32>-<library name>} (temporary
 * file, then an atomic rename, so concurrent JVMs never see a partial file), checks in every JVM
 * that the copy still has the size and CRC-32 the jar records for it, and then lets sqlite-jdbc's
 * own loader load it through {@code org.sqlite.lib.path} / {@code org.sqlite.lib.name}. The two
 * properties are set only for the duration of that load, and only when the application has set
 * neither; they are removed again afterwards, so that another copy of sqlite-jdbc in another class
 * loader never sees them.
 *
 * <p>{@code <cache>} is {@code %LOCALAPPDATA%} on Windows, {@code ~/Library/Caches} on macOS and
 * {@code $XDG_CACHE_HOME} or {@code ~/.cache} elsewhere. On POSIX file systems the directory must
 * belong to the current user and be writable by nobody else, and the library must not be writable
 * by group or others; otherwise the cache is not used.
 *
 * <p>Does nothing when the system property {@value #CACHE_PROPERTY} is {@code false}, when the
 * application chose a library itself, or on any failure (unwritable home, read-only file system,
 * library not in a jar, unknown platform): sqlite-jdbc then extracts its library as it always does.
 * It never throws.
 *
 * <p>Thread-safe; {@link #prepare()} does its work once per class loader.
 */
final class SqliteNativeLibrary {
  /** Set to {@code false} to leave the library's extraction to sqlite-jdbc. */
  static final String CACHE_PROPERTY = "diskstore.sqlite.cacheNativeLibrary";

  static final String LIB_PATH = "org.sqlite.lib.path";
  static final String LIB_NAME = "org.sqlite.lib.name";

  /** A temporary file older than this was left by a crashed JVM. */
  private static final Duration STALE_TEMPORARY = Duration.ofHours(1);

  private static boolean prepared; // guarded by the class

  private SqliteNativeLibrary() {}

  /**
   * Makes sure that sqlite-jdbc's native library is loaded, from the per-user cache where possible.
   * Call before the first SQLite connection; later calls return at once. Never throws: on any
   * failure sqlite-jdbc's default extraction happens, now or at the first connection.
   */
  static synchronized void prepare() {
    if (prepared) {
      return;
    }
    prepared = true;
    if ("false".equalsIgnoreCase(System.getProperty(CACHE_PROPERTY, "true").trim())) {
      return;
    }
    try {
      Path root = cacheRoot();
      if (root != null) {
        load(root);
      }
    } catch (Exception | LinkageError e) {
      // Fall back to sqlite-jdbc's own extraction, which the first connection triggers.
    }
  }

  /**
   * Loads the library from the cache below {@code cacheRoot} through sqlite-jdbc's loader.
   *
   * @return whether the cached copy was handed to sqlite-jdbc (false: the application named a
   *     library itself, or the cache could not be used)
   */
  static boolean load(Path cacheRoot) throws Exception {
    if (System.getProperty(LIB_PATH) != null || System.getProperty(LIB_NAME) != null) {
      return false; // the application's choice
    }
    Optional<Path> library = cachedLibrary(cacheRoot);
    if (library.isEmpty()) {
      return false;
    }
    String directory = library.get().getParent().toString();
    String name = library.get().getFileName().toString();
    System.setProperty(LIB_PATH, directory);
    System.setProperty(LIB_NAME, name);
    try {
      // Loads the library now (once per class loader); the first connection then finds it loaded.
      // Were the copy unloadable after all, sqlite-jdbc would fall back to its own extraction here.
      SQLiteJDBCLoader.initialize();
    } finally {
      clearIfOurs(LIB_PATH, directory);
      clearIfOurs(LIB_NAME, name);
    }
    return true;
  }

  /**
   * The cached copy of this platform's library, extracted now if it is missing or damaged; empty
   * when the library is not in a jar or the cache cannot be used. Safe to call from concurrent
   * threads and processes.
   */
  static Optional<Path> cachedLibrary(Path cacheRoot) throws IOException {
    String libraryName = LibraryLoaderUtil.getNativeLibName();
    // e.g. Linux/x86_64 or Linux-Musl/aarch64. Asked once: the musl check lists the process's
    // mapped files. The resource path is LibraryLoaderUtil.getNativeLibResourcePath()'s.
    String folder = OSInfo.getNativeLibFolderPathForCurrentOS();
    String packagePath = SQLiteJDBCLoader.class.getPackageName().replace('.', '/');
    URL resource =
        SQLiteJDBCLoader.class.getResource(
            "/" + packagePath + "/native/" + folder + "/" + libraryName);
    if (resource == null) {
      return Optional.empty();
    }
    JarEntryFacts entry = JarEntryFacts.of(resource);
    if (entry == null) {
      return Optional.empty(); // not in a jar: no size and checksum to trust without reading it all
    }
    Path directory =
        cacheRoot
            .resolve("sqlite-jdbc-" + safe(SQLiteJDBCLoader.getVersion()))
            .resolve(safe(folder.replace('/', '-')));
    Path library = directory.resolve(String.format(Locale.ROOT, "%08x-", entry.crc) + libraryName);
    if (Files.isRegularFile(library, LinkOption.NOFOLLOW_LINKS)) {
      if (isPrivate(directory) && isPrivate(library) && entry.matches(library)) {
        return Optional.of(library);
      }
      if (!isPrivate(directory)) {
        return Optional.empty();
      }
    }
    createPrivateDirectories(directory);
    if (!isPrivate(directory)) {
      return Optional.empty();
    }
    return extract(resource, entry, directory, library);
  }

  private static Optional<Path> extract(
      URL resource, JarEntryFacts entry, Path directory, Path library) throws IOException {
    deleteStaleTemporaries(directory);
    Path temporary = Files.createTempFile(directory, library.getFileName().toString(), ".tmp");
    try {
      CRC32 crc = new CRC32();
      long size = 0;
      URLConnection connection = resource.openConnection();
      connection.setUseCaches(false);
      try (InputStream in = connection.getInputStream();
          OutputStream out = Files.newOutputStream(temporary)) {
        byte[] buffer = new byte[64 * 1024];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          crc.update(buffer, 0, n);
          out.write(buffer, 0, n);
          size += n;
        }
      }
      if (size != entry.size || crc.getValue() != entry.crc) {
        return Optional.empty();
      }
      PosixFileAttributeView posix =
          Files.getFileAttributeView(temporary, PosixFileAttributeView.class);
      if (posix != null) {
        posix.setPermissions(PosixFilePermissions.fromString("r-x------"));
      }
      try {
        Files.move(temporary, library, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
        return Optional.empty();
      } catch (IOException e) {
        // Windows cannot replace a library another JVM has loaded; that copy may well be good.
        boolean usable = entry.matches(library) && isPrivate(library);
        return usable ? Optional.of(library) : Optional.empty();
      }
      return Optional.of(library);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /** Size and CRC-32 of the library's jar entry, read from the jar's directory (no inflating). */
  private static final class JarEntryFacts {
    final long size;
    final long crc;

    private JarEntryFacts(long size, long crc) {
      this.size = size;
      this.crc = crc;
    }

    static @Nullable JarEntryFacts of(URL resource) throws IOException {
      URLConnection connection = resource.openConnection();
      if (!(connection instanceof JarURLConnection jar)) {
        return null;
      }
      jar.setUseCaches(false);
      try (JarFile file = jar.getJarFile()) {
        ZipEntry entry = jar.getJarEntry();
        if (entry == null || entry.getSize() < 0 || entry.getCrc() < 0) {
          return null;
        }
        return new JarEntryFacts(entry.getSize(), entry.getCrc());
      }
    }

    /** Whether the file has this entry's size and CRC-32 (about 1 ms for 1.1 MB). */
    boolean matches(Path file) throws IOException {
      if (Files.size(file) != size) {
        return false;
      }
      CRC32 actual = new CRC32();
      try (InputStream in = Files.newInputStream(file)) {
        byte[] buffer = new byte[64 * 1024];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          actual.update(buffer, 0, n);
        }
      }
      return actual.getValue() == crc;
    }
  }

  /**
   * Whether only the current user can change the file or directory (always true where the file
   * system has no POSIX permissions): a library loaded from elsewhere would run others' code.
   */
  static boolean isPrivate(Path path) throws IOException {
    PosixFileAttributeView view =
        Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (view == null) {
      return true;
    }
    PosixFileAttributes attributes = view.readAttributes();
    Set<PosixFilePermission> permissions = attributes.permissions();
    return !attributes.isSymbolicLink()
        && attributes.owner().getName().equals(System.getProperty("user.name"))
        && !permissions.contains(PosixFilePermission.GROUP_WRITE)
        && !permissions.contains(PosixFilePermission.OTHERS_WRITE);
  }

  private static void createPrivateDirectories(Path directory) throws IOException {
    if (Files.getFileStore(existingAncestor(directory)).supportsFileAttributeView("posix")) {
      Files.createDirectories(
          directory,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectories(directory);
    }
  }

  private static Path existingAncestor(Path path) {
    Path existing = path.toAbsolutePath();
    while (existing.getParent() != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing;
  }

  /** Removes temporary files that JVMs killed while extracting left behind. */
  private static void deleteStaleTemporaries(Path directory) {
    FileTime cutoff = FileTime.fromMillis(System.currentTimeMillis() - STALE_TEMPORARY.toMillis());
    try (DirectoryStream<Path> temporaries = Files.newDirectoryStream(directory, "*.tmp")) {
      for (Path temporary : temporaries) {
        if (Files.getLastModifiedTime(temporary, LinkOption.NOFOLLOW_LINKS).compareTo(cutoff) < 0) {
          Files.deleteIfExists(temporary);
        }
      }
    } catch (IOException e) {
      // a leftover costs disk space only
    }
  }

  /** The per-user cache directory for DiskStore, or null when there is no usable home. */
  static @Nullable Path cacheRoot() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String home = System.getProperty("user.home", "");
    Path base;
    if (os.startsWith("windows")) {
      String local = System.getenv("LOCALAPPDATA");
      base = local != null && !local.isBlank() ? Path.of(local) : null;
    } else if (os.startsWith("mac")) {
      base = home.isBlank() ? null : Path.of(home, "Library", "Caches");
    } else {
      String xdg = System.getenv("XDG_CACHE_HOME");
      if (xdg != null && Path.of(xdg).isAbsolute()) {
        base = Path.of(xdg);
      } else {
        base = home.isBlank() ? null : Path.of(home, ".cache");
      }
    }
    return base == null || !base.isAbsolute() ? null : base.resolve("diskstore");
  }

  private static String safe(String segment) {
    return segment.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  private static void clearIfOurs(String property, String value) {
    if (value.equals(System.getProperty(property))) {
      System.clearProperty(property);
    }
  }
}
