package dev.diskstore.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.testkit.ChildJvm;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A damaged full-text index is derived data: it is set aside and rebuilt, never a reason for the
 * store not to open or a search to fail (issue 11, item 4). Real SQLite files damaged on disk.
 */
class TextIndexDamageTest {
  @TempDir Path dir;
  private String disk;

  enum Damage {
    GARBAGE,
    ZEROED_HEADER,
    TRUNCATED_TO_HALF
  }

  @BeforeEach
  void setUp() {
    try (DiskStore store = DiskStore.local(dir)) {
      disk = store.disks().create().id();
      for (int i = 0; i < 400; i++) {
        store.disks().artifacts().upsert(disk,
            FileUpload.ofText("n" + i + ".md", "numbat " + i + " " + "filler text ".repeat(40)),
            "/n/");
      }
      assertThat(store.search().fullText(disk, "numbat", 1000)).hasSize(400);
    }
  }

  private String generation() throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"));
        ResultSet rs = c.createStatement().executeQuery(
            "SELECT value FROM store_meta WHERE key = 'text_generation'")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private Path textFile() throws SQLException {
    return dir.resolve("text-" + generation() + ".db");
  }

  private static void damage(Path file, Damage how) throws IOException {
    long size = Files.size(file);
    assertThat(size).as("a text index of several pages").isGreaterThan(64 * 1024);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      switch (how) {
        case GARBAGE -> {
          byte[] garbage = new byte[(int) size];
          new Random(3).nextBytes(garbage);
          raf.seek(0);
          raf.write(garbage);
        }
        case ZEROED_HEADER -> {
          raf.seek(0);
          raf.write(new byte[100]);
        }
        case TRUNCATED_TO_HALF -> raf.setLength(size / 2);
      }
    }
  }

  /** Overwrites everything after the first pages with random bytes; the header stays valid. */
  private static void garbleAfterHeader(Path file, long seed) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      byte[] garbage = new byte[(int) raf.length() - 8192];
      new Random(seed).nextBytes(garbage);
      raf.seek(8192);
      raf.write(garbage);
    }
  }

  private List<String> damagedFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".damaged-"))
          .collect(Collectors.toList());
    }
  }

  @ParameterizedTest
  @EnumSource(Damage.class)
  void aDamagedTextIndexIsSetAsideAndRebuiltAndTheStoreOpens(Damage how) throws Exception {
    Path damaged = textFile();
    damage(damaged, how);
    try (DiskStore store = DiskStore.local(dir)) {
      assertThat(store.search().fullText(disk, "numbat", 1000)).hasSize(400);
      assertThat(store.search().fullText(disk, "n123", 10)).isNotNull();
      assertThat(store.maintenance().verify().isClean()).isTrue();
    }
    assertThat(textFile()).isNotEqualTo(damaged).exists();
    assertThat(damagedFiles()).singleElement()
        .satisfies(n -> assertThat(n).startsWith(damaged.getFileName().toString()));
  }

  @Test
  void damageFoundWhileTheStoreIsOpenIsRepairedByTheNextSearch() throws Exception {
    try (DiskStore store = DiskStore.local(dir)) {
      Path file = textFile();
      // damage the pages of the full-text table under the open store (its header stays valid)
      garbleAfterHeader(file, 5);
      store.disks().artifacts().upsert(disk, FileUpload.ofText("late.md", "numbat late"), "/n/");
      assertThat(store.search().fullText(disk, "numbat", 1000)).hasSize(401);
      assertThat(textFile()).isNotEqualTo(file);
    }
  }

  @Test
  void verificationReportsADamagedTextIndexAndRebuildsIt() throws Exception {
    try (DiskStore store = DiskStore.local(dir)) {
      Path file = textFile();
      garbleAfterHeader(file, 6);
      assertThat(store.maintenance().verify().problems())
          .isNotEmpty()
          .allSatisfy(p -> {
            assertThat(p.kind()).isEqualTo(dev.diskstore.VerifyReport.Kind.INDEX_DAMAGED);
            assertThat(p.subject()).isEqualTo("full-text index");
          });
      assertThat(textFile()).isNotEqualTo(file);
      assertThat(store.maintenance().verify().isClean()).isTrue();
      assertThat(store.search().fullText(disk, "numbat", 1000)).hasSize(400);
    }
  }

  /**
   * A second process has the text index open when the first one finds it damaged and makes a new
   * generation: the second moves to it before applying anything, and its searches see writes of
   * both.
   */
  @Test
  void anotherProcessFollowsANewGeneration() throws Exception {
    Path output = dir.resolve("child.out");
    Path go = dir.resolve("go");
    Process child = ChildJvm.start(SearchAfterSignal.class, List.of(),
        List.of(dir.toString(), disk, go.toString()), output);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!ChildJvm.output(output).contains("READY") && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(ChildJvm.output(output)).contains("READY");
      Path old = textFile();
      try (DiskStore store = DiskStore.local(dir)) {
        store.disks().artifacts().upsert(disk, FileUpload.ofText("mine.md", "numbat mine"), "/");
        // this process finds the index damaged (as a search would) and makes a new generation
        garbleAfterHeader(old, 9);
        assertThat(store.search().fullText(disk, "numbat", 1000)).hasSize(401);
        assertThat(textFile()).isNotEqualTo(old);
        Files.writeString(go, "go");
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(ChildJvm.output(output)).isZero();
        assertThat(ChildJvm.output(output)).contains("HITS 402");
        assertThat(store.search().fullText(disk, "numbat", 1000)).hasSize(402);
      }
    } finally {
      ChildJvm.kill(child);
    }
  }

  /** Child: opens the store, searches, waits for a signal, upserts and searches again. */
  public static final class SearchAfterSignal {
    public static void main(String[] args) throws Exception {
      Path dir = Path.of(args[0]);
      String disk = args[1];
      Path go = Path.of(args[2]);
      try (DiskStore store = DiskStore.local(dir)) {
        System.out.println("BEFORE " + store.search().fullText(disk, "numbat", 1000).size());
        System.out.println("READY");
        System.out.flush();
        while (!Files.exists(go)) {
          Thread.sleep(10);
        }
        store.disks().artifacts().upsert(disk, FileUpload.ofText("theirs.md", "numbat theirs"),
            "/");
        System.out.println("HITS " + store.search().fullText(disk, "numbat", 1000).size());
      }
    }
  }
}
