package dev.diskstore;

import dev.diskstore.internal.Engine;
import dev.diskstore.memory.InMemoryBlobBackend;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.BlobBackendProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.Executor;
import org.apache.commons.io.file.PathUtils;
import org.jspecify.annotations.Nullable;

/**
 * An in-process artifact store: the Acontext Disk API without a server.
 *
 * <pre>{@code
 * try (DiskStore store = DiskStore.local(Path.of("data"))) {
 *   Disk disk = store.disks().create();
 *   store.disks().artifacts().upsert(disk.id(),
 *       FileUpload.of("notes.md", "# Notes".getBytes(UTF_8)), "/meetings/", Map.of("author", "alice"));
 * }
 * }</pre>
 *
 * <p><b>Thread-safety.</b> A store is safe for use by any number of threads. Several processes may
 * open the same local store at once; SQLite's locking serialises their writes.
 *
 * <p><b>Ownership.</b> The store owns its SQLite connections, its backend, its URL server and its
 * default async executor, and {@link #close()} releases all of them. Closing is idempotent; any
 * later call throws {@link StoreClosedException}.
 */
public final class DiskStore implements AutoCloseable {
  private final Engine engine;
  private final @Nullable Path ownedDirectory;
  private final AsyncDiskStore async;

  private DiskStore(Engine engine, @Nullable Path ownedDirectory) {
    this.engine = engine;
    this.ownedDirectory = ownedDirectory;
    this.async = new AsyncDiskStore(this, engine.defaultExecutor());
  }

  /**
   * Opens (creating if needed) a store as configured.
   *
   * @throws StorageException if the index cannot be opened or migrated
   */
  public static DiskStore open(DiskStoreConfig config) {
    Objects.requireNonNull(config, "config");
    return new DiskStore(Engine.open(config), null);
  }

  /**
   * The zero-config embedded default: SQLite index at {@code directory/index.db}, blobs in
   * {@code directory/blobs}. Needs the {@code diskstore-backend-local} module on the class path.
   */
  public static DiskStore local(Path directory) {
    Objects.requireNonNull(directory, "directory");
    BlobBackend backend = null;
    for (BlobBackendProvider provider : ServiceLoader.load(BlobBackendProvider.class)) {
      if (provider.name().equals("local")) {
        backend = provider.openDirectory(directory.resolve("blobs"));
        break;
      }
    }
    if (backend == null) {
      throw new DiskStoreException(
          "DiskStore.local needs the local-directory backend: add the dependency"
              + " dev.diskstore:diskstore-backend-local, or wire a backend with"
              + " DiskStore.open(DiskStoreConfig.builder().backend(...))");
    }
    return open(DiskStoreConfig.builder().directory(directory).backend(backend).build());
  }

  /**
   * A throw-away store for tests and scratch work: blobs in memory, the SQLite index in a private
   * temporary directory deleted by {@link #close()}.
   */
  public static DiskStore inMemory() {
    Path dir;
    try {
      dir = Files.createTempDirectory("diskstore-");
    } catch (IOException e) {
      throw new StorageException("cannot create a temporary directory: " + e, e);
    }
    try {
      DiskStoreConfig config =
          DiskStoreConfig.builder().directory(dir).backend(new InMemoryBlobBackend()).build();
      return new DiskStore(Engine.open(config), dir);
    } catch (RuntimeException e) {
      deleteQuietly(dir);
      throw e;
    }
  }

  /** The project id of this store: generated on first open and kept in the index. */
  public String projectId() {
    return engine.projectId();
  }

  /**
   * Checks that the index answers and the backend is reachable.
   *
   * @throws StorageException if either does not
   */
  public void ping() {
    engine.ping();
  }

  public Disks disks() {
    return engine.disks();
  }

  public Maintenance maintenance() {
    return engine.maintenance();
  }

  /** Glob, grep and full-text search over the artifacts of a disk. */
  public Search search() {
    return engine.search();
  }

  /** The asynchronous twin of this store, running calls on the store's default executor. */
  public AsyncDiskStore async() {
    return async;
  }

  /** The asynchronous twin of this store, running calls on {@code executor}. */
  public AsyncDiskStore async(Executor executor) {
    return new AsyncDiskStore(this, Objects.requireNonNull(executor, "executor"));
  }

  /** @throws StoreClosedException if the store was closed */
  void checkOpen() {
    engine.checkOpen();
  }

  /** Closes connections, backend, URL server and the default executor. Idempotent. */
  @Override
  public void close() {
    try {
      engine.close();
    } finally {
      if (ownedDirectory != null) {
        deleteQuietly(ownedDirectory);
      }
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      PathUtils.deleteDirectory(dir);
    } catch (IOException ignored) {
      // a temporary directory; the OS cleans it eventually
    }
  }

  @Override
  public String toString() {
    return "DiskStore[" + engine + "]";
  }
}
