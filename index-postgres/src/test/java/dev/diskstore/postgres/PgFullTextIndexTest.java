package dev.diskstore.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.spi.index.ArtifactRow;
import dev.diskstore.spi.index.DiskRow;
import dev.diskstore.spi.index.FullTextIndex.TextBatch;
import dev.diskstore.spi.index.IndexContext;
import dev.diskstore.spi.index.IndexSession;
import dev.diskstore.spi.index.MetadataIndex;
import dev.diskstore.spi.index.TextQueueEntry;
import dev.diskstore.testkit.postgres.EmbeddedPostgresServer;
import dev.diskstore.testkit.postgres.EmbeddedPostgresServer.FreshSchema;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The full-text queue across two index instances: every entry applied exactly once. */
class PgFullTextIndexTest {
  private static final EmbeddedPostgresServer SERVER = EmbeddedPostgresServer.shared();
  private FreshSchema schema;
  private MetadataIndex x;
  private MetadataIndex y;

  @BeforeEach
  void open() {
    schema = SERVER.freshSchema();
    PostgresIndex config = PostgresIndex.builder().jdbcUrl(SERVER.jdbcUrl()).user(SERVER.user())
        .password("x").schema(schema.name()).build();
    IndexContext context =
        new IndexContext(Optional.empty(), Duration.ofSeconds(5), 4, true, Clock.systemUTC());
    x = config.open(context);
    y = config.open(context);
    x.write(true, s -> {
      s.disks().insert(new DiskRow("d", null, "p", 1, 1));
      s.blobs().insert("h", "k", 1, 1);
      for (int i = 0; i < 200; i++) {
        long id = s.artifacts().insert(new ArtifactRow(0, "d", "/", "f" + i, "h", 1,
            "text/plain", "e", "{}", 1, 1, 1, "k"), 0);
        s.text().enqueue(id);
      }
      return null;
    });
  }

  @AfterEach
  void close() {
    x.close();
    y.close();
    schema.close();
  }

  @Test
  void concurrentBatchesOfTwoInstancesApplyEveryEntryOnce() throws Exception {
    ConcurrentLinkedQueue<Long> applied = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        MetadataIndex index = t % 2 == 0 ? x : y;
        workers.add(pool.submit(() -> {
          while (true) {
            Optional<TextBatch> claimed = index.fullText().claim(7, r -> false);
            if (claimed.isEmpty()) {
              return null;
            }
            try (TextBatch batch = claimed.get()) {
              long last = 0;
              for (TextQueueEntry e : batch.entries()) {
                batch.put(e.artifact(), "kiwi number " + e.artifactId());
                applied.add(e.seq());
                last = e.seq();
              }
              batch.acknowledge(last);
            }
          }
        }));
      }
      for (Future<?> w : workers) {
        w.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(applied).hasSize(200).doesNotHaveDuplicates();
    assertThat(x.read((IndexSession s) -> s.text().search("d", List.of("kiwi"), 1_000))).hasSize(200);
    assertThat(y.fullText().claim(10, r -> false)).isEmpty();
  }

  @Test
  void aBatchClosedWithoutAcknowledgementIsUndoneAndClaimedAgain() {
    List<Long> first;
    try (TextBatch batch = x.fullText().claim(5, r -> false).orElseThrow()) {
      first = batch.entries().stream().map(TextQueueEntry::seq).toList();
      for (TextQueueEntry e : batch.entries()) {
        batch.put(e.artifact(), "mango");
      }
      // acknowledges the first three only
      batch.acknowledge(first.get(2));
    }
    assertThat(x.read((IndexSession s) -> s.text().search("d", List.of("mango"), 100))).hasSize(5);
    try (TextBatch batch = y.fullText().claim(5, r -> false).orElseThrow()) {
      assertThat(batch.entries().stream().map(TextQueueEntry::seq).toList())
          .startsWith(first.get(3), first.get(4));
      batch.put(batch.entries().get(0).artifact(), "papaya");
      // closed without acknowledgement: the document change is undone, the entries stay queued
    }
    assertThat(x.read((IndexSession s) -> s.text().search("d", List.of("papaya"), 100))).isEmpty();
    try (TextBatch batch = x.fullText().claim(2, r -> false).orElseThrow()) {
      assertThat(batch.entries().stream().map(TextQueueEntry::seq).toList())
          .containsExactly(first.get(3), first.get(4));
    }
  }
}
