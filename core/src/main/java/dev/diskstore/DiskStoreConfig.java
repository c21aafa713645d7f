package dev.diskstore;

import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.ContentParser;
import dev.diskstore.spi.ContentTypeDetector;
import dev.diskstore.spi.PublicUrlSigner;
import dev.diskstore.spi.index.IndexProvider;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Immutable configuration of a {@link DiskStore}. Build with {@link #builder()}; only
 * {@link Builder#backend(BlobBackend)} is required, and {@link Builder#directory(Path)} unless
 * {@link Builder#index(IndexProvider)} names an index that needs none.
 *
 * <pre>{@code
 * DiskStoreConfig config = DiskStoreConfig.builder()
 *     .directory(Path.of("data"))                        // holds index.db (SQLite)
 *     .backend(LocalBlobBackend.at(Path.of("data/blobs")))
 *     .maxUploadBytes(512L << 20)
 *     .build();
 * }</pre>
 *
 * <p>The store takes ownership of the backend and closes it; it does not close a caller-supplied
 * executor.
 */
public final class DiskStoreConfig {
  /** Default limit of the JSON-encoded user metadata of one artifact: 64 KiB. */
  public static final int DEFAULT_MAX_METADATA_BYTES = 64 * 1024;
  /** Default limit of characters returned as parsed content: 1 Mi characters. */
  public static final int DEFAULT_MAX_CONTENT_CHARS = 1024 * 1024;

  private final @Nullable Path directory;
  private final @Nullable IndexProvider index;
  private final BlobBackend backend;
  private final @Nullable String projectId;
  private final @Nullable ContentParser contentParser;
  private final @Nullable ContentTypeDetector contentTypeDetector;
  private final @Nullable PublicUrlSigner publicUrlSigner;
  private final InetAddress urlServerAddress;
  private final int urlServerPort;
  private final int maxMetadataBytes;
  private final long maxUploadBytes;
  private final int maxContentChars;
  private final Clock clock;
  private final @Nullable Executor asyncExecutor;
  private final boolean collectGarbageOnOpen;
  private final Duration busyTimeout;
  private final int readConnections;
  private final boolean extractContentOnUpsert;
  private final boolean durableCommits;
  private final boolean adoptBackend;
  private final History history;

  private DiskStoreConfig(Builder b) {
    if (b.index == null) {
      // the default index, SQLite, lives in the directory
      Objects.requireNonNull(b.directory, "directory is required");
    }
    this.directory = b.directory;
    this.index = b.index;
    this.backend = Objects.requireNonNull(b.backend, "backend is required");
    this.projectId = b.projectId;
    this.contentParser = b.contentParser;
    this.contentTypeDetector = b.contentTypeDetector;
    this.publicUrlSigner = b.publicUrlSigner;
    this.urlServerAddress = b.urlServerAddress;
    this.urlServerPort = b.urlServerPort;
    this.maxMetadataBytes = b.maxMetadataBytes;
    this.maxUploadBytes = b.maxUploadBytes;
    this.maxContentChars = b.maxContentChars;
    this.clock = b.clock;
    this.asyncExecutor = b.asyncExecutor;
    this.collectGarbageOnOpen = b.collectGarbageOnOpen;
    this.busyTimeout = b.busyTimeout;
    this.readConnections = b.readConnections;
    this.extractContentOnUpsert = b.extractContentOnUpsert;
    this.durableCommits = b.durableCommits;
    this.adoptBackend = b.adoptBackend;
    this.history = b.history;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.directory = directory;
    b.index = index;
    b.backend = backend;
    b.projectId = projectId;
    b.contentParser = contentParser;
    b.contentTypeDetector = contentTypeDetector;
    b.publicUrlSigner = publicUrlSigner;
    b.urlServerAddress = urlServerAddress;
    b.urlServerPort = urlServerPort;
    b.maxMetadataBytes = maxMetadataBytes;
    b.maxUploadBytes = maxUploadBytes;
    b.maxContentChars = maxContentChars;
    b.clock = clock;
    b.asyncExecutor = asyncExecutor;
    b.collectGarbageOnOpen = collectGarbageOnOpen;
    b.busyTimeout = busyTimeout;
    b.readConnections = readConnections;
    b.extractContentOnUpsert = extractContentOnUpsert;
    b.durableCommits = durableCommits;
    b.adoptBackend = adoptBackend;
    b.history = history;
    return b;
  }

  /**
   * The directory holding the SQLite index ({@code index.db}) and the store's lock files.
   *
   * @throws IllegalStateException if no directory was configured (possible only with an {@link
   *     #index()} that needs none; {@link #findDirectory()} does not throw)
   */
  public Path directory() {
    if (directory == null) {
      throw new IllegalStateException("no directory configured (the index is " + index + ")");
    }
    return directory;
  }

  /** The store's directory, if one was configured. */
  public Optional<Path> findDirectory() {
    return Optional.ofNullable(directory);
  }

  /**
   * The metadata index, if one other than the default was configured; empty means the embedded
   * SQLite index in {@link #directory()}.
   */
  public Optional<IndexProvider> index() {
    return Optional.ofNullable(index);
  }

  public BlobBackend backend() {
    return backend;
  }

  /** The project id to use; empty means the one kept in the store (generated on first open). */
  public Optional<String> projectId() {
    return Optional.ofNullable(projectId);
  }

  public Optional<ContentParser> contentParser() {
    return Optional.ofNullable(contentParser);
  }

  public Optional<ContentTypeDetector> contentTypeDetector() {
    return Optional.ofNullable(contentTypeDetector);
  }

  public Optional<PublicUrlSigner> publicUrlSigner() {
    return Optional.ofNullable(publicUrlSigner);
  }

  public InetAddress urlServerAddress() {
    return urlServerAddress;
  }

  public int urlServerPort() {
    return urlServerPort;
  }

  public int maxMetadataBytes() {
    return maxMetadataBytes;
  }

  public long maxUploadBytes() {
    return maxUploadBytes;
  }

  public int maxContentChars() {
    return maxContentChars;
  }

  public Clock clock() {
    return clock;
  }

  public Optional<Executor> asyncExecutor() {
    return Optional.ofNullable(asyncExecutor);
  }

  public boolean collectGarbageOnOpen() {
    return collectGarbageOnOpen;
  }

  public Duration busyTimeout() {
    return busyTimeout;
  }

  public int readConnections() {
    return readConnections;
  }

  public boolean extractContentOnUpsert() {
    return extractContentOnUpsert;
  }

  public boolean durableCommits() {
    return durableCommits;
  }

  /** Which versions of each artifact are kept ({@link History}; default {@link History#DEFAULT}). */
  public History history() {
    return history;
  }

  /** See {@link Builder#adoptBackend(boolean)}. */
  public boolean adoptBackend() {
    return adoptBackend;
  }

  /** Builder for {@link DiskStoreConfig}; not thread-safe. */
  public static final class Builder {
    private @Nullable Path directory;
    private @Nullable IndexProvider index;
    private @Nullable BlobBackend backend;
    private @Nullable String projectId;
    private @Nullable ContentParser contentParser;
    private @Nullable ContentTypeDetector contentTypeDetector;
    private @Nullable PublicUrlSigner publicUrlSigner;
    private InetAddress urlServerAddress = InetAddress.getLoopbackAddress();
    private int urlServerPort;
    private int maxMetadataBytes = DEFAULT_MAX_METADATA_BYTES;
    private long maxUploadBytes = Long.MAX_VALUE;
    private int maxContentChars = DEFAULT_MAX_CONTENT_CHARS;
    private Clock clock = Clock.systemUTC();
    private @Nullable Executor asyncExecutor;
    private boolean collectGarbageOnOpen = true;
    private boolean adoptBackend;
    private Duration busyTimeout = Duration.ofSeconds(30);
    private int readConnections = 4;
    private boolean extractContentOnUpsert;
    private boolean durableCommits = true;
    private History history = History.DEFAULT;

    private Builder() {}

    /**
     * The store's local directory, created if missing: the default SQLite index lives there.
     * Required unless {@link #index(IndexProvider)} names an index that needs none.
     */
    public Builder directory(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /**
     * The metadata index (for example a database shared by several hosts). Optional: by default
     * the store uses the embedded SQLite index in {@link #directory(Path)}. The store closes the
     * index it opens.
     */
    public Builder index(IndexProvider index) {
      this.index = Objects.requireNonNull(index, "index");
      return this;
    }

    /** Required: where the bytes go. The store closes it. */
    public Builder backend(BlobBackend backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
      return this;
    }

    /**
     * Fixes the project id. On first open it is stored; on later opens it must match the stored
     * one.
     */
    public Builder projectId(@Nullable String projectId) {
      this.projectId = projectId;
      return this;
    }

    /**
     * The parser behind {@code withContent}. Default: the first {@link ContentParser} found by
     * {@link java.util.ServiceLoader} (the content-parsers module registers one), else the built-in
     * text/JSON/CSV/code parser.
     */
    public Builder contentParser(@Nullable ContentParser contentParser) {
      this.contentParser = contentParser;
      return this;
    }

    /** The media-type detector. Default: discovered like the parser, else the built-in one. */
    public Builder contentTypeDetector(@Nullable ContentTypeDetector contentTypeDetector) {
      this.contentTypeDetector = contentTypeDetector;
      return this;
    }

    /**
     * Signs download URLs. Default: the backend's own signer if it has one, else the built-in
     * loopback HTTP server.
     */
    public Builder publicUrlSigner(@Nullable PublicUrlSigner publicUrlSigner) {
      this.publicUrlSigner = publicUrlSigner;
      return this;
    }

    /** Address the built-in URL server binds to. Default: loopback only. */
    public Builder urlServerAddress(InetAddress address) {
      this.urlServerAddress = Objects.requireNonNull(address, "address");
      return this;
    }

    /** Port of the built-in URL server; 0 (default) picks a free one. */
    public Builder urlServerPort(int port) {
      if (port < 0 || port > 65535) {
        throw new InvalidRequestException("urlServerPort must be 0-65535, was " + port);
      }
      this.urlServerPort = port;
      return this;
    }

    /** Largest JSON-encoded user metadata per artifact, in UTF-8 bytes. */
    public Builder maxMetadataBytes(int maxMetadataBytes) {
      if (maxMetadataBytes < 2) {
        throw new InvalidRequestException("maxMetadataBytes must be >= 2, was " + maxMetadataBytes);
      }
      this.maxMetadataBytes = maxMetadataBytes;
      return this;
    }

    /** Largest upload in bytes; larger uploads fail before anything is committed. Default: none. */
    public Builder maxUploadBytes(long maxUploadBytes) {
      if (maxUploadBytes < 0) {
        throw new InvalidRequestException("maxUploadBytes must be >= 0, was " + maxUploadBytes);
      }
      this.maxUploadBytes = maxUploadBytes;
      return this;
    }

    /** Most characters of parsed content returned by {@code withContent}. */
    public Builder maxContentChars(int maxContentChars) {
      if (maxContentChars < 0) {
        throw new InvalidRequestException("maxContentChars must be >= 0, was " + maxContentChars);
      }
      this.maxContentChars = maxContentChars;
      return this;
    }

    /** The clock for timestamps and URL expiry. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Default executor of {@link DiskStore#async()}. Default: a store-owned pool of daemon threads,
     * shut down by {@link DiskStore#close()}. A supplied executor is not shut down.
     */
    public Builder asyncExecutor(@Nullable Executor executor) {
      this.asyncExecutor = executor;
      return this;
    }

    /**
     * Whether opening the store starts {@link Maintenance#collectGarbage()} in the background (on a
     * daemon thread, so that a slow or unreachable backend never delays {@code open}; the first
     * {@code maintenance()} call waits for it). Default: true.
     */
    public Builder collectGarbageOnOpen(boolean collect) {
      this.collectGarbageOnOpen = collect;
      return this;
    }

    /** How long a write waits for another process's write lock before failing. Default 30 s. */
    public Builder busyTimeout(Duration busyTimeout) {
      this.busyTimeout = Objects.requireNonNull(busyTimeout, "busyTimeout");
      return this;
    }

    /** Size of the pool of read-only SQLite connections. Default 4. */
    public Builder readConnections(int readConnections) {
      if (readConnections < 1 || readConnections > 64) {
        throw new InvalidRequestException("readConnections must be 1-64, was " + readConnections);
      }
      this.readConnections = readConnections;
      return this;
    }

    /**
     * Whether an upsert also extracts and caches the content, so that the first
     * {@code get(withContent)} is cheap (and search can index it). Only parsers that cache
     * (the Tika parser) are run; failures never fail the upsert. Default: false (extract lazily on
     * the first request).
     */
    public Builder extractContentOnUpsert(boolean extract) {
      this.extractContentOnUpsert = extract;
      return this;
    }

    /**
     * Whether a write returns only once its index commit is on disk (SQLite {@code
     * synchronous=FULL}: one fsync of the index's log per commit, shared by concurrent writers).
     * Default: true.
     *
     * <p>{@code false} commits with {@code synchronous=NORMAL}: a crash of the process loses
     * nothing, but a power loss or an operating-system crash may lose the last writes that had
     * returned (the index rolls back to an earlier, consistent state; the bytes of lost writes
     * become garbage that {@link Maintenance#collectGarbage()} removes). Bytes are still made
     * durable before the index refers to them, so the index never points at missing or partial
     * bytes. Saves about one fsync per write: worth it where the latest writes can be redone, for
     * example an agent's scratch files or a cache.
     */
    public Builder durableCommits(boolean durable) {
      this.durableCommits = durable;
      return this;
    }

    /**
     * Recovery only: claim the backend for this index even when it holds another store's marker,
     * objects without a marker while the index is new, or no marker while the index says it wrote
     * one ({@link StoreMismatchException} otherwise). The backend's marker is replaced by this
     * store's. Nothing is deleted: objects no writer of this store made are never read and never
     * deleted automatically ({@link GcOptions#deletingUnknownObjects()} deletes them when asked).
     * Use it once, after reading the exception's message, then drop it. Default: false.
     */
    public Builder adoptBackend(boolean adopt) {
      this.adoptBackend = adopt;
      return this;
    }

    /**
     * Which versions of each artifact are kept: {@link History#DEFAULT} (the last 10, for 30 days;
     * the reasons are in {@link History}), {@link History#off()}, {@link History#keepLast}, {@link
     * History#keepFor}, {@link History#keep} or {@link History#unlimited()}. Instances sharing a
     * store should agree: each records versions by its own policy, and each garbage collection
     * applies the policy of the instance that runs it.
     */
    public Builder history(History history) {
      this.history = Objects.requireNonNull(history, "history");
      return this;
    }

    public DiskStoreConfig build() {
      return new DiskStoreConfig(this);
    }
  }
}
