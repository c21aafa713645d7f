package dev.diskstore.spi.index;

import dev.diskstore.spi.ContentParser;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The row operations of one index transaction, grouped by what they are about. Obtained only as the
 * argument of {@link IndexWork}; valid during that call, on that thread.
 *
 * <p>Operations do what their names say and check nothing of the domain: preconditions, "disk not
 * found" and path rules are the core's. In a {@link MetadataIndex#read} transaction only the
 * reading operations may be called.
 */
public interface IndexSession {

  ArtifactRows artifacts();

  VersionRows versions();

  BlobRows blobs();

  GarbageRows garbage();

  DiskRows disks();

  Owners owners();

  TextRows text();

  Maintenance maintenance();

  /** A value of the store's own settings (project id, URL secret, store identity...), if set. */
  Optional<String> storeMeta(String key);

  /** Sets a value of the store's own settings. */
  void putStoreMeta(String key, String value);

  /** Artifact rows and the directory counts that go with them. */
  interface ArtifactRows {
    /** The row of an artifact, joined with its blob key. */
    Optional<ArtifactRow> find(String diskId, String path, String filename);

    /** Inserts a row (its {@code id} is ignored) with its checksum; returns the generated id. */
    long insert(ArtifactRow row, long rowCheck);

    /** Overwrites every field of the row with id {@code row.id()} (not its blob key). */
    void update(ArtifactRow row, long rowCheck);

    /** Deletes a row. */
    void delete(long id);

    /** How many artifacts of a disk use each blob (by SHA-256). */
    Map<String, Integer> blobUses(String diskId);

    /**
     * Records that each directory contains one more artifact ({@link DirectoryRow#artifactCount()}
     * ignored), creating the directories that had none. Called in the transaction that inserted or
     * moved the artifact row, after that change.
     */
    void addToDirectories(String diskId, List<DirectoryRow> directories);

    /**
     * Records that each directory contains one artifact less; a directory left with none goes.
     * Called in the transaction that deleted or moved the artifact row, after that change, so an
     * index may keep directories as existence rows and decide emptiness from the artifact rows
     * (the PostgreSQL index does: counters would be rows every writer of a tree writes).
     */
    void removeFromDirectories(String diskId, List<String> paths);

    /** Names of the sub-directories of {@code parent}, after {@code afterName}, in name order. */
    List<String> childDirectories(String diskId, String parent, String afterName, long limit);

    /**
     * Rows of the directory {@code path}, with filenames after {@code afterFilename}, in order. A
     * listing never opens the bytes, so an index may leave {@link ArtifactRow#blobKey()} empty in
     * these rows (the SQLite index does: the blob rows would cost a page read per row).
     */
    List<ArtifactRow> inDirectory(String diskId, String path, String afterFilename, long limit);

    /**
     * Visits rows of a disk whose path is in {@code [fromPath, toPath)}, in path and filename
     * order, after {@code (afterPath, afterFilename)} when given; stops when the visitor says so.
     */
    void scan(String diskId, String fromPath, String toPath, @Nullable String afterPath,
        @Nullable String afterFilename, RowVisitor visitor);

    /**
     * One page of a compiled metadata query: at most {@code limit} rows after the position {@code
     * after} (sort-key values from an earlier {@link QueryPage#lastKey()}; null for the start).
     *
     * @throws dev.diskstore.InvalidCursorException if {@code after} is not a position of the query
     */
    QueryPage query(CompiledQuery query, @Nullable List<String> after, int limit);
  }

  /**
   * The artifacts' history: one {@link VersionRow} per change of an artifact, keyed by {@code
   * (diskId, path, filename, version)}. A version with content counts one reference to its blob;
   * the core keeps the counts. Deleting a disk deletes its versions ({@link DiskRows#delete}).
   */
  interface VersionRows {
    /** The highest version number recorded for the artifact, if any. */
    java.util.OptionalLong newest(String diskId, String path, String filename);

    /**
     * Inserts a version row. Fails (with the index's unique-key violation, or a serialization
     * failure that makes the transaction retry) if the version exists.
     */
    void insert(VersionRow row);

    /** One version of the artifact, joined with its blob key. */
    Optional<VersionRow> find(String diskId, String path, String filename, long version);

    /** The artifact's versions numbered below {@code beforeVersion}, newest first, at most limit. */
    List<VersionRow> page(
        String diskId, String path, String filename, long beforeVersion, int limit);

    /**
     * Deletes the artifact's versions numbered below {@code beforeVersion} and returns them (their
     * blob references are the caller's to release).
     */
    List<VersionRow> deleteBefore(String diskId, String path, String filename, long beforeVersion);

    /**
     * Up to {@code limit} versions, any, that a retention policy no longer keeps: with {@code
     * keepLast} 0, every version; otherwise versions that are not their artifact's newest and are
     * numbered at or below the newest minus {@code keepLast}, or were changed before {@code
     * changedBefore} (microseconds; {@link Long#MIN_VALUE} for no age limit).
     */
    List<VersionRow> expired(int keepLast, long changedBefore, int limit);

    /** Deletes one version row; returns whether it existed. */
    boolean delete(String diskId, String path, String filename, long version);

    /** How many versions of a disk use each blob (by SHA-256). */
    Map<String, Integer> blobUses(String diskId);
  }

  /** Visits rows of a scan. */
  @FunctionalInterface
  interface RowVisitor {
    /** Returns whether to continue. */
    boolean visit(ArtifactRow row);
  }

  /** Blob rows, their references and cached parse results (which go with the blob row). */
  interface BlobRows {
    /** The key of the blob with these bytes. */
    Optional<String> keyOf(String sha256);

    /** Records a new blob with one reference. */
    void insert(String sha256, String key, long size, long nowMicros);

    /** Adds one reference to an existing blob. */
    void addReference(String sha256);

    /**
     * Drops {@code count} references; when none remain the blob row (and its cached parse
     * results) goes and its key moves to the garbage, and the key is returned.
     */
    Optional<String> release(String sha256, int count, long nowMicros);

    /** Whether any blob row exists. */
    boolean any();

    /** Up to {@code limit} blob keys, any. */
    List<String> someKeys(int limit);

    /** Every blob row. */
    List<BlobRow> all();

    /** A cached parse result of these bytes by this parser at this limit. */
    Optional<ContentParser.Result> extractedContent(
        String sha256, String contentType, String parserId, int maxChars);

    /**
     * Caches a parse result, unless the blob is gone. Returns whether it was stored.
     */
    boolean putExtractedContent(String sha256, String contentType, String parserId, int maxChars,
        ContentParser.Result result, long nowMicros);
  }

  /**
   * Keys whose objects are to be deleted, and what garbage collection asks about keys. A key is in
   * at most one of the blob rows, the garbage and the legacy pending writes.
   */
  interface GarbageRows {
    /** Adds a key to the garbage; idempotent. */
    void add(String key, long nowMicros);

    /** Every key in the garbage. */
    Set<String> keys();

    /** Forgets garbage keys whose objects were deleted. */
    void remove(Collection<String> keys);

    /**
     * Keys of unfinished writes recorded by stores of schema 2 and older, with their owners; an
     * index that never had them returns an empty map.
     */
    Map<String, String> legacyPendingWrites();

    /** Forgets legacy pending writes whose objects were deleted. */
    void removeLegacyPendingWrites(Collection<String> keys);

    /** The keys among {@code keys} that a blob row, the garbage or a pending write accounts for. */
    Set<String> accountedFor(Collection<String> keys);
  }

  /** Disk rows. Deleting a disk deletes its artifact rows and directories with it. */
  interface DiskRows {
    void insert(DiskRow disk);

    Optional<DiskRow> find(String diskId);

    boolean exists(String diskId);

    /**
     * Disks in {@code (createdAt, id)} order (descending when {@code descending}), of one user when
     * given, of one project when given, after {@code (afterCreatedAt, afterId)} when {@code afterId}
     * is given.
     */
    List<DiskRow> page(@Nullable String user, @Nullable String project, boolean descending,
        long afterCreatedAt,
        @Nullable String afterId, int limit);

    /**
     * Deletes the disk with its artifact rows, versions and directories (not its blobs'
     * references).
     */
    void delete(String diskId);
  }

  /** The store instances (owners) that write to the store; see {@link OwnerState}. */
  interface Owners {
    /** Registers a new owner as alive. */
    void register(String ownerId, long nowMicros);

    /**
     * The owner's state, read by the commit fence inside a write transaction: the read must order
     * this transaction against any {@link #declareDead} of the same owner, so that either the
     * declaration commits first and this read sees it, or the declaration commits after this
     * transaction (and a read that starts after the declaration sees this transaction's writes).
     * An index whose write transactions are not fully serialised against each other and against
     * later reads (PostgreSQL's serializable isolation orders writers, not a later read-only
     * snapshot) must lock the row for this, e.g. {@code SELECT ... FOR SHARE}.
     */
    Optional<OwnerState> state(String ownerId);

    /** The known owners among {@code ownerIds}, with their states. */
    Map<String, OwnerState> states(Collection<String> ownerIds);

    /** Marks the owners dead (those alive); idempotent. */
    void declareDead(Collection<String> ownerIds, long nowMicros);

    /** Forgets dead owners not in {@code named}; returns how many. */
    int pruneDead(Set<String> named);
  }

  /** The full-text queue, and full-text search (see {@link FullTextIndex} for the documents). */
  interface TextRows {
    /** Queues an artifact whose document must be brought up to date (written, moved or gone). */
    void enqueue(long artifactId);

    /** Queues every artifact of a disk (before the disk goes). */
    void enqueueDisk(String diskId);

    /** Queues every artifact with these bytes and content type (their text was extracted). */
    void enqueueBlob(String sha256, String contentType);

    /**
     * The artifacts of a disk whose documents contain every term (a word or a phrase), best first,
     * at most {@code limit}. Sees the documents as of the last batch the index applied.
     */
    List<TextHitRow> search(String diskId, List<String> terms, int limit);
  }

  /** Scans for verification. */
  interface Maintenance {
    /** Visits every artifact row as stored. */
    void scanArtifacts(java.util.function.Consumer<StoredArtifact> visitor);

    /** Every directory row. */
    List<DirectoryRow> directories();

    /**
     * Visits every version row as stored; {@code hasBlobRow} says whether a version with content
     * found its blob row (when not, its state's {@code blobKey} is empty).
     */
    void scanVersions(VersionVisitor visitor);
  }

  /** Visits version rows of {@link Maintenance#scanVersions}. */
  @FunctionalInterface
  interface VersionVisitor {
    void visit(VersionRow row, boolean hasBlobRow);
  }
}
