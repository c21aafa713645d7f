package dev.diskstore.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.StorageException;
import dev.diskstore.internal.PathRules;
import dev.diskstore.postgres.PgBlobs.Extracted;
import dev.diskstore.spi.index.ArtifactRow;
import dev.diskstore.spi.index.BlobRow;
import dev.diskstore.spi.index.DirectoryRow;
import dev.diskstore.spi.index.DiskRow;
import dev.diskstore.testkit.postgres.EmbeddedPostgresServer;
import dev.diskstore.testkit.postgres.EmbeddedPostgresServer.FreshSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The row operations' SQL (PgArtifacts, PgBlobs, PgDisks, PgOwners) on a real server. */
class PgRowsTest {
  private static final EmbeddedPostgresServer SERVER = EmbeddedPostgresServer.shared();
  private FreshSchema schema;
  private PgDatabase db;
  private PgTransactions tx;

  @BeforeEach
  void open() {
    schema = SERVER.freshSchema();
    db = PgDatabase.open(PostgresIndex.builder().jdbcUrl(SERVER.jdbcUrl()).user(SERVER.user())
        .password("x").schema(schema.name()).build());
    tx = db.transactions();
    tx.write(c -> {
      PgDisks.insert(c, new DiskRow("d1", null, "p", 10, 10));
      return null;
    });
  }

  @AfterEach
  void close() {
    db.close();
    schema.close();
  }

  private static ArtifactRow row(String path, String filename, String sha) {
    return new ArtifactRow(0, "d1", path, filename, sha, 3, "text/plain", "e-" + filename,
        "{\"b\": 1, \"a\": [1.50, 2e3]}", 100, 200, 300, "");
  }

  /** Inserts an artifact with its blob and directory counts, as an upsert of a new path would. */
  private long put(String path, String filename, String sha) {
    return tx.write(c -> {
      if (PgBlobs.keyOf(c, sha).isPresent()) {
        PgBlobs.addReference(c, sha);
      } else {
        PgBlobs.insert(c, sha, "k/" + sha, 3, 1);
      }
      long id = PgArtifacts.insert(c, row(path, filename, sha), 42);
      List<DirectoryRow> dirs = new ArrayList<>();
      for (String dir : PathRules.selfAndAncestors(path)) {
        dirs.add(new DirectoryRow("d1", dir, PathRules.parent(dir), PathRules.name(dir), 0));
      }
      PgArtifacts.addToDirectories(c, "d1", dirs);
      return id;
    });
  }

  @Test
  void artifactRowsRoundTripExactly() {
    long id = put("/docs/", "a.txt", "s1");
    ArtifactRow found = tx.read(c -> PgArtifacts.find(c, "d1", "/docs/", "a.txt")).orElseThrow();
    assertThat(found.id()).isEqualTo(id);
    assertThat(found.blobKey()).isEqualTo("k/s1");
    // the user metadata text is kept byte for byte (jsonb would reorder keys and rewrite 2e3)
    assertThat(found.userMeta()).isEqualTo("{\"b\": 1, \"a\": [1.50, 2e3]}");
    assertThat(found).isEqualTo(new ArtifactRow(id, "d1", "/docs/", "a.txt", "s1", 3, "text/plain",
        "e-a.txt", "{\"b\": 1, \"a\": [1.50, 2e3]}", 100, 200, 300, "k/s1"));
    tx.write(c -> {
      PgArtifacts.update(c, new ArtifactRow(id, "d1", "/x/", "b.txt", "s1", 3, "text/plain", "e2", "{}",
          100, 201, 300, ""), 43);
      return null;
    });
    assertThat(tx.read((Connection c) -> PgArtifacts.find(c, "d1", "/docs/", "a.txt"))).isEmpty();
    assertThat(tx.read((Connection c) -> PgArtifacts.find(c, "d1", "/x/", "b.txt")).orElseThrow().etag())
        .isEqualTo("e2");
    // the jsonb image follows the text
    assertThat(tx.<String>read(c -> one(c, "SELECT meta::text FROM artifacts"))).isEqualTo("{}");
    // one row per (disk, path, filename)
    assertThatThrownBy(() -> put("/x/", "b.txt", "s2")).isInstanceOf(StorageException.class)
        .hasMessageContaining("23505");
  }

  @Test
  void directoryCountsListingsAndScansUseByteOrder() {
    // "C" collation: 'B' < 'a' < 'b' < 'é' (code point order, as SQLite BINARY)
    put("/m/", "é.txt", "s1");
    put("/m/", "b.txt", "s1");
    put("/m/", "a.txt", "s1");
    put("/m/", "B.txt", "s1");
    put("/m/z/", "deep.txt", "s2");
    put("/m/A/", "x.txt", "s2");
    put("/n/", "other.txt", "s3");
    assertThat(tx.read((Connection c) -> PgArtifacts.childDirectories(c, "d1", "/m/", "", 10)))
        .containsExactly("A", "z");
    assertThat(tx.read((Connection c) -> PgArtifacts.childDirectories(c, "d1", "/", "m", 10)))
        .containsExactly("n");
    assertThat(tx.read((Connection c) -> PgArtifacts.childDirectories(c, "d1", "/", "", 10)))
        .containsExactly("m", "n");
    assertThat(tx.read((Connection c) -> PgArtifacts.inDirectory(c, "d1", "/m/", "", 10)))
        .extracting(ArtifactRow::filename).containsExactly("B.txt", "a.txt", "b.txt", "é.txt");
    assertThat(tx.read((Connection c) -> PgArtifacts.inDirectory(c, "d1", "/m/", "a.txt", 2)))
        .extracting(ArtifactRow::filename).containsExactly("b.txt", "é.txt");
    assertThat(counts()).doesNotContainKey("/").containsEntry("/m/", 6L)
        .containsEntry("/m/z/", 1L).containsEntry("/n/", 1L);

    // a range [/m/, /m0) after a position, in path then filename order
    List<String> seen = new ArrayList<>();
    tx.read(c -> {
      PgArtifacts.scan(c, "d1", "/m/", "/m0", "/m/", "a.txt", r -> {
        seen.add(r.path() + r.filename());
        return seen.size() < 3;
      });
      return null;
    });
    assertThat(seen).containsExactly("/m/b.txt", "/m/é.txt", "/m/A/x.txt");

    // a directory goes with its last artifact, and only then
    tx.write(c -> {
      PgArtifacts.removeFromDirectories(c, "d1", List.of("/m/", "/m/z/"));
      return null;
    });
    assertThat(counts()).containsEntry("/m/", 6L).containsEntry("/m/z/", 1L);
    tx.write(c -> {
      PgArtifacts.delete(c, PgArtifacts.find(c, "d1", "/m/z/", "deep.txt").orElseThrow().id());
      PgArtifacts.removeFromDirectories(c, "d1", List.of("/m/", "/m/z/"));
      return null;
    });
    assertThat(counts()).containsEntry("/m/", 5L)
        .doesNotContainKey("/m/z/");
  }

  /**
   * Two writers adding artifacts to sibling directories of a large disk touch disjoint index pages
   * and share only their parent directory's row, which they must only read: the second writer
   * neither waits for the first nor is aborted for it. (With a count per directory, the second
   * writer's increment of {@code /docs/} waited for the first to commit and then failed with a
   * serialization error: writers of one tree took turns, on one host or many.)
   */
  @Test
  void writersOfSiblingDirectoriesNeitherWaitForNorAbortEachOther() throws Exception {
    // two regions far apart in every index: 500 artifacts and blobs each
    for (int i = 0; i < 500; i++) {
      put("/docs/d1/", String.format("f%04d", i), String.format("%064x", 2 * i + 1));
      put("/docs/d2/", String.format("f%04d", i), String.format("%064x", 2 * i + 2));
    }
    java.util.concurrent.CountDownLatch firstDone = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch secondDone = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger firstRuns = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger secondRuns = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      // the first writer holds its transaction open until the second has committed (or 3 s)
      java.util.concurrent.Future<Boolean> first = threads.submit(() -> tx.write(c -> {
        firstRuns.incrementAndGet();
        addNew(c, "/docs/d1/", "0".repeat(64));
        firstDone.countDown();
        try {
          return secondDone.await(3, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }));
      assertThat(firstDone.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      long start = System.nanoTime();
      threads.submit(() -> tx.write(c -> {
        secondRuns.incrementAndGet();
        addNew(c, "/docs/d2/", "f".repeat(64));
        return null;
      })).get(30, java.util.concurrent.TimeUnit.SECONDS);
      long secondMillis = (System.nanoTime() - start) / 1_000_000;
      secondDone.countDown();
      assertThat(first.get(30, java.util.concurrent.TimeUnit.SECONDS))
          .as("the second writer committed while the first was still open").isTrue();
      assertThat(secondMillis).as("the second writer did not wait for the first").isLessThan(2_500);
      assertThat(firstRuns).as("attempts of the first writer").hasValue(1);
      assertThat(secondRuns).as("attempts of the second writer").hasValue(1);
    } finally {
      threads.shutdownNow();
    }
    assertThat(counts()).containsEntry("/docs/", 1002L).containsEntry("/docs/d1/", 501L)
        .containsEntry("/docs/d2/", 501L);
  }

  /** What an upsert of a new artifact with new bytes does, inside the caller's transaction. */
  private static void addNew(java.sql.Connection c, String path, String sha)
      throws java.sql.SQLException {
    assertThat(PgArtifacts.find(c, "d1", path, "new.txt")).isEmpty();
    assertThat(PgBlobs.keyOf(c, sha)).isEmpty();
    PgBlobs.insert(c, sha, "k/" + sha, 3, 1);
    PgArtifacts.insert(c, row(path, "new.txt", sha), 42);
    List<DirectoryRow> dirs = new ArrayList<>();
    for (String dir : PathRules.selfAndAncestors(path)) {
      dirs.add(new DirectoryRow("d1", dir, PathRules.parent(dir), PathRules.name(dir), 0));
    }
    PgArtifacts.addToDirectories(c, "d1", dirs);
  }

  @Test
  void referenceCountsGarbageAndTheCacheOfParseResults() {
    put("/", "a", "s1");
    put("/", "b", "s1");
    tx.write(c -> PgBlobs.putExtractedContent(c, "s1", "text/plain", "p", 100,
        new Extracted("text", "hello", false, null, null), 5));
    assertThat(tx.read((Connection c) -> PgBlobs.all(c))).containsExactly(new BlobRow("s1", "k/s1", 3, 2));
    assertThat(tx.write((Connection c) -> {
      PgArtifacts.delete(c, PgArtifacts.find(c, "d1", "/", "a").orElseThrow().id());
      return PgBlobs.release(c, "s1", 1, 7);
    })).isEmpty();
    assertThat(tx.read((Connection c) -> PgBlobs.extractedText(c, "s1", "text/plain"))).contains("hello");
    // the blob row cannot go while an artifact references it (deferred foreign key)
    assertThatThrownBy(() -> tx.write(c -> PgBlobs.release(c, "s1", 1, 7)))
        .isInstanceOf(StorageException.class).hasMessageContaining("23503");
    assertThat(tx.write((Connection c) -> {
      PgArtifacts.delete(c, PgArtifacts.find(c, "d1", "/", "b").orElseThrow().id());
      return PgBlobs.release(c, "s1", 1, 7);
    })).contains("k/s1");
    assertThat(tx.read((Connection c) -> PgBlobs.garbage(c))).containsExactly("k/s1");
    assertThat(tx.read((Connection c) -> PgBlobs.keyOf(c, "s1"))).isEmpty();
    // the cached parse results went with the blob row, and none is cached for a missing blob
    assertThat(tx.read((Connection c) -> PgBlobs.extractedContent(c, "s1", "text/plain", "p", 100))).isEmpty();
    assertThat(tx.write((Connection c) -> PgBlobs.putExtractedContent(c, "s1", "text/plain", "p", 100,
        new Extracted("text", "hello", false, null, null), 5))).isFalse();

    tx.write(c -> {
      PgBlobs.insert(c, "s9", "k/s9", 1, 1);
      PgBlobs.addGarbage(c, "k/g", 1);
      PgBlobs.addGarbage(c, "k/g", 2); // idempotent
      PgTransactions.execute(c,
          "INSERT INTO pending_writes VALUES ('k/p', 'owner', 1)");
      return null;
    });
    assertThat(tx.read((Connection c) -> PgBlobs.accountedFor(c, List.of("k/s9", "k/g", "k/p", "k/none"))))
        .containsExactlyInAnyOrder("k/s9", "k/g", "k/p");
    assertThat(tx.read((Connection c) -> PgBlobs.legacyPendingWrites(c))).isEqualTo(Map.of("k/p", "owner"));
    tx.write(c -> {
      PgBlobs.removeGarbage(c, List.of("k/g", "k/s1"));
      PgBlobs.removeLegacyPendingWrites(c, List.of("k/p"));
      return null;
    });
    assertThat(tx.read((Connection c) -> PgBlobs.accountedFor(c, List.of("k/g", "k/p")))).isEmpty();
    assertThat(tx.read((Connection c) -> PgBlobs.someKeys(c, 5))).containsExactly("k/s9");
  }

  @Test
  void diskPagesAreKeysetScansInBothDirectionsAndDeleteCascades() {
    tx.write(c -> {
      PgDisks.insert(c, new DiskRow("d2", "alice", "p", 20, 20));
      PgDisks.insert(c, new DiskRow("d3", "alice", "p", 20, 20));
      PgDisks.insert(c, new DiskRow("d4", "bob", "q", 30, 30));
      return null;
    });
    assertThat(tx.read((Connection c) -> PgDisks.page(c, null, null, false, 0, null, 10)))
        .extracting(DiskRow::id).containsExactly("d1", "d2", "d3", "d4");
    assertThat(tx.read((Connection c) -> PgDisks.page(c, null, null, false, 20, "d2", 2)))
        .extracting(DiskRow::id).containsExactly("d3", "d4");
    assertThat(tx.read((Connection c) -> PgDisks.page(c, null, null, true, 20, "d3", 10)))
        .extracting(DiskRow::id).containsExactly("d2", "d1");
    assertThat(tx.read((Connection c) -> PgDisks.page(c, "alice", null, true, 0, null, 10)))
        .extracting(DiskRow::id).containsExactly("d3", "d2");
    assertThat(tx.read((Connection c) -> PgDisks.page(c, null, "q", false, 0, null, 10)))
        .extracting(DiskRow::id).containsExactly("d4");
    assertThat(tx.read((Connection c) -> PgDisks.page(c, "bob", "p", false, 0, null, 10)))
        .isEmpty();
    assertThat(tx.read((Connection c) -> PgDisks.find(c, "d2"))).contains(new DiskRow("d2", "alice", "p", 20, 20));

    put("/a/", "x", "s1");
    tx.write(c -> {
      PgDisks.delete(c, "d1");
      return null;
    });
    assertThat(tx.read((Connection c) -> PgDisks.exists(c, "d1"))).isFalse();
    assertThat(tx.<Long>read(c -> Long.parseLong(one(c, "SELECT count(*) FROM artifacts"))))
        .isZero();
    assertThat(counts()).isEmpty();
  }

  @Test
  void ownersAndStoreSettings() {
    tx.write(c -> {
      PgOwners.register(c, "o1", 1);
      PgOwners.register(c, "o2", 1);
      PgOwners.register(c, "o1", 2); // known already (PgLiveness registers first): kept
      PgOwners.declareDead(c, List.of("o1", "unknown"), 3);
      PgDisks.putStoreMeta(c, "store_id", "one");
      PgDisks.putStoreMeta(c, "store_id", "two");
      return null;
    });
    assertThat(tx.read((Connection c) -> PgOwners.states(c, List.of("o1", "o2", "o3"))))
        .isEqualTo(Map.of("o1", "dead", "o2", "alive"));
    assertThat(tx.write((Connection c) -> PgOwners.pruneDead(c, Set.of()))).isEqualTo(1);
    assertThat(tx.write((Connection c) -> PgOwners.state(c, "o1"))).as("the fence read").isEmpty();
    assertThat(tx.read((Connection c) -> PgDisks.storeMeta(c, "store_id"))).contains("two");
  }

  /**
   * Listing a 100-entry directory reads about as many index entries in a disk of 200,000
   * artifacts as alone: the plan is an index range scan and the buffers it touches do not grow
   * with the disk.
   */
  @Test
  void listingADirectoryCostsTheSameInAHugeDisk() {
    tx.write(c -> {
      PgDisks.insert(c, new DiskRow("big", null, "p", 1, 1));
      PgDisks.insert(c, new DiskRow("small", null, "p", 1, 1));
      PgBlobs.insert(c, "s", "k", 1, 1);
      for (String disk : List.of("big", "small")) {
        try (PreparedStatement s = c.prepareStatement(
            "INSERT INTO artifacts (disk_id, path, filename, sha256, size, content_type, etag,"
                + " user_meta, created_at, updated_at, content_modified_at)"
                + " SELECT ?, '/dir' || (i % ?) || '/', 'f' || i, 's', 1, 't', 'e', '{}', 1, 1, 1"
                + " FROM generate_series(1, ?) AS i")) {
          boolean big = disk.equals("big");
          s.setString(1, disk);
          s.setInt(2, big ? 2_000 : 1);
          s.setInt(3, big ? 200_000 : 100);
          s.executeUpdate();
        }
      }
      PgTransactions.execute(c, "ANALYZE artifacts");
      return null;
    });
    String bigPlan = explain("big", "/dir7/");
    String smallPlan = explain("small", "/dir0/");
    assertThat(bigPlan).contains("Index Scan").doesNotContain("Seq Scan");
    assertThat(buffers(bigPlan)).isLessThanOrEqualTo(buffers(smallPlan) + 10);
  }

  private String explain(String disk, String path) {
    return tx.read(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT " + PgArtifacts.ROW_COLUMNS
              + PgArtifacts.FROM + " WHERE a.disk_id = ? AND a.path = ? AND a.filename > ?"
              + " ORDER BY a.filename LIMIT 101")) {
        s.setString(1, disk);
        s.setString(2, path);
        s.setString(3, "");
        StringBuilder plan = new StringBuilder();
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            plan.append(rs.getString(1)).append('\n');
          }
        }
        return plan.toString();
      }
    });
  }

  private static int buffers(String plan) {
    var m = java.util.regex.Pattern.compile("Buffers: shared hit=(\\d+)").matcher(plan);
    if (!m.find()) {
      throw new AssertionError("no buffer counts in\n" + plan);
    }
    return Integer.parseInt(m.group(1));
  }

  private Map<String, Long> counts() {
    return tx.read(c -> {
      Map<String, Long> out = new java.util.TreeMap<>();
      for (DirectoryRow d : PgArtifacts.directories(c)) {
        out.put(d.path(), d.artifactCount());
      }
      return out;
    });
  }

  private static String one(java.sql.Connection c, String sql) throws java.sql.SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

}
