package dev.diskstore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.DiskStore;
import dev.diskstore.s3.S3BlobBackend;
import dev.diskstore.testkit.ChildJvm;
import dev.diskstore.testkit.postgres.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Crash suite on a scale-out store (issue 12): the index on PostgreSQL (the embedded server, a
 * fresh schema), blobs on S3Proxy in this JVM, and a writer JVM ({@link CrashWorker}, two threads)
 * with no local directory, killed with SIGKILL. Rounds end as in {@link S3CrashTest}, chosen at
 * random: <b>kill</b> (S3 up), <b>stop+kill</b> (S3 stopped mid-operation, the writer killed while
 * it is down, S3 restarted) and <b>stop+resume</b> (S3 stopped, restarted, the writer goes on,
 * then is killed).
 *
 * <p>After each round a new instance in this JVM — another host, as far as the store can tell —
 * opens the store (its collection on open must find the killed writer dead through PostgreSQL,
 * since its session and advisory lock died with it) and {@link CrashChecker} checks it: verify
 * clean, every acknowledged artifact with the right bytes, metadata and etag, in-flight operations
 * whole or absent, a second collection finds nothing, and the bucket holds exactly one object per
 * distinct live content with no multipart upload left.
 *
 * <p>{@code -Ddiskstore.pgcrash.rounds=N} (default 8), {@code -Ddiskstore.pgcrash.seed=S}.
 */
class PostgresS3CrashTest {
  private static final int DEFAULT_ROUNDS = 8;
  private static final String PREFIX = "crash/";

  @Test
  void killedWritersOnPostgresAndS3NeverLoseAcknowledgedWrites(@TempDir Path tmp)
      throws Exception {
    int rounds = Figures.setting("diskstore.pgcrash.rounds", DEFAULT_ROUNDS);
    long seed = Long.getLong("diskstore.pgcrash.seed", System.nanoTime());
    System.out.println("PostgresS3CrashTest seed=" + seed);
    Figures figures = Figures.of("crash-postgres-s3").put("seed", seed).put("rounds", rounds);
    Random random = new Random(seed);
    EmbeddedPostgresServer postgres = EmbeddedPostgresServer.shared();
    try (EmbeddedPostgresServer.FreshSchema schema = postgres.freshSchema();
        S3Server server = new S3Server(tmp.resolve("s3"));
        S3Client admin = S3Server.adminClient(server.endpoint())) {
      admin.createBucket(b -> b.bucket(S3Server.BUCKET));
      String spec = StoreSpec.postgresS3(postgres.jdbcUrl(), schema.name(), server.endpoint(), PREFIX);
      String diskId;
      try (DiskStore store = StoreSpec.open(spec)) {
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
                List.of("-", spec, diskId, logDir.toString(), Long.toString(random.nextLong()),
                    "90", "2"),
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
        // The collection on open finds the killed writer dead only once PostgreSQL has ended its
        // sessions; before that it is alive to every other instance, and its blobs stay.
        PgOwners.awaitNoneHoldingTheirLock(postgres, schema.name(), Duration.ofSeconds(30));
        CrashChecker.Round result;
        try (DiskStore store = StoreSpec.open(spec)) {
          result = checker.check(store, logDir, when);
        }
        try (S3BlobBackend blobs = S3Server.backendBuilder(server.endpoint(), PREFIX).build()) {
          checker.assertBackendHoldsExactly(blobs, when);
        }
        assertThat(S3Server.uploadsInProgress(admin, PREFIX))
            .as("%s: multipart uploads left in progress", when).isEmpty();
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
