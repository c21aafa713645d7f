package dev.diskstore.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Closes a connection whose request head has not fully arrived within a deadline of its opening.
 *
 * <p>Jetty parses request heads as bytes arrive, on its selector, so a half-sent request holds no
 * thread; but its idle timeout restarts with every byte, so a client trickling one byte at a time
 * (slowloris) could hold a connection, a file descriptor and a partial head for ever. This
 * listener, registered on the connector, schedules a check per connection when it opens; the
 * download handler calls {@link #headReceived} when a request reaches it, which cancels the check.
 * The server answers one request per connection ({@code Connection: close}), so the first head is
 * the only one.
 *
 * <p>Thread-safe: Jetty calls it from selector and worker threads, the scheduler from its own.
 */
final class DownloadHeadDeadline implements Connection.Listener {
  private final Scheduler scheduler;
  private final long deadlineMillis;

  /** Connections still waiting for their request head, with their scheduled check. */
  private final Map<Connection, Scheduler.Task> waiting = new ConcurrentHashMap<>();

  private final AtomicLong expired = new AtomicLong();

  DownloadHeadDeadline(Scheduler scheduler, long deadlineMillis) {
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

  /** The connection's request head is complete: it is no longer on the clock. */
  void headReceived(Connection connection) {
    cancel(connection);
  }

  /** Connections closed so far for missing their deadline. */
  long expiredCount() {
    return expired.get();
  }

  /** Connections currently waiting for their request head. */
  int waitingCount() {
    return waiting.size();
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
