package dev.diskstore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactResult;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.StorageException;
import dev.diskstore.testkit.PseudoRandomInputStream;
import dev.diskstore.testkit.postgres.EmbeddedPostgresServer;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * PostgreSQL restarted under a running store (issue 12): a writer instance ("host A", four
 * threads) upserts without pause while a second instance ("host B") collects garbage without
 * pause, and the test stops the embedded server (fast shutdown: every session is cut) and starts
 * it again on the same port and data directory. Neither instance is reopened.
 *
 * <p>Required: every operation that fails, during the outage or right after it on a connection
 * the restart broke, fails with a {@link StorageException} that says it is retryable; the pools
 * recover by themselves, so the last seconds of the run see no failure at all; nothing
 * acknowledged is lost (each upsert writes a path of its own, so every acknowledged one must read
 * back with its etag and bytes, and a failed one is absent or whole); verify is clean. The
 * restart ends every liveness session, so each instance must register again as a new owner (a
 * new owner epoch) — the owners alive before the restart are all declared dead afterwards, every
 * owner alive holds its advisory lock — and host A must go on committing although host B's
 * collector may declare A's old owner dead.
 *
 * <p>{@code -Ddiskstore.pgrestart.seconds=N} (default 4: seconds of writing before and after the
 * restart).
 */
class PostgresRestartMidRunTest {
  private static final int THREADS = 4;
  private static final Duration OWNER_TIMEOUT = Duration.ofSeconds(3);

  /** One upsert: thread, path, expected sha256, etag or null, start/end nanos, failure or null. */
  record Write(
      int thread, String dir, String name, String sha256, String etag, long start, long end,
      Throwable failure) {}

  @Test
  void operationsFailRetryablyDuringARestartAndNothingAcknowledgedIsLost(@TempDir Path tmp)
      throws Exception {
    int seconds = Figures.setting("diskstore.pgrestart.seconds", 4);
    Figures figures = Figures.of("postgres-restart").put("writerThreads", THREADS)
        .put("secondsBeforeAndAfter", seconds);
    EmbeddedPostgresServer postgres = EmbeddedPostgresServer.shared();
    try (EmbeddedPostgresServer.FreshSchema schema = postgres.freshSchema();
        S3Server s3 = new S3Server(tmp.resolve("s3"));
        S3Client admin = S3Server.adminClient(s3.endpoint())) {
      admin.createBucket(b -> b.bucket(S3Server.BUCKET));
      String spec = StoreSpec.postgresS3(postgres.jdbcUrl(), schema.name(), s3.endpoint(), "rs/");
      String diskId;
      try (DiskStore store = StoreSpec.open(spec)) {
        diskId = store.disks().create().id();
      }
      ConcurrentLinkedQueue<Write> writes = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Throwable> collectorFailures = new ConcurrentLinkedQueue<>();
      AtomicLong collections = new AtomicLong();
      long restartStart;
      long restartEnd;
      long runEnd;
      try (DiskStore hostA = open(postgres, schema.name(), s3, "rs/")) {
        Set<String> ownerA = PgOwners.holdingTheirLock(postgres, schema.name());
        try (DiskStore hostB = open(postgres, schema.name(), s3, "rs/")) {
          Set<String> aliveBefore = PgOwners.holdingTheirLock(postgres, schema.name());
          assertThat(aliveBefore).as("owners alive before the restart (A and B)").hasSize(2)
              .containsAll(ownerA);
          AtomicLong stopAt = new AtomicLong(Long.MAX_VALUE);
          List<Thread> threads = new ArrayList<>();
          for (int t = 0; t < THREADS; t++) {
            int thread = t;
            threads.add(new Thread(() -> write(hostA, diskId, thread, stopAt, writes), "w" + t));
          }
          threads.add(new Thread(() -> {
            while (System.nanoTime() < stopAt.get()) {
              try {
                hostB.maintenance().collectGarbage();
                collections.incrementAndGet();
              } catch (RuntimeException e) {
                collectorFailures.add(e);
                sleep(50);
              }
            }
          }, "collector"));
          threads.forEach(Thread::start);
          Thread.sleep(seconds * 1000L);
          restartStart = System.nanoTime();
          postgres.restart();
          restartEnd = System.nanoTime();
          Thread.sleep(seconds * 1000L + OWNER_TIMEOUT.toMillis());
          runEnd = System.nanoTime();
          stopAt.set(runEnd);
          for (Thread thread : threads) {
            thread.join(60_000);
            assertThat(thread.isAlive()).as("%s ended", thread.getName()).isFalse();
          }
          Set<String> aliveAfter = PgOwners.holdingTheirLock(postgres, schema.name());
          System.out.println("owners alive before " + aliveBefore + " (A: " + ownerA + "), after "
              + aliveAfter + "; recorded dead after: " + PgOwners.recordedDead(postgres, schema.name()));
          assertThat(aliveAfter).as("A and B registered again as new owners (epochs)").hasSize(2)
              .doesNotContainAnyElementsOf(aliveBefore);
          // A's first owner lost its lock with the restart: whichever noticed first (B's collector
          // meeting its abandoned uploads, A's heartbeat, or A's commit fence) ended it, and A
          // committed afterwards under a new epoch. Its row is then recorded dead, or already
          // forgotten by a collection once no object names it; never alive again.
          Set<String> recordedAlive = PgOwners.recordedAlive(postgres, schema.name());
          assertThat(recordedAlive).as("A's owner before the restart is no longer alive")
              .doesNotContainAnyElementsOf(ownerA);
        }
      }

      List<Write> all = new ArrayList<>(writes);
      List<Write> acked = all.stream().filter(w -> w.failure() == null).toList();
      List<Write> failed = all.stream().filter(w -> w.failure() != null).toList();
      Map<String, Integer> failureKinds = new HashMap<>();
      List<Throwable> unexpected = new ArrayList<>();
      for (Throwable e : concat(failed.stream().map(Write::failure).toList(), collectorFailures)) {
        boolean retryable = e instanceof StorageException se && se.isRetryable();
        failureKinds.merge(e.getClass().getSimpleName() + (retryable ? "(retryable)" : ""), 1,
            Integer::sum);
        if (!retryable) {
          unexpected.add(e);
        }
      }
      unexpected.stream().limit(5).forEach(Throwable::printStackTrace);
      long settled = runEnd - Duration.ofSeconds(seconds).toNanos();
      // what this test judges is the index's recovery: a failure of the blob backend (S3Proxy
      // dropping a request body on a loaded machine, seen once in CI) is counted apart
      List<Write> lateBackendFailures = failed.stream().filter(w -> w.start() > settled)
          .filter(w -> String.valueOf(w.failure().getMessage()).contains("to the backend failed"))
          .toList();
      List<Write> lateFailures = failed.stream().filter(w -> w.start() > settled)
          .filter(w -> !lateBackendFailures.contains(w)).toList();
      lateFailures.stream().limit(5).forEach(w -> w.failure().printStackTrace());
      long ackedAfter = acked.stream().filter(w -> w.start() > restartEnd).count();
      long firstAckAfter =
          acked.stream().filter(w -> w.start() > restartEnd).mapToLong(Write::end).min()
              .orElse(runEnd);
      figures
          .put("upserts", all.size())
          .put("acknowledged", acked.size())
          .put("acknowledgedAfterRestart", ackedAfter)
          .put("failedUpserts", failed.size())
          .put("collections", collections.get())
          .put("failedCollections", collectorFailures.size())
          .put("failures", failureKinds.toString().replace(" ", ""))
          .put("restartMillis", (restartEnd - restartStart) / 1_000_000)
          .put("firstAckAfterRestartMillis", (firstAckAfter - restartEnd) / 1_000_000);

      long lost = 0;
      long failedButApplied = 0;
      try (DiskStore checker = StoreSpec.open(spec)) {
        for (Write w : all) {
          Optional<ArtifactResult> found = checker.disks().artifacts().find(diskId, w.dir(), w.name());
          if (w.failure() == null) {
            if (found.isEmpty() || !found.get().artifact().etag().equals(w.etag())
                || !sha256(checker, diskId, w).equals(w.sha256())) {
              lost++;
              System.out.println("LOST " + w.dir() + w.name());
            }
          } else if (found.isPresent()) {
            failedButApplied++;
            assertThat(sha256(checker, diskId, w)).as("%s%s: a failed upsert applied whole",
                w.dir(), w.name()).isEqualTo(w.sha256());
          }
        }
        CrashChecker.assertClean(checker.maintenance().verify(true), "after the restart");
        checker.maintenance().collectGarbage();
        CrashChecker.assertClean(checker.maintenance().verify(), "after collecting");
      }
      figures.put("lostAcknowledged", lost).put("failedButApplied", failedButApplied)
          .put("failuresInTheLastSeconds", lateFailures.size())
          .put("backendFailuresInTheLastSeconds", lateBackendFailures.size()).report();

      assertThat(unexpected).as("failures that are not a retryable StorageException").isEmpty();
      assertThat(lost).as("acknowledged upserts lost").isZero();
      assertThat(failed).as("upserts failed during the outage").isNotEmpty();
      assertThat(lateFailures).as("upserts failed once the pool had recovered").isEmpty();
      assertThat(acked.stream().filter(w -> w.start() > settled).count())
          .as("upserts acknowledged in the last %d s", seconds).isGreaterThan(10);
    }
  }

  private static DiskStore open(
      EmbeddedPostgresServer postgres, String schema, S3Server s3, String prefix) {
    return DiskStore.open(
        DiskStoreConfig.builder()
            .index(StoreSpec.postgresIndex(postgres.jdbcUrl(), schema)
                .maximumPoolSize(6)
                .connectionTimeout(Duration.ofSeconds(1))
                .ownerTimeout(OWNER_TIMEOUT)
                .build())
            .backend(S3Server.backendBuilder(s3.endpoint(), prefix).build())
            .build());
  }

  /** Upserts paths of its own until {@code stopAt}, logging each outcome. */
  private static void write(
      DiskStore store, String diskId, int thread, AtomicLong stopAt,
      ConcurrentLinkedQueue<Write> writes) {
    Random random = new Random(thread);
    for (int seq = 0; System.nanoTime() < stopAt.get(); seq++) {
      String dir = "/t" + thread + "/" + (seq / 100) + "/";
      String name = "f-" + seq + ".bin";
      byte[] bytes = PseudoRandomInputStream.bytes(random.nextLong(), 100 + random.nextInt(8192));
      String sha = PseudoRandomInputStream.sha256Hex(bytes);
      long start = System.nanoTime();
      try {
        Artifact a = store.disks().artifacts().upsert(diskId, FileUpload.of(name, bytes), dir);
        writes.add(new Write(thread, dir, name, sha, a.etag(), start, System.nanoTime(), null));
      } catch (RuntimeException e) {
        writes.add(new Write(thread, dir, name, sha, null, start, System.nanoTime(), e));
        sleep(20);
      }
    }
  }

  private static String sha256(DiskStore store, String diskId, Write w) {
    try (InputStream in = store.disks().artifacts().open(diskId, w.dir(), w.name())) {
      return PseudoRandomInputStream.sha256Hex(in);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<Throwable> concat(List<Throwable> a, ConcurrentLinkedQueue<Throwable> b) {
    List<Throwable> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
