package dev.diskstore.reliability;

import dev.diskstore.testkit.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.DiskStore;
import dev.diskstore.local.LocalBlobBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash suite, local backend: a child JVM ({@link CrashWorker}, two writer threads) runs mixed
 * upserts (small and 1–7 MiB streams), metadata updates and deletes on a local store and is killed
 * with SIGKILL at a random moment, round after round on the same store. After each round the store
 * is reopened (which collects garbage) and must verify clean (deep: every blob re-hashed), hold every
 * acknowledged artifact with the right bytes, metadata and etag, show an operation in flight either
 * whole or not at all, list exactly the live files, have nothing left for a second collection, and
 * keep exactly one blob per distinct live content.
 *
 * <p>{@code -Ddiskstore.crash.rounds=N} (default 50), {@code -Ddiskstore.crash.seed=S} to replay.
 */
class CrashTest {
  private static final int DEFAULT_ROUNDS = 50;
  private static final int THREADS = 2;

  @Test
  void killedWritersNeverLoseAcknowledgedWrites(@TempDir Path tmp) throws Exception {
    int rounds = Figures.setting("diskstore.crash.rounds", DEFAULT_ROUNDS);
    long seed = Long.getLong("diskstore.crash.seed", System.nanoTime());
    System.out.println("CrashTest seed=" + seed + " (replay: -Ddiskstore.crash.seed=" + seed + ")");
    Figures figures = Figures.of("crash-local").put("seed", seed).put("rounds", rounds);
    Random random = new Random(seed);
    Path storeDir = tmp.resolve("store");
    String diskId;
    try (DiskStore store = DiskStore.local(storeDir)) {
      diskId = store.disks().create().id();
    }
    CrashChecker checker = new CrashChecker(diskId);
    for (int round = 1; round <= rounds; round++) {
      Path logDir = Files.createDirectories(tmp.resolve("round-" + round));
      Path output = logDir.resolve("worker.out");
      int delayMillis = 100 + random.nextInt(901);
      String when = "round " + round + " (seed " + seed + ")";
      Process worker =
          ChildJvm.start(
              CrashWorker.class,
              List.of("-Xmx256m"),
              List.of(
                  storeDir.toString(),
                  "local",
                  diskId,
                  logDir.toString(),
                  Long.toString(random.nextLong()),
                  "60",
                  Integer.toString(THREADS)),
              output);
      try {
        CrashChecker.awaitReady(worker, logDir, output, when);
        Thread.sleep(delayMillis);
        assertThat(worker.isAlive())
            .as("%s: the worker ended early; output:%n%s", when, ChildJvm.output(output))
            .isTrue();
      } finally {
        ChildJvm.kill(worker);
      }
      CrashChecker.Round result;
      try (DiskStore store = DiskStore.local(storeDir)) {
        result = checker.check(store, logDir, when);
      }
      try (LocalBlobBackend backend = LocalBlobBackend.at(storeDir.resolve("blobs"))) {
        checker.assertBackendHoldsExactly(backend, when);
      }
      figures
          .add("acknowledgedOps", result.acknowledged())
          .add("opsInFlightAtKill", result.inFlight())
          .add("inFlightFoundApplied", result.inFlightApplied());
      if (result.inFlight() > 0) {
        figures.add("roundsKilledMidOperation", 1);
      }
      System.out.printf(
          Locale.ROOT,
          "round %d: killed %d ms after start, %d acknowledged, in flight %s, %d applied%n",
          round, delayMillis, result.acknowledged(), result.inFlightOps(),
          result.inFlightApplied());
    }
    figures.put("livePathsAtEnd", checker.livePaths()).report();
    assertThat(figures.get("acknowledgedOps")).as("the workers did some work").isPositive();
  }
}
