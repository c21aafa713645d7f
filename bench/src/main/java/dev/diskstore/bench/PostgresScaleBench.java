package dev.diskstore.bench;

import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.local.LocalBlobBackend;
import dev.diskstore.postgres.PostgresIndex;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Scale-out (issue 12): total upserts per second of {@code jvms} JVMs (1, 2, 4) writing into one
 * store: one PostgreSQL index ({@link BenchPostgres}, durable) and one local blob directory that
 * every JVM opens with its own {@link LocalBlobBackend#onSharedFileSystem} (all JVMs are on this
 * host, so they do see the same directory). Each JVM is one
 * store instance with one writer thread upserting new 1 KiB Markdown files (unique bytes, unique
 * names) into a directory of its own, durably on both sides (blob fsync'd, commit flushed).
 *
 * <p><b>Why child JVMs under one JMH fork, not JMH forks.</b> JMH runs forks one after another,
 * never at the same time, and its threads share one JVM; the scenario needs N processes writing
 * <em>concurrently</em>, each with its own pool, liveness lock and indexer, as N hosts would. So
 * the fork starts the server and N {@link ScaleWriter} children (set-up, not measured), waits until
 * each has done {@link #WARM_UPSERTS} upserts (class loading and the first JIT behind them), and
 * the children then write without pause until the trial ends. Each child publishes its running
 * count in a shared memory-mapped file (one aligned long per child, no system call per upsert). The
 * benchmark method samples the sum every 20 ms and adds the difference to an {@link AuxCounters}
 * counter, so JMH reports, per iteration, <b>upserts per second of all JVMs together</b> (the
 * {@code upserts} secondary metric; the primary metric, samples per second, means nothing), with
 * JMH's usual warm-up, iterations, forks and error. Iteration boundaries are accurate to one
 * sample (20 ms). The fork itself only sleeps and sums; PostgreSQL and the children share the same
 * two cores, so on this machine the growth is sub-linear by construction.
 *
 * <p>A child that dies fails the benchmark with its output; the children end when their standard
 * input closes (the trial's tear-down, or the fork's death), closing their stores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class PostgresScaleBench {
  static final int WARM_UPSERTS = 50;

  @Param({"1", "2", "4"})
  public int jvms;

  private Path dir;
  private final List<Process> children = new ArrayList<>();
  private final List<Path> outputs = new ArrayList<>();
  private static MappedByteBuffer counts;
  private static int slots;

  /** Upserts of all JVMs, counted per iteration and reported by JMH as a rate. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Upserts {
    public long upserts;
    private long last;

    @Setup(Level.Iteration)
    public void reset() {
      upserts = 0;
      last = total();
    }
  }

  @Setup(Level.Trial)
  public void start() throws Exception {
    BenchPostgres server = BenchPostgres.shared();
    dir = BenchFiles.scratch("pgscale-");
    String schema = server.newSchemaName("scale");
    Path blobs = Files.createDirectories(dir.resolve("blobs"));
    String disk;
    try (DiskStore store = open(server.jdbcUrl(), schema, blobs)) {
      disk = store.disks().create().id();
    }
    Path countFile = dir.resolve("counts");
    slots = jvms;
    try (FileChannel channel = FileChannel.open(countFile, StandardOpenOption.CREATE,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      counts = channel.map(FileChannel.MapMode.READ_WRITE, 0, 8L * jvms);
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (int i = 0; i < jvms; i++) {
      Path output = dir.resolve("child-" + i + ".log");
      outputs.add(output);
      children.add(new ProcessBuilder(java, "-Xmx256m", "-cp",
              System.getProperty("java.class.path"), ScaleWriter.class.getName(),
              server.jdbcUrl(), schema, blobs.toString(), disk, countFile.toString(),
              Integer.toString(i))
          .redirectErrorStream(true).redirectOutput(output.toFile()).start());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    for (int i = 0; i < jvms; i++) {
      while (counts.getLong(8 * i) < WARM_UPSERTS) {
        checkChildren();
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("child " + i + " did not warm up in 180 s:\n"
              + output(outputs.get(i)));
        }
        Thread.sleep(20);
      }
    }
  }

  /** A store on the shared index and blob directory (the children open the same). */
  static DiskStore open(String jdbcUrl, String schema, Path blobs) {
    return DiskStore.open(DiskStoreConfig.builder()
        .index(PostgresIndex.builder().jdbcUrl(jdbcUrl).user("postgres").password("")
            .schema(schema).build())
        // every JVM runs on this host and opens the same directory
        .backend(LocalBlobBackend.onSharedFileSystem(blobs))
        // no collection runs beside the measured writes (the store is new: nothing to collect)
        .collectGarbageOnOpen(false)
        .build());
  }

  static long total() {
    long sum = 0;
    for (int i = 0; i < slots; i++) {
      sum += counts.getLong(8 * i);
    }
    return sum;
  }

  private void checkChildren() {
    for (int i = 0; i < children.size(); i++) {
      if (!children.get(i).isAlive()) {
        throw new IllegalStateException("writer JVM " + i + " died (exit "
            + children.get(i).exitValue() + "):\n" + output(outputs.get(i)));
      }
    }
  }

  private static String output(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }

  @Benchmark
  public void upserts(Upserts counter) throws InterruptedException {
    Thread.sleep(20);
    long now = total();
    counter.upserts += now - counter.last;
    counter.last = now;
    checkChildren();
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
    for (Process child : children) {
      try (OutputStream in = child.getOutputStream()) {
        // closing the child's standard input tells it to stop
      } catch (IOException e) {
        // already gone
      }
    }
    for (int i = 0; i < children.size(); i++) {
      Process child = children.get(i);
      if (!child.waitFor(60, TimeUnit.SECONDS)) {
        child.destroyForcibly().waitFor();
        throw new IllegalStateException("writer JVM " + i + " did not stop in 60 s:\n"
            + output(outputs.get(i)));
      }
      if (child.exitValue() != 0) {
        throw new IllegalStateException("writer JVM " + i + " failed (exit " + child.exitValue()
            + "):\n" + output(outputs.get(i)));
      }
    }
    children.clear();
    counts = null;
    // how many index transactions were rolled back (serialization conflicts between the writers
    // are retried by the index; each retry is a rollback here), for the report
    try (var c = BenchPostgres.shared().connect();
        var rs = c.createStatement().executeQuery("SELECT xact_commit, xact_rollback"
            + " FROM pg_stat_database WHERE datname = current_database()")) {
      rs.next();
      System.out.printf(java.util.Locale.ROOT, "[postgres] %d JVM(s): %d commits, %d rollbacks%n",
          jvms, rs.getLong(1), rs.getLong(2));
    }
    try {
      BenchFiles.deleteTree(dir);
    } catch (UncheckedIOException e) {
      // a mapped file may linger until the buffer is collected; scratch is cleaned later
    }
  }
}
