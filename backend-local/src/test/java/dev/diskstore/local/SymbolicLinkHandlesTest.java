package dev.diskstore.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.ByteRange;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@link SymbolicLinkTest} over {@link LocalBlobBackend#at(Path)} as applications get it (on Linux
 * and macOS: every step relative to an open directory handle), plus what only directory handles
 * guarantee: a directory swapped for a link while a write runs is not followed either.
 */
class SymbolicLinkHandlesTest extends SymbolicLinkTest {
  @Override
  LocalBlobBackend openBackend(Path root) {
    return LocalBlobBackend.at(root);
  }

  @Test
  void aShardDirectorySwappedForALinkWhileAWriteRunsIsNeverFollowed() throws Exception {
    write("ab/k0");
    Path shard = objects.resolve("ab");
    Path movedAway = base.resolve("ab-moved-away");

    Throwable thrown =
        writeWhileSwapping(
            "ab/k2",
            () -> {
              Files.move(shard, movedAway);
              link(shard, outside.resolve("ab"));
            });

    // The write finished in the directory it started in, through its handle: the partial file was
    // renamed and forced there, and nothing was renamed, created or deleted through the link
    // (outside/ab/k2.blob.partial, a canary, is still there: see outsideIsUntouched).
    assertThat(thrown).isNull();
    assertThat(Files.size(movedAway.resolve("k2.blob"))).isEqualTo(200_000);
    assertThat(movedAway.resolve("k2.blob.partial")).doesNotExist();
    // Under its key, the blob now sits behind the link, which nothing follows.
    assertRefused(() -> backend.open("ab/k2", ByteRange.from(0)), "ab/k2", shard);
  }

  @Test
  void objectsSwappedForALinkWhileAWriteRunsIsNeverFollowed() throws Exception {
    write("ab/k0");
    Path movedAway = base.resolve("objects-moved-away");

    Throwable thrown =
        writeWhileSwapping(
            "ab/k2",
            () -> {
              Files.move(objects, movedAway);
              link(objects, outside.resolve("objects"));
            });

    assertThat(thrown).isNull();
    assertThat(Files.size(movedAway.resolve("ab/k2.blob"))).isEqualTo(200_000);
    assertRefused(() -> backend.open("ab/k0", ByteRange.from(0)), "ab/k0", objects);
  }
}
