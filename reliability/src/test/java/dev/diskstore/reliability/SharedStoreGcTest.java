package dev.diskstore.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.Artifact;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.GcReport;
import dev.diskstore.VerifyReport;
import dev.diskstore.testkit.ChildJvm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several JVMs on one store, one of them collecting garbage without pause (issue 11, items 1 and 2):
 * writer JVMs open the store, upsert a few files, close it, and start again — so that owners commit
 * and then close (or appear) at every moment of the collector's work, and new owners create their
 * lock files while the collector cleans the lock directory. Every acknowledged upsert must read
 * back intact afterwards, no write may fail, and verification must be clean.
 *
 * <p>Before the fix one JVM collecting while two reopened and wrote lost about 1 in 300 acknowledged
 * upserts ("bytes … are missing", MISSING_BLOB); and a new owner's lock file could be deleted before
 * it was locked, so the owner looked dead for its whole life.
 */
class SharedStoreGcTest {
  @TempDir Path tmp;

  static final int WRITERS = 3;
  static final int UPSERTS_PER_OPEN = 4;

  @Test
  void noAcknowledgedUpsertIsLostWhileAnotherJvmCollectsWithoutPause() throws Exception {
    int seconds = Figures.setting("diskstore.sharedgc.seconds", 20);
    Path store = tmp.resolve("store");
    run(tmp, seconds, store.toString(), Figures.of("shared-store-gc"), 100);
  }

  /**
   * The whole run on the store {@code storeSpec} ({@link StoreSpec}) names: the writer JVMs and
   * the collector JVM, then every acknowledged upsert read back by an instance of this JVM; at
   * least {@code minAcknowledged} upserts must have been acknowledged.
   */
  static void run(Path tmp, int seconds, String storeSpec, Figures figures, int minAcknowledged)
      throws Exception {
    figures.put("writerJvms", WRITERS).put("collectorJvms", 1).put("seconds", seconds);
    String store = storeSpec;
    String disk;
    try (DiskStore s = StoreSpec.open(storeSpec)) {
      disk = s.disks().create().id();
    }
    List<Process> children = new ArrayList<>();
    try {
      children.add(ChildJvm.start(CollectorJvm.class, List.of("-Xmx128m"),
          List.of(store, Integer.toString(seconds), tmp.resolve("collector.log").toString()),
          tmp.resolve("collector.out")));
      for (int w = 0; w < WRITERS; w++) {
        children.add(ChildJvm.start(WriterJvm.class, List.of("-Xmx128m"),
            List.of(store, disk, Integer.toString(w), Integer.toString(seconds),
                tmp.resolve("writer" + w + ".log").toString()),
            tmp.resolve("writer" + w + ".out")));
      }
      for (int i = 0; i < children.size(); i++) {
        Process child = children.get(i);
        String out = i == 0 ? "collector.out" : "writer" + (i - 1) + ".out";
        assertThat(child.waitFor(seconds + 120L, TimeUnit.SECONDS))
            .as("child %s ended; output:%n%s", out, ChildJvm.output(tmp.resolve(out))).isTrue();
        assertThat(child.exitValue())
            .as("child %s exit; output:%n%s", out, ChildJvm.output(tmp.resolve(out))).isZero();
      }
    } finally {
      for (Process child : children) {
        ChildJvm.kill(child);
      }
    }

    long acked = 0;
    long opens = 0;
    long failures = 0;
    // the last acknowledged upsert of each path is what it must hold (paths are reused)
    java.util.Map<String, String[]> writes = new java.util.LinkedHashMap<>();
    for (int w = 0; w < WRITERS; w++) {
      for (String line : Files.readAllLines(tmp.resolve("writer" + w + ".log"), UTF_8)) {
        String[] f = line.split(" ", 4);
        switch (f[0]) {
          case "OPEN" -> opens++;
          case "ACK" -> {
            acked++;
            writes.put(f[1] + f[2], f);
          }
          case "FAIL" -> failures++;
          default -> { }
        }
      }
    }
    long collections = 0;
    long deleted = 0;
    long withoutLockFile = 0;
    for (String line : Files.readAllLines(tmp.resolve("collector.log"), UTF_8)) {
      String[] f = line.split(" ");
      collections++;
      deleted += Long.parseLong(f[1]);
      withoutLockFile += Long.parseLong(f[2]);
    }
    figures.put("aliveOwnersWithoutLockFile", withoutLockFile);
    figures.put("opens", opens).put("acknowledgedUpserts", acked).put("pathsChecked", writes.size()).put("failedUpserts", failures)
        .put("collections", collections).put("objectsCollected", deleted);

    long lost = 0;
    try (DiskStore s = StoreSpec.open(storeSpec)) {
      for (String[] w : writes.values()) {
        // ACK <path> <filename> <sha256>
        try (InputStream in = s.disks().artifacts().open(disk, w[1], w[2])) {
          String sha = HexFormat.of().formatHex(
              MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
          if (!sha.equals(w[3])) {
            lost++;
          }
        } catch (RuntimeException e) {
          lost++;
          System.out.println("LOST " + String.join(" ", w) + ": " + e);
        }
      }
      GcReport last = s.maintenance().collectGarbage();
      VerifyReport report = s.maintenance().verify(true);
      figures.put("lostUpserts", lost).put("verifyProblems", report.problems().size())
          .put("lastCollection", last.total());
      figures.report();
      assertThat(report.problems()).as("verify after the run").isEmpty();
    }
    assertThat(lost).as("acknowledged upserts lost").isZero();
    assertThat(withoutLockFile).as("owners alive without a lock file").isZero();
    assertThat(failures).as("failed upserts (an owner taken for dead while alive)").isZero();
    assertThat(acked).as("upserts acknowledged").isGreaterThan(minAcknowledged);
    // a floor that shows collections overlapped the writers, not a speed target: a collection on
    // PostgreSQL + S3 on a loaded 2-core CI machine took up to 2 s (9 in one 15 s run)
    assertThat(collections).as("collections run").isGreaterThanOrEqualTo(3);
  }

  /**
   * Child: collects garbage in a loop on one open store; logs "GC deleted ownersWithoutLockFile"
   * per collection. Lock files exist only on a local store; on PostgreSQL the count is 0 (the
   * session locks are PostgreSQL's to keep).
   */
  public static final class CollectorJvm {
    public static void main(String[] args) throws Exception {
      String spec = args[0];
      boolean local = !StoreSpec.isRemote(spec);
      Path dir = local ? Path.of(spec) : Path.of(".");
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Integer.parseInt(args[1]));
      try (DiskStore store = StoreSpec.open(spec);
          java.io.Writer log = Files.newBufferedWriter(Path.of(args[2]), UTF_8,
              StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        java.sql.Connection index =
            local ? java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"))
                : null;
        if (index != null) {
          index.createStatement().execute("PRAGMA busy_timeout = 10000");
        }
        while (System.nanoTime() < end) {
          GcReport report = store.maintenance().collectGarbage();
          log.write("GC " + report.total() + " "
              + (index != null ? ownersWithoutLockFile(index, dir) : 0) + "\n");
        }
        if (index != null) {
          index.close();
        }
      }
    }
  }

  /**
   * Owners registered alive whose lock file is missing (item 2): the alive rows are read, the lock
   * files checked, and the rows read again. An owner's row goes from alive to dead before its lock
   * file is deleted on close, and never back, so an owner missing its file and still alive in the
   * second read was alive without a lock file that other processes could see.
   */
  static int ownersWithoutLockFile(java.sql.Connection index, Path dir) throws Exception {
    java.util.Set<String> missing = new java.util.HashSet<>();
    for (String id : aliveOwners(index)) {
      if (!Files.exists(dir.resolve("owners").resolve(id + ".lock"))) {
        missing.add(id);
      }
    }
    missing.retainAll(aliveOwners(index));
    for (String id : missing) {
      System.out.println("ALIVE WITHOUT LOCK FILE " + id);
    }
    return missing.size();
  }

  private static java.util.Set<String> aliveOwners(java.sql.Connection index) throws Exception {
    java.util.Set<String> ids = new java.util.HashSet<>();
    try (var rs = index.createStatement().executeQuery(
        "SELECT id FROM owners WHERE state = 'alive'")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }

  /**
   * Child: opens the store, upserts {@value #UPSERTS_PER_OPEN} files of fresh content, closes, and
   * again; logs OPEN, "ACK path filename sha256" after each acknowledged upsert, "FAIL ..." for each
   * failed one.
   */
  public static final class WriterJvm {
    public static void main(String[] args) throws Exception {
      String spec = args[0];
      String disk = args[1];
      int writer = Integer.parseInt(args[2]);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Integer.parseInt(args[3]));
      Random random = new Random(writer * 7919L + System.nanoTime());
      try (java.io.Writer log = Files.newBufferedWriter(Path.of(args[4]), UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        for (int round = 0; System.nanoTime() < end; round++) {
          try (DiskStore store = StoreSpec.open(spec)) {
            log.write("OPEN " + round + "\n");
            for (int i = 0; i < UPSERTS_PER_OPEN; i++) {
              String path = "/w" + writer + "/r" + (round % 50) + "/";
              String name = "f" + i + ".bin";
              byte[] content = new byte[64 + random.nextInt(4096)];
              random.nextBytes(content);
              try {
                Artifact a = store.disks().artifacts().upsert(disk, FileUpload.of(name, content),
                    path);
                log.write("ACK " + path + " " + name + " " + a.sha256() + "\n");
              } catch (RuntimeException e) {
                log.write("FAIL " + path + " " + name + " " + e.toString().replace('\n', ' ')
                    + "\n");
              }
            }
          }
          log.flush();
        }
      }
    }
  }
}
