package dev.diskstore.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.diskstore.ByteRange;
import dev.diskstore.StorageException;
import dev.diskstore.StoreMismatchException;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.BlobNotFoundException;
import dev.diskstore.spi.BlobStat;
import dev.diskstore.spi.index.MetadataIndex;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A store knows its blobs are its own: every store has an id, recorded in the index ({@code
 * store_meta} {@code store_id}) and in a marker object in the backend ({@value #MARKER_KEY}, under the blob
 * root or key prefix). Opening compares them:
 *
 * <table>
 *   <caption>What opening does</caption>
 *   <tr><th>index</th><th>backend</th><th>then</th></tr>
 *   <tr><td>knows no store id, holds no blobs</td><td>empty</td><td>a new store: the id is
 *       recorded in the index (pending), the marker written, the index told (written)</td></tr>
 *   <tr><td>knows no store id, holds no blobs</td><td>a marker, or objects without one</td>
 *       <td>refused: the index was lost, or the directory points at another store's blobs</td></tr>
 *   <tr><td>knows no store id, holds blobs (a store made before markers existed)</td>
 *       <td>no marker, and the index's blobs are there (or the backend is empty)</td>
 *       <td>the backend is claimed: id recorded, marker written</td></tr>
 *   <tr><td>id X, marker pending</td><td>no marker, or marker X</td><td>the interrupted creation
 *       is finished</td></tr>
 *   <tr><td>id X</td><td>marker X</td><td>opened</td></tr>
 *   <tr><td>id X</td><td>marker Y, or none while the index says it was written</td><td>refused</td></tr>
 * </table>
 *
 * <p>Every refusal is a {@link StoreMismatchException} that changes nothing and says how to recover.
 * With {@code adoptBackend} the store instead claims the backend: its marker replaces whatever is
 * there. That never deletes data: objects whose keys name no writer the index knows ({@link
 * OwnerRegistry}) are left alone by garbage collection unless explicitly asked.
 *
 * <p>Several instances opening at once: the id is recorded in a write transaction that re-reads
 * it, so one id wins; the marker written is the index's id, and writing the same marker twice is
 * harmless. The marker key contains no {@code /}, so it can never be a blob key ({@link
 * Engine#newBlobKey()}), and garbage collection and verification skip it.
 */
final class StoreIdentity {
  static final String MARKER_KEY = dev.diskstore.spi.BlobKeys.STORE_MARKER;
  private static final String PENDING = "pending";
  private static final String WRITTEN = "written";
  private static final int MAX_MARKER_BYTES = 4096;

  private StoreIdentity() {}

  /** The identity as the index records it. */
  record Recorded(@Nullable String storeId, @Nullable String marker, boolean hasBlobs) {
    /** Whether opening must write to the backend (so cannot proceed without it). */
    boolean needsMarkerWrite() {
      return storeId == null || !WRITTEN.equals(marker);
    }
  }

  static Recorded recorded(MetadataIndex index) {
    return index.read(
        c -> {
          String id = c.storeMeta("store_id").orElse(null);
          String marker = c.storeMeta("store_marker").orElse(null);
          return new Recorded(id, marker, c.blobs().any());
        });
  }

  /**
   * Checks (and where the table above says so, establishes) the identity; returns the store id.
   *
   * @param where describes the index and backend for messages
   * @throws StoreMismatchException when they do not belong together (and {@code adopt} is false)
   */
  static String establish(MetadataIndex index, BlobBackend backend, boolean adopt, String where) {
    try {
      return establishOnce(index, backend, adopt, where);
    } catch (StoreMismatchException e) {
      // Another instance may have created the store between our reads of the index and of the
      // backend (its marker or first blobs are then what we saw): look again once.
      if (e.indexStoreId().isEmpty() && recorded(index).storeId() != null) {
        return establishOnce(index, backend, adopt, where);
      }
      throw e;
    }
  }

  private static String establishOnce(
      MetadataIndex index, BlobBackend backend, boolean adopt, String where) {
    Recorded recorded = recorded(index);
    Marker found = readMarker(backend);
    String indexId = recorded.storeId();
    if (indexId != null) {
      if (found.storeId() != null && found.storeId().equals(indexId)) {
        if (!WRITTEN.equals(recorded.marker())) {
          setMarkerState(index, indexId, WRITTEN);
        }
        return indexId;
      }
      if (found.storeId() == null && !WRITTEN.equals(recorded.marker())) {
        // creation was interrupted between recording the id and writing the marker
        writeMarker(backend, indexId);
        setMarkerState(index, indexId, WRITTEN);
        return indexId;
      }
      if (adopt) {
        return adopt(index, backend, indexId, found, where);
      }
      if (found.storeId() == null) {
        throw new StoreMismatchException(
            where + ": the index belongs to store " + indexId + ", but the backend has no store"
                + " marker (" + MARKER_KEY + "): it is not the backend this store was created"
                + " with (wrong directory, bucket or key prefix?), or its marker was deleted."
                + " Open the store with its own backend; if this is the right backend and only"
                + " the marker was lost, open once with DiskStoreConfig.Builder.adoptBackend(true)"
                + " to write it again.",
            indexId, null);
      }
      throw new StoreMismatchException(
          where + ": the index belongs to store " + indexId + ", but the backend holds the data"
              + " of store " + found.storeId() + ". Point the store at the backend (directory,"
              + " bucket, key prefix) it was created with, or at the index directory of store "
              + found.storeId() + ".",
          indexId, found.storeId());
    }
    // the index knows no store id: a new index, or one made before store markers existed
    String newId = UUID.randomUUID().toString();
    if (adopt) {
      return adopt(index, backend, recordId(index, newId), found, where);
    }
    if (found.storeId() != null) {
      throw new StoreMismatchException(
          where + ": the backend holds the data of store " + found.storeId() + ", but this index"
              + (recorded.hasBlobs() ? " does not know that store" : " is new")
              + ". If index.db was deleted or lost, restore it from a backup (its store id is "
              + found.storeId() + "); otherwise point the store at the index directory of that"
              + " store, or at another backend (directory, bucket or key prefix). To give up"
              + " that data and start a new store on this backend, open with"
              + " DiskStoreConfig.Builder.adoptBackend(true): the existing objects are then kept"
              + " but never read (maintenance().collectGarbage(GcOptions.deletingUnknownObjects())"
              + " deletes them).",
          null, found.storeId());
    }
    Sample sample = sample(index, backend);
    if (sample.foreignObjects() > 0 && !(recorded.hasBlobs() && sample.knownPresent() > 0)) {
      throw new StoreMismatchException(
          where + ": the backend already holds objects (for example " + sample.example()
              + ") but no store marker, and this index "
              + (recorded.hasBlobs() ? "knows none of them" : "is new")
              + ". It is another store's backend (made before store markers existed), or this"
              + " store's index was lost. Restore index.db from a backup, or point the store at"
              + " an empty backend; to start a new store here and keep the existing objects"
              + " aside, open with DiskStoreConfig.Builder.adoptBackend(true).",
          null, null);
    }
    String id = recordId(index, newId);
    Marker again = id.equals(newId) ? found : readMarker(backend);
    if (!id.equals(again.storeId())) {
      writeMarker(backend, id);
    }
    setMarkerState(index, id, WRITTEN);
    return id;
  }

  private static String adopt(
      MetadataIndex index, BlobBackend backend, String id, Marker found, String where) {
    if (!id.equals(found.storeId())) {
      Engine.LOG.log(
          Level.WARNING,
          where + ": adopting the backend for store " + id
              + (found.storeId() == null ? " (it had no store marker)"
                  : " (its marker named store " + found.storeId() + ")")
              + "; objects this store did not write are kept and never deleted automatically");
      if (found.exists()) {
        backend.delete(MARKER_KEY);
      }
      writeMarker(backend, id);
    }
    setMarkerState(index, id, WRITTEN);
    return id;
  }

  /** The marker object, if any: whether it exists and the store id it names (null if unreadable). */
  private record Marker(boolean exists, @Nullable String storeId) {}

  private static Marker readMarker(BlobBackend backend) {
    byte[] bytes;
    try (InputStream in = backend.open(MARKER_KEY, ByteRange.of(0, MAX_MARKER_BYTES))) {
      bytes = in.readAllBytes();
    } catch (BlobNotFoundException e) {
      return new Marker(false, null);
    } catch (IOException e) {
      throw new StorageException("cannot read the store marker " + MARKER_KEY + ": " + e, true, e);
    }
    for (String line : new String(bytes, UTF_8).split("\n")) {
      if (line.startsWith("store_id=")) {
        String id = line.substring("store_id=".length()).trim();
        if (!id.isEmpty()) {
          return new Marker(true, id);
        }
      }
    }
    // an object under the marker's key that is not a marker: some other store's (or user's) data
    return new Marker(true, "(unreadable marker)");
  }

  private static void writeMarker(BlobBackend backend, String id) {
    byte[] bytes =
        ("diskstore store marker: the blobs under this root or prefix belong to this store.\n"
                + "store_id=" + id + "\n"
                + "created_at=" + Instant.now() + "\n")
            .getBytes(UTF_8);
    backend.deleteIncomplete(MARKER_KEY); // a write of the marker that crashed may have left parts
    backend.write(MARKER_KEY, new ByteArrayInputStream(bytes), OptionalLong.of(bytes.length));
  }

  /** Records {@code id} as pending unless an id is recorded already; returns the recorded id. */
  private static String recordId(MetadataIndex index, String id) {
    return index.write(
        true,
        c -> {
          String existing = c.storeMeta("store_id").orElse(null);
          if (existing != null) {
            return existing;
          }
          c.putStoreMeta("store_id", id);
          c.putStoreMeta("store_marker", PENDING);
          return id;
        });
  }

  private static void setMarkerState(MetadataIndex index, String id, String state) {
    index.write(
        true,
        c -> {
          if (id.equals(c.storeMeta("store_id").orElse(null))) {
            c.putStoreMeta("store_marker", state);
          }
          return null;
        });
  }

  /** Objects in the backend other than the marker, and whether the index's blobs are among them. */
  private record Sample(int foreignObjects, @Nullable String example, int knownPresent) {}

  private static Sample sample(MetadataIndex index, BlobBackend backend) {
    String example = null;
    try (Stream<BlobStat> listed = backend.list("")) {
      example =
          listed.map(BlobStat::key).filter(k -> !k.equals(MARKER_KEY)).findFirst().orElse(null);
    }
    if (example == null) {
      return new Sample(0, null, 0);
    }
    List<String> known = index.read(c -> c.blobs().someKeys(3));
    int present = 0;
    for (String key : known) {
      if (backend.stat(key).isPresent()) {
        present++;
      }
    }
    return new Sample(1, example, present);
  }
}
