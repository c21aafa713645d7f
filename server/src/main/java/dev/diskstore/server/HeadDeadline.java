package dev.diskstore.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Closes a connection whose first request head has not fully arrived within a deadline of its
 * opening (slowloris): Jetty's idle timeout restarts with every byte, so without this a client
 * trickling a byte at a time would hold a connection for ever. The handler calls {@link
 * #headReceived} when a request reaches it. Later requests on a kept-alive connection are bounded
 * by the idle timeout only (a client must have completed one request first).
 *
 * <p>Thread-safe: Jetty calls it from selector and worker threads, the scheduler from its own.
 */
final class HeadDeadline implements Connection.Listener {
  private final Scheduler scheduler;
  private final long deadlineMillis;
  private final Map<Connection, Scheduler.Task> waiting = new ConcurrentHashMap<>();
  private final AtomicLong expired = new AtomicLong();

  HeadDeadline(Scheduler scheduler, long deadlineMillis) {
    this.scheduler = scheduler;
    this.deadlineMillis = deadlineMillis;
  }

  @Override
  public void onOpened(Connection connection) {
    waiting.put(
        connection,
        scheduler.schedule(() -> expire(connection), deadlineMillis, TimeUnit.MILLISECONDS));
  }

  @Override
  public void onClosed(Connection connection) {
    cancel(connection);
  }

  /** The connection delivered a complete request head: it is off the clock. */
  void headReceived(Connection connection) {
    cancel(connection);
  }

  /** Connections closed so far for missing the deadline. */
  long expiredCount() {
    return expired.get();
  }

  private void cancel(Connection connection) {
    Scheduler.Task task = waiting.remove(connection);
    if (task != null) {
      task.cancel();
    }
  }

  private void expire(Connection connection) {
    if (waiting.remove(connection) != null) {
      expired.incrementAndGet();
      connection.getEndPoint().close();
    }
  }
}
