package dev.diskstore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.testkit.postgres.EmbeddedPostgresServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The concurrency suite's model check ({@link ConcurrencyTest}) on a scale-out store (issue 12):
 * three JVMs × eight threads on one PostgreSQL index (the embedded server, a fresh schema) and one
 * S3 bucket (S3Proxy in this JVM). Each JVM stands for a host: none has a local directory, so
 * everything they agree on goes through PostgreSQL and S3 — conditional writes across JVMs,
 * deduplication, disk deletes racing upserts of other threads, liveness. The final state is read
 * and verified by a fourth instance in this JVM.
 *
 * <p>{@code -Ddiskstore.pgconcurrency.opsPerThread=N} (default 300: 7,200 operations, about a
 * minute on two cores), {@code -Ddiskstore.concurrency.seed=S}.
 */
class PostgresS3ConcurrencyTest {
  private static final int PROCESSES = 3;

  @Test
  void threeHostsOfEightThreadsMatchTheModel(@TempDir Path tmp) throws Exception {
    int opsPerThread = Figures.setting("diskstore.pgconcurrency.opsPerThread", 300);
    long seed = Long.getLong("diskstore.concurrency.seed", System.nanoTime());
    System.out.println("PostgresS3ConcurrencyTest seed=" + seed);
    EmbeddedPostgresServer postgres = EmbeddedPostgresServer.shared();
    Figures figures = Figures.of("concurrency-postgres-s3");
    try (EmbeddedPostgresServer.FreshSchema schema = postgres.freshSchema();
        S3Server s3 = new S3Server(tmp.resolve("s3"));
        S3Client admin = S3Server.adminClient(s3.endpoint())) {
      admin.createBucket(b -> b.bucket(S3Server.BUCKET));
      String spec = StoreSpec.postgresS3(postgres.jdbcUrl(), schema.name(), s3.endpoint(), "cc/");
      int operations =
          ConcurrencyTest.modelCheck(tmp.resolve("run"), PROCESSES, opsPerThread, seed, spec,
              () -> StoreSpec.open(spec), figures);
      assertThat(operations).isGreaterThanOrEqualTo(
          PROCESSES * ConcurrencyTest.THREADS * opsPerThread * 9 / 10);
    }
  }
}
