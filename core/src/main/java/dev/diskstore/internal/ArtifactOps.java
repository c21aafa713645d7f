package dev.diskstore.internal;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactContent;
import dev.diskstore.ArtifactInfo;
import dev.diskstore.ArtifactListing;
import dev.diskstore.ArtifactNotFoundException;
import dev.diskstore.ArtifactResult;
import dev.diskstore.ArtifactStream;
import dev.diskstore.Artifacts;
import dev.diskstore.ByteRange;
import dev.diskstore.ContentUnavailable;
import dev.diskstore.CorruptContentException;
import dev.diskstore.DiskStoreException;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.Precondition;
import dev.diskstore.PreconditionFailedException;
import dev.diskstore.StorageException;
import dev.diskstore.spi.BlobNotFoundException;
import dev.diskstore.spi.ContentParser;
import dev.diskstore.spi.PublicUrlRequest;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * {@link Artifacts} on the index and the backend.
 *
 * <p><b>Write protocol</b> (upsert): (1) validate everything; (2) make a fresh blob key that
 * embeds this instance's owner id ({@link Engine#newBlobKey()}) and mark it in flight; (3) stream
 * the bytes to the backend under that key, hashing and counting; (4) in one durable transaction
 * (group-committed with concurrent writers) check that this owner is still registered alive (the
 * fence of {@link OwnerRegistry}: garbage collection may have declared it dead and be deleting its
 * objects), re-check the disk and the precondition, dedup by SHA-256 (an existing blob gains a
 * reference and the new key goes to {@code garbage}), update the artifact row and move the old
 * blob's reference; (5) after the commit delete garbage objects. A write that fails before (4)
 * commits has its object deleted on a background thread; a crash before (4) leaves an object whose
 * key names a dead owner; a crash after leaves garbage rows; garbage collection cleans all three.
 * Readers never see a row pointing at bytes that are not durable.
 *
 * <p><b>Reads</b> are checked against the recorded size and SHA-256 as they stream ({@link
 * CheckedBlobStream}).
 */
final class ArtifactOps implements Artifacts {
  static final int MAX_LIST_LIMIT = 10_000;
  private static final int READ_RETRIES = 5;
  static final String ROW_COLUMNS =
      "a.id, a.disk_id, a.path, a.filename, a.sha256, a.size, a.content_type, a.etag, a.user_meta,"
          + " a.created_at, a.updated_at, a.content_modified_at, b.key";
  private static final String SELECT_ROW =
      "SELECT " + ROW_COLUMNS + " FROM artifacts a JOIN blobs b ON b.sha256 = a.sha256"
          + " WHERE a.disk_id = ? AND a.path = ? AND a.filename = ?";

  private final Engine engine;

  ArtifactOps(Engine engine) {
    this.engine = engine;
  }

  /** One artifact row joined with its blob key. */
  record Row(
      long id,
      String diskId,
      String path,
      String filename,
      String sha256,
      long size,
      String contentType,
      String etag,
      String userMeta,
      long createdAt,
      long updatedAt,
      long contentModifiedAt,
      String blobKey) {}

  private record Commit(Artifact artifact, long id, List<String> garbage) {}

  // ---------------------------------------------------------------- upsert

  @Override
  public Artifact upsert(
      String diskId,
      FileUpload file,
      String filePath,
      @Nullable Map<String, ?> meta,
      Precondition condition) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(filePath, "filePath");
    Objects.requireNonNull(condition, "condition");
    String path = PathRules.directory(filePath);
    String filename = PathRules.filename(file.filename());
    PathRules.checkFullPath(path, filename);
    String metaJson = meta == null ? null : engine.metaCodec.encode(meta);
    long maxBytes = engine.config.maxUploadBytes();
    OptionalLong known = file.knownLength();
    if (known.isPresent() && known.getAsLong() > maxBytes) {
      throw tooLarge(filename, maxBytes);
    }
    // Fail fast, before moving any bytes; both checks are repeated in the commit transaction.
    engine.index.read(
        c -> {
          DiskOps.requireDisk(c, diskId);
          checkCondition(condition, selectRow(c, diskId, path, filename), diskId, path, filename);
          return null;
        });

    // The key names this instance's owner id: until the commit below, that (and inFlight) is
    // what keeps garbage collection away from the object; no index row is written first.
    String key = engine.newBlobKey();
    engine.inFlight.add(key);
    boolean committed = false;
    try {
      UploadStream upload;
      try (InputStream in = file.openStream()) {
        upload = new UploadStream(in, maxBytes);
        try {
          engine.backend.write(key, upload, known);
        } catch (RuntimeException e) {
          upload.release(); // drop hashing still queued for this upload
          if (upload.tooLarge()) {
            throw tooLarge(filename, maxBytes);
          }
          if (e instanceof StorageException storage) {
            // name what was being written, keep whether a retry may help
            throw new StorageException(
                "writing " + path + filename + " on disk " + diskId + " to the backend failed: "
                    + storage.getMessage(),
                storage.isRetryable(), storage);
          }
          if (e instanceof DiskStoreException) {
            throw e;
          }
          throw new StorageException(
              "writing " + path + filename + " on disk " + diskId + " to the backend failed: " + e,
              e);
        }
      } catch (IOException e) {
        throw new StorageException("reading the upload " + filename + " failed: " + e, e);
      }
      long size = upload.count();
      String sha256 = upload.sha256Hex();
      String contentType = detect(file, filename, upload.head());
      // the text index decodes the kept prefix itself, on its own thread
      byte[] textPrefix =
          BuiltinContentParser.kindOf(filename, contentType) == null ? null : upload.prefix();
      boolean wholeText = upload.count() <= UploadStream.INDEX_BYTES;
      Commit commit =
          engine.index.write(
              true,
              c -> commitUpsert(
                  c, diskId, path, filename, condition, metaJson, key, sha256, size, contentType));
      committed = true;
      engine.textIndexer.queued(commit.id(), sha256, textPrefix, wholeText);
      engine.deleteGarbage(commit.garbage());
      if (engine.config.extractContentOnUpsert() && engine.parser.isCacheable()) {
        engine.extractQuietly(commit.artifact());
      }
      return commit.artifact();
    } finally {
      if (!committed) {
        abandon(key);
      }
      engine.inFlight.remove(key);
    }
  }

  private static InvalidRequestException tooLarge(String filename, long maxBytes) {
    return new InvalidRequestException(
        "upload " + filename + " is larger than the configured maximum of " + maxBytes + " bytes");
  }

  private String detect(FileUpload file, String filename, byte[] head) {
    String declared = file.declaredContentType().map(ArtifactOps::specificType).orElse(null);
    String type;
    try {
      type = engine.detector.detect(filename, head, declared);
    } catch (RuntimeException e) {
      Engine.LOG.log(Level.WARNING, "content type detection failed for " + filename, e);
      type = null;
    }
    if (type == null || type.isBlank()) {
      type = declared != null ? declared : "application/octet-stream";
    }
    return type;
  }

  /**
   * The declared type, or null when it says nothing a detector would not know better: blank,
   * generic octet-stream, or plain text.
   */
  static @Nullable String specificType(String declared) {
    String t = declared.trim();
    String base = t.toLowerCase(Locale.ROOT);
    int semi = base.indexOf(';');
    if (semi >= 0) {
      base = base.substring(0, semi).trim();
    }
    if (base.isEmpty()
        || base.equals("application/octet-stream")
        || base.equals("binary/octet-stream")
        || base.equals("application/unknown")
        // SDKs and browsers send text/plain for any text; the name says more (notes.md)
        || base.equals("text/plain")
        || !base.contains("/")
        || t.length() > 255) {
      return null;
    }
    for (int i = 0; i < t.length(); i++) {
      if (t.charAt(i) < 0x20 || t.charAt(i) > 0x7e) {
        return null;
      }
    }
    return t;
  }

  private Commit commitUpsert(
      Connection c,
      String diskId,
      String path,
      String filename,
      Precondition condition,
      @Nullable String metaJson,
      String key,
      String sha256,
      long size,
      String contentType)
      throws SQLException {
    DiskOps.requireDisk(c, diskId);
    Row current = selectRow(c, diskId, path, filename);
    checkCondition(condition, current, diskId, path, filename);
    // The fence: a blob of an owner that garbage collection declared dead must never become
    // referenced (it may be deleting the object right now). See OwnerRegistry.
    OwnerRegistry.requireAlive(c, engine.owners.id(), engine.isClosed());
    Instant now = engine.now();
    long nowMicros = Engine.micros(now);
    List<String> garbage = new ArrayList<>();
    if (current != null && current.sha256().equals(sha256)) {
      toGarbage(c, key, nowMicros, garbage);
    } else {
      String existing = blobKey(c, sha256);
      if (existing != null) {
        try (PreparedStatement s =
            c.prepareStatement("UPDATE blobs SET ref_count = ref_count + 1 WHERE sha256 = ?")) {
          s.setString(1, sha256);
          s.executeUpdate();
        }
        toGarbage(c, key, nowMicros, garbage);
      } else {
        try (PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO blobs (sha256, key, size, ref_count, created_at) VALUES (?, ?, ?, 1, ?)")) {
          s.setString(1, sha256);
          s.setString(2, key);
          s.setLong(3, size);
          s.setLong(4, nowMicros);
          s.executeUpdate();
        }
      }
      if (current != null) {
        releaseBlob(c, current.sha256(), 1, garbage, now);
      }
    }
    String etag = Engine.randomHex(16);
    long id;
    long createdAt;
    String userMeta;
    if (current != null) {
      userMeta = metaJson != null ? metaJson : current.userMeta();
      createdAt = current.createdAt();
      id = current.id();
      try (PreparedStatement s =
          c.prepareStatement(
              "UPDATE artifacts SET sha256 = ?, size = ?, content_type = ?, etag = ?,"
                  + " user_meta = ?, updated_at = ?, content_modified_at = ?, row_check = ?"
                  + " WHERE id = ?")) {
        s.setString(1, sha256);
        s.setLong(2, size);
        s.setString(3, contentType);
        s.setString(4, etag);
        s.setString(5, userMeta);
        s.setLong(6, nowMicros);
        s.setLong(7, nowMicros);
        s.setLong(8, RowCheck.of(diskId, path, filename, sha256, size, contentType, etag,
            userMeta, createdAt, nowMicros, nowMicros));
        s.setLong(9, id);
        s.executeUpdate();
      }
    } else {
      userMeta = metaJson != null ? metaJson : "{}";
      createdAt = nowMicros;
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO artifacts (disk_id, path, filename, sha256, size, content_type, etag,"
                  + " user_meta, created_at, updated_at, content_modified_at, row_check)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        s.setString(1, diskId);
        s.setString(2, path);
        s.setString(3, filename);
        s.setString(4, sha256);
        s.setLong(5, size);
        s.setString(6, contentType);
        s.setString(7, etag);
        s.setString(8, userMeta);
        s.setLong(9, nowMicros);
        s.setLong(10, nowMicros);
        s.setLong(11, nowMicros);
        s.setLong(12, RowCheck.of(diskId, path, filename, sha256, size, contentType, etag,
            userMeta, createdAt, nowMicros, nowMicros));
        s.executeUpdate();
      }
      try (PreparedStatement s = c.prepareStatement("SELECT last_insert_rowid()");
          ResultSet rs = s.executeQuery()) {
        rs.next();
        id = rs.getLong(1);
      }
      addToDirectories(c, diskId, path);
    }
    TextIndex.enqueue(c, id);
    Row row =
        new Row(id, diskId, path, filename, sha256, size, contentType, etag, userMeta, createdAt,
            nowMicros, nowMicros, key);
    return new Commit(toArtifact(row), id, garbage);
  }

  /**
   * Cleanup of a write that did not commit, off the caller's time (a failed write must not wait
   * for more calls to a backend that may be what failed); garbage collection covers failures.
   */
  private void abandon(String key) {
    engine.cleanUpLater(key);
  }

  static @Nullable String blobKey(Connection c, String sha256) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT key FROM blobs WHERE sha256 = ?")) {
      s.setString(1, sha256);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static void toGarbage(Connection c, String key, long nowMicros, List<String> garbage)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("INSERT OR IGNORE INTO garbage (key, created_at) VALUES (?, ?)")) {
      s.setString(1, key);
      s.setLong(2, nowMicros);
      s.executeUpdate();
    }
    garbage.add(key);
  }

  /**
   * Drops {@code count} references to a blob; when none remain, the blob row goes and its key moves
   * to the garbage table (the object is deleted after the commit).
   */
  static void releaseBlob(
      Connection c, String sha256, int count, List<String> garbage, Instant now)
      throws SQLException {
    String key;
    int refs;
    try (PreparedStatement s =
        c.prepareStatement("SELECT key, ref_count FROM blobs WHERE sha256 = ?")) {
      s.setString(1, sha256);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return;
        }
        key = rs.getString(1);
        refs = rs.getInt(2);
      }
    }
    if (refs <= count) {
      try (PreparedStatement s = c.prepareStatement("DELETE FROM blobs WHERE sha256 = ?")) {
        s.setString(1, sha256);
        s.executeUpdate();
      }
      toGarbage(c, key, Engine.micros(now), garbage);
    } else {
      try (PreparedStatement s =
          c.prepareStatement("UPDATE blobs SET ref_count = ref_count - ? WHERE sha256 = ?")) {
        s.setInt(1, count);
        s.setString(2, sha256);
        s.executeUpdate();
      }
    }
  }

  private static void addToDirectories(Connection c, String diskId, String path)
      throws SQLException {
    List<String> dirs = PathRules.selfAndAncestors(path);
    if (dirs.isEmpty()) {
      return;
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO directories (disk_id, path, parent, name, artifact_count)"
                + " VALUES (?, ?, ?, ?, 1)"
                + " ON CONFLICT (disk_id, path) DO UPDATE SET artifact_count = artifact_count + 1")) {
      for (String dir : dirs) {
        s.setString(1, diskId);
        s.setString(2, dir);
        s.setString(3, PathRules.parent(dir));
        s.setString(4, PathRules.name(dir));
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  private static void removeFromDirectories(Connection c, String diskId, String path)
      throws SQLException {
    try (PreparedStatement delete =
            c.prepareStatement(
                "DELETE FROM directories WHERE disk_id = ? AND path = ? AND artifact_count <= 1");
        PreparedStatement decrement =
            c.prepareStatement(
                "UPDATE directories SET artifact_count = artifact_count - 1"
                    + " WHERE disk_id = ? AND path = ?")) {
      for (String dir : PathRules.selfAndAncestors(path)) {
        delete.setString(1, diskId);
        delete.setString(2, dir);
        if (delete.executeUpdate() == 0) {
          decrement.setString(1, diskId);
          decrement.setString(2, dir);
          decrement.executeUpdate();
        }
      }
    }
  }

  private static void checkCondition(
      Precondition condition, @Nullable Row current, String diskId, String path, String filename) {
    if (condition.requiresAbsent() && current != null) {
      throw new PreconditionFailedException(
          "ifNoneMatch: " + where(diskId, path, filename) + " already exists (etag "
              + current.etag() + ")",
          current.etag());
    }
    Optional<String> required = condition.requiredEtag();
    if (required.isPresent()) {
      if (current == null) {
        throw new PreconditionFailedException(
            "ifMatch(" + required.get() + "): " + where(diskId, path, filename) + " does not exist",
            null);
      }
      if (!current.etag().equals(required.get())) {
        throw new PreconditionFailedException(
            "ifMatch(" + required.get() + "): " + where(diskId, path, filename)
                + " has etag " + current.etag() + " (it changed since it was read)",
            current.etag());
      }
    }
  }

  /**
   * The row an update or delete applies to, inside its transaction: the disk must exist, the
   * condition must hold, and then the artifact must exist.
   */
  private static Row requireForWrite(
      Connection c, String diskId, String path, String name, Precondition condition)
      throws SQLException {
    Row row = selectRow(c, diskId, path, name);
    if (row == null) {
      DiskOps.requireDisk(c, diskId);
    }
    checkCondition(condition, row, diskId, path, name);
    if (row == null) {
      throw new ArtifactNotFoundException(diskId, path, name);
    }
    return row;
  }

  private static String where(String diskId, String path, String filename) {
    return "artifact " + path + filename + " on disk " + diskId;
  }

  // ---------------------------------------------------------------- reads

  static @Nullable Row selectRow(Connection c, String diskId, String path, String filename)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(SELECT_ROW)) {
      s.setString(1, diskId);
      s.setString(2, path);
      s.setString(3, filename);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? toRow(rs) : null;
      }
    }
  }

  static Row toRow(ResultSet rs) throws SQLException {
    return new Row(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getLong(6),
        rs.getString(7),
        rs.getString(8),
        rs.getString(9),
        rs.getLong(10),
        rs.getLong(11),
        rs.getLong(12),
        rs.getString(13));
  }

  Artifact toArtifact(Row row) {
    ArtifactInfo info =
        new ArtifactInfo(
            row.size(), row.contentType(), Engine.instant(row.contentModifiedAt()), row.sha256(),
            row.etag());
    return new Artifact(
        row.diskId(),
        row.path(),
        row.filename(),
        engine.metaCodec.decode(row.userMeta()),
        info,
        Engine.instant(row.createdAt()),
        Engine.instant(row.updatedAt()));
  }

  /**
   * The row, or null when the artifact is absent; throws when the disk is absent. One statement
   * in the common case, so no explicit transaction: the disk check only runs when the row is
   * missing, and either snapshot order gives a correct answer.
   */
  private @Nullable Row lookup(String diskId, String path, String filename) {
    return engine.index.readEach(
        c -> {
          Row row = selectRow(c, diskId, path, filename);
          if (row == null) {
            DiskOps.requireDisk(c, diskId);
          }
          return row;
        });
  }

  @Override
  public ArtifactResult get(String diskId, String filePath, String filename, GetOptions options) {
    Objects.requireNonNull(filePath, "filePath");
    Objects.requireNonNull(filename, "filename");
    return find(diskId, filePath, filename, options)
        .orElseThrow(
            () -> new ArtifactNotFoundException(
                diskId, PathRules.directory(filePath), PathRules.filename(filename)));
  }

  @Override
  public Optional<ArtifactResult> find(
      String diskId, String filePath, String filename, GetOptions options) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(options, "options");
    String path = PathRules.directory(filePath);
    String name = PathRules.filename(filename);
    for (int attempt = 1; ; attempt++) {
      Row row = lookup(diskId, path, name);
      if (row == null) {
        return Optional.empty();
      }
      try {
        return Optional.of(result(row, options));
      } catch (BlobNotFoundException e) {
        // Replaced and its old bytes deleted between our read and the parse: read again.
        if (attempt >= READ_RETRIES) {
          throw missingBlob(row, e);
        }
      }
    }
  }

  private ArtifactResult result(Row row, GetOptions options) {
    Artifact artifact = toArtifact(row);
    Optional<URI> url = Optional.empty();
    if (options.withPublicUrl()) {
      Instant expiresAt = engine.config.clock().instant().plus(options.expire());
      url =
          Optional.of(
              engine.signer().sign(
                  new PublicUrlRequest(
                      row.diskId(), row.path(), row.filename(), row.blobKey(), row.etag(),
                      row.contentType(), row.size(), options.expire(), expiresAt)));
    }
    Optional<ArtifactContent> content = Optional.empty();
    Optional<ContentUnavailable> unavailable = Optional.empty();
    if (options.withContent()) {
      ContentParser.Result parsed = engine.content(row);
      if (parsed instanceof ContentParser.Parsed p) {
        content = Optional.of(p.content());
      } else if (parsed instanceof ContentParser.Unavailable u) {
        unavailable = Optional.of(u.reason());
      }
    }
    return new ArtifactResult(artifact, url, content, unavailable);
  }

  private static StorageException missingBlob(Row row, Exception cause) {
    return new StorageException(
        "the bytes of " + where(row.diskId(), row.path(), row.filename()) + " (blob "
            + row.blobKey() + ") are missing from the backend; run maintenance().verify()",
        false, cause);
  }

  @Override
  public ArtifactStream open(String diskId, String filePath, String filename, ByteRange range) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(range, "range");
    String path = PathRules.directory(filePath);
    String name = PathRules.filename(filename);
    for (int attempt = 1; ; attempt++) {
      Row row = lookup(diskId, path, name);
      if (row == null) {
        throw new ArtifactNotFoundException(diskId, path, name);
      }
      try {
        return new ArtifactStream(engine.track(openChecked(row, range)), toArtifact(row));
      } catch (BlobNotFoundException e) {
        if (attempt >= READ_RETRIES) {
          throw missingBlob(row, e);
        }
      }
    }
  }

  /**
   * Opens a row's bytes, checked against the recorded size and (for a whole read) SHA-256 as they
   * stream ({@link CheckedBlobStream}). A range is clipped to the recorded size first, so no byte
   * beyond it is ever returned. The caller closes the stream.
   */
  static InputStream openChecked(Engine engine, Row row, ByteRange range) {
    long size = row.size();
    long offset = Math.min(range.offset(), size);
    long length = Math.min(range.length().orElse(Long.MAX_VALUE), size - offset);
    CheckedBlobStream.Corruption corruption =
        problem -> new CorruptContentException(
            row.diskId(), row.path(), row.filename(), row.blobKey(), problem, null);
    if (offset == 0 && length == size) {
      // unbounded, so that bytes appended to the blob show as damage
      return CheckedBlobStream.whole(
          engine.backend.open(row.blobKey(), ByteRange.from(0)), size, row.sha256(), corruption);
    }
    return CheckedBlobStream.range(
        engine.backend.open(row.blobKey(), ByteRange.of(offset, length)), length, corruption);
  }

  private InputStream openChecked(Row row, ByteRange range) {
    return openChecked(engine, row, range);
  }

  /** For the URL server: the current version of an artifact. */
  Optional<UrlResolver.Served> resolveForUrl(String diskId, String path, String filename) {
    Row row;
    try {
      row =
          engine.index.read(c -> selectRow(c, diskId, PathRules.directory(path),
              PathRules.filename(filename)));
    } catch (dev.diskstore.InvalidPathException e) {
      return Optional.empty();
    }
    if (row == null) {
      return Optional.empty();
    }
    Row found = row;
    return Optional.of(
        new UrlResolver.Served() {
          @Override
          public String etag() {
            return found.etag();
          }

          @Override
          public String contentType() {
            return found.contentType();
          }

          @Override
          public long sizeBytes() {
            return found.size();
          }

          @Override
          public String sha256() {
            return found.sha256();
          }

          @Override
          public InputStream open(ByteRange range) {
            return openChecked(found, range);
          }
        });
  }

  // ---------------------------------------------------------------- listing

  @Override
  public ArtifactListing list(String diskId, String path) {
    return list(diskId, path, Integer.MAX_VALUE, null, false);
  }

  @Override
  public ArtifactListing list(String diskId, String path, int limit, @Nullable String cursor) {
    if (limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new InvalidRequestException(
          "limit must be between 1 and " + MAX_LIST_LIMIT + ", was " + limit);
    }
    return list(diskId, path, limit, cursor, true);
  }

  private ArtifactListing list(
      String diskId, String rawPath, int limit, @Nullable String cursor, boolean paged) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    String path = PathRules.directory(rawPath);
    String scope = "ls\0" + diskId + "\0" + path;
    String phase = "d";
    String after = "";
    if (cursor != null) {
      List<String> fields = Cursors.decode(cursor, "l1", scope, 2);
      phase = fields.get(0);
      after = fields.get(1);
      if (!phase.equals("d") && !phase.equals("f")) {
        throw new dev.diskstore.InvalidCursorException("malformed cursor");
      }
    }
    long fetch = paged ? (long) limit + 1 : Long.MAX_VALUE;
    String startPhase = phase;
    String startAfter = after;
    record Page(List<String> dirs, List<Row> files) {}
    Page page =
        engine.index.read(
            c -> {
              DiskOps.requireDisk(c, diskId);
              List<String> dirs = new ArrayList<>();
              List<Row> files = new ArrayList<>();
              long remaining = fetch;
              String fileAfter = "";
              if (startPhase.equals("d")) {
                try (PreparedStatement s =
                    c.prepareStatement(
                        "SELECT name FROM directories WHERE disk_id = ? AND parent = ? AND name > ?"
                            + " ORDER BY name LIMIT ?")) {
                  s.setString(1, diskId);
                  s.setString(2, path);
                  s.setString(3, startAfter);
                  s.setLong(4, remaining);
                  try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                      dirs.add(rs.getString(1));
                    }
                  }
                }
                remaining -= dirs.size();
              } else {
                fileAfter = startAfter;
              }
              if (remaining > 0) {
                try (PreparedStatement s =
                    c.prepareStatement(
                        "SELECT " + ROW_COLUMNS + " FROM artifacts a JOIN blobs b"
                            + " ON b.sha256 = a.sha256 WHERE a.disk_id = ? AND a.path = ?"
                            + " AND a.filename > ? ORDER BY a.filename LIMIT ?")) {
                  s.setString(1, diskId);
                  s.setString(2, path);
                  s.setString(3, fileAfter);
                  s.setLong(4, remaining);
                  try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                      files.add(toRow(rs));
                    }
                  }
                }
              }
              return new Page(dirs, files);
            });
    List<String> dirs = page.dirs();
    List<Row> files = page.files();
    Optional<String> next = Optional.empty();
    if (paged && dirs.size() + files.size() > limit) {
      if (!files.isEmpty()) {
        files = files.subList(0, files.size() - 1);
      } else {
        dirs = dirs.subList(0, dirs.size() - 1);
      }
      String lastPhase = files.isEmpty() ? "d" : "f";
      String lastName =
          files.isEmpty() ? dirs.get(dirs.size() - 1) : files.get(files.size() - 1).filename();
      next = Optional.of(Cursors.encode("l1", scope, List.of(lastPhase, lastName)));
    }
    List<Artifact> artifacts = new ArrayList<>(files.size());
    for (Row row : files) {
      artifacts.add(toArtifact(row));
    }
    return new ArtifactListing(artifacts, dirs, next);
  }

  // ---------------------------------------------------------------- move

  @Override
  public Artifact move(
      String diskId,
      String fromPath,
      String fromFilename,
      String toPath,
      String toFilename,
      Precondition sourceCondition,
      boolean overwrite) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(sourceCondition, "sourceCondition");
    String from = PathRules.directory(fromPath);
    String fromName = PathRules.filename(fromFilename);
    String to = PathRules.directory(toPath);
    String toName = PathRules.filename(toFilename);
    PathRules.checkFullPath(to, toName);
    if (sourceCondition.requiresAbsent()) {
      throw new InvalidRequestException("ifNoneMatch applies to upsert only, not to move");
    }
    if (from.equals(to) && fromName.equals(toName)) {
      throw new InvalidRequestException(
          "cannot move " + from + fromName + " onto itself; give another directory or filename");
    }
    List<String> garbage = new ArrayList<>();
    Artifact moved =
        engine.index.write(
            true,
            c -> {
              Row source = requireForWrite(c, diskId, from, fromName, sourceCondition);
              Row target = selectRow(c, diskId, to, toName);
              Instant now = engine.now();
              if (target != null) {
                if (!overwrite) {
                  throw new PreconditionFailedException(
                      "cannot move " + from + fromName + ": " + where(diskId, to, toName)
                          + " already exists (etag " + target.etag() + "); pass overwrite to"
                          + " replace it",
                      target.etag());
                }
                deleteRow(c, target, garbage, now);
              }
              long nowMicros = Engine.micros(now);
              String etag = Engine.randomHex(16);
              Row movedRow =
                  new Row(source.id(), diskId, to, toName, source.sha256(), source.size(),
                      source.contentType(), etag, source.userMeta(), source.createdAt(),
                      nowMicros, source.contentModifiedAt(), source.blobKey());
              try (PreparedStatement s =
                  c.prepareStatement(
                      "UPDATE artifacts SET path = ?, filename = ?, etag = ?, updated_at = ?,"
                          + " row_check = ? WHERE id = ?")) {
                s.setString(1, to);
                s.setString(2, toName);
                s.setString(3, etag);
                s.setLong(4, nowMicros);
                s.setLong(5, RowCheck.of(movedRow));
                s.setLong(6, source.id());
                s.executeUpdate();
              }
              if (!from.equals(to)) {
                removeFromDirectories(c, diskId, from);
                addToDirectories(c, diskId, to);
              }
              TextIndex.enqueue(c, source.id());
              return toArtifact(movedRow);
            });
    engine.deleteGarbage(garbage);
    return moved;
  }

  /** Deletes an artifact row with its directory counts, text and blob reference. */
  private static void deleteRow(Connection c, Row row, List<String> garbage, Instant now)
      throws SQLException {
    TextIndex.enqueue(c, row.id());
    try (PreparedStatement s = c.prepareStatement("DELETE FROM artifacts WHERE id = ?")) {
      s.setLong(1, row.id());
      s.executeUpdate();
    }
    removeFromDirectories(c, row.diskId(), row.path());
    releaseBlob(c, row.sha256(), 1, garbage, now);
  }

  // ---------------------------------------------------------------- update, delete

  @Override
  public Artifact update(
      String diskId,
      String filePath,
      String filename,
      Map<String, ?> meta,
      Precondition condition) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(condition, "condition");
    String path = PathRules.directory(filePath);
    String name = PathRules.filename(filename);
    if (condition.requiresAbsent()) {
      throw new InvalidRequestException("ifNoneMatch applies to upsert only, not to update");
    }
    String metaJson = engine.metaCodec.encode(meta);
    return engine.index.write(
        true,
        c -> {
          Row row = requireForWrite(c, diskId, path, name, condition);
          long now = Engine.micros(engine.now());
          String etag = Engine.randomHex(16);
          Row updated =
              new Row(row.id(), row.diskId(), row.path(), row.filename(), row.sha256(),
                  row.size(), row.contentType(), etag, metaJson, row.createdAt(), now,
                  row.contentModifiedAt(), row.blobKey());
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE artifacts SET user_meta = ?, etag = ?, updated_at = ?, row_check = ?"
                      + " WHERE id = ?")) {
            s.setString(1, metaJson);
            s.setString(2, etag);
            s.setLong(3, now);
            s.setLong(4, RowCheck.of(updated));
            s.setLong(5, row.id());
            s.executeUpdate();
          }
          return toArtifact(updated);
        });
  }

  @Override
  public void delete(String diskId, String filePath, String filename, Precondition condition) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(condition, "condition");
    String path = PathRules.directory(filePath);
    String name = PathRules.filename(filename);
    if (condition.requiresAbsent()) {
      throw new InvalidRequestException("ifNoneMatch applies to upsert only, not to delete");
    }
    List<String> garbage =
        engine.index.write(
            true,
            c -> {
              Row row = requireForWrite(c, diskId, path, name, condition);
              List<String> keys = new ArrayList<>();
              deleteRow(c, row, keys, engine.now());
              return keys;
            });
    engine.deleteGarbage(garbage);
  }
}
