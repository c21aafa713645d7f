package dev.diskstore.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactResult;
import dev.diskstore.ArtifactStream;
import dev.diskstore.Artifacts;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import dev.diskstore.History;
import dev.diskstore.StorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store over {@link DiskStore#local(Path)} when a blob's shard directory has been replaced by a
 * symbolic link into a directory outside the store holding a file named like the blob (and every
 * other shard name is a link too, so that no new upsert can avoid one): metadata stays readable,
 * the bytes are refused with a typed error rather than read from outside, an upsert is refused, a
 * delete removes the artifact but nothing outside, and once the directory is put back, garbage
 * collection finishes the delete and the store verifies clean.
 */
class LocalStoreSymbolicLinkTest {
  @TempDir Path base;

  @Test
  void aShardDirectoryReplacedByALinkIsNeverFollowedByTheStore() throws IOException {
    Path directory = base.resolve("store");
    Path objects = directory.resolve("blobs").resolve("objects");
    Path outside = Files.createDirectories(base.resolve("outside"));
    // without history, so that the delete makes the blob garbage whose collection must not follow
    // the links (with history the deleted version would keep the blob and nothing would be deleted)
    try (DiskStore store = DiskStore.open(DiskStoreConfig.builder().directory(directory)
        .backend(LocalBlobBackend.at(directory.resolve("blobs"))).history(History.off()).build())) {
      Artifacts artifacts = store.disks().artifacts();
      String disk = store.disks().create().id();
      Artifact written = artifacts.upsert(disk, FileUpload.ofText("a.txt", "inside"), "/docs/");
      Path blob = onlyBlobUnder(objects);
      Path shard = blob.getParent();
      List<Path> links = new ArrayList<>();
      for (int i = 0; i < 256; i++) {
        String name = HexFormat.of().toHexDigits((byte) i);
        Path target = Files.createDirectories(outside.resolve(name));
        if (name.equals(shard.getFileName().toString())) {
          Files.writeString(target.resolve(blob.getFileName().toString()), "OUTSIDE");
          Files.move(shard, base.resolve("moved-away"));
        }
        SymbolicLinkTest.link(objects.resolve(name), target);
        links.add(objects.resolve(name));
      }
      Map<String, String> outsideBefore = SymbolicLinkTest.snapshot(outside);

      assertThat(artifacts.get(disk, "/docs/", "a.txt").artifact().sha256())
          .as("metadata comes from the index")
          .isEqualTo(written.sha256());
      Throwable opening =
          catchThrowable(
              () -> {
                try (ArtifactStream in = artifacts.open(disk, "/docs/", "a.txt")) {
                  in.readAllBytes();
                }
              });
      assertThat(opening)
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("refusing to follow a symbolic link at " + shard);
      // Parsed content: the same typed refusal, or (should the store report it as unavailable)
      // anything but the outside file's text.
      Throwable parsing =
          catchThrowable(
              () -> {
                ArtifactResult result =
                    artifacts.get(
                        disk, "/docs/", "a.txt", GetOptions.builder().withContent(true).build());
                assertThat(result.content().map(c -> c.raw()).orElse(""))
                    .doesNotContain("OUTSIDE");
              });
      if (parsing != null) {
        assertThat(parsing)
            .isInstanceOf(StorageException.class)
            .hasMessageContaining("refusing to follow a symbolic link at " + shard);
      }

      Throwable upserting =
          catchThrowable(
              () -> artifacts.upsert(disk, FileUpload.ofText("b.txt", "new"), "/docs/"));
      assertThat(upserting).isInstanceOf(StorageException.class);
      assertThat(causes(upserting)).contains("refusing to follow a symbolic link at " + objects);
      assertThat(artifacts.find(disk, "/docs/", "b.txt")).isEmpty();

      artifacts.delete(disk, "/docs/", "a.txt");
      assertThat(artifacts.find(disk, "/docs/", "a.txt")).isEmpty();
      store.maintenance().collectGarbage();
      assertThat(SymbolicLinkTest.snapshot(outside))
          .as("nothing outside read into a result, created, changed or deleted")
          .isEqualTo(outsideBefore);

      // Put the directory back: the delete completes and the store works again.
      for (Path link : links) {
        Files.delete(link);
      }
      Files.move(base.resolve("moved-away"), shard);
      store.maintenance().collectGarbage();
      assertThat(store.maintenance().verify().problems()).isEmpty();
      assertThat(blob).doesNotExist();
      artifacts.upsert(disk, FileUpload.ofText("b.txt", "new"), "/docs/");
      try (ArtifactStream in = artifacts.open(disk, "/docs/", "b.txt")) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("new");
      }
    }
    assertThat(outside.resolve("objects")).doesNotExist();
  }

  private static Path onlyBlobUnder(Path objects) throws IOException {
    try (Stream<Path> files = Files.walk(objects)) {
      List<Path> blobs =
          files.filter(f -> f.toString().endsWith(".blob"))
              .filter(f -> !f.getFileName().toString().equals(
                  dev.diskstore.spi.BlobKeys.STORE_MARKER + ".blob"))
              .collect(Collectors.toList());
      assertThat(blobs).hasSize(1);
      return blobs.get(0);
    }
  }

  /** The messages of {@code thrown} and its causes, one per line. */
  private static String causes(Throwable thrown) {
    StringBuilder messages = new StringBuilder();
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      messages.append(Optional.ofNullable(t.getMessage()).orElse("")).append('\n');
    }
    return messages.toString();
  }
}
