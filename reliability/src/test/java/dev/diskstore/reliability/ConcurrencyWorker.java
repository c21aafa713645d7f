package dev.diskstore.reliability;

import dev.diskstore.testkit.PseudoRandomInputStream;
import dev.diskstore.testkit.CanonicalJson;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactResult;
import dev.diskstore.DiskNotFoundException;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import dev.diskstore.Precondition;
import dev.diskstore.PreconditionFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A child JVM of {@link ConcurrencyTest}: opens the shared store, signals it is ready, waits for
 * the go file, then runs {@code threads} threads of {@code ops} operations each and writes one log
 * per thread ({@code <proc>-t<n>.log}, tab-separated, see {@link #record}).
 *
 * <p>Every thread has eight private files ({@code /own/<proc>/t<n>/}) that only it writes, with
 * unconditional upserts, updates, deletes and moves, and checks every read of them against its own
 * model (read-your-writes). All threads of all processes share {@value #SHARED} files
 * ({@code /shared/}) that they write only conditionally: claims with {@code ifNoneMatch} and
 * upserts, updates and deletes with {@code ifMatch} of the etag they just read. Every thread also
 * creates and deletes disks of its own ("victim" disks) while the other threads of its process
 * upsert into them, racing the delete.
 *
 * <p>An operation's outcome is {@code ACK} (with the resulting etag), {@code PF} (a {@link
 * PreconditionFailedException}, only for conditional writes, with the current etag it reported),
 * {@code DNF} (a {@link DiskNotFoundException}, only for writes into victim disks) or {@code ERR}:
 * any other exception, or a read that disagrees with the model. The parent fails on any {@code
 * ERR}.
 *
 * <p>Arguments: store ({@link StoreSpec}: a local directory, or PostgreSQL + S3 with no local
 * directory), disk id, process name, threads, operations per thread, seed, log
 * directory, ready file, go file. Exit status 0 even when operations failed (the logs say so).
 */
public final class ConcurrencyWorker {
  static final int SHARED = 12;
  static final int OWN = 8;

  private ConcurrencyWorker() {}

  /** What a private path holds in a thread's model. */
  record State(String sha256, String metaJson, String etag) {
    static final State ABSENT = new State("-", "-", "-");

    boolean exists() {
      return !sha256.equals("-");
    }
  }

  public static void main(String[] args) throws Exception {
    String storeSpec = args[0];
    String diskId = args[1];
    String proc = args[2];
    int threads = Integer.parseInt(args[3]);
    int ops = Integer.parseInt(args[4]);
    long seed = Long.parseLong(args[5]);
    Path logDir = Path.of(args[6]);
    Path readyFile = Path.of(args[7]);
    Path goFile = Path.of(args[8]);
    try (DiskStore store = StoreSpec.open(storeSpec)) {
      Files.writeString(readyFile, "ready");
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (!Files.exists(goFile)) {
        if (System.nanoTime() > deadline) {
          System.err.println(proc + ": no go file after 60 s");
          System.exit(3);
        }
        Thread.sleep(1);
      }
      List<String> victims = new CopyOnWriteArrayList<>();
      List<Thread> workers = new ArrayList<>();
      List<ThreadRun> runs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        ThreadRun run =
            new ThreadRun(store, diskId, proc, t, new Random(seed * 1_000_003L + t), victims);
        runs.add(run);
        workers.add(new Thread(() -> run.run(ops), proc + "-t" + t));
      }
      workers.forEach(Thread::start);
      for (Thread worker : workers) {
        worker.join();
      }
      for (ThreadRun run : runs) {
        Files.write(logDir.resolve(proc + "-t" + run.thread + ".log"), run.log, UTF_8);
      }
    }
    System.exit(0);
  }

  static String ownDirectory(String proc, int thread) {
    return "/own/" + proc + "/t" + thread + "/";
  }

  static String ownFilename(int i) {
    return "f-" + i + ".txt";
  }

  static String sharedFilename(int i) {
    return String.format(Locale.ROOT, "s-%02d.txt", i);
  }

  /** One thread's work and log. */
  private static final class ThreadRun {
    private final DiskStore store;
    private final String diskId;
    private final String proc;
    private final int thread;
    private final Random random;
    private final List<String> victims;
    private final List<String> log = new ArrayList<>();
    private final Map<String, State> own = new HashMap<>();
    private int seq;
    private String myVictim;
    private int victimCount;

    ThreadRun(
        DiskStore store, String diskId, String proc, int thread, Random random,
        List<String> victims) {
      this.store = store;
      this.diskId = diskId;
      this.proc = proc;
      this.thread = thread;
      this.random = random;
      this.victims = victims;
      for (int i = 0; i < OWN; i++) {
        own.put(ownFilename(i), State.ABSENT);
      }
    }

    void run(int ops) {
      for (int i = 0; i < ops; i++) {
        seq++;
        long start = System.nanoTime();
        String id = proc + "-t" + thread + "-" + seq;
        try {
          int dice = random.nextInt(100);
          if (dice < 30) {
            ownWrite(id, start);
          } else if (dice < 40) {
            ownRead(id, start);
          } else if (dice < 72) {
            sharedWrite(id, start);
          } else if (dice < 85) {
            sharedRead(id, start);
          } else {
            victimOp(id, start);
          }
        } catch (Throwable e) {
          StringWriter trace = new StringWriter();
          e.printStackTrace(new PrintWriter(trace));
          record(start, "ERR", "-", "-", "-", "ERR", "-", "-", "-",
              oneLine(e + " at " + trace.toString().lines().skip(1).limit(6).toList()));
        }
      }
      if (myVictim != null) {
        seq++;
        long start = System.nanoTime();
        try {
          victims.remove(myVictim);
          store.disks().delete(myVictim);
          record(start, "DISK_DELETE", myVictim, "-", "-", "ACK", "-", "-", "-", "-");
        } catch (RuntimeException e) {
          record(start, "DISK_DELETE", myVictim, "-", "-", "ERR", "-", "-", "-", e.toString());
        }
        myVictim = null;
      }
    }

    // ------------------------------------------------------------------ own paths

    private void ownWrite(String id, long start) {
      String dir = ownDirectory(proc, thread);
      String name = ownFilename(random.nextInt(OWN));
      State before = own.get(name);
      int dice = random.nextInt(100);
      if (before.exists() && dice < 20) {
        Map<String, Object> meta = meta(id);
        Artifact a = store.disks().artifacts().update(diskId, dir, name, meta);
        State after = new State(before.sha256(), CanonicalJson.write(meta), a.etag());
        own.put(name, after);
        record(start, "UPDATE", diskId, dir + name, "-", "ACK", a.etag(), after.sha256(),
            after.metaJson(), "-");
      } else if (before.exists() && dice < 35) {
        store.disks().artifacts().delete(diskId, dir, name);
        own.put(name, State.ABSENT);
        record(start, "DELETE", diskId, dir + name, "-", "ACK", "-", "-", "-", "-");
      } else if (before.exists() && dice < 45) {
        String target = ownFilename(random.nextInt(OWN));
        if (target.equals(name)) {
          return;
        }
        Artifact a = store.disks().artifacts().move(diskId, dir, name, dir, target,
            Precondition.none(), true);
        State after = new State(before.sha256(), before.metaJson(), a.etag());
        own.put(name, State.ABSENT);
        own.put(target, after);
        record(start, "MOVE", diskId, dir + name, "-", "ACK", a.etag(), after.sha256(),
            after.metaJson(), dir + target);
      } else {
        byte[] bytes = payload(id);
        Map<String, Object> meta = random.nextBoolean() ? meta(id) : null;
        Artifact a =
            store.disks().artifacts().upsert(diskId, FileUpload.of(name, bytes), dir, meta);
        String metaJson =
            meta != null ? CanonicalJson.write(meta) : before.exists() ? before.metaJson() : "{}";
        State after = new State(PseudoRandomInputStream.sha256Hex(bytes), metaJson, a.etag());
        own.put(name, after);
        record(start, "UPSERT", diskId, dir + name, "-", "ACK", a.etag(), after.sha256(),
            metaJson, "-");
      }
    }

    /** Reads an own file or lists the own directory and compares with the model. */
    private void ownRead(String id, long start) throws IOException {
      String dir = ownDirectory(proc, thread);
      if (random.nextInt(4) == 0) {
        List<String> listed =
            store.disks().artifacts().list(diskId, dir).artifacts().stream()
                .map(Artifact::filename).toList();
        TreeSet<String> expected = new TreeSet<>();
        own.forEach((n, s) -> {
          if (s.exists()) {
            expected.add(n);
          }
        });
        boolean ok = listed.equals(List.copyOf(expected));
        record(start, "LIST_OWN", diskId, dir, "-", ok ? "ACK" : "ERR", "-", "-", "-",
            ok ? "-" : "listed " + listed + " expected " + expected);
        return;
      }
      String name = ownFilename(random.nextInt(OWN));
      State expected = own.get(name);
      Optional<ArtifactResult> found =
          store.disks().artifacts().find(diskId, dir, name,
              GetOptions.builder().withContent(true).build());
      State actual = State.ABSENT;
      String problem = "-";
      if (found.isPresent()) {
        Artifact a = found.get().artifact();
        actual = new State(a.sha256(), CanonicalJson.write(a.userMeta()), a.etag());
        String raw = found.get().content().map(c -> c.raw()).orElse(null);
        if (raw == null || !PseudoRandomInputStream.sha256Hex(raw.getBytes(UTF_8)).equals(a.sha256())) {
          problem = "content does not hash to the artifact's sha256";
        }
        try (InputStream in = store.disks().artifacts().open(diskId, dir, name)) {
          if (!PseudoRandomInputStream.sha256Hex(in).equals(expected.sha256())) {
            problem = "open() bytes differ from the last write";
          }
        }
      }
      if (!actual.equals(expected)) {
        problem = "read " + actual + ", expected the last own write " + expected;
      }
      record(start, "READ_OWN", diskId, dir + name, "-", problem.equals("-") ? "ACK" : "ERR",
          actual.etag(), actual.sha256(), actual.metaJson(), problem);
    }

    // ------------------------------------------------------------------ shared paths

    private void sharedWrite(String id, long start) {
      String name = sharedFilename(random.nextInt(SHARED));
      String path = "/shared/" + name;
      Optional<ArtifactResult> current = store.disks().artifacts().find(diskId, "/shared/", name);
      int dice = random.nextInt(100);
      if (current.isEmpty() || dice < 10) {
        byte[] bytes = payload(id);
        Map<String, Object> meta = meta(id);
        try {
          Artifact a = store.disks().artifacts().upsert(
              diskId, FileUpload.of(name, bytes), "/shared/", meta, Precondition.ifNoneMatch());
          record(start, "CLAIM", diskId, path, "NONE", "ACK", a.etag(),
              PseudoRandomInputStream.sha256Hex(bytes), CanonicalJson.write(meta), "-");
        } catch (PreconditionFailedException e) {
          record(start, "CLAIM", diskId, path, "NONE", "PF", orDash(e.currentEtag()), "-", "-",
              "-");
        }
        return;
      }
      Artifact seen = current.get().artifact();
      String etag = seen.etag();
      Precondition ifMatch = Precondition.ifMatch(etag);
      try {
        if (dice < 55) {
          byte[] bytes = payload(id);
          Map<String, Object> meta = random.nextBoolean() ? meta(id) : null;
          Artifact a = store.disks().artifacts().upsert(
              diskId, FileUpload.of(name, bytes), "/shared/", meta, ifMatch);
          String metaJson = meta != null ? CanonicalJson.write(meta) : CanonicalJson.write(seen.userMeta());
          record(start, "CAS_UPSERT", diskId, path, etag, "ACK", a.etag(),
              PseudoRandomInputStream.sha256Hex(bytes), metaJson, "-");
        } else if (dice < 85) {
          Map<String, Object> meta = meta(id);
          Artifact a = store.disks().artifacts().update(diskId, "/shared/", name, meta, ifMatch);
          record(start, "CAS_UPDATE", diskId, path, etag, "ACK", a.etag(), seen.sha256(),
              CanonicalJson.write(meta), "-");
        } else {
          store.disks().artifacts().delete(diskId, "/shared/", name, ifMatch);
          record(start, "CAS_DELETE", diskId, path, etag, "ACK", "-", "-", "-", "-");
        }
      } catch (PreconditionFailedException e) {
        String kind = dice < 55 ? "CAS_UPSERT" : dice < 85 ? "CAS_UPDATE" : "CAS_DELETE";
        record(start, kind, diskId, path, etag, "PF", orDash(e.currentEtag()), "-", "-", "-");
      }
    }

    /** Reads a shared file: the content must hash to the artifact's sha256 (one version). */
    private void sharedRead(String id, long start) {
      String name = sharedFilename(random.nextInt(SHARED));
      Optional<ArtifactResult> found =
          store.disks().artifacts().find(diskId, "/shared/", name,
              GetOptions.builder().withContent(true).build());
      if (found.isEmpty()) {
        record(start, "READ_SHARED", diskId, "/shared/" + name, "-", "ACK", "-", "-", "-", "-");
        return;
      }
      Artifact a = found.get().artifact();
      String raw = found.get().content().map(c -> c.raw()).orElse("");
      boolean ok = PseudoRandomInputStream.sha256Hex(raw.getBytes(UTF_8)).equals(a.sha256());
      record(start, "READ_SHARED", diskId, "/shared/" + name, "-", ok ? "ACK" : "ERR", a.etag(),
          a.sha256(), CanonicalJson.write(a.userMeta()),
          ok ? "-" : "content of another version than the artifact read");
    }

    // ------------------------------------------------------------------ victim disks

    private void victimOp(String id, long start) {
      int dice = random.nextInt(100);
      if (myVictim == null && dice < 25) {
        String user = "victim-" + proc + "-t" + thread + "-" + (++victimCount);
        String created = store.disks().create(user).id();
        myVictim = created;
        victims.add(created);
        record(start, "DISK_CREATE", created, "-", "-", "ACK", "-", "-", "-", user);
      } else if (myVictim != null && dice < 40) {
        String victim = myVictim;
        myVictim = null;
        store.disks().delete(victim);
        victims.remove(victim);
        record(start, "DISK_DELETE", victim, "-", "-", "ACK", "-", "-", "-", "-");
      } else {
        List<String> candidates = List.copyOf(victims);
        if (candidates.isEmpty()) {
          return;
        }
        String victim = candidates.get(random.nextInt(candidates.size()));
        String dir = "/from/" + proc + "-t" + thread + "/";
        String name = "v-" + random.nextInt(4) + ".txt";
        try {
          Artifact a = store.disks().artifacts().upsert(
              victim, FileUpload.of(name, payload(id)), dir, meta(id));
          record(start, "VICTIM_UPSERT", victim, dir + name, "-", "ACK", a.etag(), "-", "-", "-");
        } catch (DiskNotFoundException e) {
          record(start, "VICTIM_UPSERT", victim, dir + name, "-", "DNF", "-", "-", "-", "-");
        }
      }
    }

    // ------------------------------------------------------------------ helpers

    private byte[] payload(String id) {
      StringBuilder text = new StringBuilder("written by ").append(id).append('\n');
      int lines = random.nextInt(100) == 0 ? 2000 : random.nextInt(40);
      for (int i = 0; i < lines; i++) {
        text.append("line ").append(i).append(' ').append(Long.toHexString(random.nextLong()))
            .append('\n');
      }
      return text.toString().getBytes(UTF_8);
    }

    private Map<String, Object> meta(String id) {
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("op", id);
      meta.put("n", random.nextInt(1000));
      if (random.nextBoolean()) {
        meta.put("nested", Map.of("ok", random.nextBoolean(), "list", List.of(1, "two", 3.5)));
      }
      return meta;
    }

    /**
     * One log line: seq, start and end (System.nanoTime of this JVM), kind, disk, path,
     * precondition (etag, NONE for ifNoneMatch, - for none), outcome, etag (resulting, or the
     * current one a precondition failure reported), sha256, meta JSON, extra.
     */
    private void record(
        long start, String kind, String disk, String path, String condition, String outcome,
        String etag, String sha, String meta, String extra) {
      log.add(String.join("\t", Integer.toString(seq), Long.toString(start),
          Long.toString(System.nanoTime()), kind, disk, path, condition, outcome, etag, sha, meta,
          oneLine(extra)));
    }

    private static String orDash(String s) {
      return s == null ? "-" : s;
    }

    private static String oneLine(String s) {
      return s.replace('\t', ' ').replace('\n', ' ');
    }
  }
}
