package dev.diskstore.bench;

import dev.diskstore.ArtifactListing;
import dev.diskstore.ArtifactStream;
import dev.diskstore.Artifacts;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.local.LocalBlobBackend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.opendal.Operator;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.filesystem.reference.FilesystemConstants;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Peers in the same run: DiskStore, its floor, Apache OpenDAL (Java binding, {@code fs} service)
 * and the jclouds filesystem blobstore, each doing the same three things on the local disk, one
 * method per system and scenario, named so that JMH runs a scenario's four back to back:
 *
 * <ul>
 *   <li>{@code upsert*}: store 1 KiB of new, unique bytes under a new name;
 *   <li>{@code get*}: metadata and bytes of one of 200 files of 1 KiB, in a fixed pseudo-random
 *       order (the same for every system);
 *   <li>{@code list*}: the 100 entries of one directory in a store of 10 such directories.
 * </ul>
 *
 * <p>The systems do not promise the same durability, so a ratio to the floor says how fast, not
 * how safe:
 *
 * <ul>
 *   <li>DiskStore (as shipped): blob fsync, rename, directory fsync, SQLite commit at {@code
 *       synchronous=FULL};
 *   <li>floor ({@link FloorStore} for upsert and get, {@link JdbcIndexFloor} on SQLite for the
 *       listing): the same durable steps, written by hand;
 *   <li>OpenDAL 0.48 {@code fs}: fsyncs the file, but does not rename it into place or fsync the
 *       directory, so a crash can lose a write that returned (its name is not durable);
 *   <li>jclouds 2.7 filesystem: never fsyncs; metadata in extended attributes.
 * </ul>
 *
 * Neither peer has an index: OpenDAL and jclouds list by reading the directory, and their get is a
 * stat (OpenDAL) or the blob's attributes (jclouds) plus the bytes. {@link PeerConcurrentBench}
 * runs the upsert from 8 threads on the same stores; {@link PeerStreamBench} streams 256 MiB.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class PeerBench {
  static final int SIZE = 1024;
  static final int GET_FILES = 200;
  static final int LIST_DIRECTORIES = 10;
  static final int PER_DIRECTORY = 100;

  /** One system's store in a scratch directory, filled for the scenario the fork measures. */
  abstract static class System {
    Path dir;
    final String[] paths = new String[GET_FILES];
    final String[] names = new String[GET_FILES];
    int[] order;
    int next;
    /** The next upload's number: shared by the writers of {@link PeerConcurrentBench}. */
    final AtomicLong counter = new AtomicLong();

    @Setup(Level.Trial)
    public void open(BenchmarkParams params) throws Exception {
      dir = BenchFiles.scratch("peer-");
      start();
      String method = params.getBenchmark();
      if (method.contains(".get")) {
        for (int i = 0; i < GET_FILES; i++) {
          paths[i] = String.format(Locale.ROOT, "g%02d/", i % 10);
          names[i] = Content.name("text", i);
          put(paths[i], names[i], Content.text(SIZE, i));
        }
        order = new SplittableRandom(7).ints(GET_FILES * 16L, 0, GET_FILES).toArray();
      } else if (method.contains(".list")) {
        fillListing();
        int entries = listed();
        if (entries < PER_DIRECTORY) {
          throw new IllegalStateException(getClass().getSimpleName() + " lists " + entries
              + " entries, not " + PER_DIRECTORY);
        }
      }
      counter.set(1_000_000);
    }

    abstract void start() throws Exception;

    /** How many entries the listing scenario's directory lists (set-up check). */
    abstract int listed();

    /** Stores {@code bytes} under {@code path} (a relative directory, {@code /}-terminated). */
    abstract void put(String path, String name, byte[] bytes);

    void fillListing() {
      for (int d = 0; d < LIST_DIRECTORIES; d++) {
        for (int f = 0; f < PER_DIRECTORY; f++) {
          put(listDirectory(d), String.format(Locale.ROOT, "f-%03d.md", f),
              Content.text(64, d * PER_DIRECTORY + f));
        }
      }
    }

    /** A new, unique 1 KiB under a new name; safe from several threads if {@link #put} is. */
    void upsert() {
      long n = counter.getAndIncrement();
      byte[] bytes = Content.text(SIZE, n);
      Content.stamp(bytes, "text", n);
      put("w/", Content.name("text", n), bytes);
    }

    int nextIndex() {
      int i = order[next];
      next = next + 1 == order.length ? 0 : next + 1;
      return i;
    }

    abstract void stop() throws Exception;

    @TearDown(Level.Trial)
    public void close() throws Exception {
      stop();
      BenchFiles.deleteTree(dir);
    }
  }

  static String listDirectory(int d) {
    return String.format(Locale.ROOT, "d%02d/", d);
  }

  @State(Scope.Benchmark)
  public static class Diskstore extends System {
    DiskStore store;
    Artifacts artifacts;
    String disk;

    @Override
    void start() {
      store = DiskStore.open(DiskStoreConfig.builder().directory(dir.resolve("index"))
          .backend(LocalBlobBackend.at(dir.resolve("blobs"))).build());
      artifacts = store.disks().artifacts();
      disk = store.disks().create().id();
    }

    @Override
    int listed() {
      return diskstoreListing(this).artifacts().size();
    }

    @Override
    void put(String path, String name, byte[] bytes) {
      artifacts.upsert(disk, FileUpload.of(name, bytes), "/" + path);
    }

    @Override
    void stop() {
      store.close();
    }
  }

  @State(Scope.Benchmark)
  public static class Floor extends System {
    FloorStore files;
    JdbcIndexFloor index;

    @Override
    void start() {
      files = FloorStore.open(dir.resolve("floor"));
      index = JdbcIndexFloor.sqlite(dir.resolve("index.db"), new MemoryBlobBackend());
    }

    @Override
    void put(String path, String name, byte[] bytes) {
      files.put("/" + path, name, bytes);
    }

    @Override
    int listed() {
      return index.list("/" + listDirectory(LIST_DIRECTORIES / 2)).size();
    }

    @Override
    void fillListing() {
      List<String> filenames = new ArrayList<>(PER_DIRECTORY);
      for (int f = 0; f < PER_DIRECTORY; f++) {
        filenames.add(String.format(Locale.ROOT, "f-%03d.md", f));
      }
      index.fill(LIST_DIRECTORIES, d -> "/" + listDirectory(d), filenames);
    }

    @Override
    void stop() {
      files.close();
      index.close();
    }
  }

  @State(Scope.Benchmark)
  public static class Opendal extends System {
    Operator op;

    @Override
    void start() {
      op = Operator.of("fs", Map.of("root", dir.resolve("opendal").toString()));
    }

    @Override
    int listed() {
      return op.list(listDirectory(LIST_DIRECTORIES / 2)).size();
    }

    @Override
    void put(String path, String name, byte[] bytes) {
      op.write(path + name, bytes);
    }

    @Override
    void stop() {
      op.close();
    }
  }

  @State(Scope.Benchmark)
  public static class Jclouds extends System {
    static final String CONTAINER = "bench";
    BlobStoreContext context;
    BlobStore blobs;

    /** A jclouds filesystem blobstore under {@code base} (created); the caller closes it. */
    static BlobStoreContext filesystem(Path base) throws IOException {
      Properties overrides = new Properties();
      overrides.setProperty(
          FilesystemConstants.PROPERTY_BASEDIR, Files.createDirectories(base).toString());
      return ContextBuilder.newBuilder("filesystem").overrides(overrides)
          .buildView(BlobStoreContext.class);
    }

    @Override
    void start() throws IOException {
      context = filesystem(dir.resolve("jclouds"));
      blobs = context.getBlobStore();
      blobs.createContainerInLocation(null, CONTAINER);
    }

    @Override
    int listed() {
      return jcloudsListing(this).size();
    }

    @Override
    void put(String path, String name, byte[] bytes) {
      blobs.putBlob(CONTAINER, blobs.blobBuilder(path + name).payload(bytes)
          .contentLength(bytes.length).contentType("text/markdown").build());
    }

    @Override
    void stop() {
      context.close();
    }
  }

  // ---------------------------------------------------------------- upsert 1 KiB

  @Benchmark
  public void upsertDiskstore(Diskstore s) {
    s.upsert();
  }

  @Benchmark
  public void upsertFloor(Floor s) {
    s.upsert();
  }

  @Benchmark
  public void upsertJclouds(Jclouds s) {
    s.upsert();
  }

  @Benchmark
  public void upsertOpendal(Opendal s) {
    s.upsert();
  }

  // ---------------------------------------------------------------- get meta + 1 KiB

  @Benchmark
  public void getDiskstore(Diskstore s, Blackhole bh) throws IOException {
    int i = s.nextIndex();
    try (ArtifactStream in = s.artifacts.open(s.disk, "/" + s.paths[i], s.names[i])) {
      bh.consume(in.artifact());
      bh.consume(in.readAllBytes());
    }
  }

  @Benchmark
  public void getFloor(Floor s, Blackhole bh) throws IOException {
    int i = s.nextIndex();
    FloorStore.Row row = s.files.find("/" + s.paths[i], s.names[i]);
    bh.consume(row);
    bh.consume(Files.readAllBytes(s.files.file(row)));
  }

  @Benchmark
  public void getJclouds(Jclouds s, Blackhole bh) throws IOException {
    int i = s.nextIndex();
    Blob blob = s.blobs.getBlob(Jclouds.CONTAINER, s.paths[i] + s.names[i]);
    bh.consume(blob.getMetadata());
    try (InputStream in = blob.getPayload().openStream()) {
      bh.consume(in.readAllBytes());
    }
  }

  @Benchmark
  public void getOpendal(Opendal s, Blackhole bh) {
    int i = s.nextIndex();
    String key = s.paths[i] + s.names[i];
    bh.consume(s.op.stat(key));
    bh.consume(s.op.read(key));
  }

  // ---------------------------------------------------------------- list a 100-entry directory

  @Benchmark
  public ArtifactListing listDiskstore(Diskstore s) {
    return diskstoreListing(s);
  }

  static ArtifactListing diskstoreListing(Diskstore s) {
    return s.artifacts.list(s.disk, "/" + listDirectory(LIST_DIRECTORIES / 2));
  }

  @Benchmark
  public List<JdbcIndexFloor.Row> listFloor(Floor s) {
    return s.index.list("/" + listDirectory(LIST_DIRECTORIES / 2));
  }

  @Benchmark
  public Object listJclouds(Jclouds s) {
    return jcloudsListing(s);
  }

  static PageSet<? extends StorageMetadata> jcloudsListing(Jclouds s) {
    return s.blobs.list(Jclouds.CONTAINER,
        ListContainerOptions.Builder.inDirectory(listDirectory(LIST_DIRECTORIES / 2)));
  }

  @Benchmark
  public Object listOpendal(Opendal s) {
    return s.op.list(listDirectory(LIST_DIRECTORIES / 2));
  }
}
