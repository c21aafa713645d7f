package dev.diskstore.adk;

import static dev.diskstore.adk.TestStores.bytes;
import static dev.diskstore.adk.TestStores.mimeType;
import static dev.diskstore.adk.TestStores.optional;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.genai.types.Blob;
import com.google.genai.types.Part;
import dev.diskstore.ArtifactVersion;
import dev.diskstore.DiskNotFoundException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The scenarios of ADK's own tests of {@code InMemoryArtifactService} and {@code
 * GcsArtifactService} (adk-java 1.8.0), against a real store: what they observe through the
 * service, and where the GCS test checks the object it wrote, the file in the disk.
 */
class AdkScenariosTest extends ServiceFixture {
  static final String APP = "test-app";
  static final String USER = "test-user";
  static final String SESSION = "test-session";
  static final String FILENAME = "test-file.txt";
  static final String USER_FILENAME = "user:config.json";

  private int save(String filename, Part part) {
    return service.saveArtifact(APP, USER, SESSION, filename, part).blockingGet();
  }

  @Test
  void theFirstSaveIsVersionZeroAndLandsInTheSessionsDirectory() {
    int version = save(FILENAME, Part.fromBytes(new byte[] {1, 2, 3}, "application/octet-stream"));

    assertThat(version).isZero();
    var stored = store.disks().artifacts()
        .get(diskId, "/test-app/test-user/sessions/test-session/", FILENAME).artifact();
    assertThat(stored.sizeBytes()).isEqualTo(3);
  }

  @Test
  void aSecondSaveIsVersionOne() {
    save(FILENAME, Part.fromBytes(new byte[] {1}, "text/plain"));

    assertThat(save(FILENAME, Part.fromBytes(new byte[] {4, 5}, "image/png"))).isEqualTo(1);
    assertThat(store.disks().artifacts()
            .versions(diskId, "/test-app/test-user/sessions/test-session/", FILENAME).items())
        .extracting(ArtifactVersion::version)
        .containsExactly(1L, 0L);
  }

  @Test
  void aUserFileIsVersionZeroAndLandsInTheUsersDirectory() {
    assertThat(save(USER_FILENAME, Part.fromBytes(new byte[] {1, 2, 3}, "application/json")))
        .isZero();

    assertThat(store.disks().artifacts()
            .find(diskId, "/test-app/test-user/user/", USER_FILENAME))
        .isPresent();
    assertThat(store.disks().artifacts()
            .list(diskId, "/test-app/test-user/sessions/test-session/").artifacts())
        .isEmpty();
  }

  @Test
  void loadWithoutVersionLoadsTheLatest() {
    save(FILENAME, Part.fromBytes(new byte[] {1}, "text/plain"));
    save(FILENAME, Part.fromBytes(new byte[] {2, 3}, "image/jpeg"));

    Part loaded = optional(service.loadArtifact(APP, USER, SESSION, FILENAME)).orElseThrow();

    assertThat(bytes(loaded)).containsExactly(2, 3);
    assertThat(mimeType(loaded)).hasValue("image/jpeg");
  }

  @Test
  void loadOfAVersionLoadsThatVersion() {
    save(FILENAME, Part.fromBytes(new byte[] {1}, "text/plain"));
    save(FILENAME, Part.fromBytes(new byte[] {2, 3}, "image/jpeg"));

    Part loaded = optional(service.loadArtifact(APP, USER, SESSION, FILENAME, 0)).orElseThrow();

    assertThat(bytes(loaded)).containsExactly(1);
    assertThat(mimeType(loaded)).hasValue("text/plain");
  }

  @Test
  void aUserFileLoadsFromAnySession() {
    save(USER_FILENAME, Part.fromBytes(new byte[] {1}, "application/json"));

    Part loaded =
        optional(service.loadArtifact(APP, USER, "another-session", USER_FILENAME)).orElseThrow();

    assertThat(bytes(loaded)).containsExactly(1);
    assertThat(mimeType(loaded)).hasValue("application/json");
  }

  @Test
  void aMissingVersionIsEmpty() {
    save(FILENAME, Part.fromBytes(new byte[] {1}, "text/plain"));

    assertThat(optional(service.loadArtifact(APP, USER, SESSION, FILENAME, 1))).isEmpty();
    assertThat(optional(service.loadArtifact(APP, USER, SESSION, FILENAME, 7))).isEmpty();
    assertThat(optional(service.loadArtifact(APP, USER, SESSION, FILENAME, -1))).isEmpty();
  }

  @Test
  void anArtifactThatWasNeverSavedIsEmpty() {
    assertThat(optional(service.loadArtifact(APP, USER, SESSION, FILENAME))).isEmpty();
    assertThat(optional(service.loadArtifact(APP, USER, SESSION, FILENAME, 0))).isEmpty();
  }

  @Test
  void aSessionWithoutFilesListsNone() {
    assertThat(service.listArtifactKeys(APP, USER, SESSION).blockingGet().filenames()).isEmpty();
  }

  @Test
  void theKeysAreTheSessionsFilesAndTheUsersFilesSortedOnceEach() {
    save("session-file2.log", Part.fromBytes(new byte[0], "text/log"));
    save("session-file1.txt", Part.fromBytes(new byte[0], "text/plain"));
    save("session-file1.txt", Part.fromBytes(new byte[0], "text/plain"));
    save(USER_FILENAME, Part.fromBytes(new byte[0], "app/json"));

    assertThat(service.listArtifactKeys(APP, USER, SESSION).blockingGet().filenames())
        .containsExactly("session-file1.txt", "session-file2.log", USER_FILENAME);
  }

  @Test
  void deleteRemovesEveryVersion() {
    save(FILENAME, Part.fromBytes(new byte[] {1}, "text/plain"));
    save(FILENAME, Part.fromBytes(new byte[] {2, 3}, "image/jpeg"));

    service.deleteArtifact(APP, USER, SESSION, FILENAME).blockingAwait();

    assertThat(optional(service.loadArtifact(APP, USER, SESSION, FILENAME))).isEmpty();
    assertThat(optional(service.loadArtifact(APP, USER, SESSION, FILENAME, 0))).isEmpty();
    assertThat(optional(service.loadArtifact(APP, USER, SESSION, FILENAME, 1))).isEmpty();
    assertThat(service.listVersions(APP, USER, SESSION, FILENAME).blockingGet()).isEmpty();
    assertThat(service.listArtifactKeys(APP, USER, SESSION).blockingGet().filenames()).isEmpty();
  }

  @Test
  void listVersionsIsAscending() {
    save(FILENAME, Part.fromBytes(new byte[] {1}, "text/plain"));
    save(FILENAME, Part.fromBytes(new byte[] {2, 3}, "image/jpeg"));
    save(FILENAME, Part.fromBytes(new byte[] {4}, "image/png"));

    assertThat(service.listVersions(APP, USER, SESSION, FILENAME).blockingGet())
        .containsExactly(0, 1, 2);
  }

  @Test
  void listVersionsOfAUserFile() {
    save(USER_FILENAME, Part.fromBytes(new byte[] {1}, "app/json"));
    save(USER_FILENAME, Part.fromBytes(new byte[] {2, 3}, "app/json"));

    assertThat(service.listVersions(APP, USER, "any-session", USER_FILENAME).blockingGet())
        .containsExactly(0, 1);
  }

  @Test
  void listVersionsOfNothingIsEmpty() {
    assertThat(service.listVersions(APP, USER, SESSION, FILENAME).blockingGet()).isEmpty();
  }

  @Test
  void saveAndReloadReturnsThePartAsALoadWould() {
    Part artifact = Part.fromBytes(new byte[] {1, 2, 3}, "text/plain");

    Part reloaded =
        service.saveAndReloadArtifact(APP, USER, SESSION, FILENAME, artifact).blockingGet();

    assertThat(bytes(reloaded)).containsExactly(1, 2, 3);
    assertThat(mimeType(reloaded)).hasValue("text/plain");
    assertThat(reloaded.toJson())
        .isEqualTo(optional(service.loadArtifact(APP, USER, SESSION, FILENAME, 0))
            .orElseThrow().toJson());
  }

  @Test
  void aPartWithoutInlineDataIsKeptAsTheInMemoryServiceKeepsIt() {
    // GcsArtifactService refuses it; InMemoryArtifactService stores any part
    Part empty = Part.builder().build();

    assertThat(save(FILENAME, empty)).isZero();
    assertThat(optional(service.loadArtifact(APP, USER, SESSION, FILENAME))).hasValue(empty);
  }

  @Test
  void inlineDataWithoutAMimeTypeComesBackWithout() {
    Part artifact =
        Part.builder().inlineData(Blob.builder().data(new byte[] {1}).build()).build();

    Part reloaded =
        service.saveAndReloadArtifact(APP, USER, SESSION, FILENAME, artifact).blockingGet();

    assertThat(mimeType(reloaded)).isEmpty();
    assertThat(mimeType(optional(service.loadArtifact(APP, USER, SESSION, FILENAME)).orElseThrow()))
        .isEmpty();
  }

  @Test
  void theMimeTypeIsTheSavedOneEvenWhereTheStoreDetectsAnother() {
    // the bytes are not a PDF: the store's own content type says so, the artifact keeps its type
    save(FILENAME, Part.fromBytes(new byte[] {1}, "application/pdf"));

    Optional<Part> loaded = optional(service.loadArtifact(APP, USER, SESSION, FILENAME));

    assertThat(mimeType(loaded.orElseThrow())).hasValue("application/pdf");
  }

  @Test
  void aDeletedDiskIsAnErrorNotAMissingArtifact() {
    save(FILENAME, Part.fromBytes(new byte[] {1}, "text/plain"));
    store.disks().delete(diskId);

    assertThatThrownBy(() -> service.loadArtifact(APP, USER, SESSION, FILENAME).blockingGet())
        .isInstanceOf(DiskNotFoundException.class);
    assertThatThrownBy(() -> DiskStoreArtifactService.forDisk(store, diskId))
        .isInstanceOf(DiskNotFoundException.class);
  }
}
