package dev.diskstore.reliability;

import dev.diskstore.DiskStoreException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one call of the hostile-input suite with a time limit and classifies its outcome: a value,
 * or a typed {@link DiskStoreException}. Anything else (another exception, an {@link Error} such as
 * a stack overflow, a call that outlives its limit) is an {@link AssertionError} naming the call.
 *
 * <p>A call that outlives its limit is stopped with {@link Thread#stop()} (still available on Java
 * 17): a runaway regular expression cannot be interrupted otherwise, and leaving it running would
 * slow every later case. Not thread-safe: one caller at a time.
 */
final class Guard {
  /** The outcome of a call: exactly one of value and failure is set. */
  record Outcome<T>(T value, DiskStoreException failure) {
    boolean ok() {
      return failure == null;
    }
  }

  private Guard() {}

  private static final class Runner extends Thread {
    private final Object lock = new Object();
    private Callable<?> task;
    private Object result;
    private Throwable thrown;
    private boolean done;

    Runner() {
      super("hostile-input-runner");
      setDaemon(true);
    }

    @Override
    public void run() {
      while (true) {
        Callable<?> next;
        synchronized (lock) {
          while (task == null) {
            try {
              lock.wait();
            } catch (InterruptedException e) {
              return;
            }
          }
          next = task;
        }
        Object value = null;
        Throwable failure = null;
        try {
          value = next.call();
        } catch (Throwable e) {
          failure = e;
        }
        synchronized (lock) {
          result = value;
          thrown = failure;
          done = true;
          task = null;
          lock.notifyAll();
        }
      }
    }
  }

  private static final AtomicReference<Runner> RUNNER = new AtomicReference<>();

  /**
   * Runs {@code call} within {@code limit}.
   *
   * @throws AssertionError for an untyped failure or a call that took longer than the limit
   */
  @SuppressWarnings({"unchecked", "deprecation"})
  static <T> Outcome<T> call(String what, Duration limit, Callable<T> call) {
    Runner runner = RUNNER.get();
    if (runner == null || !runner.isAlive()) {
      runner = new Runner();
      runner.start();
      RUNNER.set(runner);
    }
    long deadline = System.nanoTime() + limit.toNanos();
    Object value;
    Throwable thrown;
    synchronized (runner.lock) {
      runner.done = false;
      runner.task = call;
      runner.lock.notifyAll();
      while (!runner.done) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          RUNNER.set(null);
          runner.stop();
          throw new AssertionError(what + ": still running after " + limit + " (unbounded time)");
        }
        try {
          runner.lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(what + ": interrupted", e);
        }
      }
      value = runner.result;
      thrown = runner.thrown;
    }
    if (thrown == null) {
      return new Outcome<>((T) value, null);
    }
    if (thrown instanceof DiskStoreException typed) {
      return new Outcome<>(null, typed);
    }
    if (thrown instanceof AssertionError assertion) {
      throw assertion;
    }
    throw new AssertionError(what + ": untyped failure " + thrown, thrown);
  }
}
