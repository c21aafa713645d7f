package dev.diskstore.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Peers in the same run, eight writers: total throughput (upserts per second, all threads
 * together) of 8 threads storing 1 KiB of new, unique bytes under new names into one store, for
 * DiskStore, Apache OpenDAL ({@code fs}) and the jclouds filesystem blobstore, against the floor on
 * one thread ({@code floor1Thread}, the baseline: the ratio is 8-thread ops/s ÷ single-thread floor
 * ops/s) and on 8 threads ({@code floor8Threads}).
 *
 * <p>The stores and the write are {@link PeerBench}'s ({@link PeerBench.System#upsert}), shared by
 * the threads of a fork: one counter ({@code AtomicLong}) numbers the uploads, each call makes its
 * own bytes. What each system gives:
 *
 * <ul>
 *   <li>DiskStore (as shipped, one store): blob fsync, rename, directory fsync, SQLite commit at
 *       {@code synchronous=FULL}; concurrent commits share one WAL fsync (group commit);
 *   <li>floor ({@link FloorStore}, one writer connection): the same durable steps; the file work
 *       runs on the 8 threads at once, the {@code INSERT}s commit one at a time, one WAL fsync
 *       each (no group commit);
 *   <li>OpenDAL 0.48 {@code fs}, one {@code Operator} (the binding calls into one Rust operator,
 *       which is {@code Sync}, without locking): fsyncs the file, neither renames it into place nor
 *       fsyncs the directory;
 *   <li>jclouds 2.7 filesystem, one {@code BlobStore}: never fsyncs.
 * </ul>
 *
 * Throughput mode, so that the ratio is a division of two scores; the set-up is per trial, as in
 * {@link PeerBench}, so a fork's files accumulate in one directory ({@code w/}) over its
 * iterations.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class PeerConcurrentBench {

  @Benchmark
  @Threads(8)
  public void diskstore8Threads(PeerBench.Diskstore s) {
    s.upsert();
  }

  @Benchmark
  @Threads(1)
  public void floor1Thread(PeerBench.Floor s) {
    s.upsert();
  }

  @Benchmark
  @Threads(8)
  public void floor8Threads(PeerBench.Floor s) {
    s.upsert();
  }

  @Benchmark
  @Threads(8)
  public void jclouds8Threads(PeerBench.Jclouds s) {
    s.upsert();
  }

  @Benchmark
  @Threads(8)
  public void opendal8Threads(PeerBench.Opendal s) {
    s.upsert();
  }
}
