package dev.diskstore.reliability;

import dev.diskstore.testkit.postgres.EmbeddedPostgresServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@link SharedStoreGcTest} on a scale-out store (issue 12): three writer JVMs that open the store,
 * upsert, close and open it again, and one JVM collecting garbage without pause, on one PostgreSQL
 * index (the embedded server, a fresh schema) and one S3 bucket (S3Proxy in this JVM). No JVM has
 * a local directory: owners appear and end at every moment of the collector's work, and only
 * PostgreSQL (owner rows, session advisory locks, the commit fence) keeps the collector from
 * deleting what a writer on another host is uploading or has just committed. Required: no
 * acknowledged upsert lost, no upsert failed, verify clean.
 *
 * <p>{@code -Ddiskstore.pgsharedgc.seconds=N} (default 15).
 */
class PostgresS3SharedGcTest {
  @Test
  void noAcknowledgedUpsertIsLostWhileAnotherHostCollectsWithoutPause(@TempDir Path tmp)
      throws Exception {
    int seconds = Figures.setting("diskstore.pgsharedgc.seconds", 15);
    EmbeddedPostgresServer postgres = EmbeddedPostgresServer.shared();
    try (EmbeddedPostgresServer.FreshSchema schema = postgres.freshSchema();
        S3Server s3 = new S3Server(tmp.resolve("s3"));
        S3Client admin = S3Server.adminClient(s3.endpoint())) {
      admin.createBucket(b -> b.bucket(S3Server.BUCKET));
      String spec = StoreSpec.postgresS3(postgres.jdbcUrl(), schema.name(), s3.endpoint(), "gc/");
      // an open and a close on PostgreSQL + S3 take far longer than on a local store (about 3 s
      // per writer round here, against 0.15 s), so the run sees fewer rounds
      SharedStoreGcTest.run(tmp, seconds, spec, Figures.of("shared-store-gc-postgres-s3"),
          2 * seconds);
    }
  }
}
