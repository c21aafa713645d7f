package dev.diskstore.reliability;

import dev.diskstore.testkit.PseudoRandomInputStream;
import dev.diskstore.testkit.CanonicalJson;
import dev.diskstore.testkit.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactResult;
import dev.diskstore.ArtifactVersion;
import dev.diskstore.ArtifactVersionPage;
import dev.diskstore.ByteRange;
import dev.diskstore.Disk;
import dev.diskstore.DiskStore;
import dev.diskstore.GetOptions;
import dev.diskstore.History;
import dev.diskstore.VerifyReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrency suite: two JVMs × eight threads ({@link ConcurrencyWorker}) on one local store, at
 * least 10,000 mixed operations, then the final state is compared with a model replayed from the
 * acknowledgements.
 *
 * <p>The model is exact because writers are arranged so that it is decidable:
 *
 * <ul>
 *   <li><b>Private files</b> have one writer thread (unconditional upserts, updates, deletes,
 *       moves): the final state is that thread's last acknowledged write, etag included, and every
 *       read the thread made of them matched its own last write.
 *   <li><b>Shared files</b> are written by all sixteen threads, only conditionally. Every
 *       acknowledged write names the etag it replaced ({@code ifMatch}) or claims an absent file
 *       ({@code ifNoneMatch}) and yields a fresh etag, so the acknowledged writes of a path must
 *       form one chain: each etag replaced at most once (no lost update), every replaced etag
 *       produced by an acknowledged write, creates = deletes (+1 if the file exists), and the file
 *       holds the one etag nobody replaced, with the bytes and metadata of the write that produced
 *       it. Every etag a read or a precondition failure reported must have been produced by an
 *       acknowledged write, and every read served bytes of the version it named.
 *   <li><b>History</b> (the store runs with {@link History#DEFAULT}): every acknowledged change
 *       of a file is one of its versions and nothing else is, so its newest version number is
 *       the count of acknowledged changes less one. A private file's kept versions are its
 *       thread's last changes of it, kind, etag, bytes and metadata alike. A shared file's kept
 *       versions follow its chain: each content version was produced by the acknowledged write
 *       with its etag, and the version below it is the etag that write replaced (or a removal,
 *       below a create). Every kept version reads back the bytes it names.
 *   <li><b>Victim disks</b> are created and deleted by one thread while the other threads of its
 *       process upsert into them: an upsert is acknowledged only if it started before the delete
 *       returned, or fails with {@code DiskNotFoundException}; at the end no victim disk exists.
 * </ul>
 *
 * <p>No operation may fail in any other way. {@code -Ddiskstore.concurrency.opsPerThread=N}
 * (default 700, i.e. 11,200 operations), {@code -Ddiskstore.concurrency.seed=S}.
 */
class ConcurrencyTest {
  private static final int PROCESSES = 2;
  static final int THREADS = 8;

  /** One logged operation. */
  record Op(
      String proc, int thread, int seq, long start, long end, String kind, String disk,
      String path, String condition, String outcome, String etag, String sha, String meta,
      String extra) {
    static Op parse(String proc, int thread, String line) {
      String[] f = line.split("\t", -1);
      return new Op(proc, thread, Integer.parseInt(f[0]), Long.parseLong(f[1]),
          Long.parseLong(f[2]), f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11]);
    }

    @Override
    public String toString() {
      return proc + "-t" + thread + "#" + seq + " " + kind + " " + path + " if " + condition
          + " -> " + outcome + " " + etag + (extra.equals("-") ? "" : " (" + extra + ")");
    }
  }

  /** Opens (again) the store the workers share, in the parent. */
  interface Opener {
    DiskStore open() throws Exception;
  }

  @Test
  void twoProcessesOfEightThreadsMatchTheModel(@TempDir Path tmp) throws Exception {
    int opsPerThread = Figures.setting("diskstore.concurrency.opsPerThread", 700);
    long seed = Long.getLong("diskstore.concurrency.seed", System.nanoTime());
    System.out.println("ConcurrencyTest seed=" + seed);
    Figures figures = Figures.of("concurrency");
    Path storeDir = tmp.resolve("store");
    int operations =
        modelCheck(tmp, PROCESSES, opsPerThread, seed, StoreSpec.local(storeDir),
            () -> DiskStore.local(storeDir), figures);
    assertThat(operations).as("at least 10,000 operations at the default setting")
        .isGreaterThanOrEqualTo(Math.min(10_000, PROCESSES * THREADS * opsPerThread * 9 / 10));
  }

  /**
   * The whole check on one store: creates the disk, runs {@code processes} worker JVMs of {@value
   * #THREADS} threads on {@code storeSpec}, replays their logs into the model, checks the final
   * state through a store from {@code opener}, and reports the figures. Returns the operations
   * logged.
   */
  static int modelCheck(
      Path tmp, int processes, int opsPerThread, long seed, String storeSpec, Opener opener,
      Figures figures) throws Exception {
    figures.put("seed", seed).put("processes", processes).put("threadsPerProcess", THREADS)
        .put("opsPerThread", opsPerThread);
    Path logDir = Files.createDirectories(tmp.resolve("logs"));
    String diskId;
    try (DiskStore store = opener.open()) {
      diskId = store.disks().create().id();
    }
    Path goFile = tmp.resolve("go");
    List<Process> workers = new ArrayList<>();
    long started;
    try {
      for (int p = 0; p < processes; p++) {
        workers.add(
            ChildJvm.start(
                ConcurrencyWorker.class,
                List.of("-Xmx512m"),
                List.of(storeSpec, diskId, "p" + p, Integer.toString(THREADS),
                    Integer.toString(opsPerThread), Long.toString(seed + p), logDir.toString(),
                    tmp.resolve("p" + p + ".ready").toString(), goFile.toString()),
                tmp.resolve("p" + p + ".out")));
      }
      long deadline = System.nanoTime() + 60_000_000_000L;
      for (int p = 0; p < processes; p++) {
        while (!Files.exists(tmp.resolve("p" + p + ".ready"))) {
          if (!workers.get(p).isAlive() || System.nanoTime() > deadline) {
            fail("worker p%d did not get ready; output:%n%s", p,
                ChildJvm.output(tmp.resolve("p" + p + ".out")));
          }
          Thread.sleep(5);
        }
      }
      started = System.nanoTime();
      Files.writeString(goFile, "go");
      for (int p = 0; p < processes; p++) {
        Process worker = workers.get(p);
        String output = "output:%n" + ChildJvm.output(tmp.resolve("p" + p + ".out"));
        assertThat(worker.waitFor(300, TimeUnit.SECONDS)).as("p%d finished in 300 s", p).isTrue();
        assertThat(worker.exitValue()).as("p%d exit status; " + output, p).isZero();
      }
    } finally {
      for (Process worker : workers) {
        ChildJvm.kill(worker);
      }
    }
    double workSeconds = (System.nanoTime() - started) / 1e9;

    List<Op> ops = new ArrayList<>();
    try (Stream<Path> files = Files.list(logDir)) {
      for (Path file : files.sorted().toList()) {
        String name = file.getFileName().toString();
        String proc = name.substring(0, name.indexOf('-'));
        int thread = Integer.parseInt(name.substring(name.indexOf("-t") + 2, name.indexOf('.')));
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          ops.add(Op.parse(proc, thread, line));
        }
      }
    }
    List<Op> errors = ops.stream().filter(o -> o.outcome().equals("ERR")).toList();
    errors.stream().limit(20).forEach(o -> System.out.println("unexpected: " + o));
    System.out.printf(java.util.Locale.ROOT, "%d operations in %.1f s, %d unexpected%n",
        ops.size(), workSeconds, errors.size());
    assertThat(ops.size())
        .as("operations logged")
        .isGreaterThanOrEqualTo(processes * THREADS * opsPerThread * 9 / 10);

    // An unexpected error changed nothing (the worker's model did not take it), so the state is
    // checked first: a failure there says more than the error count.
    try (DiskStore store = opener.open()) {
      VerifyReport report = store.maintenance().verify(true);
      report.problems().forEach(p -> System.out.println("verify problem: " + p));
      assertThat(report.problems()).as("verify problems").isEmpty();
      int privateChecked = checkPrivateFiles(store, diskId, ops, processes);
      int chains = checkSharedFiles(store, diskId, ops, figures);
      checkVictimDisks(store, diskId, ops);
      int versionsChecked = checkHistory(store, diskId, ops);
      assertThat(store.maintenance().collectGarbage().total()).as("garbage left").isZero();
      figures.put("privateFilesChecked", privateChecked).put("sharedChainLinks", chains)
          .put("versionsChecked", versionsChecked);
    }
    assertThat(errors).as("operations that failed unexpectedly or read wrong data").isEmpty();
    Map<String, Long> byKind =
        ops.stream().collect(Collectors.groupingBy(o -> o.kind() + "/" + o.outcome(), TreeMap::new,
            Collectors.counting()));
    figures
        .put("operations", ops.size())
        .put("workSeconds", String.format(java.util.Locale.ROOT, "%.1f", workSeconds))
        .put("unexpectedExceptions", errors.size())
        .put("byKind", byKind.toString().replace(" ", ""))
        .report();
    return ops.size();
  }

  /** Each private file holds its thread's last acknowledged write, etag included. */
  private static int checkPrivateFiles(
      DiskStore store, String diskId, List<Op> ops, int processes) throws IOException {
    Map<String, String[]> last = new HashMap<>(); // path -> {etag, sha, meta} or null = absent
    for (Op op : ops) {
      if (!op.outcome().equals("ACK") || !op.path().startsWith("/own/")) {
        continue;
      }
      switch (op.kind()) {
        case "UPSERT", "UPDATE" -> last.put(op.path(), new String[] {op.etag(), op.sha(), op.meta()});
        case "DELETE" -> last.put(op.path(), null);
        case "MOVE" -> {
          last.put(op.path(), null);
          last.put(op.extra(), new String[] {op.etag(), op.sha(), op.meta()});
        }
        default -> { }
      }
    }
    int checked = 0;
    for (int p = 0; p < processes; p++) {
      for (int t = 0; t < THREADS; t++) {
        String dir = ConcurrencyWorker.ownDirectory("p" + p, t);
        Set<String> expectedNames = new TreeSet<>();
        for (int i = 0; i < ConcurrencyWorker.OWN; i++) {
          String name = ConcurrencyWorker.ownFilename(i);
          String[] expected = last.get(dir + name);
          Optional<ArtifactResult> found = store.disks().artifacts().find(diskId, dir, name);
          if (expected == null) {
            assertThat(found).as("%s%s: deleted or never written", dir, name).isEmpty();
            continue;
          }
          expectedNames.add(name);
          assertThat(found).as("%s%s: last acknowledged write", dir, name).isPresent();
          Artifact a = found.get().artifact();
          assertThat(a.etag()).as("%s%s etag", dir, name).isEqualTo(expected[0]);
          assertThat(a.sha256()).as("%s%s sha256", dir, name).isEqualTo(expected[1]);
          assertThat(CanonicalJson.write(a.userMeta())).as("%s%s meta", dir, name)
              .isEqualTo(expected[2]);
          try (InputStream in = store.disks().artifacts().open(diskId, dir, name)) {
            assertThat(PseudoRandomInputStream.sha256Hex(in)).isEqualTo(expected[1]);
          }
          checked++;
        }
        assertThat(store.disks().artifacts().list(diskId, dir).artifacts().stream()
                .map(Artifact::filename).toList())
            .as("listing of %s", dir)
            .containsExactlyElementsOf(expectedNames);
      }
    }
    return checked;
  }

  /** The acknowledged conditional writes of each shared file form one chain ending in its state. */
  private static int checkSharedFiles(DiskStore store, String diskId, List<Op> ops, Figures figures)
      throws IOException {
    int links = 0;
    Set<String> present = new TreeSet<>();
    for (int i = 0; i < ConcurrencyWorker.SHARED; i++) {
      String name = ConcurrencyWorker.sharedFilename(i);
      String path = "/shared/" + name;
      Map<String, Op> produced = new HashMap<>();
      Map<String, Op> consumed = new HashMap<>();
      int creates = 0;
      int deletes = 0;
      List<Op> pathOps = ops.stream().filter(o -> o.path().equals(path)).toList();
      for (Op op : pathOps) {
        if (!op.outcome().equals("ACK") || op.kind().equals("READ_SHARED")) {
          continue;
        }
        links++;
        if (op.condition().equals("NONE")) {
          creates++;
        } else {
          Op earlier = consumed.put(op.condition(), op);
          if (earlier != null) {
            fail("lost update on %s: etag %s was replaced twice, by %s and by %s", path,
                op.condition(), earlier, op);
          }
        }
        if (op.kind().equals("CAS_DELETE")) {
          deletes++;
        } else {
          assertThat(produced.put(op.etag(), op)).as("etag %s produced twice", op.etag()).isNull();
        }
      }
      for (Op op : pathOps) {
        boolean namesEtag =
            (op.kind().equals("READ_SHARED") && !op.etag().equals("-"))
                || (op.outcome().equals("PF") && !op.etag().equals("-"));
        if (namesEtag) {
          assertThat(produced).as("%s reported an etag no acknowledged write produced", op)
              .containsKey(op.etag());
        }
        if (op.kind().equals("READ_SHARED") && !op.etag().equals("-")) {
          Op writer = produced.get(op.etag());
          assertThat(op.sha()).as("%s: bytes of the version it names", op).isEqualTo(writer.sha());
          assertThat(op.meta()).as("%s: meta of the version it names", op).isEqualTo(writer.meta());
        }
      }
      for (String replaced : consumed.keySet()) {
        assertThat(produced).as("%s: an ifMatch write replaced an etag nobody produced", path)
            .containsKey(replaced);
      }
      Set<String> open = new HashSet<>(produced.keySet());
      open.removeAll(consumed.keySet());
      Optional<ArtifactResult> found = store.disks().artifacts().find(diskId, "/shared/", name);
      if (found.isEmpty()) {
        assertThat(open).as("%s is absent, so every version was replaced or deleted", path)
            .isEmpty();
        assertThat(creates).as("%s: creates vs deletes", path).isEqualTo(deletes);
      } else {
        Artifact a = found.get().artifact();
        assertThat(open).as("%s: the one version nobody replaced", path)
            .containsExactly(a.etag());
        assertThat(creates).as("%s: creates vs deletes", path).isEqualTo(deletes + 1);
        Op writer = produced.get(a.etag());
        assertThat(a.sha256()).as("%s sha256", path).isEqualTo(writer.sha());
        assertThat(CanonicalJson.write(a.userMeta())).as("%s meta", path).isEqualTo(writer.meta());
        try (InputStream in = store.disks().artifacts().open(diskId, "/shared/", name)) {
          assertThat(PseudoRandomInputStream.sha256Hex(in)).isEqualTo(writer.sha());
        }
        present.add(name);
      }
    }
    assertThat(store.disks().artifacts().list(diskId, "/shared/").artifacts().stream()
            .map(Artifact::filename).toList())
        .as("listing of /shared/")
        .containsExactlyElementsOf(present);
    figures.put("sharedFilesPresentAtEnd", present.size());
    return links;
  }

  /** What one acknowledged change left at a path: a version the store must have kept. */
  private record Change(ArtifactVersion.Change kind, String etag, String sha, String meta) {
    boolean removal() {
      return kind == ArtifactVersion.Change.DELETED || kind == ArtifactVersion.Change.MOVED_AWAY;
    }
  }

  /** Every file's versions against its acknowledged changes (see the class comment). */
  private static int checkHistory(DiskStore store, String diskId, List<Op> ops)
      throws IOException {
    Map<String, List<Change>> own = new TreeMap<>();
    Map<String, Integer> sharedChanges = new TreeMap<>();
    Map<String, Op> producedShared = new HashMap<>();
    for (Op op : ops) {
      if (!op.outcome().equals("ACK")) {
        continue;
      }
      if (op.path().startsWith("/own/")
          && Set.of("UPSERT", "UPDATE", "DELETE", "MOVE").contains(op.kind())) {
        List<Change> changes = own.computeIfAbsent(op.path(), p -> new ArrayList<>());
        switch (op.kind()) {
          case "UPSERT" -> changes.add(
              new Change(ArtifactVersion.Change.UPSERTED, op.etag(), op.sha(), op.meta()));
          case "UPDATE" -> changes.add(
              new Change(ArtifactVersion.Change.UPDATED, op.etag(), op.sha(), op.meta()));
          case "DELETE" -> changes.add(new Change(ArtifactVersion.Change.DELETED, "-", "-", "-"));
          case "MOVE" -> {
            changes.add(new Change(ArtifactVersion.Change.MOVED_AWAY, "-", "-", "-"));
            own.computeIfAbsent(op.extra(), p -> new ArrayList<>()).add(
                new Change(ArtifactVersion.Change.MOVED_IN, op.etag(), op.sha(), op.meta()));
          }
          default -> { }
        }
      } else if (op.path().startsWith("/shared/") && !op.kind().equals("READ_SHARED")) {
        sharedChanges.merge(op.path(), 1, Integer::sum);
        if (!op.kind().equals("CAS_DELETE")) {
          producedShared.put(op.etag(), op);
        }
      }
    }
    Set<String> hashed = new HashSet<>();
    int checked = 0;
    for (Map.Entry<String, List<Change>> e : own.entrySet()) {
      List<Change> changes = e.getValue();
      List<ArtifactVersion> versions = versions(store, diskId, e.getKey(), changes.size());
      for (int i = 0; i < versions.size(); i++) {
        ArtifactVersion v = versions.get(i);
        Change change = changes.get(changes.size() - 1 - i);
        String what = e.getKey() + " version " + v.version();
        assertThat(v.change()).as("%s: kind", what).isEqualTo(change.kind());
        if (change.removal()) {
          assertThat(v.isRemoval()).as("%s: a removal", what).isTrue();
        } else {
          checkContent(store, diskId, e.getKey(), v, change.etag(), change.sha(), change.meta(),
              hashed);
        }
        checked++;
      }
    }
    for (Map.Entry<String, Integer> e : sharedChanges.entrySet()) {
      List<ArtifactVersion> versions = versions(store, diskId, e.getKey(), e.getValue());
      for (int i = 0; i < versions.size(); i++) {
        ArtifactVersion v = versions.get(i);
        String what = e.getKey() + " version " + v.version();
        ArtifactVersion below = i + 1 < versions.size() ? versions.get(i + 1) : null;
        if (v.isRemoval()) {
          assertThat(v.change()).as("%s: kind", what).isEqualTo(ArtifactVersion.Change.DELETED);
          assertThat(below == null || !below.isRemoval())
              .as("%s: a delete removed a version", what).isTrue();
        } else {
          Op writer = producedShared.get(v.artifact().orElseThrow().etag());
          assertThat(writer).as("%s: produced by an acknowledged write", what).isNotNull();
          assertThat(v.change()).as("%s: kind", what).isEqualTo(
              writer.kind().equals("CAS_UPDATE")
                  ? ArtifactVersion.Change.UPDATED : ArtifactVersion.Change.UPSERTED);
          checkContent(store, diskId, e.getKey(), v, writer.etag(), writer.sha(), writer.meta(),
              hashed);
          if (below != null) {
            if (writer.condition().equals("NONE")) {
              assertThat(below.isRemoval()).as("%s: a create follows a removal", what).isTrue();
            } else {
              assertThat(below.artifact().map(Artifact::etag))
                  .as("%s: the version below is the one %s replaced", what, writer)
                  .contains(writer.condition());
            }
          }
        }
        checked++;
      }
    }
    return checked;
  }

  /**
   * The versions of {@code path}, newest first, checked against the count of its acknowledged
   * changes: newest number {@code changes - 1}, no gap, at least the last {@code keepLast} kept.
   */
  private static List<ArtifactVersion> versions(
      DiskStore store, String diskId, String path, int changes) {
    String dir = path.substring(0, path.lastIndexOf('/') + 1);
    String name = path.substring(path.lastIndexOf('/') + 1);
    List<ArtifactVersion> versions = new ArrayList<>();
    String cursor = null;
    do {
      ArtifactVersionPage page =
          store.disks().artifacts().versions(diskId, dir, name, 6, cursor);
      versions.addAll(page.items());
      cursor = page.nextCursor().orElse(null);
    } while (cursor != null);
    assertThat(versions.size()).as("%s: versions kept of %d acknowledged changes", path, changes)
        .isBetween(Math.min(changes, History.DEFAULT.keepLast()), changes);
    for (int i = 0; i < versions.size(); i++) {
      assertThat(versions.get(i).version()).as("%s: version numbers, newest first", path)
          .isEqualTo(changes - 1 - i);
    }
    return versions;
  }

  /** A content version is the write that produced it, and reads back its bytes. */
  private static void checkContent(
      DiskStore store, String diskId, String path, ArtifactVersion v, String etag, String sha,
      String meta, Set<String> hashed) throws IOException {
    String what = path + " version " + v.version();
    Artifact a = v.artifact().orElseThrow(() -> new AssertionError(what + ": a removal"));
    assertThat(a.etag()).as("%s etag", what).isEqualTo(etag);
    assertThat(a.sha256()).as("%s sha256", what).isEqualTo(sha);
    assertThat(CanonicalJson.write(a.userMeta())).as("%s meta", what).isEqualTo(meta);
    String dir = path.substring(0, path.lastIndexOf('/') + 1);
    String name = path.substring(path.lastIndexOf('/') + 1);
    GetOptions old = GetOptions.builder().version(v.version()).build();
    try (InputStream in =
        store.disks().artifacts().open(diskId, dir, name, ByteRange.from(0), old)) {
      if (hashed.add(sha)) {
        assertThat(PseudoRandomInputStream.sha256Hex(in)).as("%s bytes", what).isEqualTo(sha);
      } else {
        assertThat(in.read() >= 0).as("%s opens on its bytes", what).isEqualTo(a.sizeBytes() > 0);
      }
    }
  }

  /** Victim upserts raced the deletes correctly, and no victim disk is left. */
  private static void checkVictimDisks(DiskStore store, String diskId, List<Op> ops) {
    Map<String, Op> deleted = new HashMap<>();
    Set<String> created = new HashSet<>();
    for (Op op : ops) {
      if (op.kind().equals("DISK_CREATE")) {
        created.add(op.disk());
      } else if (op.kind().equals("DISK_DELETE")) {
        deleted.put(op.disk(), op);
      }
    }
    assertThat(deleted.keySet()).as("every victim disk was deleted").isEqualTo(created);
    for (Op op : ops) {
      if (op.kind().equals("VICTIM_UPSERT") && op.outcome().equals("ACK")) {
        Op delete = deleted.get(op.disk());
        if (delete.proc().equals(op.proc())) {
          assertThat(op.start())
              .as("%s acknowledged although it started after %s returned", op, delete)
              .isLessThan(delete.end());
        }
      }
    }
    for (String id : created) {
      assertThat(store.disks().find(id)).as("victim disk %s", id).isEmpty();
    }
    List<Disk> disks = store.disks().list(200, null, false, null).items();
    assertThat(disks).extracting(Disk::id).containsExactly(diskId);
  }
}
