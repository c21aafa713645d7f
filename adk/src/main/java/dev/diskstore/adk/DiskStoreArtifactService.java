package dev.diskstore.adk;

import com.google.adk.artifacts.BaseArtifactService;
import com.google.adk.artifacts.ListArtifactsResponse;
import com.google.common.collect.ImmutableList;
import com.google.genai.types.Part;
import dev.diskstore.Artifact;
import dev.diskstore.ArtifactListing;
import dev.diskstore.ArtifactNotFoundException;
import dev.diskstore.ArtifactStream;
import dev.diskstore.ArtifactVersion;
import dev.diskstore.ArtifactVersionPage;
import dev.diskstore.Artifacts;
import dev.diskstore.ByteRange;
import dev.diskstore.DiskNotFoundException;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreException;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import dev.diskstore.History;
import dev.diskstore.InvalidPathException;
import dev.diskstore.StorageException;
import dev.diskstore.VersionNotFoundException;
import dev.diskstore.adk.Layout.Location;
import dev.diskstore.adk.PartCodec.StoredPart;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Google ADK's artifact service on a DiskStore disk: the files agents save through {@code
 * ToolContext.saveArtifact}, {@code CallbackContext.saveArtifact} and the {@code Runner}, with every
 * version kept, in-process, on SQLite and a local directory (or any store DiskStore opens).
 *
 * <pre>{@code
 * DiskStore store = DiskStore.open(DiskStoreConfig.builder()
 *     .directory(dir).backend(LocalBlobBackend.at(dir.resolve("blobs")))
 *     .history(History.unlimited())                 // ADK keeps every version: see Retention
 *     .build());
 * String diskId = store.disks().create("adk").id(); // once; keep the id with your configuration
 * Runner runner = new Runner(agent, "my-app",
 *     DiskStoreArtifactService.forDisk(store, diskId), new InMemorySessionService());
 * }</pre>
 *
 * <h2>ADK's semantics</h2>
 *
 * As ADK's {@code InMemoryArtifactService} and {@code GcsArtifactService}: each save of a filename
 * in a session makes a new version, numbered 0, 1, 2, ...; {@code loadArtifact} without a version
 * loads the newest; a missing artifact or version is {@code Maybe.empty()}, never an error; {@code
 * listVersions} is ascending; {@code listArtifactKeys} lists the session's filenames and the user's
 * {@code user:} filenames together, sorted; {@code deleteArtifact} removes every version. A
 * filename starting with {@code user:} is the user's, shared by all of that user's sessions (as in
 * {@code GcsArtifactService}; the in-memory service ignores the prefix). The part comes back as it
 * was saved, as from the in-memory service (the GCS service takes inline data only):
 *
 * <ul>
 *   <li>inline data ({@code Part.fromBytes}): stored as the bytes themselves, so the file in the
 *       disk is the real PNG or PDF; its MIME type and display name are kept in the file's user
 *       metadata ({@code {"adk": {"part": "inline_data", "mime_type": ...}}}), because the store's
 *       own content type is detected and may differ from the declared one;
 *   <li>text ({@code Part.fromText}): stored as UTF-8 ({@code "part": "text"});
 *   <li>any other part (file data, function calls, a thought, several fields at once): stored as
 *       the part's JSON ({@code Part.toJson()}, {@code "part": "json"}).
 * </ul>
 *
 * A file another client put under the layout without that metadata loads as inline data with the
 * store's content type.
 *
 * <p><b>One deliberate difference: a version number is never reused.</b> ADK's services restart at
 * 0 when a filename is saved again after {@code deleteArtifact}; here numbering goes on after the
 * deletion (0, 1, delete, then 3: the deletion itself is version 2 in the store). ADK records the
 * number each save returned in the session's events ({@code EventActions.artifactDelta}), and a
 * number that named other bytes after a delete would make those events point at the wrong file;
 * here an old number loads nothing instead. Everything else a caller can observe is as in ADK:
 * after a delete, {@code listVersions} lists only the versions saved since.
 *
 * <h2>Where artifacts live</h2>
 *
 * One disk holds every app, user and session (a disk of its own, or one shared with other files:
 * the service touches only the directories below). Paths, with each name encoded as one segment:
 *
 * <pre>
 * /&lt;app&gt;/&lt;user&gt;/sessions/&lt;session&gt;/&lt;filename&gt;   a session's artifact
 * /&lt;app&gt;/&lt;user&gt;/user/&lt;filename&gt;                   a user: artifact (the name keeps its prefix)
 * </pre>
 *
 * The fixed {@code sessions} and {@code user} segments keep the two apart even for a session whose
 * id is {@code user}. The encoding keeps printable ASCII except {@code % / \} and escapes
 * everything else as {@code %XX} UTF-8 bytes ({@code images/cat.png} is stored as {@code
 * images%2Fcat.png}, {@code café.txt} as {@code caf%C3%A9.txt}): injective, so no two ADK names
 * share a file, and safe under DiskStore's path rules (no {@code /}, {@code .} or {@code ..}
 * segments, nothing for NFC normalisation or the look-alike rules to change). An empty name, a name
 * with an unpaired UTF-16 surrogate, or a name whose encoding is longer than 255 characters fails
 * the call with {@link InvalidPathException}.
 *
 * <p>Why one disk rather than one per app: disk ids are UUIDs the store generates, so finding "the
 * disk of app X" would need a registry that two processes starting at once could both fill;
 * directories are deterministic and free. Use one service (and one disk) per isolation boundary
 * you want.
 *
 * <h2>Versions, concurrency, deletes</h2>
 *
 * Every version is a version of DiskStore's history ({@link Artifacts#versions}), and its ADK
 * number is the store's number: each save is one {@link Artifacts#upsert}, and the store numbers
 * the versions of an artifact inside the upsert's transaction, serialised against every other
 * writer of the store (threads, and processes sharing it). Concurrent saves of one filename
 * therefore get distinct consecutive numbers and none is lost; after the upsert the service reads
 * its number back from the history by the etag it committed. A save and a load of the same
 * filename see the newest version or the one before it, never a mixture.
 *
 * <p>{@code deleteArtifact} is one {@link Artifacts#delete} (one transaction: the artifact is gone
 * for every reader at once, and the store records the deletion as a version), then {@link
 * Artifacts#deleteVersions}, which purges every older version and frees their bytes. Reads treat
 * the recorded deletion as a barrier: no version older than a deletion is listed or loaded, so
 * even a process that dies between the two steps leaves no readable version behind. A save that
 * races a delete of the same filename lands before it (and is deleted) or after it (and stays).
 *
 * <h2>Retention</h2>
 *
 * The store's {@link History} decides how long versions live, and ADK expects all of them kept,
 * so <b>open the store with {@link History#unlimited()}</b>. The service cannot enforce it up
 * front (an open {@link DiskStore} does not expose its configuration); it acts on what it can
 * see. With {@link History#off()} the store numbers nothing, and the first save fails with a
 * {@link DiskStoreException} saying so (its bytes are stored, but it has no version). With a
 * limited policy, such as DiskStore's default (the last 10 versions, for 30 days), retention
 * applies as it does to every artifact: garbage collection drops old versions, {@code
 * listVersions} then starts above 0 and loading a dropped version is empty, while the newest
 * version of an artifact is always kept. That is a valid choice for a store shared with other
 * uses that must stay bounded, and it is the only way ADK artifacts are ever dropped without a
 * {@code deleteArtifact}.
 *
 * <h2>Threads, errors, ownership</h2>
 *
 * Thread-safe: the service holds only the store and the disk id. Every method returns a cold
 * {@code Single}, {@code Maybe} or {@code Completable} that does nothing until subscribed and then
 * does its blocking store calls on the subscribing thread, as ADK's {@code GcsArtifactService}
 * does; add {@code subscribeOn(Schedulers.io())} to move them. Failures arrive as the error
 * signal, each a {@link DiskStoreException} (a {@link StorageException} when the store fails, an
 * {@link InvalidPathException} for a name the layout cannot carry, a {@link DiskNotFoundException}
 * if the disk was deleted); {@code null} arguments throw {@link NullPointerException} at once. The
 * service does not own the store: the application closes it (after which calls fail with {@code
 * StoreClosedException}).
 */
public final class DiskStoreArtifactService implements BaseArtifactService {
  /** Versions read per history page while looking for one. */
  private static final int VERSION_PAGE = 1_000;
  /** Files read per directory page while listing. */
  private static final int LIST_PAGE = 10_000;

  private final DiskStore store;
  private final String diskId;

  private DiskStoreArtifactService(DiskStore store, String diskId) {
    this.store = store;
    this.diskId = diskId;
  }

  /**
   * The artifact service on {@code diskId} of {@code store} (see the class comment for the layout
   * and for the {@link History} the store should keep).
   *
   * @throws DiskNotFoundException if the disk does not exist
   */
  public static DiskStoreArtifactService forDisk(DiskStore store, String diskId) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(diskId, "diskId");
    store.disks().get(diskId);
    return new DiskStoreArtifactService(store, diskId);
  }

  /** The disk holding the artifacts. */
  public String diskId() {
    return diskId;
  }

  /**
   * Saves {@code artifact} as the filename's next version and emits its number (see the class
   * comment on numbering after a delete).
   */
  @Override
  public Single<Integer> saveArtifact(
      String appName, String userId, String sessionId, String filename, Part artifact) {
    requireNames(appName, userId, sessionId, filename);
    Objects.requireNonNull(artifact, "artifact");
    return Single.fromCallable(() -> save(appName, userId, sessionId, filename, artifact).version);
  }

  /**
   * Saves {@code artifact} and emits it as {@code loadArtifact} of the new version returns it,
   * without reading it back: the part is rebuilt from what was stored, so this costs one save.
   */
  @Override
  public Single<Part> saveAndReloadArtifact(
      String appName, String userId, String sessionId, String filename, Part artifact) {
    requireNames(appName, userId, sessionId, filename);
    Objects.requireNonNull(artifact, "artifact");
    return Single.fromCallable(() -> save(appName, userId, sessionId, filename, artifact).part);
  }

  /**
   * The newest version when {@code version} is null, else that version; empty when the artifact or
   * the version does not exist (never saved, deleted, negative, or dropped by retention).
   */
  @Override
  public Maybe<Part> loadArtifact(
      String appName, String userId, String sessionId, String filename,
      @Nullable Integer version) {
    requireNames(appName, userId, sessionId, filename);
    return Maybe.defer(
        () -> Maybe.fromOptional(
            version == null
                ? loadNewest(Layout.locate(appName, userId, sessionId, filename))
                : loadVersion(Layout.locate(appName, userId, sessionId, filename), version)));
  }

  /** The session's filenames and the user's {@code user:} filenames, sorted, each once. */
  @Override
  public Single<ListArtifactsResponse> listArtifactKeys(
      String appName, String userId, String sessionId) {
    Objects.requireNonNull(appName, "appName");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(sessionId, "sessionId");
    return Single.fromCallable(
        () -> {
          TreeSet<String> filenames = new TreeSet<>();
          addFilenames(Layout.sessionDirectory(appName, userId, sessionId), false, filenames);
          addFilenames(Layout.userDirectory(appName, userId), true, filenames);
          return ListArtifactsResponse.builder()
              .filenames(ImmutableList.copyOf(filenames))
              .build();
        });
  }

  /**
   * Deletes the artifact with every version (a {@code user:} artifact for all of the user's
   * sessions); completes normally when there is nothing to delete.
   */
  @Override
  public Completable deleteArtifact(
      String appName, String userId, String sessionId, String filename) {
    requireNames(appName, userId, sessionId, filename);
    return Completable.fromAction(
        () -> {
          Location at = Layout.locate(appName, userId, sessionId, filename);
          try {
            artifacts().delete(diskId, at.directory(), at.filename());
          } catch (ArtifactNotFoundException e) {
            // nothing current: still purge what an interrupted delete may have left
          }
          artifacts().deleteVersions(diskId, at.directory(), at.filename());
        });
  }

  /** The numbers of the versions that can be loaded, ascending; empty when there are none. */
  @Override
  public Single<ImmutableList<Integer>> listVersions(
      String appName, String userId, String sessionId, String filename) {
    requireNames(appName, userId, sessionId, filename);
    return Single.fromCallable(
        () -> {
          Location at = Layout.locate(appName, userId, sessionId, filename);
          List<Integer> numbers = new ArrayList<>();
          String cursor = null;
          pages:
          do {
            ArtifactVersionPage page = versions(at, cursor);
            for (ArtifactVersion version : page.items()) {
              if (version.isRemoval()) {
                break pages; // the newest deletion hides everything before it
              }
              numbers.add(number(version.version()));
            }
            cursor = page.nextCursor().orElse(null);
          } while (cursor != null);
          Collections.reverse(numbers);
          return ImmutableList.copyOf(numbers);
        });
  }

  @Override
  public String toString() {
    return "DiskStoreArtifactService[disk " + diskId + " of " + store + "]";
  }

  // ------------------------------------------------------------------ implementation

  /** A saved version: its number, and the part a load of it returns. */
  private record Saved(int version, Part part) {}

  private Saved save(
      String appName, String userId, String sessionId, String filename, Part artifact) {
    Location at = Layout.locate(appName, userId, sessionId, filename);
    StoredPart stored = PartCodec.encode(artifact);
    Artifact written =
        artifacts().upsert(
            diskId,
            FileUpload.of(at.filename(), stored.bytes(), stored.contentType()),
            at.directory(),
            stored.meta());
    long number = versionOf(at, written.etag());
    return new Saved(
        number(number),
        PartCodec.decode(stored.bytes(), written.userMeta(), written.contentType()));
  }

  /**
   * The version the upsert that committed {@code etag} recorded. Etags are random per change, so
   * exactly one version carries it; it is near the top of the history (newest first), below only
   * the saves that committed after it.
   */
  private long versionOf(Location at, String etag) {
    boolean anyVersion = false;
    String cursor = null;
    do {
      ArtifactVersionPage page = versions(at, cursor);
      for (ArtifactVersion version : page.items()) {
        anyVersion = true;
        if (version.artifact().map(a -> a.etag().equals(etag)).orElse(false)) {
          return version.version();
        }
      }
      cursor = page.nextCursor().orElse(null);
    } while (cursor != null);
    if (!anyVersion) {
      throw new DiskStoreException(
          "saved " + at.directory() + at.filename() + " on disk " + diskId + ", but the store"
              + " records no versions (History.off()), so the save has no version number; open"
              + " the store with DiskStoreConfig.builder().history(History.unlimited())");
    }
    throw new DiskStoreException(
        "saved " + at.directory() + at.filename() + " on disk " + diskId + ", but its version was"
            + " gone before its number could be read: a concurrent deleteArtifact of the same"
            + " filename removed it, or garbage collection dropped it under a limited History");
  }

  private Optional<Part> loadNewest(Location at) {
    try (ArtifactStream in = artifacts().open(diskId, at.directory(), at.filename())) {
      return Optional.of(read(in, at));
    } catch (ArtifactNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw readFailed(at, e);
    }
  }

  /**
   * Version {@code number}, if it has content and no deletion was recorded after it. The history
   * is read from the newest version down to {@code number}, so that a deletion whose purge never
   * ran (the process died in between) still hides the versions before it.
   */
  private Optional<Part> loadVersion(Location at, int number) {
    if (number < 0) {
      return Optional.empty();
    }
    String cursor = null;
    do {
      ArtifactVersionPage page = versions(at, cursor);
      for (ArtifactVersion version : page.items()) {
        if (version.version() < number || version.isRemoval()) {
          return Optional.empty(); // not kept, or deleted since
        }
        if (version.version() == number) {
          return openVersion(at, number);
        }
      }
      cursor = page.nextCursor().orElse(null);
    } while (cursor != null);
    return Optional.empty();
  }

  private Optional<Part> openVersion(Location at, long number) {
    GetOptions options = GetOptions.builder().version(number).build();
    try (ArtifactStream in =
        artifacts().open(diskId, at.directory(), at.filename(), ByteRange.from(0), options)) {
      return Optional.of(read(in, at));
    } catch (VersionNotFoundException e) {
      return Optional.empty(); // purged since the history was read
    } catch (IOException e) {
      throw readFailed(at, e);
    }
  }

  private static Part read(ArtifactStream in, Location at) throws IOException {
    Artifact artifact = in.artifact();
    if (artifact.sizeBytes() > Integer.MAX_VALUE - 8) {
      throw new StorageException(
          at.directory() + at.filename() + " is " + artifact.sizeBytes() + " bytes, more than an"
              + " ADK Part (a Java array) can hold", false, null);
    }
    return PartCodec.decode(in.readAllBytes(), artifact.userMeta(), artifact.contentType());
  }

  private StorageException readFailed(Location at, IOException e) {
    return new StorageException(
        "reading " + at.directory() + at.filename() + " on disk " + diskId + " failed: "
            + e.getMessage(), true, e);
  }

  /** Adds the ADK names of the files directly in {@code directory} that belong to its scope. */
  private void addFilenames(String directory, boolean userScoped, TreeSet<String> filenames) {
    String cursor = null;
    do {
      ArtifactListing page = artifacts().list(diskId, directory, LIST_PAGE, cursor);
      for (Artifact file : page.artifacts()) {
        // skip files another client put there under names the layout never produces
        Layout.decode(file.filename())
            .filter(name -> Layout.isUserScoped(name) == userScoped)
            .ifPresent(filenames::add);
      }
      cursor = page.nextCursor().orElse(null);
    } while (cursor != null);
  }

  private ArtifactVersionPage versions(Location at, @Nullable String cursor) {
    return artifacts().versions(diskId, at.directory(), at.filename(), VERSION_PAGE, cursor);
  }

  private Artifacts artifacts() {
    return store.disks().artifacts();
  }

  /** A store version number as ADK's {@code int}. */
  private int number(long version) {
    if (version > Integer.MAX_VALUE) {
      throw new StorageException(
          "version " + version + " does not fit ADK's int version numbers", false, null);
    }
    return (int) version;
  }

  private static void requireNames(
      String appName, String userId, String sessionId, String filename) {
    Objects.requireNonNull(appName, "appName");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(filename, "filename");
  }
}
