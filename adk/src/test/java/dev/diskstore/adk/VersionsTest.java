package dev.diskstore.adk;

import static dev.diskstore.adk.TestStores.bytes;
import static dev.diskstore.adk.TestStores.mimeType;
import static dev.diskstore.adk.TestStores.optional;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.genai.types.Part;
import dev.diskstore.ArtifactVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Version numbers under concurrency, deletes and reopening, on a real store. */
class VersionsTest extends ServiceFixture {
  static final String APP = "app";
  static final String USER = "alice";
  static final String SESSION = "s1";
  static final String SESSION_DIRECTORY = "/app/alice/sessions/s1/";

  private int save(String filename, String text) {
    return service
        .saveArtifact(APP, USER, SESSION, filename, Part.fromBytes(text.getBytes(UTF_8), "text/plain"))
        .blockingGet();
  }

  private String load(String filename, int version) {
    return new String(
        bytes(optional(service.loadArtifact(APP, USER, SESSION, filename, version)).orElseThrow()),
        UTF_8);
  }

  @Test
  void fortyConcurrentSavesOfOneFilenameGetTheVersionsZeroToThirtyNine() throws Exception {
    int writers = 40;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> saves = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        String text = "writer " + i;
        saves.add(pool.submit(() -> {
          start.await();
          return save("shared.txt", text);
        }));
      }
      start.countDown();
      List<Integer> versions = new ArrayList<>();
      for (Future<Integer> save : saves) {
        versions.add(save.get());
      }

      assertThat(versions).doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(IntStream.range(0, writers).boxed().toList());
      assertThat(service.listVersions(APP, USER, SESSION, "shared.txt").blockingGet())
          .containsExactlyElementsOf(IntStream.range(0, writers).boxed().toList());
      // each writer's number loads that writer's bytes
      for (int i = 0; i < writers; i++) {
        assertThat(load("shared.txt", versions.get(i))).isEqualTo("writer " + i);
      }
      // the newest version is the one that got the highest number
      int last = versions.indexOf(writers - 1);
      assertThat(bytes(optional(service.loadArtifact(APP, USER, SESSION, "shared.txt"))
              .orElseThrow()))
          .isEqualTo(("writer " + last).getBytes(UTF_8));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void deleteRemovesEveryVersionFromTheStoreAndNumberingGoesOn() {
    save("notes.md", "zero");
    save("notes.md", "one");

    service.deleteArtifact(APP, USER, SESSION, "notes.md").blockingAwait();

    // in the store: no current artifact, and of the history only the record of the deletion
    assertThat(store.disks().artifacts().find(diskId, SESSION_DIRECTORY, "notes.md")).isEmpty();
    assertThat(store.disks().artifacts().versions(diskId, SESSION_DIRECTORY, "notes.md").items())
        .extracting(ArtifactVersion::version, ArtifactVersion::change)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(2L, ArtifactVersion.Change.DELETED));

    // a new save gets a number never used before; the old numbers stay empty
    assertThat(save("notes.md", "three")).isEqualTo(3);
    assertThat(service.listVersions(APP, USER, SESSION, "notes.md").blockingGet())
        .containsExactly(3);
    assertThat(optional(service.loadArtifact(APP, USER, SESSION, "notes.md", 0))).isEmpty();
    assertThat(optional(service.loadArtifact(APP, USER, SESSION, "notes.md", 2))).isEmpty();
    assertThat(load("notes.md", 3)).isEqualTo("three");
  }

  @Test
  void deletingSomethingThatDoesNotExistCompletes() {
    service.deleteArtifact(APP, USER, SESSION, "never-saved.txt").blockingAwait();

    assertThat(service.listVersions(APP, USER, SESSION, "never-saved.txt").blockingGet()).isEmpty();
  }

  @Test
  void aDeleteWhosePurgeNeverRanStillLeavesNoReadableVersion() {
    save("draft.md", "zero");
    save("draft.md", "one");
    // the first half of deleteArtifact only, as if the process died before the purge
    store.disks().artifacts().delete(diskId, SESSION_DIRECTORY, "draft.md");
    assertThat(store.disks().artifacts().versions(diskId, SESSION_DIRECTORY, "draft.md").items())
        .hasSize(3);

    assertThat(service.listVersions(APP, USER, SESSION, "draft.md").blockingGet()).isEmpty();
    assertThat(optional(service.loadArtifact(APP, USER, SESSION, "draft.md", 0))).isEmpty();
    assertThat(optional(service.loadArtifact(APP, USER, SESSION, "draft.md", 1))).isEmpty();
    assertThat(optional(service.loadArtifact(APP, USER, SESSION, "draft.md"))).isEmpty();
    assertThat(service.listArtifactKeys(APP, USER, SESSION).blockingGet().filenames()).isEmpty();

    // saved again: only the new version is visible; deleting again purges the leftovers
    assertThat(save("draft.md", "three")).isEqualTo(3);
    assertThat(service.listVersions(APP, USER, SESSION, "draft.md").blockingGet())
        .containsExactly(3);
    service.deleteArtifact(APP, USER, SESSION, "draft.md").blockingAwait();
    assertThat(store.disks().artifacts().versions(diskId, SESSION_DIRECTORY, "draft.md").items())
        .extracting(ArtifactVersion::version)
        .containsExactly(4L);
  }

  @Test
  void versionsOfOneFilenameAreCountedPerSession() {
    save("a.txt", "s1 zero");
    save("a.txt", "s1 one");

    int other = service
        .saveArtifact(APP, USER, "s2", "a.txt", Part.fromBytes("s2 zero".getBytes(UTF_8), "text/plain"))
        .blockingGet();

    assertThat(other).isZero();
    assertThat(service.listVersions(APP, USER, "s2", "a.txt").blockingGet()).containsExactly(0);
    assertThat(service.listVersions(APP, USER, SESSION, "a.txt").blockingGet())
        .containsExactly(0, 1);
  }

  @Test
  void everythingSurvivesReopeningTheStore() {
    save("report.md", "first");
    save("report.md", "second");
    service.saveArtifact(APP, USER, SESSION, "user:profile.json",
        Part.fromBytes("{}".getBytes(UTF_8), "application/json")).blockingGet();
    save("gone.txt", "x");
    service.deleteArtifact(APP, USER, SESSION, "gone.txt").blockingAwait();
    store.close();

    store = TestStores.open(directory);
    service = DiskStoreArtifactService.forDisk(store, diskId);

    assertThat(service.listArtifactKeys(APP, USER, SESSION).blockingGet().filenames())
        .containsExactly("report.md", "user:profile.json");
    assertThat(service.listVersions(APP, USER, SESSION, "report.md").blockingGet())
        .containsExactly(0, 1);
    assertThat(load("report.md", 0)).isEqualTo("first");
    assertThat(load("report.md", 1)).isEqualTo("second");
    Part profile =
        optional(service.loadArtifact(APP, USER, "another", "user:profile.json")).orElseThrow();
    assertThat(mimeType(profile)).hasValue("application/json");
    assertThat(optional(service.loadArtifact(APP, USER, SESSION, "gone.txt"))).isEmpty();
    // numbering goes on from where it was
    assertThat(save("report.md", "third")).isEqualTo(2);
  }
}
