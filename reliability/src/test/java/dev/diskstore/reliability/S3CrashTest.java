package dev.diskstore.reliability;

import dev.diskstore.testkit.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.DiskStore;
import dev.diskstore.s3.S3BlobBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Crash suite, S3 backend: the parent runs S3Proxy in process (filesystem provider, so objects
 * survive a restart; signature checking on), a child JVM ({@link CrashWorker}, two threads) writes
 * to a store whose blobs live on it. Each round ends one of three ways, chosen at random:
 *
 * <ul>
 *   <li><b>kill</b>: the child is killed with SIGKILL while the server is up;
 *   <li><b>stop+kill</b>: the server is stopped in the middle of operations, the child is killed
 *       while the server is down, then the server is restarted on the same port and data;
 *   <li><b>stop+resume</b>: the server is stopped, restarted after a while, the child goes on
 *       writing, then is killed.
 * </ul>
 *
 * <p>While the server is down the child's operations fail with a StorageException, which it logs:
 * a failed operation must have changed nothing. After each round the store is reopened (which
 * collects garbage) and checked like the local crash suite ({@link CrashChecker}): verify clean,
 * every acknowledged artifact with the right bytes, metadata and etag, in-flight operations whole
 * or absent, one object per distinct live content, and no multipart upload left in progress.
 *
 * <p>{@code -Ddiskstore.s3crash.rounds=N} (default 10), {@code -Ddiskstore.s3crash.seed=S}.
 */
class S3CrashTest {
  private static final int DEFAULT_ROUNDS = 10;
  private static final String PREFIX = "crash/";

  @Test
  void killedWritersAndAVanishingServerNeverLoseAcknowledgedWrites(@TempDir Path tmp)
      throws Exception {
    int rounds = Figures.setting("diskstore.s3crash.rounds", DEFAULT_ROUNDS);
    long seed = Long.getLong("diskstore.s3crash.seed", System.nanoTime());
    System.out.println("S3CrashTest seed=" + seed);
    Figures figures = Figures.of("crash-s3").put("seed", seed).put("rounds", rounds);
    Random random = new Random(seed);
    Path storeDir = tmp.resolve("store");
    try (S3Server server = new S3Server(tmp.resolve("s3"));
        S3Client admin = S3Server.adminClient(server.endpoint())) {
      admin.createBucket(b -> b.bucket(S3Server.BUCKET));
      String backend = "s3|" + server.endpoint() + "|" + PREFIX;
      String diskId;
      try (DiskStore store = CrashWorker.open(storeDir, backend)) {
        diskId = store.disks().create().id();
      }
      CrashChecker checker = new CrashChecker(diskId);
      for (int round = 1; round <= rounds; round++) {
        Path logDir = Files.createDirectories(tmp.resolve("round-" + round));
        Path output = logDir.resolve("worker.out");
        String mode = List.of("kill", "stop+kill", "stop+resume").get(random.nextInt(3));
        String when = "round " + round + " (" + mode + ", seed " + seed + ")";
        Process worker =
            ChildJvm.start(CrashWorker.class, List.of("-Xmx384m"),
                List.of(storeDir.toString(), backend, diskId, logDir.toString(),
                    Long.toString(random.nextLong()), "90", "2"),
                output);
        boolean serverDown = false;
        try {
          CrashChecker.awaitReady(worker, logDir, output, when);
          Thread.sleep(300 + random.nextInt(900));
          if (!mode.equals("kill")) {
            server.stop();
            serverDown = true;
            Thread.sleep(200 + random.nextInt(800));
            if (mode.equals("stop+resume")) {
              server.start();
              serverDown = false;
              Thread.sleep(400 + random.nextInt(800));
            }
          }
          assertThat(worker.isAlive())
              .as("%s: the worker ended early; output:%n%s", when, ChildJvm.output(output))
              .isTrue();
        } finally {
          ChildJvm.kill(worker);
          if (serverDown) {
            server.start();
          }
        }
        CrashChecker.Round result;
        try (DiskStore store = CrashWorker.open(storeDir, backend)) {
          result = checker.check(store, logDir, when);
        }
        try (S3BlobBackend blobs = S3Server.backendBuilder(server.endpoint(), PREFIX).build()) {
          checker.assertBackendHoldsExactly(blobs, when);
        }
        assertThat(S3Server.uploadsInProgress(admin, PREFIX))
            .as("%s: multipart uploads left in progress", when).isEmpty();
        assertThat(S3Server.objects(admin, "")).as("%s: objects outside the prefix", when)
            .allMatch(k -> k.startsWith(PREFIX) && k.endsWith(".blob"));
        figures
            .add("acknowledgedOps", result.acknowledged())
            .add("failedOpsWhileServerDown", result.failed())
            .add("opsInFlightAtKill", result.inFlight())
            .add("inFlightFoundApplied", result.inFlightApplied())
            .add("rounds." + mode, 1);
        System.out.printf(Locale.ROOT, "%s: %d acknowledged, %d failed, in flight %s%n", when,
            result.acknowledged(), result.failed(), result.inFlightOps());
      }
      figures.put("livePathsAtEnd", checker.livePaths()).report();
      assertThat(figures.get("acknowledgedOps")).isPositive();
    }
  }
}
