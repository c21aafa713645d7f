package dev.diskstore.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.spi.index.IndexContext;
import dev.diskstore.spi.index.MetadataIndex;
import dev.diskstore.spi.index.OwnerState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commit fence on PostgreSQL, at the index: a writer that read its blob's owner {@code alive}
 * and a collector that declares that owner dead must be ordered so that the collector's read after
 * its declaration sees the writer's blob row (or the writer fails). Serializable isolation alone
 * lets the declaration commit while the writer is still open and the collector's next read-only
 * snapshot miss the writer, which commits afterwards: the blob is then referenced and deleted (seen
 * in the PostgreSQL restart suite, where a writer lost its liveness session mid-upload).
 */
class PgCommitFenceTest {
  @TempDir Path dir;

  private MetadataIndex open() {
    return PostgresStores.indexFor(dir).open(new IndexContext(
        Optional.empty(), Duration.ofSeconds(5), 2, true, Clock.systemUTC()));
  }

  @Test
  void aDeclarationWhileAWriterHoldsTheFenceCommitsAfterItAndSeesItsBlob() throws Exception {
    try (MetadataIndex writerHost = open(); MetadataIndex collectorHost = open()) {
      String owner = "0123456789abcdef0123456789abcdef";
      String key = "ab/" + owner + "-00000000000000aa";
      String sha = "a".repeat(64);
      writerHost.write(true, c -> {
        c.owners().register(owner, 1);
        return null;
      });
      CountDownLatch fenced = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<OwnerState> writer = async(() ->
          writerHost.write(true, c -> {
            OwnerState state = c.owners().state(owner).orElseThrow();
            if (state == OwnerState.ALIVE) {
              c.blobs().insert(sha, key, 3, 2);
            }
            fenced.countDown();
            await(release);
            return state;
          }));
      assertThat(fenced.await(30, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Optional<String>> collector = async(() -> {
        collectorHost.write(true, c -> {
          c.owners().declareDead(List.of(owner), 3);
          return null;
        });
        // the collection's re-read of the dead owner's keys, after its declaration committed
        return collectorHost.read(c -> c.blobs().keyOf(sha));
      });
      // give the declaration every chance to overtake the open writer
      Thread.sleep(500);
      release.countDown();
      OwnerState seenByWriter = writer.get(30, TimeUnit.SECONDS);
      Optional<String> seenByCollector = collector.get(30, TimeUnit.SECONDS);

      assertThat(seenByWriter).as("the writer's fence read the owner alive").isEqualTo(OwnerState.ALIVE);
      assertThat(seenByCollector)
          .as("the collector's read after declaring the owner dead sees the committed blob")
          .contains(key);
      Map<String, OwnerState> states = collectorHost.read(c -> c.owners().states(List.of(owner)));
      assertThat(states).containsEntry(owner, OwnerState.DEAD);
    }
  }

  @Test
  void aWriterFencedAfterAnOpenDeclarationReadsTheOwnerDead() throws Exception {
    try (MetadataIndex writerHost = open(); MetadataIndex collectorHost = open()) {
      String owner = "fedcba9876543210fedcba9876543210";
      String key = "cd/" + owner + "-00000000000000bb";
      String sha = "b".repeat(64);
      writerHost.write(true, c -> {
        c.owners().register(owner, 1);
        return null;
      });
      CountDownLatch declared = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Object> collector = async(() ->
          collectorHost.write(true, c -> {
            c.owners().declareDead(List.of(owner), 3);
            declared.countDown();
            await(release);
            return "declared";
          }));
      assertThat(declared.await(30, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<OwnerState> writer = async(() ->
          writerHost.write(true, c -> {
            OwnerState state = c.owners().state(owner).orElseThrow();
            if (state == OwnerState.ALIVE) {
              c.blobs().insert(sha, key, 3, 2);
            }
            return state;
          }));
      Thread.sleep(500);
      release.countDown();
      collector.get(30, TimeUnit.SECONDS);
      assertThat(writer.get(30, TimeUnit.SECONDS))
          .as("the writer waited for the declaration and read the owner dead")
          .isEqualTo(OwnerState.DEAD);
      Optional<String> blob = collectorHost.read(c -> c.blobs().keyOf(sha));
      assertThat(blob).as("the fenced writer inserted nothing").isEmpty();
    }
  }

  /** On a thread of its own (the common pool may have one thread on a small machine). */
  private static <T> CompletableFuture<T> async(java.util.function.Supplier<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        result.complete(work.get());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    }, "fence-test");
    thread.setDaemon(true);
    thread.start();
    return result;
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
