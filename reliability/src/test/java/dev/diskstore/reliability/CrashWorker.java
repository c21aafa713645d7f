package dev.diskstore.reliability;

import dev.diskstore.testkit.PseudoRandomInputStream;
import dev.diskstore.testkit.CanonicalJson;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactResult;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The child JVM of the crash suites ({@link CrashTest}, {@link S3CrashTest}): several threads run
 * mixed writes (small and multi-MiB upserts, metadata updates, deletes) on {@link #PATHS} of one
 * disk until the process is killed, each thread on its own share of the paths, so that every path
 * has one writer and at most one operation in flight. Each thread logs every operation durably
 * (the line is forced to the device) before it starts and after it returns.
 *
 * <p>Log lines, one file per thread ({@code t<n>.log} in the round's log directory):
 *
 * <pre>
 * START
 * BEGIN &lt;id&gt; &lt;op&gt; &lt;full path&gt; &lt;expected sha256 or DELETED&gt; &lt;expected meta JSON or -&gt;
 * ACK &lt;id&gt; &lt;resulting etag or -&gt;
 * FAIL &lt;id&gt; &lt;exception class&gt;
 * </pre>
 *
 * <p>A {@code FAIL} is written only in S3 and PostgreSQL + S3 modes and only for a {@link
 * StorageException} (a server was stopped under the worker); the operation must then have changed
 * nothing. Any other
 * exception prints its stack trace and exits 2.
 *
 * <p>Arguments: store directory ({@code -} for PostgreSQL + S3), backend ({@code local}, {@code
 * s3|<endpoint>|<key prefix>}, or a {@link StoreSpec} {@code pg|…} with no directory),
 * disk id, log directory, seed, seconds to run at most, threads. Writes {@code ready} into the log
 * directory once the store is open.
 */
public final class CrashWorker {
  /** The artifacts the workers write: 24 of them in four directories. */
  static final List<String> PATHS = paths();

  static final String DELETED = "DELETED";
  static final String NO_META = "-";
  private static final int MIB = 1 << 20;

  private CrashWorker() {}

  public static void main(String[] args) throws Exception {
    String backend = args[1];
    Path storeDir = StoreSpec.isRemote(backend) ? Path.of(".") : Path.of(args[0]);
    String diskId = args[2];
    Path logDir = Path.of(args[3]);
    long seed = Long.parseLong(args[4]);
    long deadline = System.nanoTime() + Long.parseLong(args[5]) * 1_000_000_000L;
    int threads = Integer.parseInt(args[6]);
    boolean remote = !backend.equals("local");
    AtomicInteger exit = new AtomicInteger();
    try (DiskStore store = open(storeDir, backend)) {
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Random random = new Random(seed * 31 + t);
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < PATHS.size(); i++) {
          if (i % threads == t) {
            mine.add(PATHS.get(i));
          }
        }
        FileChannel log =
            FileChannel.open(
                logDir.resolve("t" + t + ".log"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        Map<String, Boolean> exists = new LinkedHashMap<>();
        Map<String, String> metaOf = new LinkedHashMap<>();
        for (String path : mine) {
          Optional<ArtifactResult> found =
              store.disks().artifacts().find(diskId, directory(path), filename(path));
          exists.put(path, found.isPresent());
          metaOf.put(
              path, found.map(r -> CanonicalJson.write(r.artifact().userMeta())).orElse("{}"));
        }
        workers.add(
            new Thread(
                () -> {
                  try (log) {
                    append(log, "START");
                    int seq = 0;
                    while (System.nanoTime() < deadline) {
                      String path = mine.get(random.nextInt(mine.size()));
                      String id = "t" + thread + "-" + (++seq);
                      try {
                        runOne(store, diskId, path, id, exists, metaOf, random, log);
                      } catch (StorageException e) {
                        if (!remote) {
                          throw e;
                        }
                        append(log, "FAIL " + id + " " + e.getClass().getSimpleName());
                        Thread.sleep(20);
                      }
                    }
                  } catch (Throwable e) {
                    e.printStackTrace();
                    exit.set(2);
                    System.exit(2);
                  }
                },
                "crash-worker-" + t));
      }
      Files.writeString(logDir.resolve("ready"), "ready");
      workers.forEach(Thread::start);
      for (Thread worker : workers) {
        worker.join();
      }
    } catch (RuntimeException e) {
      e.printStackTrace();
      System.exit(2);
    }
    System.exit(exit.get());
  }

  static DiskStore open(Path storeDir, String backend) {
    if (backend.equals("local")) {
      return DiskStore.local(storeDir);
    }
    if (StoreSpec.isRemote(backend)) {
      return StoreSpec.open(backend);
    }
    String[] parts = backend.split("\\|", 3);
    return DiskStore.open(
        DiskStoreConfig.builder()
            .directory(storeDir)
            .backend(
                S3Server.backendBuilder(URI.create(parts[1]), parts[2])
                    .partSize(5L * MIB)
                    .multipartThreshold(5L * MIB)
                    .build())
            .build());
  }

  /** Picks, logs and runs one operation on {@code path}. */
  private static void runOne(
      DiskStore store,
      String diskId,
      String path,
      String id,
      Map<String, Boolean> exists,
      Map<String, String> metaOf,
      Random random,
      FileChannel log)
      throws IOException {
    String dir = directory(path);
    String filename = filename(path);
    boolean present = exists.get(path);
    int dice = random.nextInt(100);
    if (dice < 15 && present) {
      Map<String, Object> meta = meta(id, random);
      String metaJson = CanonicalJson.write(meta);
      String sha = "SAME";
      begin(log, id, "UPDATE", path, sha, metaJson);
      Artifact a = store.disks().artifacts().update(diskId, dir, filename, meta);
      append(log, "ACK " + id + " " + a.etag());
      metaOf.put(path, metaJson);
      return;
    }
    if (dice < 28 && present) {
      begin(log, id, "DELETE", path, DELETED, NO_META);
      store.disks().artifacts().delete(diskId, dir, filename);
      append(log, "ACK " + id + " -");
      exists.put(path, false);
      metaOf.put(path, "{}");
      return;
    }
    // An upsert: new metadata, or null to keep the existing metadata.
    Map<String, Object> meta = random.nextBoolean() ? meta(id, random) : null;
    String metaJson = meta != null ? CanonicalJson.write(meta) : metaOf.get(path);
    Artifact written;
    if (dice < 50) {
      // 1–7 MiB from a stream of unknown length the store has to read to its end (multipart on S3).
      long seed = random.nextLong();
      long size = MIB + random.nextInt(6 * MIB + 1);
      begin(log, id, "UPSERT_LARGE", path, PseudoRandomInputStream.sha256Of(seed, size), metaJson);
      try (InputStream in = new PseudoRandomInputStream(seed, size)) {
        written = store.disks().artifacts().upsert(diskId, FileUpload.of(filename, in), dir, meta);
      }
    } else {
      byte[] bytes;
      String op;
      if (dice < 70) {
        // One of a few shared payloads, so blobs are deduplicated across paths and threads.
        bytes = PseudoRandomInputStream.bytes(1000 + random.nextInt(3), 4096);
        op = "UPSERT_SHARED";
      } else {
        bytes = PseudoRandomInputStream.bytes(random.nextLong(), random.nextInt(64 * 1024 + 1));
        op = "UPSERT_SMALL";
      }
      begin(log, id, op, path, PseudoRandomInputStream.sha256Hex(bytes), metaJson);
      written = store.disks().artifacts().upsert(diskId, FileUpload.of(filename, bytes), dir, meta);
    }
    append(log, "ACK " + id + " " + written.etag());
    exists.put(path, true);
    metaOf.put(path, metaJson);
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

  private static void begin(
      FileChannel log, String id, String op, String path, String sha256, String metaJson)
      throws IOException {
    append(log, "BEGIN " + id + " " + op + " " + path + " " + sha256 + " " + metaJson);
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
    for (int i = 0; i < 24; i++) {
      paths.add(dirs[i % dirs.length] + String.format(Locale.ROOT, "file-%02d.bin", i));
    }
    return List.copyOf(paths);
  }
}
