package dev.diskstore.local;

import dev.diskstore.testkit.PseudoRandomInputStream;
import dev.diskstore.testkit.CanonicalJson;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactResult;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * The child JVM of {@link CrashRecoveryTest}: runs mixed writes on a fixed set of {@link #PATHS} of
 * one disk until it is killed (or, as a bound, until its time is up), logging each operation
 * durably before and after it runs.
 *
 * <p>Log lines (UTF-8, each forced to the device before the operation starts or after it
 * returns):
 *
 * <pre>
 * START &lt;round&gt;
 * BEGIN &lt;id&gt; &lt;op&gt; &lt;full path&gt; &lt;expected sha256 or DELETED&gt; &lt;expected meta JSON or -&gt;
 * ACK &lt;id&gt;
 * END &lt;round&gt;
 * </pre>
 *
 * <p>Arguments: store directory, disk id, log file, round number, seed, seconds to run at most.
 * Exits 0 when its time is up, 2 when an operation throws.
 */
public final class CrashWorker {
  /** The artifacts the worker writes: directory + filename, 20 of them in four directories. */
  static final List<String> PATHS = paths();

  static final String DELETED = "DELETED";
  static final String NO_META = "-";

  private static final int MIB = 1 << 20;

  /** What a path holds: bytes (by SHA-256) and canonical user metadata, or nothing. */
  record Expected(String sha256, String metaJson) {
    static final Expected ABSENT = new Expected(DELETED, NO_META);

    boolean exists() {
      return !sha256.equals(DELETED);
    }

    @Override
    public String toString() {
      return exists() ? sha256.substring(0, 12) + "… " + metaJson : DELETED;
    }
  }

  private CrashWorker() {}

  public static void main(String[] args) throws IOException {
    Path storeDir = Path.of(args[0]);
    String diskId = args[1];
    Path logFile = Path.of(args[2]);
    int round = Integer.parseInt(args[3]);
    Random random = new Random(Long.parseLong(args[4]));
    long deadline = System.nanoTime() + Long.parseLong(args[5]) * 1_000_000_000L;

    try (FileChannel log =
            FileChannel.open(
                logFile,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        DiskStore store = DiskStore.local(storeDir)) {
      Map<String, Expected> state = new HashMap<>();
      for (String path : PATHS) {
        state.put(path, current(store, diskId, path));
      }
      append(log, "START " + round);
      int seq = 0;
      while (System.nanoTime() < deadline) {
        String path = PATHS.get(random.nextInt(PATHS.size()));
        String id = "r" + round + "-" + (++seq);
        Expected before = state.get(path);
        Expected after = runOne(store, diskId, path, id, before, random, log);
        append(log, "ACK " + id);
        state.put(path, after);
      }
      append(log, "END " + round);
    } catch (RuntimeException e) {
      e.printStackTrace();
      System.exit(2);
    }
    System.exit(0);
  }

  /** Picks, logs and runs one operation; returns the path's new state. */
  private static Expected runOne(
      DiskStore store,
      String diskId,
      String path,
      String id,
      Expected before,
      Random random,
      FileChannel log)
      throws IOException {
    String dir = directory(path);
    String filename = filename(path);
    int dice = random.nextInt(100);
    if (dice < 15 && before.exists()) {
      Map<String, Object> meta = meta(id, random);
      Expected after = new Expected(before.sha256(), CanonicalJson.write(meta));
      begin(log, id, "UPDATE", path, after);
      store.disks().artifacts().update(diskId, dir, filename, meta);
      return after;
    }
    if (dice < 30 && before.exists()) {
      begin(log, id, "DELETE", path, Expected.ABSENT);
      store.disks().artifacts().delete(diskId, dir, filename);
      return Expected.ABSENT;
    }
    // An upsert: new metadata, or null to keep the existing metadata.
    Map<String, Object> meta = random.nextBoolean() ? meta(id, random) : null;
    String metaJson =
        meta != null ? CanonicalJson.write(meta) : before.exists() ? before.metaJson() : "{}";
    if (dice < 55) {
      // 2–6 MiB from a stream the store has to read to its end.
      long seed = random.nextLong();
      long size = 2L * MIB + random.nextInt(4 * MIB + 1);
      Expected after = new Expected(PseudoRandomInputStream.sha256Of(seed, size), metaJson);
      begin(log, id, "UPSERT_LARGE", path, after);
      try (InputStream in = new PseudoRandomInputStream(seed, size)) {
        store.disks().artifacts().upsert(diskId, FileUpload.of(filename, in), dir, meta);
      }
      return after;
    }
    byte[] bytes;
    String op;
    if (dice < 70) {
      // One of a few shared payloads, so blobs are deduplicated across paths.
      bytes = PseudoRandomInputStream.bytes(1000 + random.nextInt(3), 4096);
      op = "UPSERT_SHARED";
    } else {
      bytes = PseudoRandomInputStream.bytes(random.nextLong(), random.nextInt(64 * 1024 + 1));
      op = "UPSERT_SMALL";
    }
    Expected after = new Expected(PseudoRandomInputStream.sha256Hex(bytes), metaJson);
    begin(log, id, op, path, after);
    store.disks().artifacts().upsert(diskId, FileUpload.of(filename, bytes), dir, meta);
    return after;
  }

  /** The state of {@code path} in the store, by the index (the parent has checked the bytes). */
  static Expected current(DiskStore store, String diskId, String path) {
    Optional<ArtifactResult> found =
        store.disks().artifacts().find(diskId, directory(path), filename(path));
    if (found.isEmpty()) {
      return Expected.ABSENT;
    }
    Artifact artifact = found.get().artifact();
    return new Expected(artifact.sha256(), CanonicalJson.write(artifact.userMeta()));
  }

  static String directory(String path) {
    return path.substring(0, path.lastIndexOf('/') + 1);
  }

  static String filename(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  private static Map<String, Object> meta(String id, Random random) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("op", id);
    meta.put("n", random.nextInt(1_000_000));
    meta.put("reviewed", random.nextBoolean());
    meta.put("tags", List.of("crash", "naïve-é", Integer.toString(random.nextInt(10))));
    meta.put("nested", Map.of("depth", 1, "note", "line\nbreak"));
    return meta;
  }

  private static void begin(FileChannel log, String id, String op, String path, Expected after)
      throws IOException {
    append(log, "BEGIN " + id + " " + op + " " + path + " " + after.sha256() + " " + after.metaJson());
  }

  /** Appends one line and forces it to the device before returning. */
  private static void append(FileChannel log, String line) throws IOException {
    ByteBuffer buffer = StandardCharsets.UTF_8.encode(line + "\n");
    while (buffer.hasRemaining()) {
      log.write(buffer);
    }
    log.force(true);
  }

  private static List<String> paths() {
    String[] dirs = {"/", "/crash/a/", "/crash/b/deep/", "/reports/2024/"};
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      paths.add(dirs[i % dirs.length] + String.format(java.util.Locale.ROOT, "file-%02d.bin", i));
    }
    return List.copyOf(paths);
  }
}
