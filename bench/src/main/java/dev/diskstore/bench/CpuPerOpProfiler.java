package dev.diskstore.bench;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time per operation, all threads of the fork: a JMH profiler ({@code -prof
 * dev.diskstore.bench.CpuPerOpProfiler}) that reads the process CPU time ({@code
 * com.sun.management.OperatingSystemMXBean#getProcessCpuTime}, user + system) before and after
 * each iteration and adds the secondary result {@code cpu/op}, in µs: the CPU nanoseconds spent in
 * the iteration divided by the operations the iteration counted on all its threads ({@code
 * IterationResult.getMetadata().getAllOps()}, as JMH's own {@code gc.alloc.rate.norm}).
 *
 * <p>The CPU counted is the whole fork's: the benchmark threads, background threads of the system
 * under test (DiskStore's full-text indexer, OpenDAL's runtime), GC and JIT compiler threads, and
 * JMH's own harness (small beside a durable write). The window is the iteration as JMH's profilers
 * see it: it starts before the benchmark threads start and ends after they all stopped, so it also
 * holds the {@code Level.Iteration} set-up and tear-down of the benchmark (none in the peer
 * benchmarks) and, with several threads, the operations run while the threads start and stop,
 * which {@code getAllOps()} counts too. Works in every mode: for single-shot iterations the
 * operation count is the batch size. Warm-up iterations are measured too and discarded by JMH.
 *
 * <p>Resolution: on Linux the JDK reads the process CPU time with {@code times(2)}, in clock ticks
 * of 10 ms, so an iteration's figure is exact to 10 ms ÷ its operation count: under 1 % for the
 * iterations of a second or more of the full and quick runs, meaningless for the 100 ms
 * iterations of the smoke run.
 *
 * <p>JMH creates one instance per fork and calls it from one thread; not thread-safe otherwise.
 */
public final class CpuPerOpProfiler implements InternalProfiler {
  private final com.sun.management.OperatingSystemMXBean os;
  private long before = -1;

  public CpuPerOpProfiler() {
    if (!(ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean bean)) {
      throw new IllegalStateException("this JVM does not report process CPU time");
    }
    this.os = bean;
  }

  @Override
  public String getDescription() {
    return "process CPU time (all threads of the fork) per operation, in µs";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmark, IterationParams iteration) {
    before = os.getProcessCpuTime();
  }

  @Override
  public Collection<? extends Result> afterIteration(BenchmarkParams benchmark,
      IterationParams iteration, IterationResult result) {
    long after = os.getProcessCpuTime();
    long ops = result.getMetadata().getAllOps();
    if (before < 0 || after < 0 || ops <= 0) {
      // -1: the platform does not report it; no operations: nothing to divide by
      return List.of();
    }
    double micros = (after - before) / 1e3 / ops;
    return List.of(new ScalarResult("cpu/op", micros, "us/op", AggregationPolicy.AVG));
  }
}
