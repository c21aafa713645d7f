package dev.diskstore.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactStream;
import dev.diskstore.ByteRange;
import dev.diskstore.CorruptContentException;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import dev.diskstore.VerifyReport;
import dev.diskstore.VerifyReport.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Damaged bytes and a damaged index are never served or reported clean (issue 11, item 5): blob
 * files changed on a real disk behind the store's back, and index files edited outside SQLite.
 */
class IntegrityTest {
  @TempDir Path dir;
  private String disk;
  private byte[] text;
  private byte[] binary;

  enum Damage {
    FLIP_ONE_BYTE,
    TRUNCATE,
    APPEND
  }

  @BeforeEach
  void setUp() {
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      lines.append("line ").append(i).append(" of a report\n");
    }
    text = lines.toString().getBytes(UTF_8);
    // beyond the 4 MiB after which whole reads are hashed beside the reader
    binary = new byte[9 * 1024 * 1024 + 17];
    new Random(42).nextBytes(binary);
    try (DiskStore store = DiskStore.local(dir)) {
      disk = store.disks().create().id();
      store.disks().artifacts().upsert(disk, FileUpload.of("report.txt", text), "/docs/");
      store.disks().artifacts().upsert(disk, FileUpload.of("data.bin", binary), "/docs/");
    }
  }

  private Path blobFile(DiskStore store, String filename) {
    Artifact artifact = store.disks().artifacts().get(disk, "/docs/", filename).artifact();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"));
        var s = c.prepareStatement("SELECT key FROM blobs WHERE sha256 = ?")) {
      s.setString(1, artifact.sha256());
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        try (LocalBlobBackend raw = LocalBlobBackend.at(dir.resolve("blobs"))) {
          return raw.fileOf(rs.getString(1));
        }
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void damage(Path file, Damage how) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      switch (how) {
        case FLIP_ONE_BYTE -> {
          long at = raf.length() / 2;
          raf.seek(at);
          int b = raf.read();
          raf.seek(at);
          raf.write(b ^ 0x01);
        }
        case TRUNCATE -> raf.setLength(raf.length() - 7);
        case APPEND -> {
          raf.seek(raf.length());
          raf.write("APPENDED".getBytes(UTF_8));
        }
      }
    }
  }

  /** Reads until the end or an exception; returns what was read and the exception. */
  private record ReadOutcome(byte[] bytes, RuntimeException failure) {}

  private static ReadOutcome readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
      }
    } catch (RuntimeException e) {
      return new ReadOutcome(out.toByteArray(), e);
    }
    return new ReadOutcome(out.toByteArray(), null);
  }

  @ParameterizedTest
  @EnumSource(Damage.class)
  void readAllBytesOfADamagedBlobThrowsInsteadOfReturningBytes(Damage how) throws IOException {
    try (DiskStore store = DiskStore.local(dir)) {
      for (String name : new String[] {"report.txt", "data.bin"}) {
        damage(blobFile(store, name), how);
        try (ArtifactStream in = store.disks().artifacts().open(disk, "/docs/", name)) {
          assertThatThrownBy(in::readAllBytes)
              .as("%s, %s", name, how)
              .isInstanceOf(CorruptContentException.class)
              .hasMessageContaining(name);
          assertThatThrownBy(in::readAllBytes).as("and again").isInstanceOf(
              CorruptContentException.class);
        }
      }
    }
  }

  @Test
  void readAllBytesReturnsExactlyTheBytesAfterAPartialRead() throws IOException {
    try (DiskStore store = DiskStore.local(dir)) {
      try (ArtifactStream in = store.disks().artifacts().open(disk, "/docs/", "data.bin")) {
        byte[] head = in.readNBytes(5);
        byte[] rest = in.readAllBytes();
        assertThat(head).isEqualTo(Arrays.copyOfRange(binary, 0, 5));
        assertThat(rest).isEqualTo(Arrays.copyOfRange(binary, 5, binary.length));
        assertThat(in.readAllBytes()).isEmpty();
        assertThat(in.read()).isEqualTo(-1);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Damage.class)
  void aDamagedBlobFailsEveryWholeReadAtItsEndAndNeverReturnsBytesBeyondItsSize(Damage how)
      throws IOException {
    try (DiskStore store = DiskStore.local(dir)) {
      for (String name : new String[] {"report.txt", "data.bin"}) {
        byte[] original = name.equals("report.txt") ? text : binary;
        damage(blobFile(store, name), how);
        ReadOutcome read = readAll(store.disks().artifacts().open(disk, "/docs/", name));
        assertThat(read.failure())
            .as("%s, %s: the read that reaches the end fails", name, how)
            .isInstanceOf(CorruptContentException.class)
            .hasMessageContaining(name)
            .hasMessageContaining(disk);
        assertThat(read.bytes().length).as("never more than the recorded size")
            .isLessThanOrEqualTo(original.length);
        if (how == Damage.APPEND) {
          assertThat(read.bytes()).isEqualTo(original);
          // a range up to and past the recorded end stops at the recorded size
          try (ArtifactStream tail =
              store.disks().artifacts().open(
                  disk, "/docs/", name, ByteRange.of(original.length - 3, 100))) {
            assertThat(tail.readAllBytes())
                .isEqualTo(Arrays.copyOfRange(original, original.length - 3, original.length));
          }
        }
        if (how == Damage.TRUNCATE) {
          assertThatThrownBy(
                  () -> store.disks().artifacts()
                      .open(disk, "/docs/", name, ByteRange.from(original.length - 10))
                      .readAllBytes())
              .isInstanceOf(CorruptContentException.class);
        }
      }
      assertThatThrownBy(
              () -> store.disks().artifacts().get(
                  disk, "/docs/", "report.txt", GetOptions.builder().withContent(true).build()))
          .isInstanceOf(CorruptContentException.class)
          .hasMessageContaining("report.txt");
      VerifyReport report = store.maintenance().verify(true);
      assertThat(report.problems()).extracting(VerifyReport.Problem::kind)
          .hasSize(2)
          .allMatch(k -> k == Kind.HASH_MISMATCH || k == Kind.SIZE_MISMATCH);
    }
  }

  @Test
  void anUndamagedBlobReadsNormallyWholeAndInRanges() throws IOException {
    try (DiskStore store = DiskStore.local(dir)) {
      try (InputStream in = store.disks().artifacts().open(disk, "/docs/", "data.bin")) {
        assertThat(in.readAllBytes()).isEqualTo(binary);
        assertThat(in.read()).isEqualTo(-1);
      }
      try (InputStream in = store.disks().artifacts().open(disk, "/docs/", "data.bin")) {
        assertThat(in.skip(binary.length - 5)).isEqualTo(binary.length - 5);
        assertThat(in.readAllBytes())
            .isEqualTo(Arrays.copyOfRange(binary, binary.length - 5, binary.length));
      }
      try (InputStream in = store.disks().artifacts()
          .open(disk, "/docs/", "data.bin", ByteRange.of(binary.length + 10, 5))) {
        assertThat(in.readAllBytes()).isEmpty();
      }
      assertThat(store.disks().artifacts().get(disk, "/docs/", "report.txt",
              GetOptions.builder().withContent(true).build()).content().orElseThrow().raw())
          .isEqualTo(new String(text, UTF_8));
    }
  }

  // ------------------------------------------------------------------ the index file

  private static long indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Changes the first occurrence of {@code from} in the index file to {@code to} (same length). */
  private void editIndex(String from, String to) throws IOException {
    Path file = dir.resolve("index.db");
    assertThat(dir.resolve("index.db-wal")).as("checkpointed on close").satisfiesAnyOf(
        p -> assertThat(p).doesNotExist(), p -> assertThat(Files.size(p)).isZero());
    byte[] bytes = Files.readAllBytes(file);
    long at = indexOf(bytes, from.getBytes(UTF_8));
    assertThat(at).as("%s in the index file", from).isNotNegative();
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(at);
      raf.write(to.getBytes(UTF_8));
    }
  }

  @Test
  void metadataChangedInsideTheIndexFileIsFoundByDeepVerification() throws IOException {
    try (DiskStore store = DiskStore.local(dir)) {
      store.disks().artifacts().update(disk, "/docs/", "report.txt",
          Map.of("author", "alice-xyzzy", "reviewed", true));
      assertThat(store.maintenance().verify(true).isClean()).isTrue();
    }
    editIndex("alice-xyzzy", "alicf-xyzzy");
    try (DiskStore store = DiskStore.local(dir)) {
      assertThat(store.disks().artifacts().get(disk, "/docs/", "report.txt").artifact()
          .userMeta()).containsEntry("author", "alicf-xyzzy");
      VerifyReport report = store.maintenance().verify(true);
      assertThat(report.problems())
          .singleElement()
          .satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.ROW_CHECKSUM_MISMATCH);
            assertThat(p.detail()).contains("/docs/report.txt");
          });
    }
  }

  @Test
  void aPathChangedInsideTheIndexFileIsFoundByDeepVerification() throws IOException {
    try (DiskStore store = DiskStore.local(dir)) {
      store.disks().artifacts().upsert(disk, FileUpload.of("x.txt", "x".getBytes(UTF_8)),
          "/unique-qqq/");
    }
    editIndex("/unique-qqq/", "/unique-qqr/");
    try (DiskStore store = DiskStore.local(dir)) {
      VerifyReport report = store.maintenance().verify(true);
      assertThat(report.problems()).extracting(VerifyReport.Problem::kind)
          .contains(Kind.ROW_CHECKSUM_MISMATCH, Kind.INDEX_DAMAGED);
    }
  }

  @Test
  void aPageOfGarbageInTheIndexFileIsReportedByVerification() throws Exception {
    try (DiskStore store = DiskStore.local(dir)) {
      for (int i = 0; i < 300; i++) {
        store.disks().artifacts().upsert(disk,
            FileUpload.of("f" + i + ".txt", ("content " + i).getBytes(UTF_8)), "/many/");
      }
    }
    long page;
    int pageSize;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"));
        var s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("PRAGMA page_size")) {
        rs.next();
        pageSize = rs.getInt(1);
      }
      try (ResultSet rs = s.executeQuery(
          "SELECT pageno FROM dbstat WHERE name = 'artifacts_by_blob' AND pagetype = 'leaf'"
              + " ORDER BY pageno DESC LIMIT 1")) {
        assertThat(rs.next()).isTrue();
        page = rs.getLong(1);
      }
    }
    byte[] garbage = new byte[pageSize];
    new Random(7).nextBytes(garbage);
    try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("index.db").toFile(), "rw")) {
      raf.seek((page - 1) * pageSize);
      raf.write(garbage);
    }
    try (DiskStore store = DiskStore.local(dir)) {
      assertThat(store.maintenance().verify(false).problems())
          .extracting(VerifyReport.Problem::kind).contains(Kind.INDEX_DAMAGED);
      assertThat(store.maintenance().verify(true).problems())
          .extracting(VerifyReport.Problem::kind).contains(Kind.INDEX_DAMAGED);
    }
  }
}
