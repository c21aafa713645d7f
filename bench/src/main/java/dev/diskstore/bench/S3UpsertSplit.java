package dev.diskstore.bench;

import dev.diskstore.Artifacts;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.s3.S3BlobBackend;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Splits the 1 KiB S3 upsert into its parts, interleaved call by call so that every part sees the
 * same load: a raw {@code putObject}, {@code S3BlobBackend.write} alone, a DiskStore upsert on S3,
 * and a DiskStore upsert whose bytes are dropped (the index work alone). Two rounds of {@code n}
 * (the first is warm-up). {@code java -cp bench/target/benchmarks.jar
 * dev.diskstore.bench.S3UpsertSplit 300}
 */
public final class S3UpsertSplit {
  private S3UpsertSplit() {}

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    Path dir = BenchFiles.scratch("s3-split-");
    try (S3Server server = new S3Server();
        S3Client raw = server.client();
        S3BlobBackend backend = server.backend("backend/");
        DiskStore onS3 = DiskStore.open(DiskStoreConfig.builder().directory(dir.resolve("s3"))
            .backend(server.backend("store/")).build());
        DiskStore indexOnly = DiskStore.open(DiskStoreConfig.builder()
            .directory(dir.resolve("index")).backend(new DiscardingBlobBackend()).build())) {
      Artifacts s3Artifacts = onS3.disks().artifacts();
      Artifacts indexArtifacts = indexOnly.disks().artifacts();
      String s3Disk = onS3.disks().create().id();
      String indexDisk = indexOnly.disks().create().id();
      byte[] content = Content.binary(1024, 1);
      for (int round = 0; round < 2; round++) {
        long[] nanos = new long[4];
        for (int i = 0; i < n; i++) {
          long k = round * 1_000_000L + i;
          Content.stamp(content, "binary", k);
          String name = Content.name("binary", k);
          long t0 = System.nanoTime();
          raw.putObject(b -> b.bucket(S3Server.BUCKET).key("raw/" + name),
              RequestBody.fromBytes(content));
          long t1 = System.nanoTime();
          backend.write(String.format(Locale.ROOT, "aa/bb/%032x", k),
              new ByteArrayInputStream(content), OptionalLong.of(content.length));
          long t2 = System.nanoTime();
          s3Artifacts.upsert(s3Disk, FileUpload.of(name, content), "/bench/");
          long t3 = System.nanoTime();
          indexArtifacts.upsert(indexDisk, FileUpload.of(name, content), "/bench/");
          long t4 = System.nanoTime();
          nanos[0] += t1 - t0;
          nanos[1] += t2 - t1;
          nanos[2] += t3 - t2;
          nanos[3] += t4 - t3;
        }
        System.out.printf(Locale.ROOT,
            "round %d, %d calls each: raw putObject %.2f ms, S3BlobBackend.write %.2f ms,"
                + " DiskStore upsert on S3 %.2f ms, DiskStore upsert index only %.2f ms%n",
            round, n, nanos[0] / 1e6 / n, nanos[1] / 1e6 / n, nanos[2] / 1e6 / n,
            nanos[3] / 1e6 / n);
      }
    } finally {
      BenchFiles.deleteTree(dir);
    }
  }
}
