package dev.diskstore.adk;

import static dev.diskstore.adk.TestStores.bytes;
import static dev.diskstore.adk.TestStores.optional;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.genai.types.Part;
import dev.diskstore.FileUpload;
import dev.diskstore.InvalidPathException;
import java.text.Normalizer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which app, user and session sees which artifact, and names the layout must keep apart. */
class ScopeTest extends ServiceFixture {
  private int save(String app, String user, String session, String filename, String text) {
    return service
        .saveArtifact(app, user, session, filename, Part.fromBytes(text.getBytes(UTF_8), "text/plain"))
        .blockingGet();
  }

  private List<String> keys(String app, String user, String session) {
    return service.listArtifactKeys(app, user, session).blockingGet().filenames();
  }

  private String text(String app, String user, String session, String filename) {
    return optional(service.loadArtifact(app, user, session, filename))
        .map(part -> new String(bytes(part), UTF_8))
        .orElse("<none>");
  }

  @Test
  void aUserFileIsOneArtifactSeenFromEverySessionOfThatUser() {
    assertThat(save("app", "alice", "s1", "user:prefs.json", "from s1")).isZero();
    assertThat(save("app", "alice", "s2", "user:prefs.json", "from s2")).isEqualTo(1);
    save("app", "alice", "s1", "s1-only.txt", "mine");

    assertThat(keys("app", "alice", "s1")).containsExactly("s1-only.txt", "user:prefs.json");
    assertThat(keys("app", "alice", "s2")).containsExactly("user:prefs.json");
    assertThat(text("app", "alice", "s1", "user:prefs.json")).isEqualTo("from s2");
    assertThat(text("app", "alice", "s2", "s1-only.txt")).isEqualTo("<none>");
    assertThat(service.listVersions("app", "alice", "s2", "user:prefs.json").blockingGet())
        .containsExactly(0, 1);

    // deleted from one session, gone for all
    service.deleteArtifact("app", "alice", "s2", "user:prefs.json").blockingAwait();
    assertThat(keys("app", "alice", "s1")).containsExactly("s1-only.txt");
    assertThat(text("app", "alice", "s1", "user:prefs.json")).isEqualTo("<none>");
  }

  @Test
  void otherUsersAndOtherAppsSeeNothing() {
    save("app", "alice", "s1", "user:prefs.json", "alice's");
    save("app", "alice", "s1", "notes.txt", "alice's notes");

    assertThat(keys("app", "bob", "s1")).isEmpty();
    assertThat(keys("other-app", "alice", "s1")).isEmpty();
    assertThat(text("app", "bob", "s1", "user:prefs.json")).isEqualTo("<none>");
    assertThat(text("other-app", "alice", "s1", "notes.txt")).isEqualTo("<none>");
  }

  @Test
  void aSessionCalledUserDoesNotMeetTheUserFiles() {
    // GcsArtifactService keeps user files at <app>/<user>/user/: a session named "user" shares it
    save("app", "alice", "user", "notes.txt", "session notes");
    save("app", "alice", "s1", "user:notes.txt", "user notes");

    assertThat(keys("app", "alice", "user")).containsExactly("notes.txt", "user:notes.txt");
    assertThat(keys("app", "alice", "s1")).containsExactly("user:notes.txt");
    assertThat(text("app", "alice", "user", "notes.txt")).isEqualTo("session notes");
  }

  @Test
  void namesThatLookAlikeOrCarrySlashesStayApart() {
    String composed = Normalizer.normalize("café.txt", Normalizer.Form.NFC);
    String decomposed = Normalizer.normalize("café.txt", Normalizer.Form.NFD);
    List<String> names = List.of(
        composed, decomposed, "images/cat.png", "images%2Fcat.png", "a b.txt", " a b.txt",
        "..", ".", "back\\slash", "tab\there", "emoji 👩‍💻.md", "\u202Efdp.exe", "100%");
    for (int i = 0; i < names.size(); i++) {
      assertThat(save("app", "alice", "s1", names.get(i), "file " + i)).isZero();
    }

    assertThat(keys("app", "alice", "s1")).containsExactlyInAnyOrderElementsOf(names)
        .isSorted();
    for (int i = 0; i < names.size(); i++) {
      assertThat(text("app", "alice", "s1", names.get(i))).isEqualTo("file " + i);
    }
    // and app, user and session ids are encoded the same way
    save("my app/v2", "bob@example.com", "../s", "x", "odd ids");
    assertThat(keys("my app/v2", "bob@example.com", "../s")).containsExactly("x");
    assertThat(keys("my app", "bob@example.com", "../s")).isEmpty();
  }

  @Test
  void namesTheStoreCannotHoldAreRefusedAsErrors() {
    assertThatThrownBy(() -> save("app", "alice", "s1", "", "x"))
        .isInstanceOf(InvalidPathException.class).hasMessageContaining("must not be empty");
    assertThatThrownBy(() -> save("", "alice", "s1", "a.txt", "x"))
        .isInstanceOf(InvalidPathException.class).hasMessageContaining("app name");
    assertThatThrownBy(() -> save("app", "alice", "s1", "x".repeat(256), "x"))
        .isInstanceOf(InvalidPathException.class).hasMessageContaining("255");
    assertThatThrownBy(() -> save("app", "alice", "s1", "bad\uD800.txt", "x"))
        .isInstanceOf(InvalidPathException.class).hasMessageContaining("surrogate");
    // an error signal, not a throw at assembly: nothing happens before subscribing
    service.saveArtifact("app", "alice", "s1", "", Part.fromText("x"));
    assertThat(keys("app", "alice", "s1")).isEmpty();
  }

  @Test
  void filesOtherClientsPutUnderTheLayoutAreListedOnlyWhenALoadCanReachThem() {
    String sessionDirectory = "/app/alice/sessions/s1/";
    var artifacts = store.disks().artifacts();
    artifacts.upsert(diskId, FileUpload.of("seeded.csv", "a,b\n".getBytes(UTF_8), "text/csv"),
        sessionDirectory, Map.of());
    // not an encoding the layout produces (lower-case escape, raw non-ASCII): never an ADK name
    artifacts.upsert(diskId, FileUpload.of("caf%c3%a9.txt", new byte[] {1}), sessionDirectory);
    artifacts.upsert(diskId, FileUpload.of("café.txt", new byte[] {1}), sessionDirectory);
    // a user: name in a session's directory would load from the user's directory instead
    artifacts.upsert(diskId, FileUpload.of("user:x", new byte[] {1}), sessionDirectory);

    assertThat(keys("app", "alice", "s1")).containsExactly("seeded.csv");
    Part seeded = optional(service.loadArtifact("app", "alice", "s1", "seeded.csv")).orElseThrow();
    assertThat(new String(bytes(seeded), UTF_8)).isEqualTo("a,b\n");
    assertThat(TestStores.mimeType(seeded)).hasValue("text/csv");
  }
}
