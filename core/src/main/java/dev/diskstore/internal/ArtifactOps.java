package dev.diskstore.internal;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactContent;
import dev.diskstore.ArtifactInfo;
import dev.diskstore.ArtifactListing;
import dev.diskstore.ArtifactNotFoundException;
import dev.diskstore.ArtifactResult;
import dev.diskstore.ArtifactPage;
import dev.diskstore.ArtifactStream;
import dev.diskstore.ArtifactVersion;
import dev.diskstore.ArtifactVersionPage;
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
import dev.diskstore.VersionNotFoundException;
import dev.diskstore.spi.BlobNotFoundException;
import dev.diskstore.spi.ContentParser;
import dev.diskstore.spi.PublicUrlRequest;
import dev.diskstore.spi.index.ArtifactRow;
import dev.diskstore.spi.index.DirectoryRow;
import dev.diskstore.spi.index.IndexSession;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.URI;
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
 * (group-committed with concurrent writers) check that the owner named in the key is still
 * registered alive (the fence of {@link OwnerRegistry}: garbage collection may have declared it dead and be deleting its
 * objects), re-check the disk and the precondition, dedup by SHA-256 (an existing blob gains a
 * reference and the new key goes to {@code garbage}), update the artifact row and move the old
 * blob's reference; (5) after the commit delete garbage objects. A write that fails before (4)
 * commits has its object deleted on a background thread; a crash before (4) leaves an object whose
 * key names a dead owner; a crash after leaves garbage rows; garbage collection cleans all three.
 * Readers never see a row pointing at bytes that are not durable.
 *
 * <p>Write work may run more than once ({@link dev.diskstore.spi.index.MetadataIndex#write}): each
 * lambda here allocates what it returns (garbage keys included) inside, and changes no state of the
 * engine.
 *
 * <p><b>Reads</b> are checked against the recorded size and SHA-256 as they stream ({@link
 * CheckedBlobStream}).
 */
final class ArtifactOps implements Artifacts {
  static final int MAX_LIST_LIMIT = 10_000;
  private static final int READ_RETRIES = 5;
  private final Engine engine;
  private final VersionOps versions;

  ArtifactOps(Engine engine) {
    this.engine = engine;
    this.versions = new VersionOps(engine, this);
  }

  /** The history of the artifacts (garbage collection runs its retention pass). */
  VersionOps versionOps() {
    return versions;
  }

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
    String path = PathRules.newDirectory(filePath);
    String filename = PathRules.newFilename(file.filename());
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
          checkCondition(
              condition, c.artifacts().find(diskId, path, filename).orElse(null), diskId, path,
              filename);
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
      Commit commit;
      try {
        commit =
            engine.index.write(
                true,
                c -> commitUpsert(
                    c, diskId, path, filename, condition, metaJson, key, sha256, size,
                    contentType));
      } catch (OwnerRegistry.DeclaredDead e) {
        throw OwnerRegistry.afterDeclaredDead(e, engine.owners);
      }
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
    return new dev.diskstore.UploadTooLargeException(filename, maxBytes);
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
      IndexSession c,
      String diskId,
      String path,
      String filename,
      Precondition condition,
      @Nullable String metaJson,
      String key,
      String sha256,
      long size,
      String contentType) {
    DiskOps.requireDisk(c, diskId);
    ArtifactRow current = c.artifacts().find(diskId, path, filename).orElse(null);
    checkCondition(condition, current, diskId, path, filename);
    // The fence: a blob of an owner that garbage collection declared dead must never become
    // referenced (it may be deleting the object right now). The owner is the one the key names:
    // on a shared index an instance's owner id may have changed since the key was made.
    OwnerRegistry.requireAlive(c, key, engine.isClosed(), engine.owners.id());
    Instant now = engine.now();
    long nowMicros = Engine.micros(now);
    List<String> garbage = new ArrayList<>();
    if (current != null && current.sha256().equals(sha256)) {
      toGarbage(c, key, nowMicros, garbage);
    } else {
      if (c.blobs().keyOf(sha256).isPresent()) {
        c.blobs().addReference(sha256);
        toGarbage(c, key, nowMicros, garbage);
      } else {
        c.blobs().insert(sha256, key, size, nowMicros);
      }
      if (current != null) {
        releaseBlob(c, current.sha256(), 1, garbage, now);
      }
    }
    String etag = Engine.randomHex(16);
    long id;
    ArtifactRow row;
    if (current != null) {
      String userMeta = metaJson != null ? metaJson : current.userMeta();
      row = new ArtifactRow(current.id(), diskId, path, filename, sha256, size, contentType, etag,
          userMeta, current.createdAt(), nowMicros, nowMicros, key);
      c.artifacts().update(row, RowCheck.of(row));
      id = current.id();
    } else {
      String userMeta = metaJson != null ? metaJson : "{}";
      row = new ArtifactRow(0, diskId, path, filename, sha256, size, contentType, etag, userMeta,
          nowMicros, nowMicros, nowMicros, key);
      id = c.artifacts().insert(row, RowCheck.of(row));
      addToDirectories(c, diskId, path);
    }
    c.text().enqueue(id);
    if (current != null && current.sha256().equals(sha256)) {
      // same bytes: the row keeps pointing at the blob it had
      row = withKey(row, current.blobKey());
    }
    versions.record(c, diskId, path, filename, ArtifactVersion.Change.UPSERTED, row, nowMicros);
    return new Commit(toArtifact(row), id, garbage);
  }

  private static ArtifactRow withKey(ArtifactRow r, String key) {
    return new ArtifactRow(r.id(), r.diskId(), r.path(), r.filename(), r.sha256(), r.size(),
        r.contentType(), r.etag(), r.userMeta(), r.createdAt(), r.updatedAt(),
        r.contentModifiedAt(), key);
  }

  /**
   * Cleanup of a write that did not commit, off the caller's time (a failed write must not wait
   * for more calls to a backend that may be what failed); garbage collection covers failures.
   */
  private void abandon(String key) {
    engine.cleanUpLater(key);
  }

  private static void toGarbage(
      IndexSession c, String key, long nowMicros, List<String> garbage) {
    c.garbage().add(key, nowMicros);
    garbage.add(key);
  }

  /**
   * Drops {@code count} references to a blob; when none remain, the blob row goes and its key moves
   * to the garbage (the object is deleted after the commit).
   */
  static void releaseBlob(
      IndexSession c, String sha256, int count, List<String> garbage, Instant now) {
    c.blobs().release(sha256, count, Engine.micros(now)).ifPresent(garbage::add);
  }

  private static void addToDirectories(IndexSession c, String diskId, String path) {
    List<String> dirs = PathRules.selfAndAncestors(path);
    if (dirs.isEmpty()) {
      return;
    }
    List<DirectoryRow> rows = new ArrayList<>(dirs.size());
    for (String dir : dirs) {
      rows.add(new DirectoryRow(diskId, dir, PathRules.parent(dir), PathRules.name(dir), 0));
    }
    c.artifacts().addToDirectories(diskId, rows);
  }

  private static void removeFromDirectories(IndexSession c, String diskId, String path) {
    c.artifacts().removeFromDirectories(diskId, PathRules.selfAndAncestors(path));
  }

  private static void checkCondition(
      Precondition condition, @Nullable ArtifactRow current, String diskId, String path,
      String filename) {
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
  private static ArtifactRow requireForWrite(
      IndexSession c, String diskId, String path, String name, Precondition condition) {
    ArtifactRow row = c.artifacts().find(diskId, path, name).orElse(null);
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

  Artifact toArtifact(ArtifactRow row) {
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
  private @Nullable ArtifactRow lookup(String diskId, String path, String filename) {
    return engine.index.readEach(
        c -> {
          ArtifactRow row = c.artifacts().find(diskId, path, filename).orElse(null);
          if (row == null) {
            DiskOps.requireDisk(c, diskId);
          }
          return row;
        });
  }

  /** The row of the version {@code options} names: the current one, or one of the history. */
  private @Nullable ArtifactRow lookup(
      String diskId, String path, String filename, GetOptions options) {
    if (options.version().isEmpty()) {
      return lookup(diskId, path, filename);
    }
    return versions.lookup(diskId, path, filename, options.version().getAsLong());
  }

  @Override
  public ArtifactResult get(String diskId, String filePath, String filename, GetOptions options) {
    Objects.requireNonNull(filePath, "filePath");
    Objects.requireNonNull(filename, "filename");
    Optional<ArtifactResult> found = find(diskId, filePath, filename, options);
    if (found.isPresent()) {
      return found.get();
    }
    String path = PathRules.directory(filePath);
    String name = PathRules.filename(filename);
    if (options.version().isPresent()) {
      throw versions.notFound(diskId, path, name, options.version().getAsLong());
    }
    throw new ArtifactNotFoundException(diskId, path, name);
  }

  @Override
  public Optional<ArtifactResult> find(
      String diskId, String filePath, String filename, GetOptions options) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(filePath, "filePath");
    Objects.requireNonNull(filename, "filename");
    Objects.requireNonNull(options, "options");
    String path = PathRules.directory(filePath);
    String name = PathRules.filename(filename);
    for (int attempt = 1; ; attempt++) {
      ArtifactRow row = lookup(diskId, path, name, options);
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

  private ArtifactResult result(ArtifactRow row, GetOptions options) {
    Artifact artifact = toArtifact(row);
    Optional<URI> url = Optional.empty();
    if (options.withPublicUrl()) {
      Instant expiresAt = engine.config.clock().instant().plus(options.expire());
      url =
          Optional.of(
              engine.signer().sign(
                  new PublicUrlRequest(
                      row.diskId(), row.path(), row.filename(), row.blobKey(), row.sha256(),
                      row.etag(), row.contentType(), row.size(), options.expire(), expiresAt,
                      options.version())));
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

  private static StorageException missingBlob(ArtifactRow row, Exception cause) {
    return new StorageException(
        "the bytes of " + where(row.diskId(), row.path(), row.filename()) + " (blob "
            + row.blobKey() + ") are missing from the backend; run maintenance().verify()",
        false, cause);
  }

  @Override
  public ArtifactStream open(String diskId, String filePath, String filename, ByteRange range) {
    return open(diskId, filePath, filename, range, GetOptions.NONE);
  }

  @Override
  public ArtifactStream open(
      String diskId, String filePath, String filename, ByteRange range, GetOptions options) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(filePath, "filePath");
    Objects.requireNonNull(filename, "filename");
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(options, "options");
    String path = PathRules.directory(filePath);
    String name = PathRules.filename(filename);
    for (int attempt = 1; ; attempt++) {
      ArtifactRow row = lookup(diskId, path, name, options);
      if (row == null) {
        if (options.version().isPresent()) {
          throw versions.notFound(diskId, path, name, options.version().getAsLong());
        }
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
  static InputStream openChecked(Engine engine, ArtifactRow row, ByteRange range) {
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

  private InputStream openChecked(ArtifactRow row, ByteRange range) {
    return openChecked(engine, row, range);
  }

  /** For the URL server: the current version of an artifact, or the one {@code version} names. */
  Optional<UrlResolver.Served> resolveForUrl(
      String diskId, String path, String filename, OptionalLong version) {
    ArtifactRow row;
    try {
      String dir = PathRules.directory(path);
      String name = PathRules.filename(filename);
      row =
          version.isEmpty()
              ? engine.index.read(c -> c.artifacts().find(diskId, dir, name)).orElse(null)
              : engine.index.read(
                  c -> c.versions().find(diskId, dir, name, version.getAsLong())
                      .map(v -> v.state()).orElse(null));
    } catch (dev.diskstore.InvalidPathException e) {
      return Optional.empty();
    }
    if (row == null) {
      return Optional.empty();
    }
    ArtifactRow found = row;
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
    Objects.requireNonNull(rawPath, "path");
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
    record Page(List<String> dirs, List<ArtifactRow> files) {}
    Page page =
        engine.index.read(
            c -> {
              DiskOps.requireDisk(c, diskId);
              List<String> dirs = List.of();
              List<ArtifactRow> files = List.of();
              long remaining = fetch;
              String fileAfter = "";
              if (startPhase.equals("d")) {
                dirs = c.artifacts().childDirectories(diskId, path, startAfter, remaining);
                remaining -= dirs.size();
              } else {
                fileAfter = startAfter;
              }
              if (remaining > 0) {
                files = c.artifacts().inDirectory(diskId, path, fileAfter, remaining);
              }
              return new Page(dirs, files);
            });
    List<String> dirs = page.dirs();
    List<ArtifactRow> files = page.files();
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
    for (ArtifactRow row : files) {
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
    Objects.requireNonNull(fromPath, "fromPath");
    Objects.requireNonNull(fromFilename, "fromFilename");
    Objects.requireNonNull(toPath, "toPath");
    Objects.requireNonNull(toFilename, "toFilename");
    Objects.requireNonNull(sourceCondition, "sourceCondition");
    String from = PathRules.directory(fromPath);
    String fromName = PathRules.filename(fromFilename);
    String to = PathRules.newDirectory(toPath);
    String toName = PathRules.newFilename(toFilename);
    PathRules.checkFullPath(to, toName);
    if (sourceCondition.requiresAbsent()) {
      throw new InvalidRequestException("ifNoneMatch applies to upsert only, not to move");
    }
    if (from.equals(to) && fromName.equals(toName)) {
      throw new InvalidRequestException(
          "cannot move " + from + fromName + " onto itself; give another directory or filename");
    }
    record Moved(Artifact artifact, List<String> garbage) {}
    Moved moved =
        engine.index.write(
            true,
            c -> {
              List<String> garbage = new ArrayList<>();
              ArtifactRow source = requireForWrite(c, diskId, from, fromName, sourceCondition);
              ArtifactRow target = c.artifacts().find(diskId, to, toName).orElse(null);
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
              ArtifactRow movedRow =
                  new ArtifactRow(source.id(), diskId, to, toName, source.sha256(), source.size(),
                      source.contentType(), etag, source.userMeta(), source.createdAt(),
                      nowMicros, source.contentModifiedAt(), source.blobKey());
              c.artifacts().update(movedRow, RowCheck.of(movedRow));
              if (!from.equals(to)) {
                removeFromDirectories(c, diskId, from);
                addToDirectories(c, diskId, to);
              }
              c.text().enqueue(source.id());
              versions.record(c, diskId, from, fromName, ArtifactVersion.Change.MOVED_AWAY, null,
                  nowMicros);
              versions.record(c, diskId, to, toName, ArtifactVersion.Change.MOVED_IN, movedRow,
                  nowMicros);
              return new Moved(toArtifact(movedRow), garbage);
            });
    engine.deleteGarbage(moved.garbage());
    return moved.artifact();
  }

  /** Deletes an artifact row with its directory counts, text and blob reference. */
  private static void deleteRow(
      IndexSession c, ArtifactRow row, List<String> garbage, Instant now) {
    c.text().enqueue(row.id());
    c.artifacts().delete(row.id());
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
    Objects.requireNonNull(filePath, "filePath");
    Objects.requireNonNull(filename, "filename");
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
          ArtifactRow row = requireForWrite(c, diskId, path, name, condition);
          long now = Engine.micros(engine.now());
          String etag = Engine.randomHex(16);
          ArtifactRow updated =
              new ArtifactRow(row.id(), row.diskId(), row.path(), row.filename(), row.sha256(),
                  row.size(), row.contentType(), etag, metaJson, row.createdAt(), now,
                  row.contentModifiedAt(), row.blobKey());
          c.artifacts().update(updated, RowCheck.of(updated));
          versions.record(c, diskId, path, name, ArtifactVersion.Change.UPDATED, updated, now);
          return toArtifact(updated);
        });
  }

  @Override
  public void delete(String diskId, String filePath, String filename, Precondition condition) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(filePath, "filePath");
    Objects.requireNonNull(filename, "filename");
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
              ArtifactRow row = requireForWrite(c, diskId, path, name, condition);
              List<String> keys = new ArrayList<>();
              Instant now = engine.now();
              deleteRow(c, row, keys, now);
              versions.record(c, diskId, path, name, ArtifactVersion.Change.DELETED, null,
                  Engine.micros(now));
              return keys;
            });
    engine.deleteGarbage(garbage);
  }

  // ---------------------------------------------------------------- history

  @Override
  public ArtifactVersionPage versions(
      String diskId, String filePath, String filename, int limit, @Nullable String cursor) {
    return versions.versions(diskId, filePath, filename, limit, cursor);
  }

  @Override
  public int deleteVersions(String diskId, String filePath, String filename) {
    return versions.deleteVersions(diskId, filePath, filename);
  }

  @Override
  public Artifact restore(
      String diskId, String filePath, String filename, long version, Precondition condition) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(filePath, "filePath");
    Objects.requireNonNull(filename, "filename");
    Objects.requireNonNull(condition, "condition");
    if (version < 0) {
      throw new InvalidRequestException("version must be >= 0, was " + version);
    }
    String path = PathRules.directory(filePath);
    String name = PathRules.filename(filename);
    record Restored(Artifact artifact, long id, List<String> garbage) {}
    Restored restored =
        engine.index.write(
            true,
            c -> {
              DiskOps.requireDisk(c, diskId);
              ArtifactRow current = c.artifacts().find(diskId, path, name).orElse(null);
              checkCondition(condition, current, diskId, path, name);
              ArtifactRow old =
                  c.versions().find(diskId, path, name, version).map(v -> v.state()).orElse(null);
              if (old == null) {
                // the same answer as a read of that version
                throw new VersionNotFoundException(diskId, path, name, version,
                    c.versions().find(diskId, path, name, version).isPresent()
                        ? "records a removal and has no content to restore"
                        : "does not exist (never recorded, or removed by garbage collection or"
                            + " deleteVersions)");
              }
              Instant now = engine.now();
              long nowMicros = Engine.micros(now);
              List<String> garbage = new ArrayList<>();
              boolean sameBytes = current != null && current.sha256().equals(old.sha256());
              if (!sameBytes) {
                // the version's reference keeps the blob row alive: it exists
                c.blobs().addReference(old.sha256());
                if (current != null) {
                  releaseBlob(c, current.sha256(), 1, garbage, now);
                }
              }
              String etag = Engine.randomHex(16);
              long contentModifiedAt = sameBytes ? current.contentModifiedAt() : nowMicros;
              long id;
              ArtifactRow row;
              if (current != null) {
                row = new ArtifactRow(current.id(), diskId, path, name, old.sha256(), old.size(),
                    old.contentType(), etag, old.userMeta(), current.createdAt(), nowMicros,
                    contentModifiedAt, old.blobKey());
                c.artifacts().update(row, RowCheck.of(row));
                id = current.id();
              } else {
                // an undelete: the artifact comes back as it was, created when it was
                row = new ArtifactRow(0, diskId, path, name, old.sha256(), old.size(),
                    old.contentType(), etag, old.userMeta(), old.createdAt(), nowMicros,
                    contentModifiedAt, old.blobKey());
                id = c.artifacts().insert(row, RowCheck.of(row));
                addToDirectories(c, diskId, path);
              }
              c.text().enqueue(id);
              versions.record(c, diskId, path, name, ArtifactVersion.Change.RESTORED, row,
                  nowMicros);
              return new Restored(toArtifact(row), id, garbage);
            });
    engine.deleteGarbage(restored.garbage());
    return restored.artifact();
  }

  // ---------------------------------------------------------------- directories

  @Override
  public ArtifactPage listAll(String diskId, String rawPath, int limit, @Nullable String cursor) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(rawPath, "path");
    if (limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new InvalidRequestException(
          "limit must be between 1 and " + MAX_LIST_LIMIT + ", was " + limit);
    }
    String path = PathRules.directory(rawPath);
    String scope = "lsr\0" + diskId + "\0" + path;
    String afterPath = null;
    String afterName = null;
    if (cursor != null) {
      List<String> fields = Cursors.decode(cursor, "r1", scope, 2);
      afterPath = fields.get(0);
      afterName = fields.get(1);
    }
    String fromPath = afterPath;
    String fromName = afterName;
    List<ArtifactRow> rows =
        engine.index.read(
            c -> {
              DiskOps.requireDisk(c, diskId);
              List<ArtifactRow> found = new ArrayList<>();
              c.artifacts().scan(diskId, path, subtreeEnd(path), fromPath, fromName, row -> {
                found.add(row);
                return found.size() <= limit;
              });
              return found;
            });
    boolean more = rows.size() > limit;
    List<ArtifactRow> items = more ? rows.subList(0, limit) : rows;
    List<Artifact> page = new ArrayList<>(items.size());
    for (ArtifactRow row : items) {
      page.add(toArtifact(row));
    }
    Optional<String> next = Optional.empty();
    if (more) {
      ArtifactRow last = items.get(items.size() - 1);
      next = Optional.of(Cursors.encode("r1", scope, List.of(last.path(), last.filename())));
    }
    return new ArtifactPage(page, next);
  }

  /**
   * The first directory path after every path in {@code path}'s subtree: the paths of a subtree
   * are exactly those in {@code [path, subtreeEnd(path))}, since they all start with {@code path}
   * (which ends with {@code /}) and {@code 0} is the character after {@code /}.
   */
  static String subtreeEnd(String path) {
    return path.substring(0, path.length() - 1) + "0";
  }

  @Override
  public int deleteAll(String diskId, String rawPath) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(rawPath, "path");
    String path = PathRules.directory(rawPath);
    record Deleted(int count, List<String> garbage) {}
    Deleted deleted =
        engine.index.write(
            true,
            c -> {
              DiskOps.requireDisk(c, diskId);
              List<ArtifactRow> rows = new ArrayList<>();
              c.artifacts().scan(diskId, path, subtreeEnd(path), null, null, row -> {
                rows.add(row);
                return true;
              });
              Instant now = engine.now();
              long nowMicros = Engine.micros(now);
              List<String> garbage = new ArrayList<>();
              for (ArtifactRow row : rows) {
                deleteRow(c, row, garbage, now);
                versions.record(c, diskId, row.path(), row.filename(),
                    ArtifactVersion.Change.DELETED, null, nowMicros);
              }
              return new Deleted(rows.size(), garbage);
            });
    engine.deleteGarbage(deleted.garbage());
    return deleted.count();
  }
}
