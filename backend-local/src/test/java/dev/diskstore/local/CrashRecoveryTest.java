package dev.diskstore.local;

import dev.diskstore.testkit.PseudoRandomInputStream;
import dev.diskstore.testkit.CanonicalJson;
import dev.diskstore.testkit.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactResult;
import dev.diskstore.ArtifactVersion;
import dev.diskstore.ArtifactVersionPage;
import dev.diskstore.DiskStore;
import dev.diskstore.GcReport;
import dev.diskstore.VerifyReport;
import dev.diskstore.local.CrashWorker.Expected;
import dev.diskstore.spi.BlobKeys;
import dev.diskstore.spi.BlobStat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing process at random moments and checks that the store it leaves behind recovers:
 * every acknowledged write is there with the right bytes and metadata, the one write in flight is
 * either fully there or not at all, each path's newest version is its state, and after garbage
 * collection the backend holds exactly the referenced blobs: those of the live files and of the
 * versions the history keeps (the store runs with the default history).
 *
 * <p>{@link CrashWorker} runs in a child JVM and logs each operation durably before and after it
 * runs. Each round starts a worker, waits a random 200–1,500 ms after the worker reports the store
 * open, kills it with SIGKILL, reopens the store here (which collects garbage), verifies it and
 * compares every path with the model built from the log; the next round continues on the same
 * store. {@code -Ddiskstore.crash.rounds=N} sets the rounds (default 20), {@code
 * -Ddiskstore.crash.seed=S} replays a seed.
 */
class CrashRecoveryTest {
  private static final int DEFAULT_ROUNDS = 20;
  /** A worker's own time limit; the test kills it long before. */
  private static final int WORKER_SECONDS = 60;

  @Test
  void recoversFromKillsAtRandomMoments(@TempDir Path tmp) throws Exception {
    int rounds = Integer.getInteger("diskstore.crash.rounds", DEFAULT_ROUNDS);
    long seed = Long.getLong("diskstore.crash.seed", System.nanoTime());
    System.out.println("CrashRecoveryTest seed=" + seed + " (replay with -Ddiskstore.crash.seed="
        + seed + ")");
    Random random = new Random(seed);
    Path storeDir = tmp.resolve("store");
    Path logFile = tmp.resolve("operations.log");

    String diskId;
    try (DiskStore store = DiskStore.local(storeDir)) {
      diskId = store.disks().create().id();
    }
    Map<String, Expected> model = new HashMap<>();
    for (String path : CrashWorker.PATHS) {
      model.put(path, Expected.ABSENT);
    }

    int acknowledged = 0;
    int killsMidOp = 0;
    int killsBetweenOps = 0;
    int inFlightApplied = 0;
    long started = System.nanoTime();
    Set<String> keptByHistory;
    for (int round = 1; round <= rounds; round++) {
      long logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
      Path output = tmp.resolve("worker-" + round + ".out");
      int delayMillis = 200 + random.nextInt(1301);
      Process worker =
          ChildJvm.start(
              CrashWorker.class,
              List.of("-Xmx256m"),
              List.of(
                  storeDir.toString(),
                  diskId,
                  logFile.toString(),
                  Integer.toString(round),
                  Long.toString(random.nextLong()),
                  Integer.toString(WORKER_SECONDS)),
              output);
      try {
        awaitStart(worker, logFile, logStart, round, output);
        Thread.sleep(delayMillis);
        assertThat(worker.isAlive())
            .as("worker of round %d ended early; output:%n%s", round, ChildJvm.output(output))
            .isTrue();
      } finally {
        ChildJvm.kill(worker);
      }

      LogRound log = readRound(logFile, logStart);
      acknowledged += log.acknowledged();
      if (log.inFlightPath() != null) {
        killsMidOp++;
      } else {
        killsBetweenOps++;
      }
      truncateTornLine(logFile, log.endOfCompleteLines());

      try (DiskStore store = DiskStore.local(storeDir)) {
        assertClean(store.maintenance().verify(true), "round " + round + ", after reopening");
        for (String path : CrashWorker.PATHS) {
          Expected actual = actualState(store, diskId, path);
          if (path.equals(log.inFlightPath())) {
            Expected before = log.acked().getOrDefault(path, model.get(path));
            assertThat(actual)
                .as("round %d, %s: in-flight %s; state must be before or after it (seed %d)",
                    round, path, log.inFlightId(), seed)
                .isIn(before, log.inFlightResult());
            if (actual.equals(log.inFlightResult()) && !actual.equals(before)) {
              inFlightApplied++;
            }
            model.put(path, actual);
          } else {
            Expected expected = log.acked().getOrDefault(path, model.get(path));
            assertThat(actual)
                .as("round %d, %s: last acknowledged state (seed %d)", round, path, seed)
                .isEqualTo(expected);
            model.put(path, expected);
          }
        }

        GcReport gc = store.maintenance().collectGarbage();
        assertThat(gc.total())
            .as("round %d: a second collection right after the one on open found %s", round, gc)
            .isZero();
        assertClean(store.maintenance().verify(), "round " + round + ", after collecting");
        keptByHistory =
            checkHistory(store, diskId, model, "round " + round + " (seed " + seed + ")");
      }
      assertBackendHoldsExactly(storeDir, model, keptByHistory, round);

      System.out.printf(
          java.util.Locale.ROOT,
          "round %d: killed %d ms after start, %d ops acknowledged, %s%n",
          round,
          delayMillis,
          log.acknowledged(),
          log.inFlightPath() == null
              ? "killed between ops"
              : "killed during " + log.inFlightId() + " " + log.inFlightOp() + " "
                  + log.inFlightPath());
    }
    System.out.printf(
        java.util.Locale.ROOT,
        "CrashRecoveryTest summary: seed=%d rounds=%d acknowledgedOps=%d killsMidOp=%d"
            + " killsBetweenOps=%d inFlightOpsFoundApplied=%d elapsed=%.1fs%n",
        seed,
        rounds,
        acknowledged,
        killsMidOp,
        killsBetweenOps,
        inFlightApplied,
        (System.nanoTime() - started) / 1e9);
    assertThat(acknowledged).as("the workers did some work").isPositive();
  }

  /** Waits until the worker has logged {@code START <round>}, i.e. has opened the store. */
  private static void awaitStart(
      Process worker, Path logFile, long logStart, int round, Path output) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (Files.exists(logFile)
          && readRound(logFile, logStart).lines().contains("START " + round)) {
        return;
      }
      if (!worker.isAlive()) {
        fail("worker of round %d exited with %d before starting; output:%n%s",
            round, worker.exitValue(), ChildJvm.output(output));
      }
      Thread.sleep(10);
    }
    fail("worker of round %d did not start within 60 s; output:%n%s", round,
        ChildJvm.output(output));
  }

  /**
   * What one round's log says: the state each path was left in by acknowledged operations, and
   * the operation in flight when the worker died, if any.
   */
  private record LogRound(
      List<String> lines,
      Map<String, Expected> acked,
      int acknowledged,
      String inFlightId,
      String inFlightOp,
      String inFlightPath,
      Expected inFlightResult,
      long endOfCompleteLines) {}

  private static LogRound readRound(Path logFile, long from) throws IOException {
    byte[] all = Files.readAllBytes(logFile);
    int end = all.length;
    while (end > from && all[end - 1] != '\n') {
      end--; // a line torn by the kill: its write never completed, so it is not part of the log
    }
    String text = new String(all, (int) from, (int) (end - from), StandardCharsets.UTF_8);
    List<String> lines = text.isEmpty() ? List.of() : List.of(text.split("\n"));
    Map<String, Expected> acked = new HashMap<>();
    int acknowledged = 0;
    String[] pending = null;
    for (String line : lines) {
      if (line.startsWith("BEGIN ")) {
        assertThat(pending).as("two BEGINs without ACK in %s", logFile).isNull();
        pending = line.split(" ", 6);
      } else if (line.startsWith("ACK ")) {
        assertThat(pending).as("ACK without BEGIN: %s", line).isNotNull();
        assertThat(line.substring(4)).isEqualTo(pending[1]);
        acked.put(pending[3], new Expected(pending[4], pending[5]));
        acknowledged++;
        pending = null;
      }
    }
    return pending == null
        ? new LogRound(lines, acked, acknowledged, null, null, null, null, end)
        : new LogRound(
            lines, acked, acknowledged, pending[1], pending[2], pending[3],
            new Expected(pending[4], pending[5]), end);
  }

  /** Drops a torn last line, so that the next worker's lines start on a line of their own. */
  private static void truncateTornLine(Path logFile, long endOfCompleteLines) throws IOException {
    try (FileChannel channel = FileChannel.open(logFile, StandardOpenOption.WRITE)) {
      if (channel.size() > endOfCompleteLines) {
        channel.truncate(endOfCompleteLines);
      }
    }
  }

  /** The path's state as the store serves it, checking the bytes against the recorded hash. */
  private static Expected actualState(DiskStore store, String diskId, String path)
      throws IOException {
    String dir = CrashWorker.directory(path);
    String filename = CrashWorker.filename(path);
    Optional<ArtifactResult> found = store.disks().artifacts().find(diskId, dir, filename);
    if (found.isEmpty()) {
      return Expected.ABSENT;
    }
    Artifact artifact = found.get().artifact();
    String sha256;
    try (InputStream in = store.disks().artifacts().open(diskId, dir, filename)) {
      sha256 = PseudoRandomInputStream.sha256Hex(in);
    }
    assertThat(sha256).as("%s: bytes vs recorded sha256", path).isEqualTo(artifact.sha256());
    return new Expected(sha256, CanonicalJson.write(artifact.userMeta()));
  }

  private static void assertClean(VerifyReport report, String when) {
    if (!report.isClean()) {
      report.problems().forEach(p -> System.out.println("verify problem (" + when + "): " + p));
    }
    assertThat(report.problems()).as("verify problems %s", when).isEmpty();
  }

  /**
   * Each path's newest version is its state (its current content and metadata, or a removal when
   * absent) and versions are listed newest first; returns the contents the kept versions hold
   * (after the collection, so retention has run), since the backend keeps them too.
   */
  private static Set<String> checkHistory(
      DiskStore store, String diskId, Map<String, Expected> model, String when) {
    Set<String> kept = new HashSet<>();
    for (String path : CrashWorker.PATHS) {
      List<ArtifactVersion> versions = new ArrayList<>();
      String cursor = null;
      do {
        ArtifactVersionPage page = store.disks().artifacts().versions(
            diskId, CrashWorker.directory(path), CrashWorker.filename(path), 1_000, cursor);
        versions.addAll(page.items());
        cursor = page.nextCursor().orElse(null);
      } while (cursor != null);
      for (int i = 1; i < versions.size(); i++) {
        assertThat(versions.get(i).version())
            .as("%s, %s: versions newest first", when, path)
            .isLessThan(versions.get(i - 1).version());
      }
      Expected state = model.get(path);
      if (state.exists()) {
        assertThat(versions).as("%s, %s: a live file has versions", when, path).isNotEmpty();
        Artifact newest = versions.get(0).artifact().orElse(null);
        assertThat(newest).as("%s, %s: the newest version has content", when, path).isNotNull();
        assertThat(new Expected(newest.sha256(), CanonicalJson.write(newest.userMeta())))
            .as("%s, %s: the newest version is the file", when, path)
            .isEqualTo(state);
      } else if (!versions.isEmpty()) {
        assertThat(versions.get(0).isRemoval())
            .as("%s, %s: the newest version of an absent file records its removal", when, path)
            .isTrue();
      }
      versions.forEach(v -> v.artifact().ifPresent(a -> kept.add(a.sha256())));
    }
    return kept;
  }

  /**
   * The backend holds one blob per distinct content of the live paths and of the kept versions,
   * and nothing else.
   */
  private static void assertBackendHoldsExactly(
      Path storeDir, Map<String, Expected> model, Set<String> keptByHistory, int round) {
    Set<String> liveContents = new HashSet<>(keptByHistory);
    model.values().stream().filter(Expected::exists).forEach(e -> liveContents.add(e.sha256()));
    List<BlobStat> blobs;
    try (LocalBlobBackend backend = LocalBlobBackend.at(storeDir.resolve("blobs"));
        Stream<BlobStat> listed = backend.list("")) {
      blobs = new ArrayList<>(listed.filter(b -> !b.key().equals(BlobKeys.STORE_MARKER))
          .collect(Collectors.toList()));
    }
    assertThat(blobs)
        .as("round %d: backend blobs vs %d distinct contents of files and kept versions", round,
            liveContents.size())
        .hasSize(liveContents.size());
  }
}
