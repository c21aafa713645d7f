package dev.diskstore.internal;

import dev.diskstore.ArtifactContent;
import dev.diskstore.ContentUnavailable;
import dev.diskstore.CorruptContentException;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.DiskStoreException;
import dev.diskstore.Disks;
import dev.diskstore.Maintenance;
import dev.diskstore.StorageException;
import dev.diskstore.StoreClosedException;
import dev.diskstore.StoreMismatchException;
import dev.diskstore.index.sqlite.SqliteIndexProvider;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.ContentParser;
import dev.diskstore.spi.ContentTypeDetector;
import dev.diskstore.spi.PublicUrlSigner;
import dev.diskstore.spi.index.ArtifactRow;
import dev.diskstore.spi.index.IndexContext;
import dev.diskstore.spi.index.IndexProvider;
import dev.diskstore.spi.index.Liveness;
import dev.diskstore.spi.index.MetadataIndex;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The store implementation behind {@link dev.diskstore.DiskStore}: wires the metadata index (the
 * configured {@link IndexProvider}'s, SQLite by default), the blob backend, the content parser and
 * the URL signer, and owns their lifecycle. The operations themselves live in {@link DiskOps},
 * {@link ArtifactOps}, {@link SearchOps} and {@link Housekeeping}; they reach the index only
 * through {@link MetadataIndex} (no SQL in this package).
 *
 * <p>Thread-safe. {@link #close()} is idempotent and releases everything the engine opened,
 * including streams handed out by {@code open} and not yet closed.
 */
public final class Engine implements AutoCloseable {
  static final System.Logger LOG = new LazyLogger("dev.diskstore");
  private static final SecureRandom RANDOM = new SecureRandom();

  final DiskStoreConfig config;
  final MetadataIndex index;
  final BlobBackend backend;
  final Liveness owners;
  final MetaCodec metaCodec;
  final ContentTypeDetector detector;
  final ContentParser parser;
  final String projectId;
  /** Keys this instance is writing right now; garbage collection leaves them alone. */
  final Set<String> inFlight = ConcurrentHashMap.newKeySet();

  private final byte[] urlSecret;
  private final DiskOps disks;
  private final SearchOps search;
  private final Housekeeping housekeeping;
  final TextIndexer textIndexer;
  private final Executor executor;
  private final @Nullable ExecutorService ownedExecutor;
  private final Set<TrackedStream> openStreams = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object signerLock = new Object();
  private volatile @Nullable PublicUrlSigner signer;
  private @Nullable UrlServer urlServer;

  private Engine(DiskStoreConfig config, MetadataIndex index, Liveness owners) {
    this.config = config;
    this.index = index;
    this.owners = owners;
    this.backend = config.backend();
    this.metaCodec = new MetaCodec(config.maxMetadataBytes());
    this.detector = config.contentTypeDetector().orElseGet(
        () -> discover(ContentTypeDetector.class, new BuiltinContentTypeDetector()));
    this.parser = config.contentParser().orElseGet(
        () -> discover(ContentParser.class, new BuiltinContentParser()));
    String[] identity = loadIdentity(config, index, owners.id());
    this.projectId = identity[0];
    this.urlSecret = HexFormat.of().parseHex(identity[1]);
    if (config.asyncExecutor().isPresent()) {
      this.executor = config.asyncExecutor().get();
      this.ownedExecutor = null;
    } else {
      int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
      AtomicInteger n = new AtomicInteger();
      ThreadPoolExecutor pool =
          new ThreadPoolExecutor(
              threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
              r -> {
                Thread t = new Thread(r, "diskstore-async-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      pool.allowCoreThreadTimeOut(true);
      this.executor = pool;
      this.ownedExecutor = pool;
    }
    ArtifactOps artifactOps = new ArtifactOps(this);
    this.disks = new DiskOps(this, artifactOps);
    this.search = new SearchOps(this, artifactOps);
    this.housekeeping = new Housekeeping(this);
    this.textIndexer = new TextIndexer(this, index.fullText());
  }

  /**
   * Opens the index (creating and migrating it as needed), registers this instance as a writer,
   * checks that the backend belongs to the index ({@link StoreIdentity}) and, if configured, starts
   * a garbage collection in the background. On failure everything opened so far, including the
   * configured backend, is closed.
   */
  /**
   * Refuses an index shared by instances on several hosts (a database server) over blobs that only
   * this host sees (a local directory not declared shared, memory): instances on other hosts would
   * find index rows whose bytes they cannot read, and their garbage collection would judge this
   * host's objects by listings that do not contain them.
   */
  private static void checkSharing(IndexProvider provider, BlobBackend backend) {
    if (provider.sharedAcrossHosts()
        && !backend.capabilities().contains(BlobBackend.Capability.SHARED_ACROSS_HOSTS)) {
      throw new dev.diskstore.InvalidRequestException(
          "the index " + provider + " is shared by instances on several hosts, but the blob"
              + " backend " + backend + " is seen by this host only: use a backend every host"
              + " reaches (S3 or another object store), or, for a directory that every host of"
              + " the store mounts (NFS, a cluster file system), open it with"
              + " LocalBlobBackend.onSharedFileSystem(path)");
    }
  }

  public static Engine open(DiskStoreConfig config) {
    MetadataIndex index = null;
    Engine engine = null;
    try {
      // sqlite-jdbc logs through SLF4J when slf4j-api (which Jetty brings) is present
      QuietSlf4j.quietSlf4jWithoutProvider();
      IndexProvider provider = config.index().orElse(SqliteIndexProvider.of());
      checkSharing(provider, config.backend());
      index =
          provider.open(
              new IndexContext(
                  config.findDirectory(), config.busyTimeout(), config.readConnections(),
                  config.durableCommits(), config.clock()));
      engine = new Engine(config, index, index.liveness());
      engine.checkStoreIdentity();
      engine.textIndexer.start();
      if (config.collectGarbageOnOpen()) {
        engine.housekeeping.startInBackground();
      } else {
        engine.housekeeping.noCollectionOnOpen();
      }
      return engine;
    } catch (RuntimeException | Error e) {
      if (engine != null) {
        try {
          engine.close();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      if (index != null) {
        index.close();
      }
      try {
        config.backend().close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * How long {@code open} waits for a backend that already carries this store's marker to confirm
   * it; after that the check goes on in the background and garbage collection waits for it.
   */
  static final Duration IDENTITY_WAIT = Duration.ofSeconds(3);

  /** The outcome of the store identity check (see {@link StoreIdentity}). */
  private volatile CompletableFuture<String> storeIdentity = new CompletableFuture<>();

  /**
   * Checks that the backend belongs to this index. A store whose marker still has to be written
   * (new, or an interrupted creation) waits for the backend: there is no store without it. An
   * established store waits at most {@link #IDENTITY_WAIT}, so that a slow or unreachable backend
   * does not block {@code open}; a mismatch found within that time fails {@code open}, one found
   * later (or a backend that could not be reached) keeps garbage collection from running until the
   * check succeeds.
   */
  private void checkStoreIdentity() {
    StoreIdentity.Recorded recorded = StoreIdentity.recorded(index);
    CompletableFuture<String> check = startIdentityCheck();
    if (recorded.needsMarkerWrite()) {
      requireStoreIdentity();
      return;
    }
    try {
      check.get(IDENTITY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.log(Level.INFO, "the backend did not confirm the store marker within "
          + IDENTITY_WAIT.toSeconds() + " s; checking in the background (" + backend + ")");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StoreMismatchException mismatch) {
        throw mismatch;
      }
      LOG.log(Level.WARNING, "could not check the store marker in the backend; garbage collection"
          + " waits until it can (" + backend + ")", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while checking the store marker", true, e);
    }
  }

  private CompletableFuture<String> startIdentityCheck() {
    CompletableFuture<String> check = new CompletableFuture<>();
    storeIdentity = check;
    String where = "store " + where(config, index) + " on " + backend;
    Thread thread =
        new Thread(
            () -> {
              try {
                check.complete(
                    StoreIdentity.establish(index, backend, config.adoptBackend(), where));
              } catch (Throwable t) {
                check.completeExceptionally(t);
              }
            },
            "diskstore-store-identity");
    thread.setDaemon(true);
    thread.start();
    return check;
  }

  /**
   * The store id once the backend confirmed it belongs to this index; waits for a check in progress
   * and repeats one that could not reach the backend.
   *
   * @throws StoreMismatchException if the backend belongs to another store
   */
  String requireStoreIdentity() {
    CompletableFuture<String> check = storeIdentity;
    if (check.isCompletedExceptionally()
        && !(check.handle((v, t) -> t).join() instanceof StoreMismatchException)) {
      check = startIdentityCheck();
    }
    try {
      return check.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new StorageException("the store marker check failed: " + e.getCause(), e.getCause());
    }
  }

  /**
   * Reads (or creates) the project id and URL secret, and registers this instance as a live writer
   * ({@link OwnerRegistry}), in one durable transaction: before any blob of this owner exists.
   */
  private static String[] loadIdentity(DiskStoreConfig config, MetadataIndex index, String owner) {
    long now = micros(config.clock().instant());
    // may run more than once (MetadataIndex#write): everything it makes is returned
    return index.write(
        true,
        c -> {
          c.owners().register(owner, now);
          String project = c.storeMeta("project_id").orElse(null);
          if (project == null) {
            project = config.projectId().orElse(UUID.randomUUID().toString());
            c.putStoreMeta("project_id", project);
          } else if (config.projectId().isPresent() && !config.projectId().get().equals(project)) {
            throw new DiskStoreException(
                "the store at " + where(config, index) + " belongs to project " + project
                    + ", but the configuration asks for project " + config.projectId().get());
          }
          String secret = c.storeMeta("url_secret").orElse(null);
          if (secret == null) {
            byte[] bytes = new byte[32];
            RANDOM.nextBytes(bytes);
            secret = HexFormat.of().formatHex(bytes);
            c.putStoreMeta("url_secret", secret);
          }
          return new String[] {project, secret};
        });
  }

  /** The store's directory if it has one, else the index's description: for messages. */
  private static String where(DiskStoreConfig config, MetadataIndex index) {
    return config.findDirectory().map(String::valueOf).orElseGet(index::describe);
  }

  /**
   * The first implementation registered with {@link ServiceLoader}, else {@code fallback}. A
   * provider that fails to load is logged and skipped, never fatal.
   */
  private static <T> T discover(Class<T> type, T fallback) {
    Iterator<T> it = ServiceLoader.load(type, Engine.class.getClassLoader()).iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          return fallback;
        }
        return it.next();
      } catch (ServiceConfigurationError e) {
        LOG.log(Level.WARNING, "skipping a " + type.getSimpleName() + " that failed to load", e);
      }
    }
  }

  public String projectId() {
    checkOpen();
    return projectId;
  }

  public void ping() {
    checkOpen();
    index.read(c -> c.storeMeta("project_id"));
    backend.stat("ping/probe");
  }

  public Disks disks() {
    checkOpen();
    return disks;
  }

  public dev.diskstore.Search search() {
    checkOpen();
    return search;
  }

  public Maintenance maintenance() {
    checkOpen();
    return housekeeping;
  }

  public Executor defaultExecutor() {
    return executor;
  }

  /** @throws StoreClosedException once {@link #close()} was called */
  public void checkOpen() {
    if (closed.get()) {
      throw new StoreClosedException();
    }
  }

  /** The artifacts' history (for garbage collection's retention pass). */
  VersionOps versionOps() {
    return disks.artifactOps().versionOps();
  }

  /** The current time, truncated to what the index stores (microseconds). */
  Instant now() {
    return config.clock().instant().truncatedTo(ChronoUnit.MICROS);
  }

  static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  static Instant instant(long micros) {
    return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }

  /**
   * A fresh blob key, {@code <2 hex>/<owner id>-<16 hex>}: one level of 256 shard directories
   * (local backend: a new directory, and the fsync of its parent, at most 256 times per process
   * instead of once per upsert in a young store), and the id of the owner writing it, so that
   * garbage collection can tell an object of a live writer from one a crashed writer left without
   * any index row being written before the bytes (see {@link Housekeeping}). The shard advances
   * every {@value #KEYS_PER_SHARD_RUN} keys rather than at random, so that concurrent writers
   * mostly write into the same directory at a time and the local backend's directory fsyncs
   * serve them together; over time the blobs still spread over all 256 directories.
   */
  String newBlobKey() {
    long n = keySequence.getAndIncrement();
    String shard = HexFormat.of().toHexDigits((byte) (n / KEYS_PER_SHARD_RUN));
    return shard + "/" + owners.id() + "-" + randomHex(8);
  }

  private static final int KEYS_PER_SHARD_RUN = 16;
  private final java.util.concurrent.atomic.AtomicLong keySequence =
      new java.util.concurrent.atomic.AtomicLong(RANDOM.nextInt(256 * KEYS_PER_SHARD_RUN));

  /** The owner id inside a key made by {@link #newBlobKey()}, or null for any other key. */
  static @Nullable String ownerOf(String key) {
    // <2 hex>/<32 hex>-<16 hex>; parsed by hand: garbage collection asks for every listed key
    if (key.length() != 52 || key.charAt(2) != '/' || key.charAt(35) != '-') {
      return null;
    }
    for (int i = 0; i < 52; i++) {
      if (i == 2 || i == 35) {
        continue;
      }
      char c = key.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return null;
      }
    }
    return key.substring(3, 35);
  }

  /** Whether {@link #close()} was called. */
  boolean isClosed() {
    return closed.get();
  }

  /**
   * Deletes, on a background thread, the object of a write that will not commit: never on the
   * caller's time (a backend that hangs would make a failed write wait twice). Best effort: what is
   * dropped (a full queue, a failure, the store closing) is left to garbage collection, which
   * finds the object by its key's owner.
   */
  void cleanUpLater(String key) {
    synchronized (cleanups) {
      cleanups[0]++;
    }
    try {
      cleaner.execute(
          () -> {
            try {
              backend.deleteIncomplete(key);
              backend.delete(key);
            } catch (RuntimeException e) {
              LOG.log(Level.DEBUG, "cleanup of abandoned blob " + key
                  + " failed; garbage collection removes it", e);
            } finally {
              cleanupDone();
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      cleanupDone(); // queue full or closing: garbage collection removes it
    }
  }

  /** Cleanups queued or running; guarded by itself. */
  private final long[] cleanups = new long[1];

  private void cleanupDone() {
    synchronized (cleanups) {
      cleanups[0]--;
      cleanups.notifyAll();
    }
  }

  /**
   * Waits until the cleanups queued so far have run, so that maintenance reports what is left
   * rather than what is about to go. Returns early if interrupted or closed.
   */
  void awaitCleanups() {
    synchronized (cleanups) {
      while (cleanups[0] > 0 && !closed.get()) {
        try {
          cleanups.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private final ThreadPoolExecutor cleaner = newCleaner();

  private static ThreadPoolExecutor newCleaner() {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            1, 1, 10, TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(1024),
            r -> {
              Thread t = new Thread(r, "diskstore-cleanup");
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** The signer for download URLs: configured, else the backend's, else the built-in server. */
  PublicUrlSigner signer() {
    PublicUrlSigner s = signer;
    if (s != null) {
      return s;
    }
    synchronized (signerLock) {
      checkOpen();
      if (signer == null) {
        if (config.publicUrlSigner().isPresent()) {
          signer = config.publicUrlSigner().get();
        } else if (backend.publicUrlSigner().isPresent()) {
          signer = backend.publicUrlSigner().get();
        } else {
          urlServer =
              new UrlServer(
                  config.urlServerAddress(), config.urlServerPort(), urlSecret, config.clock(),
                  new UrlResolver() {
                    @Override
                    public java.util.Optional<Served> resolve(String diskId, String path, String filename) {
                      return disks.artifactOps().resolveForUrl(
                          diskId, path, filename, java.util.OptionalLong.empty());
                    }

                    @Override
                    public java.util.Optional<Served> resolve(String diskId, String path, String filename,
                        java.util.OptionalLong version) {
                      return disks.artifactOps().resolveForUrl(diskId, path, filename, version);
                    }
                  });
          signer = urlServer;
        }
      }
      return signer;
    }
  }

  /**
   * The parse result for an artifact's content: from the cache when the parser is cacheable and
   * the same bytes were parsed before, else parsed now (and cached).
   */
  ContentParser.Result content(ArtifactRow row) {
    return content(row.diskId(), row.path(), row.sha256(), row.filename(), row.contentType(),
        row.size(), row.blobKey());
  }

  /**
   * @throws dev.diskstore.CorruptContentException when the parser read damaged bytes (whatever the
   *     parser itself made of the exception its stream threw); nothing is cached then
   */
  private ContentParser.Result content(
      String diskId, String path, String sha256, String filename, String contentType, long size,
      String key) {
    int maxChars = config.maxContentChars();
    boolean cacheable = parser.isCacheable();
    String parserId = parser.id();
    if (cacheable) {
      ContentParser.Result cached =
          index.read(c -> c.blobs().extractedContent(sha256, contentType, parserId, maxChars))
              .orElse(null);
      if (cached != null) {
        return cached;
      }
    }
    // Every stream the parser opens is checked against the recorded size and hash; the first
    // damage found is kept, so that a parser that catches the exception cannot hide it.
    AtomicReference<CorruptContentException> damage =
        new AtomicReference<>();
    CheckedBlobStream.Corruption corruption =
        problem -> {
          var e = new CorruptContentException(diskId, path, filename, key, problem, null);
          damage.compareAndSet(null, e);
          return e;
        };
    ContentParser.Request request =
        new ContentParser.Request(
            filename, contentType, size, maxChars,
            () -> CheckedBlobStream.whole(
                backend.open(key, dev.diskstore.ByteRange.from(0)), size, sha256, corruption));
    ContentParser.Result result;
    try {
      result = parser.parse(request);
    } catch (DiskStoreException e) {
      if (damage.get() != null) {
        throw damage.get();
      }
      throw e;
    } catch (RuntimeException e) {
      if (damage.get() != null) {
        throw damage.get();
      }
      // A parser bug must not fail a get: report the file as unparseable.
      LOG.log(Level.WARNING, "content parser " + parserId + " failed on " + filename, e);
      result = new ContentParser.Unavailable(ContentUnavailable.CORRUPT, "parser failed: " + e);
    }
    if (damage.get() != null) {
      throw damage.get();
    }
    boolean transientFailure =
        result instanceof ContentParser.Unavailable u && u.reason() == ContentUnavailable.TIMEOUT;
    if (cacheable && !transientFailure) {
      // A timeout may be the machine's load, not the file's fault: try again next time.
      ContentParser.Result toStore = result;
      try {
        long nowMicros = micros(now());
        boolean document =
            toStore instanceof ContentParser.Parsed
                && BuiltinContentParser.kindOf(filename, contentType) == null;
        index.write(
            false,
            c -> {
              boolean stored =
                  c.blobs().putExtractedContent(
                      sha256, contentType, parserId, maxChars, toStore, nowMicros);
              if (stored && document) {
                // a document's text becomes searchable once extracted
                c.text().enqueueBlob(sha256, contentType);
              }
              return null;
            });
        textIndexer.wake();
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "could not cache extracted content of " + filename, e);
      }
    }
    return result;
  }

  /** Extracts and caches an artifact's content after an upsert; never fails the upsert. */
  void extractQuietly(dev.diskstore.Artifact artifact) {
    try {
      String key = index.read(c -> c.blobs().keyOf(artifact.sha256())).orElse(null);
      if (key != null) {
        content(artifact.diskId(), artifact.path(), artifact.sha256(), artifact.filename(),
            artifact.contentType(), artifact.sizeBytes(), key);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "extraction on upsert failed for " + artifact.filename(), e);
    }
  }

  /** Registers a stream handed to a caller, so that {@link #close()} can close it. */
  InputStream track(InputStream in) {
    TrackedStream tracked = new TrackedStream(in);
    openStreams.add(tracked);
    if (closed.get()) {
      tracked.closeQuietly();
      throw new StoreClosedException();
    }
    return tracked;
  }

  /** Deletes objects whose index rows moved to the garbage table in a committed transaction. */
  void deleteGarbage(List<String> keys) {
    if (keys.isEmpty()) {
      return;
    }
    List<String> deleted = new ArrayList<>(keys.size());
    for (String key : keys) {
      try {
        backend.delete(key);
        deleted.add(key);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "could not delete blob " + key + "; garbage collection retries", e);
      }
    }
    if (deleted.isEmpty()) {
      return;
    }
    try {
      index.write(
          false,
          c -> {
            c.garbage().remove(deleted);
            return null;
          });
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "could not clear garbage rows; garbage collection retries", e);
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (TrackedStream s : List.copyOf(openStreams)) {
      s.closeQuietly();
    }
    List<Runnable> steps = new ArrayList<>();
    synchronized (signerLock) {
      UrlServer server = urlServer;
      if (server != null) {
        steps.add(server::close);
      }
    }
    if (ownedExecutor != null) {
      steps.add(ownedExecutor::shutdown);
    }
    steps.add(housekeeping::stopBackground);
    steps.add(cleaner::shutdownNow);
    steps.add(textIndexer::close);
    // From here on no commit of this instance can succeed (the commit fence, ArtifactOps).
    // Best effort: if the index cannot be written (a full disk), another instance's collection
    // finds this owner's lock released below and declares it dead itself.
    steps.add(() -> {
      try {
        long now = micros(config.clock().instant());
        index.write(false, c -> {
          c.owners().declareDead(List.of(owners.id()), now);
          return null;
        });
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "could not record this instance's end in the index", e);
      }
    });
    steps.add(index::close); // and with it the liveness of this instance's owner
    steps.add(backend::close);
    RuntimeException failure = null;
    for (Runnable step : steps) {
      try {
        step.run();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return index.describe() + ", backend " + backend;
  }

  private final class TrackedStream extends FilterInputStream {
    private final AtomicBoolean done = new AtomicBoolean();

    TrackedStream(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return in.read(b, off, len);
    }

    @Override
    public byte[] readAllBytes() throws IOException {
      return in.readAllBytes();
    }

    @Override
    public void close() throws IOException {
      if (done.compareAndSet(false, true)) {
        openStreams.remove(this);
        in.close();
      }
    }

    void closeQuietly() {
      try {
        close();
      } catch (IOException ignored) {
        // closing on behalf of a caller that forgot to
      }
    }
  }
}
