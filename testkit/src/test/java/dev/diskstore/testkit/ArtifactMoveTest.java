package dev.diskstore.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactNotFoundException;
import dev.diskstore.Artifacts;
import dev.diskstore.Disk;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.Precondition;
import dev.diskstore.PreconditionFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Artifacts#move}: one transaction, no byte copy, metadata and createdAt kept. */
class ArtifactMoveTest {
  private DiskStore store;
  private Artifacts artifacts;
  private Disk disk;

  @BeforeEach
  void open() {
    store = DiskStore.inMemory();
    artifacts = store.disks().artifacts();
    disk = store.disks().create();
  }

  @AfterEach
  void close() {
    assertThat(store.maintenance().verify().problems()).isEmpty();
    store.close();
  }

  private Artifact put(String dir, String name, String text) {
    return artifacts.upsert(disk.id(), FileUpload.ofText(name, text), dir, Map.of("k", name));
  }

  private String read(String dir, String name) throws IOException {
    try (InputStream in = artifacts.open(disk.id(), dir, name)) {
      return new String(in.readAllBytes(), UTF_8);
    }
  }

  @Test
  void movesAcrossDirectoriesKeepingBytesMetaAndCreatedAt() throws IOException {
    Artifact original = put("/a/b", "x.txt", "hello world");
    Artifact moved = artifacts.move(disk.id(), "/a/b", "x.txt", "/c", "y.txt");
    assertThat(moved.path()).isEqualTo("/c/");
    assertThat(moved.filename()).isEqualTo("y.txt");
    assertThat(moved.userMeta()).isEqualTo(original.userMeta());
    assertThat(moved.sha256()).isEqualTo(original.sha256());
    assertThat(moved.createdAt()).isEqualTo(original.createdAt());
    assertThat(moved.info().lastModified()).isEqualTo(original.info().lastModified());
    assertThat(moved.etag()).isNotEqualTo(original.etag());
    assertThat(read("/c", "y.txt")).isEqualTo("hello world");
    assertThat(artifacts.find(disk.id(), "/a/b", "x.txt")).isEmpty();
    assertThat(artifacts.list(disk.id(), "/").directories()).containsExactly("c");
    assertThat(artifacts.get(disk.id(), "/c", "y.txt").artifact()).isEqualTo(moved);
    // the full-text index follows the new name
    assertThat(store.search().fullText(disk.id(), "y.txt", 10))
        .extracting(h -> h.artifact().fullPath())
        .containsExactly("/c/y.txt");
    assertThat(store.search().glob(disk.id(), "/a/**", 10)).isEmpty();
  }

  @Test
  void refusesAnExistingDestinationUnlessOverwriting() throws IOException {
    put("/", "a.txt", "A");
    Artifact b = put("/", "b.txt", "B");
    assertThatThrownBy(() -> artifacts.move(disk.id(), "/", "a.txt", "/", "b.txt"))
        .isInstanceOfSatisfying(
            PreconditionFailedException.class,
            e -> assertThat(e.currentEtag()).isEqualTo(b.etag()));
    assertThat(read("/", "a.txt")).isEqualTo("A");
    artifacts.move(disk.id(), "/", "a.txt", "/", "b.txt", Precondition.none(), true);
    assertThat(read("/", "b.txt")).isEqualTo("A");
    assertThat(artifacts.list(disk.id(), "/").artifacts()).hasSize(1);
    store.maintenance().collectGarbage();
  }

  @Test
  void checksTheSourceCondition() {
    Artifact a = put("/", "a.txt", "A");
    assertThatThrownBy(
            () -> artifacts.move(disk.id(), "/", "a.txt", "/", "z.txt",
                Precondition.ifMatch("stale"), false))
        .isInstanceOf(PreconditionFailedException.class);
    Artifact moved =
        artifacts.move(disk.id(), "/", "a.txt", "/", "z.txt", Precondition.ifMatch(a.etag()), false);
    assertThat(moved.filename()).isEqualTo("z.txt");
  }

  @Test
  void rejectsMissingSourceAndMovesOntoItself() {
    put("/", "a.txt", "A");
    assertThatThrownBy(() -> artifacts.move(disk.id(), "/", "nope.txt", "/", "z.txt"))
        .isInstanceOf(ArtifactNotFoundException.class);
    assertThatThrownBy(() -> artifacts.move(disk.id(), "/", "a.txt", "//", "a.txt"))
        .isInstanceOf(InvalidRequestException.class);
  }
}
