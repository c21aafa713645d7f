package dev.diskstore.bench;

import dev.diskstore.Artifacts;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.opendal.Operator;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
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

/**
 * Peers in the same run, streams: one call writes a {@code streamBytes} file as a stream (from the
 * source file of {@link LargeStreamBench}, through the page cache) and reads it back to the end,
 * for DiskStore, its floor ({@link FloorStore#put(String, String, InputStream)}: 64 KiB buffer,
 * fsync, rename, directory fsync, INSERT), Apache OpenDAL ({@code fs}: output and input streams;
 * fsyncs the file only) and the jclouds filesystem blobstore (an {@code InputStream} payload; no
 * fsync). Each call writes under the same name, removed after the iteration. Default heap.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(2)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class PeerStreamBench {
  static final String NAME = "dataset.bin";

  @State(Scope.Benchmark)
  public static class Source {
    @Param({"268435456"})
    public long streamBytes;

    Path file;
    Path dir;
    DiskStore store;
    Artifacts artifacts;
    String disk;
    FloorStore floor;
    Operator opendal;
    BlobStoreContext jcloudsContext;
    BlobStore jclouds;

    @Setup(Level.Trial)
    public void prepare() throws IOException {
      file = LargeStreamBench.source(streamBytes);
      dir = BenchFiles.scratch("peer-stream-");
    }

    DiskStore store() {
      if (store == null) {
        store = DiskStore.local(dir.resolve("store"));
        artifacts = store.disks().artifacts();
        disk = store.disks().create().id();
      }
      return store;
    }

    FloorStore floor() {
      if (floor == null) {
        floor = FloorStore.open(dir.resolve("floor"));
      }
      return floor;
    }

    Operator opendal() {
      if (opendal == null) {
        opendal = Operator.of("fs", Map.of("root", dir.resolve("opendal").toString()));
      }
      return opendal;
    }

    BlobStore jclouds() throws IOException {
      if (jclouds == null) {
        jcloudsContext = PeerBench.Jclouds.filesystem(dir.resolve("jclouds"));
        jclouds = jcloudsContext.getBlobStore();
        jclouds.createContainerInLocation(null, "bench");
      }
      return jclouds;
    }

    long drain(InputStream in) throws IOException {
      return LargeStreamBench.drain(in, streamBytes);
    }

    @TearDown(Level.Iteration)
    public void clean() throws IOException {
      if (store != null && artifacts.find(disk, "/", NAME).isPresent()) {
        artifacts.delete(disk, "/", NAME);
      }
      if (store != null) {
        // and its history: a kept version would make the next iteration's identical bytes a
        // duplicate (written, then deleted as garbage), which the other systems' files never are
        artifacts.deleteVersions(disk, "/", NAME);
      }
      if (floor != null) {
        floor.remove("/", NAME);
      }
      if (opendal != null) {
        opendal.delete(NAME);
      }
      if (jclouds != null) {
        jclouds.removeBlob("bench", NAME);
      }
    }

    @TearDown(Level.Trial)
    public void close() {
      if (store != null) {
        store.close();
      }
      if (floor != null) {
        floor.close();
      }
      if (opendal != null) {
        opendal.close();
      }
      if (jcloudsContext != null) {
        jcloudsContext.close();
      }
      BenchFiles.deleteTree(dir);
    }
  }

  @Benchmark
  public long streamDiskstore(Source s) throws IOException {
    s.store();
    try (InputStream in = Files.newInputStream(s.file)) {
      s.artifacts.upsert(s.disk, FileUpload.of(NAME, in, "application/octet-stream"), "/");
    }
    try (InputStream in = s.artifacts.open(s.disk, "/", NAME)) {
      return s.drain(in);
    }
  }

  @Benchmark
  public long streamFloor(Source s) throws IOException {
    FloorStore floor = s.floor();
    try (InputStream in = Files.newInputStream(s.file)) {
      floor.put("/", NAME, in);
    }
    try (InputStream in = Files.newInputStream(floor.file(floor.find("/", NAME)))) {
      return s.drain(in);
    }
  }

  @Benchmark
  public long streamJclouds(Source s) throws IOException {
    BlobStore blobs = s.jclouds();
    try (InputStream in = Files.newInputStream(s.file)) {
      blobs.putBlob("bench", blobs.blobBuilder(NAME).payload(in).contentLength(s.streamBytes)
          .contentType("application/octet-stream").build());
    }
    try (InputStream in = blobs.getBlob("bench", NAME).getPayload().openStream()) {
      return s.drain(in);
    }
  }

  @Benchmark
  public long streamOpendal(Source s) throws IOException {
    Operator op = s.opendal();
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(s.file);
        OutputStream out = op.createOutputStream(NAME)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        out.write(buffer, 0, n);
      }
    }
    try (InputStream in = op.createInputStream(NAME)) {
      return s.drain(in);
    }
  }
}
