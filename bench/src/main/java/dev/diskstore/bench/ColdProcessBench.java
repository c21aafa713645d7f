package dev.diskstore.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scenario "cold process": the wall time of a whole fresh JVM, from {@code ProcessBuilder.start()}
 * to its exit, JVM start-up and shut-down included, for DiskStore and its floor (both modes of
 * {@link ColdProcess}): {@code diskstore} opens a new store, creates a disk and upserts a 1 KiB
 * {@code .md} (durably: blob fsync, rename, directory fsync, index commit at {@code
 * synchronous=FULL}); {@code floor} is a JVM that only opens SQLite (a new WAL database at {@code
 * synchronous=FULL}, one table, one row committed). Both run the same {@code java} (this JVM's
 * {@code java.home}) with the same class path (the benchmarks jar, content-parsers included), with
 * no JVM options, in a new directory each. The same two are also timed started with an
 * application class-data-sharing archive of their own classes ({@code -XX:SharedArchiveFile},
 * made once per trial by a run with {@code -XX:ArchiveClassesAtExit}): the JVM option that BENCHMARKS.md
 * and the README suggest for processes that start often ({@code floorCdsMs}, {@code
 * diskstoreCdsMs}).
 *
 * <p>One call of {@link #floorAndDiskstore} starts the four processes one after the other, each
 * waited for, in an order that reverses from call to call, so that both see the same load on a
 * shared machine and neither is always the one that follows. Their times are the secondary results
 * {@code floorMs} and {@code diskstoreMs}, in milliseconds, one per iteration in the JSON's {@code
 * rawData}: JMH counts them as events, so its console prints the unit {@code #} and, as their
 * score, the sum over the iterations; {@link Summary} takes the mean, error and range from the
 * raw data. The primary score is the pair. A process that exits non-zero, or runs over 2 minutes,
 * fails the benchmark with its output. Single shot per iteration: the warm-up iteration fills the
 * page cache with the jar and the JDK, as in the measured ones.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 1)
@Measurement(iterations = 10)
public class ColdProcessBench {

  /** The scratch directory, the command line and the count that picks the order. */
  @State(Scope.Benchmark)
  public static class Launcher {
    Path dir;
    List<String> java;
    int calls;

    @Setup(Level.Trial)
    public void prepare() throws IOException, InterruptedException {
      dir = BenchFiles.scratch("cold-process-");
      java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
          System.getProperty("java.class.path"), ColdProcess.class.getName());
      for (String mode : List.of("floor", "diskstore")) {
        launch(mode, "-XX:ArchiveClassesAtExit=" + archive(mode));
        if (!Files.isRegularFile(archive(mode))) {
          throw new IllegalStateException("the JVM wrote no class-data archive for " + mode);
        }
      }
    }

    Path archive(String mode) {
      return dir.resolve(mode + ".jsa");
    }

    @TearDown(Level.Trial)
    public void close() {
      BenchFiles.deleteTree(dir);
    }

    /** Runs {@code ColdProcess mode} in a new JVM and returns its wall time in milliseconds. */
    double run(String mode) throws IOException, InterruptedException {
      return launch(mode, null);
    }

    /** {@link #run}, the JVM started with the class-data archive of {@code mode}'s classes. */
    double runWithArchive(String mode) throws IOException, InterruptedException {
      return launch(mode, "-XX:SharedArchiveFile=" + archive(mode));
    }

    private double launch(String mode, String jvmOption) throws IOException, InterruptedException {
      Path work = dir.resolve(mode + "-" + calls);
      File log = dir.resolve(mode + "-" + calls + ".log").toFile();
      List<String> command = new ArrayList<>(java);
      if (jvmOption != null) {
        command.add(1, jvmOption);
      }
      command.add(mode);
      command.add(work.toString());
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.redirectErrorStream(true).redirectOutput(log);
      long start = System.nanoTime();
      Process process = builder.start();
      boolean exited = process.waitFor(2, TimeUnit.MINUTES);
      long nanos = System.nanoTime() - start;
      if (!exited) {
        process.destroyForcibly().waitFor();
      }
      if (!exited || process.exitValue() != 0) {
        throw new IllegalStateException("ColdProcess " + mode + (exited
            ? " exited with " + process.exitValue() : " did not exit within 2 minutes")
            + ": " + Files.readString(log.toPath(), StandardCharsets.UTF_8));
      }
      BenchFiles.deleteTree(work);
      return nanos / 1e6;
    }
  }

  /** The two processes' times of the last call, reported by JMH as secondary results. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Times {
    public double floorMs;
    public double diskstoreMs;
    public double floorCdsMs;
    public double diskstoreCdsMs;
  }

  @Benchmark
  public void floorAndDiskstore(Launcher launcher, Times times)
      throws IOException, InterruptedException {
    if (launcher.calls++ % 2 == 0) {
      times.floorMs = launcher.run("floor");
      times.diskstoreMs = launcher.run("diskstore");
      times.floorCdsMs = launcher.runWithArchive("floor");
      times.diskstoreCdsMs = launcher.runWithArchive("diskstore");
    } else {
      times.diskstoreCdsMs = launcher.runWithArchive("diskstore");
      times.floorCdsMs = launcher.runWithArchive("floor");
      times.diskstoreMs = launcher.run("diskstore");
      times.floorMs = launcher.run("floor");
    }
  }
}
