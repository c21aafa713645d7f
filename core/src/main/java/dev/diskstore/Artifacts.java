package dev.diskstore;

import java.io.InputStream;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Files in disks: {@code store.disks().artifacts()}. Thread-safe.
 *
 * <h2>Paths</h2>
 *
 * An artifact is addressed by disk id, a directory path ({@code filePath}) and a filename.
 * {@code /documents/2024}, {@code documents/2024/} and {@code /documents/2024/} name the same
 * directory; {@code ""} and {@code /} are the root. Repeated slashes collapse. Rejected with
 * {@link InvalidPathException}: {@code .} and {@code ..} segments, NUL and other control
 * characters, backslashes, segments over 255 UTF-8 bytes and paths over 4,096 bytes. Unicode is
 * NFC-normalised; names are case-sensitive. A filename is one valid segment. Returned paths always
 * start and end with {@code /}. Code that carries full paths ({@code "/docs/a.md"}, Acontext's
 * {@code file_path}) passes them as an {@link ArtifactPath} to the overloads at the end of this
 * interface: {@code get(diskId, ArtifactPath.of("/docs/a.md"))}.
 *
 * <p><b>Look-alike names.</b> A name an artifact is <em>written</em> under (upsert, the
 * destination of a move: filename and every directory segment) must also not look like another
 * name, or {@link InvalidPathException} names the code point as {@code U+XXXX} and where it is:
 *
 * <ul>
 *   <li>no invisible characters: Unicode format characters (category Cf: bidirectional overrides
 *       and isolates such as U+202E, zero-width space U+200B, U+FEFF, soft hyphen, tag
 *       characters), line and paragraph separators, Hangul fillers. Two joiners are kept where
 *       they are visible: U+200D between two emoji (emoji ZWJ sequences), and U+200C/U+200D
 *       between two letters of a script whose rendering they change (Arabic, Syriac, N'Ko,
 *       Mongolian, the scripts of South and South-East Asia);
 *   <li>no segment made only of whitespace, and no whitespace at the start or end of a segment:
 *       {@code " a.txt"} is rejected, not trimmed (Acontext trims the full path on lookups but
 *       stores upload filenames untrimmed, so its {@code "a.txt "} can be written but not read
 *       back). Whitespace inside a name ({@code "meeting notes.md"}) is fine.
 * </ul>
 *
 * Lookups, listings, deletes and the source of a move accept such names, so that artifacts stored
 * under them by an older version stay reachable (and can be renamed with {@link #move}); in a
 * store that never held them they simply find nothing.
 *
 * <h2>Writes</h2>
 *
 * Every write is atomic: a concurrent reader sees the old or the new artifact, and a failure at any
 * step leaves the old one intact. Writes accept a {@link Precondition} on the artifact's etag.
 * Identical bytes are stored once and shared.
 */
public interface Artifacts {

  /** Upserts at the root directory, keeping existing user metadata. */
  default Artifact upsert(String diskId, FileUpload file) {
    return upsert(diskId, file, "/", null, Precondition.none());
  }

  /** Upserts into {@code filePath}, keeping existing user metadata. */
  default Artifact upsert(String diskId, FileUpload file, String filePath) {
    return upsert(diskId, file, filePath, null, Precondition.none());
  }

  /**
   * Upserts into {@code filePath}: creates the artifact, or replaces the bytes of an existing one.
   *
   * @param meta the user metadata: a map replaces the existing user metadata; {@code null} keeps it
   *     (an empty map clears it)
   */
  default Artifact upsert(
      String diskId, FileUpload file, String filePath, @Nullable Map<String, ?> meta) {
    return upsert(diskId, file, filePath, meta, Precondition.none());
  }

  /**
   * Upserts into {@code filePath}, if {@code condition} holds. The bytes are streamed to the
   * backend and hashed on the way; nothing is visible until the index commits. {@code createdAt}
   * survives a re-upload; {@code updatedAt} and the etag change.
   *
   * @throws DiskNotFoundException if the disk does not exist
   * @throws InvalidPathException for a bad path or filename
   * @throws InvalidMetadataException for bad or oversized metadata
   * @throws UploadTooLargeException if the upload is larger than the configured maximum
   * @throws PreconditionFailedException if the condition does not hold
   * @throws StorageException if the index or backend fails (the previous artifact is intact)
   */
  Artifact upsert(
      String diskId,
      FileUpload file,
      String filePath,
      @Nullable Map<String, ?> meta,
      Precondition condition);

  /** The artifact, without URL or content. */
  default ArtifactResult get(String diskId, String filePath, String filename) {
    return get(diskId, filePath, filename, GetOptions.NONE);
  }

  /**
   * The artifact, with a download URL and parsed content as requested.
   *
   * @throws ArtifactNotFoundException if there is no such artifact
   * @throws DiskNotFoundException if the disk does not exist
   */
  ArtifactResult get(String diskId, String filePath, String filename, GetOptions options);

  default Optional<ArtifactResult> find(String diskId, String filePath, String filename) {
    return find(diskId, filePath, filename, GetOptions.NONE);
  }

  /**
   * Like {@link #get(String, String, String, GetOptions)}, but empty when the artifact (not the
   * disk) does not exist.
   */
  Optional<ArtifactResult> find(
      String diskId, String filePath, String filename, GetOptions options);

  /** All files and sub-directories directly in {@code path}. */
  ArtifactListing list(String diskId, String path);

  /**
   * One page of the directory: sub-directories first, then files, each ordered by name. The cost
   * is proportional to the page, not to the disk.
   *
   * @param limit 1–10,000 entries (directories and files together)
   * @param cursor the previous page's {@link ArtifactListing#nextCursor()}, or {@code null}
   */
  ArtifactListing list(String diskId, String path, int limit, @Nullable String cursor);

  /** Replaces the user metadata without touching the bytes. */
  default Artifact update(String diskId, String filePath, String filename, Map<String, ?> meta) {
    return update(diskId, filePath, filename, meta, Precondition.none());
  }

  /**
   * Replaces the user metadata (an empty map clears it) without touching the bytes; the etag and
   * {@code updatedAt} change.
   *
   * @throws ArtifactNotFoundException if there is no such artifact
   * @throws PreconditionFailedException if {@code condition} does not hold
   */
  Artifact update(
      String diskId, String filePath, String filename, Map<String, ?> meta, Precondition condition);

  default void delete(String diskId, String filePath, String filename) {
    delete(diskId, filePath, filename, Precondition.none());
  }

  /**
   * Deletes the artifact. Its bytes are deleted from the backend once no artifact references them.
   *
   * @throws ArtifactNotFoundException if there is no such artifact
   * @throws PreconditionFailedException if {@code condition} does not hold
   */
  void delete(String diskId, String filePath, String filename, Precondition condition);

  /** Moves an artifact to a new directory and/or filename; fails if the destination exists. */
  default Artifact move(
      String diskId, String fromPath, String fromFilename, String toPath, String toFilename) {
    return move(diskId, fromPath, fromFilename, toPath, toFilename, Precondition.none(), false);
  }

  /**
   * Moves (renames) an artifact within its disk in one transaction: the bytes are not copied, user
   * metadata and {@code createdAt} are kept, the etag and {@code updatedAt} change. Readers see the
   * artifact at its old place or at its new one, never at both or neither.
   *
   * @param sourceCondition a condition on the source (e.g. {@code ifMatch(etag)})
   * @param overwrite replace an artifact at the destination; when false an existing destination
   *     fails the move with {@link PreconditionFailedException} (its {@code currentEtag} is the
   *     destination's)
   * @throws ArtifactNotFoundException if the source does not exist
   * @throws InvalidRequestException if source and destination are the same
   */
  Artifact move(
      String diskId,
      String fromPath,
      String fromFilename,
      String toPath,
      String toFilename,
      Precondition sourceCondition,
      boolean overwrite);

  /**
   * Opens the artifact's bytes, with the metadata of the version being read ({@link
   * ArtifactStream#artifact()}). The caller closes the stream.
   */
  default ArtifactStream open(String diskId, String filePath, String filename) {
    return open(diskId, filePath, filename, ByteRange.from(0));
  }

  /**
   * Opens part of the artifact's bytes. The stream reads the version current at the call, even if
   * the artifact is replaced while it is being read, and {@link ArtifactStream#artifact()} describes
   * that version (one index lookup for both). The caller closes the stream; the store closes
   * streams still open when it is closed.
   *
   * @throws ArtifactNotFoundException if there is no such artifact
   */
  ArtifactStream open(String diskId, String filePath, String filename, ByteRange range);

  /**
   * Opens part of the bytes of the version {@link GetOptions#version()} names (the current one when
   * empty); {@link ArtifactStream#artifact()} describes that version. The URL and content flags of
   * {@code options} do not apply to a stream. The caller closes the stream.
   *
   * @throws ArtifactNotFoundException if there is no such artifact ({@link
   *     VersionNotFoundException} if it has no such version, or that version records a removal)
   */
  ArtifactStream open(
      String diskId, String filePath, String filename, ByteRange range, GetOptions options);

  // ------------------------------------------------------------------ history

  /** The first page of up to 100 of the artifact's versions, newest first. */
  default ArtifactVersionPage versions(String diskId, String filePath, String filename) {
    return versions(diskId, filePath, filename, 100, null);
  }

  /**
   * The versions of the artifact at this disk, directory and filename, newest first, {@code limit}
   * (1–10,000) at a time: every upsert, metadata update, move, restore and delete of it that the
   * store's {@link History} keeps (see {@link ArtifactVersion}). Works whether or not the artifact
   * exists now: the versions of a deleted artifact stay listed until garbage collection removes
   * them. Empty when nothing was recorded (or history is off).
   *
   * @param cursor the {@link ArtifactVersionPage#nextCursor()} of the previous page, or null
   * @throws DiskNotFoundException if the disk does not exist
   * @throws InvalidCursorException if {@code cursor} is not a cursor of this listing
   */
  ArtifactVersionPage versions(
      String diskId, String filePath, String filename, int limit, @Nullable String cursor);

  /** {@link #restore(String, String, String, long, Precondition)} without a condition. */
  default Artifact restore(String diskId, String filePath, String filename, long version) {
    return restore(diskId, filePath, filename, version, Precondition.none());
  }

  /**
   * Makes an earlier version current again, in one transaction: the artifact gets that version's
   * bytes, content type and user metadata (no bytes are copied), a new etag, and a new version
   * ({@link ArtifactVersion.Change#RESTORED}). Works when the artifact does not exist now — after
   * a delete or a move away: an undelete. With history off it fails like any missing version.
   *
   * @param condition a condition on the artifact as it is now: {@code ifMatch(etag)} restores only
   *     over that state, {@code ifNoneMatch()} only if the artifact does not exist
   * @throws VersionNotFoundException if there is no such version, or it records a removal
   * @throws PreconditionFailedException if {@code condition} does not hold
   * @throws DiskNotFoundException if the disk does not exist
   */
  Artifact restore(
      String diskId, String filePath, String filename, long version, Precondition condition);

  /**
   * Deletes every version of the artifact but its newest (which is its current state, or the
   * record of its deletion, and keeps its numbering going), freeing the bytes nothing else uses at
   * the next garbage collection. Returns how many versions were deleted.
   *
   * @throws DiskNotFoundException if the disk does not exist
   */
  int deleteVersions(String diskId, String filePath, String filename);

  // ------------------------------------------------------------------ directories

  /**
   * Every artifact in {@code path} and its sub-directories, in path and filename order, {@code
   * limit} (1–10,000) at a time. Each page is one consistent snapshot; pages are read at different
   * times, so an artifact written between two pages may be missed or seen in its new place.
   *
   * @param cursor the {@link ArtifactPage#nextCursor()} of the previous page, or null
   * @throws DiskNotFoundException if the disk does not exist
   */
  ArtifactPage listAll(String diskId, String path, int limit, @Nullable String cursor);

  /**
   * Deletes every artifact in {@code path} and its sub-directories in one transaction: readers see
   * all of them or none of them. Each deletion records a version ({@link
   * ArtifactVersion.Change#DELETED}), so the files can be restored one by one. Returns how many
   * artifacts were deleted (0 when none: an empty or missing directory is not an error). The root
   * {@code /} deletes every artifact of the disk.
   *
   * @throws DiskNotFoundException if the disk does not exist
   */
  int deleteAll(String diskId, String path);

  // ------------------------------------------------------------------ full paths (ArtifactPath)
  // Each delegates to the method above taking path and filename, with the same contract.

  /** {@link #get(String, String, String)} by full path, e.g. {@code ArtifactPath.of("/docs/a.md")}. */
  default ArtifactResult get(String diskId, ArtifactPath file) {
    return get(diskId, file, GetOptions.NONE);
  }

  /** {@link #get(String, String, String, GetOptions)} by full path. */
  default ArtifactResult get(String diskId, ArtifactPath file, GetOptions options) {
    Objects.requireNonNull(file, "file");
    return get(diskId, file.path(), file.filename(), options);
  }

  /** {@link #find(String, String, String)} by full path. */
  default Optional<ArtifactResult> find(String diskId, ArtifactPath file) {
    return find(diskId, file, GetOptions.NONE);
  }

  /** {@link #find(String, String, String, GetOptions)} by full path. */
  default Optional<ArtifactResult> find(String diskId, ArtifactPath file, GetOptions options) {
    Objects.requireNonNull(file, "file");
    return find(diskId, file.path(), file.filename(), options);
  }

  /** {@link #update(String, String, String, Map)} by full path. */
  default Artifact update(String diskId, ArtifactPath file, Map<String, ?> meta) {
    return update(diskId, file, meta, Precondition.none());
  }

  /** {@link #update(String, String, String, Map, Precondition)} by full path. */
  default Artifact update(
      String diskId, ArtifactPath file, Map<String, ?> meta, Precondition condition) {
    Objects.requireNonNull(file, "file");
    return update(diskId, file.path(), file.filename(), meta, condition);
  }

  /** {@link #delete(String, String, String)} by full path. */
  default void delete(String diskId, ArtifactPath file) {
    delete(diskId, file, Precondition.none());
  }

  /** {@link #delete(String, String, String, Precondition)} by full path. */
  default void delete(String diskId, ArtifactPath file, Precondition condition) {
    Objects.requireNonNull(file, "file");
    delete(diskId, file.path(), file.filename(), condition);
  }

  /**
   * {@link #move(String, String, String, String, String)} by full paths: {@code
   * move(disk, ArtifactPath.of("/drafts/a.md"), ArtifactPath.of("/docs/a.md"))}.
   */
  default Artifact move(String diskId, ArtifactPath from, ArtifactPath to) {
    return move(diskId, from, to, Precondition.none(), false);
  }

  /** {@link #move(String, String, String, String, String, Precondition, boolean)} by full paths. */
  default Artifact move(
      String diskId,
      ArtifactPath from,
      ArtifactPath to,
      Precondition sourceCondition,
      boolean overwrite) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    return move(
        diskId, from.path(), from.filename(), to.path(), to.filename(), sourceCondition, overwrite);
  }

  /** {@link #open(String, String, String)} by full path; the caller closes the stream. */
  default ArtifactStream open(String diskId, ArtifactPath file) {
    return open(diskId, file, ByteRange.from(0));
  }

  /** {@link #open(String, String, String, ByteRange)} by full path; the caller closes the stream. */
  default ArtifactStream open(String diskId, ArtifactPath file, ByteRange range) {
    Objects.requireNonNull(file, "file");
    return open(diskId, file.path(), file.filename(), range);
  }
}
