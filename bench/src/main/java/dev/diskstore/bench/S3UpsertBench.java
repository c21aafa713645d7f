package dev.diskstore.bench;

import dev.diskstore.Artifact;
import dev.diskstore.Artifacts;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Scenario "upsert 1 KiB and 8 MiB on S3": a DiskStore whose blobs go to an in-process S3Proxy
 * (index in a local SQLite file, durable as always) upserting a new artifact per call, against a
 * raw {@code S3Client.putObject} of the same bytes to the same server with the same client
 * settings ({@link S3Server}). Every call stores new, unique bytes under a new name or key.
 * 8 MiB is DiskStore's default multipart threshold, so it still goes up as one {@code PutObject}.
 * The bucket is emptied between iterations.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class S3UpsertBench {
  @Param({"1024", "8388608"})
  public int s3Bytes;

  private S3Server server;
  private S3Client raw;
  private Path dir;
  private DiskStore store;
  private Artifacts artifacts;
  private String disk;
  private Path relaxedDir;
  private DiskStore relaxedStore;
  private Artifacts relaxedArtifacts;
  private String relaxedDisk;
  private byte[] content;
  private long counter;

  @Setup(Level.Trial)
  public void start() throws Exception {
    server = new S3Server();
    raw = server.client();
    dir = BenchFiles.scratch("s3-");
    store =
        DiskStore.open(
            DiskStoreConfig.builder().directory(dir).backend(server.backend("store/")).build());
    artifacts = store.disks().artifacts();
    disk = store.disks().create().id();
    relaxedDir = BenchFiles.scratch("s3-relaxed-");
    relaxedStore =
        DiskStore.open(
            DiskStoreConfig.builder().directory(relaxedDir).backend(server.backend("relaxed/"))
                .durableCommits(false).build());
    relaxedArtifacts = relaxedStore.disks().artifacts();
    relaxedDisk = relaxedStore.disks().create().id();
    content = Content.binary(s3Bytes, 42);
  }

  @TearDown(Level.Iteration)
  public void empty() {
    server.emptyBucket();
  }

  @TearDown(Level.Trial)
  public void stop() {
    store.close();
    relaxedStore.close();
    raw.close();
    server.close();
    BenchFiles.deleteTree(dir);
    BenchFiles.deleteTree(relaxedDir);
  }

  @Benchmark
  public Artifact diskstore() {
    long n = counter++;
    Content.stamp(content, "binary", n);
    return artifacts.upsert(disk, FileUpload.of(Content.name("binary", n), content), "/bench/");
  }

  /** The same upsert with {@code durableCommits(false)}: no fsync of the local index at commit. */
  @Benchmark
  public Artifact diskstoreRelaxed() {
    long n = counter++;
    Content.stamp(content, "binary", n);
    return relaxedArtifacts.upsert(
        relaxedDisk, FileUpload.of(Content.name("binary", n), content), "/bench/");
  }

  @Benchmark
  public PutObjectResponse baseline() {
    long n = counter++;
    Content.stamp(content, "binary", n);
    return raw.putObject(
        b -> b.bucket(S3Server.BUCKET).key("raw/bench/" + Content.name("binary", n)),
        RequestBody.fromBytes(content));
  }
}
