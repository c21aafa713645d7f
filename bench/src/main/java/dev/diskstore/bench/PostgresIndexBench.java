package dev.diskstore.bench;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactListing;
import dev.diskstore.ArtifactStream;
import dev.diskstore.Artifacts;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.postgres.PostgresIndex;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.ForwardingBlobBackend;
import java.util.EnumSet;
import java.util.Set;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The index seam measured (issue 12): upsert, get and list on DiskStore with the PostgreSQL index,
 * DiskStore with the SQLite index, and each index's floor ({@link JdbcIndexFloor}: the same durable
 * index work written by hand in plain JDBC on the same database), in the same run.
 *
 * <p><b>What is isolated.</b> All four write and read their bytes through a {@link
 * MemoryBlobBackend}, so the bytes cost the same near-nothing in each and the ratios are the
 * index's: DiskStore-on-PostgreSQL / PostgreSQL floor, DiskStore-on-SQLite / SQLite floor. The
 * PostgreSQL server is a real one started by the fork ({@link BenchPostgres}), <b>durable</b>
 * ({@code fsync} and {@code synchronous_commit} on) as SQLite is at {@code synchronous=FULL}, its
 * data on the same disk, reached over TCP on 127.0.0.1; so the upsert figures include one WAL
 * flush (PostgreSQL) or one fsync (SQLite) per commit, and PostgreSQL's round trips.
 *
 * <ul>
 *   <li><b>upsert</b>: a new 1 KiB Markdown file with unique bytes under a new name in one
 *       directory ({@code /bench/}), as {@code LocalUpsertBench}; the full-text indexer runs in the
 *       same fork, as it does there.
 *   <li><b>get</b>: metadata + bytes of one of 1,000 files of 1 KiB in 10 directories, in a fixed
 *       pseudo-random order ({@code open} yields both, as {@code GetBench}); the floor selects the
 *       row and reads the bytes.
 *   <li><b>list</b>: the first page of a 100-entry directory in a disk of {@code listArtifacts}
 *       artifacts (directories of 100), against the floor's keyset select of the directory's 100
 *       rows from a table of as many rows. The PostgreSQL disk is built in the trial's set-up
 *       through the API (8 threads, {@code synchronous_commit=off} for the build's connections: the
 *       build is not measured, and the listing only reads); the SQLite disk is {@link ListBench}'s
 *       data set, reused. Listing never touches the blob backend ({@link DiscardingBlobBackend}).
 * </ul>
 *
 * <p>SQLite methods never start PostgreSQL: each index has its own JMH state, set up only in the
 * forks that use it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class PostgresIndexBench {
  private static final int SIZE = 1024;
  private static final int GET_FILES = 1000;
  private static final int GET_DIRECTORIES = 10;
  private static final int PER_DIRECTORY = 100;

  /**
   * A backend declared {@link BlobBackend.Capability#SHARED_ACROSS_HOSTS} although it lives in this
   * JVM: a store on a PostgreSQL index refuses blobs other hosts cannot see, and rightly; here one
   * store instance in one JVM is the only user of the index's schema, so every instance of the
   * store does see these blobs, and the benchmark wants the bytes to cost nothing.
   */
  static BlobBackend singleHost(BlobBackend backend) {
    return new ForwardingBlobBackend(backend) {
      @Override
      public Set<Capability> capabilities() {
        EnumSet<Capability> capabilities = EnumSet.of(Capability.SHARED_ACROSS_HOSTS);
        capabilities.addAll(delegate().capabilities());
        return capabilities;
      }
    };
  }

  /** A store and its floor on one index, with the get files written by both. */
  abstract static class Fixture {
    DiskStore store;
    Artifacts artifacts;
    String disk;
    JdbcIndexFloor floor;
    final String[] paths = new String[GET_FILES];
    final String[] names = new String[GET_FILES];
    int[] order;
    int nextGet;
    long nextUpsert;
    byte[] content;

    void fill() throws Exception {
      artifacts = store.disks().artifacts();
      disk = store.disks().create().id();
      // one thread: concurrent upserts into sibling directories conflict on their parent's count
      // row on PostgreSQL (serializable transactions, retried), which is not what get measures
      for (int i = 0; i < GET_FILES; i++) {
        paths[i] = String.format(Locale.ROOT, "/docs/d%02d/", i % GET_DIRECTORIES);
        names[i] = Content.name("text", i);
        artifacts.upsert(disk, FileUpload.of(names[i], Content.text(SIZE, i)), paths[i]);
      }
      for (int i = 0; i < GET_FILES; i++) {
        floor.put(paths[i], names[i], Content.text(SIZE, i));
      }
      // bring the full-text index up to date, so that the get figures carry no indexing
      store.search().fullText(disk, "warmup", 1);
      order = new SplittableRandom(7).ints(GET_FILES * 16L, 0, GET_FILES).toArray();
      nextUpsert = GET_FILES;
      content = Content.text(SIZE, 42);
    }

    int nextIndex() {
      int i = order[nextGet];
      nextGet = nextGet + 1 == order.length ? 0 : nextGet + 1;
      return i;
    }

    Artifact upsert() {
      long n = nextUpsert++;
      Content.stamp(content, "text", n);
      return artifacts.upsert(disk, FileUpload.of(Content.name("text", n), content), "/bench/");
    }

    long upsertFloor() {
      long n = nextUpsert++;
      Content.stamp(content, "text", n);
      return floor.put("/bench/", Content.name("text", n), content);
    }

    void get(Blackhole bh) {
      int i = nextIndex();
      try (ArtifactStream in = artifacts.open(disk, paths[i], names[i])) {
        bh.consume(in.artifact());
        bh.consume(in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void getFloor(Blackhole bh) {
      int i = nextIndex();
      JdbcIndexFloor.Row row = floor.find(paths[i], names[i]);
      bh.consume(row);
      bh.consume(floor.bytes(row));
    }

    @TearDown(Level.Trial)
    public void close() {
      floor.close();
      store.close();
    }
  }

  /** DiskStore on the PostgreSQL index, and the PostgreSQL floor in a schema beside it. */
  @State(Scope.Benchmark)
  public static class Postgres extends Fixture {
    @Setup(Level.Trial)
    public void open() throws Exception {
      BenchPostgres server = BenchPostgres.shared();
      MemoryBlobBackend blobs = new MemoryBlobBackend();
      store = DiskStore.open(DiskStoreConfig.builder()
          .index(PostgresIndex.builder().jdbcUrl(server.jdbcUrl()).user(server.user())
              .password("").schema(server.newSchemaName("ds")).build())
          .backend(singleHost(blobs)).build());
      floor = JdbcIndexFloor.postgres(
          server.jdbcUrl(), server.user(), server.newSchemaName("floor"), blobs);
      fill();
    }
  }

  /** DiskStore on the SQLite index (a scratch directory), and the SQLite floor beside it. */
  @State(Scope.Benchmark)
  public static class Sqlite extends Fixture {
    private Path dir;

    @Setup(Level.Trial)
    public void open() throws Exception {
      dir = BenchFiles.scratch("pgbench-sqlite-");
      MemoryBlobBackend blobs = new MemoryBlobBackend();
      store = DiskStore.open(DiskStoreConfig.builder().directory(dir.resolve("store"))
          .backend(blobs).build());
      floor = JdbcIndexFloor.sqlite(dir.resolve("floor.db"), blobs);
      fill();
    }

    @Override
    @TearDown(Level.Trial)
    public void close() {
      super.close();
      BenchFiles.deleteTree(dir);
    }
  }

  /**
   * A listing disk of DiskStore, or a floor table, of {@code listArtifacts} rows on one index. The
   * store and the floor are separate states, so that a fork measuring one does not build the
   * other (the 100,000-artifact PostgreSQL disk takes a minute or more to build here).
   */
  abstract static class Listing {
    DiskStore store;
    Artifacts artifacts;
    String disk;
    JdbcIndexFloor floor;
    String directory;

    void checkStore(int listArtifacts) {
      artifacts = store.disks().artifacts();
      // bring the full-text index up to date now, so that no background indexing runs while
      // listing is measured
      store.search().fullText(disk, "warmup", 1);
      directory = ListBench.dirName(listArtifacts / PER_DIRECTORY / 2);
      int entries = artifacts.list(disk, directory).artifacts().size();
      if (entries != PER_DIRECTORY) {
        throw new IllegalStateException(directory + " has " + entries + " entries, not 100");
      }
    }

    void fillFloor(int listArtifacts) {
      List<String> filenames = new ArrayList<>(PER_DIRECTORY);
      for (int f = 0; f < PER_DIRECTORY; f++) {
        filenames.add(String.format(Locale.ROOT, "f-%03d.md", f));
      }
      floor.fill(listArtifacts / PER_DIRECTORY, ListBench::dirName, filenames);
      directory = ListBench.dirName(listArtifacts / PER_DIRECTORY / 2);
      int entries = floor.list(directory).size();
      if (entries != PER_DIRECTORY) {
        throw new IllegalStateException("floor " + directory + " has " + entries + " entries");
      }
    }

    @TearDown(Level.Trial)
    public void close() {
      if (floor != null) {
        floor.close();
      }
      if (store != null) {
        store.close();
      }
    }
  }

  /** Connections whose commits do not wait for the WAL flush: for building listing data. */
  static String buildUrl(BenchPostgres server) {
    return server.jdbcUrl() + "?options=-c%20synchronous_commit%3Doff";
  }

  @State(Scope.Benchmark)
  public static class PostgresListing extends Listing {
    @Param({"1000", "100000"})
    public int listArtifacts;

    @Setup(Level.Trial)
    public void open() throws Exception {
      BenchPostgres server = BenchPostgres.shared();
      // the build's commits need not wait for the WAL flush (not measured; listing only reads)
      store = DiskStore.open(DiskStoreConfig.builder()
          .index(PostgresIndex.builder().jdbcUrl(buildUrl(server)).user(server.user())
              .password("").schema(server.newSchemaName("list")).build())
          .backend(singleHost(new DiscardingBlobBackend())).collectGarbageOnOpen(false).build());
      disk = store.disks().create().id();
      long start = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        ListBench.fillListingDisk(store, disk, pool, listArtifacts / PER_DIRECTORY);
      } finally {
        pool.shutdownNow();
      }
      System.out.printf(Locale.ROOT, "[postgres] listing disk of %,d artifacts built in %.1f s%n",
          listArtifacts, (System.nanoTime() - start) / 1e9);
      server.execute("ANALYZE");
      checkStore(listArtifacts);
    }
  }

  @State(Scope.Benchmark)
  public static class PostgresFloorListing extends Listing {
    @Param({"1000", "100000"})
    public int listArtifacts;

    @Setup(Level.Trial)
    public void open() {
      BenchPostgres server = BenchPostgres.shared();
      floor = JdbcIndexFloor.postgres(buildUrl(server), server.user(),
          server.newSchemaName("floor"), new MemoryBlobBackend());
      fillFloor(listArtifacts);
      server.execute("ANALYZE");
    }
  }

  @State(Scope.Benchmark)
  public static class SqliteListing extends Listing {
    @Param({"1000", "100000"})
    public int listArtifacts;

    @Setup(Level.Trial)
    public void open() {
      Properties set = ListBench.dataSet(listArtifacts);
      store = ListBench.reopen(set);
      disk = set.getProperty("disk");
      checkStore(listArtifacts);
    }
  }

  @State(Scope.Benchmark)
  public static class SqliteFloorListing extends Listing {
    @Param({"1000", "100000"})
    public int listArtifacts;

    private Path dir;

    @Setup(Level.Trial)
    public void open() {
      dir = BenchFiles.scratch("pgbench-sqlite-list-");
      floor = JdbcIndexFloor.sqlite(dir.resolve("floor.db"), new MemoryBlobBackend());
      fillFloor(listArtifacts);
    }

    @Override
    @TearDown(Level.Trial)
    public void close() {
      super.close();
      BenchFiles.deleteTree(dir);
    }
  }

  // Method names pair each DiskStore call with its floor, so that JMH (which orders by name) runs
  // them back to back.

  @Benchmark
  public void getPostgres(Postgres s, Blackhole bh) {
    s.get(bh);
  }

  @Benchmark
  public void getPostgresFloor(Postgres s, Blackhole bh) {
    s.getFloor(bh);
  }

  @Benchmark
  public void getSqlite(Sqlite s, Blackhole bh) {
    s.get(bh);
  }

  @Benchmark
  public void getSqliteFloor(Sqlite s, Blackhole bh) {
    s.getFloor(bh);
  }

  @Benchmark
  public ArtifactListing listPostgres(PostgresListing s) {
    return s.artifacts.list(s.disk, s.directory);
  }

  @Benchmark
  public List<JdbcIndexFloor.Row> listPostgresFloor(PostgresFloorListing s) {
    return s.floor.list(s.directory);
  }

  @Benchmark
  public ArtifactListing listSqlite(SqliteListing s) {
    return s.artifacts.list(s.disk, s.directory);
  }

  @Benchmark
  public List<JdbcIndexFloor.Row> listSqliteFloor(SqliteFloorListing s) {
    return s.floor.list(s.directory);
  }

  @Benchmark
  public Artifact upsertPostgres(Postgres s) {
    return s.upsert();
  }

  @Benchmark
  public long upsertPostgresFloor(Postgres s) {
    return s.upsertFloor();
  }

  @Benchmark
  public Artifact upsertSqlite(Sqlite s) {
    return s.upsert();
  }

  @Benchmark
  public long upsertSqliteFloor(Sqlite s) {
    return s.upsertFloor();
  }
}
