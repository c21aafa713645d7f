package dev.diskstore;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The asynchronous twin of {@link DiskStore}, like Acontext's {@code AsyncAcontextClient}: every
 * call of {@link Disks}, {@link Artifacts} and {@link Search} returning a {@link
 * CompletableFuture}, run on an executor. Failures complete the future exceptionally with the same {@link DiskStoreException}
 * the synchronous call would throw. Thread-safe; closing the store closes its twin.
 */
public final class AsyncDiskStore {
  private final DiskStore store;
  private final Executor executor;
  private final AsyncDisks disks = new AsyncDisks();
  private final AsyncArtifacts artifacts = new AsyncArtifacts();
  private final AsyncSearch search = new AsyncSearch();

  AsyncDiskStore(DiskStore store, Executor executor) {
    this.store = store;
    this.executor = executor;
  }

  /** The synchronous store behind this twin. */
  public DiskStore sync() {
    return store;
  }

  public CompletableFuture<Void> ping() {
    return run(() -> {
      store.ping();
      return null;
    });
  }

  public AsyncDisks disks() {
    return disks;
  }

  /** Asynchronous {@link DiskStore#search()}. */
  public AsyncSearch search() {
    return search;
  }

  private <T> CompletableFuture<T> run(Supplier<T> call) {
    try {
      store.checkOpen();
      return CompletableFuture.supplyAsync(call, executor);
    } catch (StoreClosedException e) {
      return CompletableFuture.failedFuture(e);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(
          new DiskStoreException("the async executor rejected the call: " + e.getMessage(), e));
    }
  }

  /** Asynchronous {@link Disks}. */
  public final class AsyncDisks {
    private AsyncDisks() {}

    public CompletableFuture<Disk> create() {
      return run(() -> store.disks().create());
    }

    public CompletableFuture<Disk> create(@Nullable String user) {
      return run(() -> store.disks().create(user));
    }

    public CompletableFuture<Disk> createInProject(String projectId, @Nullable String user) {
      return run(() -> store.disks().createInProject(projectId, user));
    }

    public CompletableFuture<Optional<Disk>> find(String diskId) {
      return run(() -> store.disks().find(diskId));
    }

    public CompletableFuture<Disk> get(String diskId) {
      return run(() -> store.disks().get(diskId));
    }

    public CompletableFuture<DiskPage> list() {
      return run(() -> store.disks().list());
    }

    public CompletableFuture<DiskPage> list(
        int limit, @Nullable String cursor, boolean timeDesc, @Nullable String user) {
      return run(() -> store.disks().list(limit, cursor, timeDesc, user));
    }

    public CompletableFuture<DiskPage> list(DiskListRequest request) {
      return run(() -> store.disks().list(request));
    }

    public CompletableFuture<Void> delete(String diskId) {
      return run(() -> {
        store.disks().delete(diskId);
        return null;
      });
    }

    public AsyncArtifacts artifacts() {
      return artifacts;
    }
  }

  /** Asynchronous {@link Artifacts}. */
  public final class AsyncArtifacts {
    private AsyncArtifacts() {}

    private Artifacts sync() {
      return store.disks().artifacts();
    }

    public CompletableFuture<Artifact> upsert(String diskId, FileUpload file) {
      return run(() -> sync().upsert(diskId, file));
    }

    public CompletableFuture<Artifact> upsert(String diskId, FileUpload file, String filePath) {
      return run(() -> sync().upsert(diskId, file, filePath));
    }

    public CompletableFuture<Artifact> upsert(
        String diskId, FileUpload file, String filePath, @Nullable Map<String, ?> meta) {
      return run(() -> sync().upsert(diskId, file, filePath, meta));
    }

    public CompletableFuture<Artifact> upsert(
        String diskId,
        FileUpload file,
        String filePath,
        @Nullable Map<String, ?> meta,
        Precondition condition) {
      return run(() -> sync().upsert(diskId, file, filePath, meta, condition));
    }

    public CompletableFuture<ArtifactResult> get(String diskId, String filePath, String filename) {
      return run(() -> sync().get(diskId, filePath, filename));
    }

    public CompletableFuture<ArtifactResult> get(
        String diskId, String filePath, String filename, GetOptions options) {
      return run(() -> sync().get(diskId, filePath, filename, options));
    }

    public CompletableFuture<Optional<ArtifactResult>> find(
        String diskId, String filePath, String filename) {
      return run(() -> sync().find(diskId, filePath, filename));
    }

    public CompletableFuture<Optional<ArtifactResult>> find(
        String diskId, String filePath, String filename, GetOptions options) {
      return run(() -> sync().find(diskId, filePath, filename, options));
    }

    public CompletableFuture<ArtifactListing> list(String diskId, String path) {
      return run(() -> sync().list(diskId, path));
    }

    public CompletableFuture<ArtifactListing> list(
        String diskId, String path, int limit, @Nullable String cursor) {
      return run(() -> sync().list(diskId, path, limit, cursor));
    }

    public CompletableFuture<Artifact> update(
        String diskId, String filePath, String filename, Map<String, ?> meta) {
      return run(() -> sync().update(diskId, filePath, filename, meta));
    }

    public CompletableFuture<Artifact> update(
        String diskId,
        String filePath,
        String filename,
        Map<String, ?> meta,
        Precondition condition) {
      return run(() -> sync().update(diskId, filePath, filename, meta, condition));
    }

    public CompletableFuture<Void> delete(String diskId, String filePath, String filename) {
      return run(() -> {
        sync().delete(diskId, filePath, filename);
        return null;
      });
    }

    public CompletableFuture<Void> delete(
        String diskId, String filePath, String filename, Precondition condition) {
      return run(() -> {
        sync().delete(diskId, filePath, filename, condition);
        return null;
      });
    }

    public CompletableFuture<Artifact> move(
        String diskId, String fromPath, String fromFilename, String toPath, String toFilename) {
      return run(() -> sync().move(diskId, fromPath, fromFilename, toPath, toFilename));
    }

    public CompletableFuture<Artifact> move(
        String diskId,
        String fromPath,
        String fromFilename,
        String toPath,
        String toFilename,
        Precondition sourceCondition,
        boolean overwrite) {
      return run(
          () -> sync().move(
              diskId, fromPath, fromFilename, toPath, toFilename, sourceCondition, overwrite));
    }

    /** Opens the bytes; the caller closes the stream the future yields. */
    public CompletableFuture<ArtifactStream> open(
        String diskId, String filePath, String filename) {
      return run(() -> sync().open(diskId, filePath, filename));
    }

    public CompletableFuture<ArtifactStream> open(
        String diskId, String filePath, String filename, ByteRange range) {
      return run(() -> sync().open(diskId, filePath, filename, range));
    }

    public CompletableFuture<ArtifactStream> open(
        String diskId, String filePath, String filename, ByteRange range, GetOptions options) {
      return run(() -> sync().open(diskId, filePath, filename, range, options));
    }

    // ---------------------------------------------------------------- history, directories

    public CompletableFuture<ArtifactVersionPage> versions(
        String diskId, String filePath, String filename) {
      return run(() -> sync().versions(diskId, filePath, filename));
    }

    public CompletableFuture<ArtifactVersionPage> versions(
        String diskId, String filePath, String filename, int limit, @Nullable String cursor) {
      return run(() -> sync().versions(diskId, filePath, filename, limit, cursor));
    }

    public CompletableFuture<Artifact> restore(
        String diskId, String filePath, String filename, long version) {
      return run(() -> sync().restore(diskId, filePath, filename, version));
    }

    public CompletableFuture<Artifact> restore(
        String diskId, String filePath, String filename, long version, Precondition condition) {
      return run(() -> sync().restore(diskId, filePath, filename, version, condition));
    }

    public CompletableFuture<Integer> deleteVersions(
        String diskId, String filePath, String filename) {
      return run(() -> sync().deleteVersions(diskId, filePath, filename));
    }

    public CompletableFuture<ArtifactPage> listAll(
        String diskId, String path, int limit, @Nullable String cursor) {
      return run(() -> sync().listAll(diskId, path, limit, cursor));
    }

    public CompletableFuture<Integer> deleteAll(String diskId, String path) {
      return run(() -> sync().deleteAll(diskId, path));
    }

    // ---------------------------------------------------------------- by full path (ArtifactPath)

    public CompletableFuture<ArtifactResult> get(String diskId, ArtifactPath file) {
      return run(() -> sync().get(diskId, file));
    }

    public CompletableFuture<ArtifactResult> get(
        String diskId, ArtifactPath file, GetOptions options) {
      return run(() -> sync().get(diskId, file, options));
    }

    public CompletableFuture<Optional<ArtifactResult>> find(String diskId, ArtifactPath file) {
      return run(() -> sync().find(diskId, file));
    }

    public CompletableFuture<Optional<ArtifactResult>> find(
        String diskId, ArtifactPath file, GetOptions options) {
      return run(() -> sync().find(diskId, file, options));
    }

    public CompletableFuture<Artifact> update(
        String diskId, ArtifactPath file, Map<String, ?> meta) {
      return run(() -> sync().update(diskId, file, meta));
    }

    public CompletableFuture<Artifact> update(
        String diskId, ArtifactPath file, Map<String, ?> meta, Precondition condition) {
      return run(() -> sync().update(diskId, file, meta, condition));
    }

    public CompletableFuture<Void> delete(String diskId, ArtifactPath file) {
      return run(() -> {
        sync().delete(diskId, file);
        return null;
      });
    }

    public CompletableFuture<Void> delete(
        String diskId, ArtifactPath file, Precondition condition) {
      return run(() -> {
        sync().delete(diskId, file, condition);
        return null;
      });
    }

    public CompletableFuture<Artifact> move(String diskId, ArtifactPath from, ArtifactPath to) {
      return run(() -> sync().move(diskId, from, to));
    }

    public CompletableFuture<Artifact> move(
        String diskId,
        ArtifactPath from,
        ArtifactPath to,
        Precondition sourceCondition,
        boolean overwrite) {
      return run(() -> sync().move(diskId, from, to, sourceCondition, overwrite));
    }

    /** Opens the bytes; the caller closes the stream the future yields. */
    public CompletableFuture<ArtifactStream> open(String diskId, ArtifactPath file) {
      return run(() -> sync().open(diskId, file));
    }

    public CompletableFuture<ArtifactStream> open(
        String diskId, ArtifactPath file, ByteRange range) {
      return run(() -> sync().open(diskId, file, range));
    }
  }

  /** Asynchronous {@link Search}: the same calls, on the executor. */
  public final class AsyncSearch {
    private AsyncSearch() {}

    private Search sync() {
      return store.search();
    }

    /** {@link Search#glob}. */
    public CompletableFuture<List<Artifact>> glob(String diskId, String pattern, int limit) {
      return run(() -> sync().glob(diskId, pattern, limit));
    }

    /** {@link Search#grep(String, String)}. */
    public CompletableFuture<GrepResult> grep(String diskId, String regex) {
      return run(() -> sync().grep(diskId, regex));
    }

    /** {@link Search#grep(String, String, GrepOptions)}. */
    public CompletableFuture<GrepResult> grep(String diskId, String regex, GrepOptions options) {
      return run(() -> sync().grep(diskId, regex, options));
    }

    /** {@link Search#fullText}. */
    public CompletableFuture<List<TextHit>> fullText(String diskId, String query, int limit) {
      return run(() -> sync().fullText(diskId, query, limit));
    }

    /** {@link Search#query(String, Query)}. */
    public CompletableFuture<ArtifactPage> query(String diskId, Query query) {
      return run(() -> sync().query(diskId, query));
    }

    /** {@link Search#query(String, Query, QueryOptions)}. */
    public CompletableFuture<ArtifactPage> query(
        String diskId, Query query, QueryOptions options) {
      return run(() -> sync().query(diskId, query, options));
    }
  }
}
