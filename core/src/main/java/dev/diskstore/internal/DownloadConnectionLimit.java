package dev.diskstore.internal;

import java.lang.System.Logger.Level;
import java.nio.channels.SelectableChannel;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.AbstractConnector;

/**
 * Bounds the connections the download server holds open: once {@code max} are accepted (or being
 * accepted), the connector stops accepting, and new connections wait in the kernel's backlog until
 * one closes. Bounds the file descriptors and memory that clients, hostile or not, can make the
 * store's process spend; {@link DownloadHeadDeadline} makes sure idle and half-sent connections
 * give their place back within seconds.
 *
 * <p>Jetty's own {@code NetworkConnectionLimit} does the same but logs every crossing of the limit
 * at INFO, which under an attack that holds the server at its limit would write hundreds of lines a
 * second into the application's log; this one logs at DEBUG.
 *
 * <p>Registered as a bean of the connector before it starts; Jetty calls it from its acceptor and
 * selector threads. Thread-safe.
 */
final class DownloadConnectionLimit implements SelectorManager.AcceptListener {
  private static final System.Logger LOG = new LazyLogger(UrlServer.class.getName());

  private final AbstractConnector connector;
  private final int max;
  private final Object lock = new Object();

  /** Connections accepted or being accepted and not yet closed. Guarded by {@link #lock}. */
  private int open;

  /** Whether accepting is paused. Guarded by {@link #lock}. */
  private boolean limiting;

  DownloadConnectionLimit(AbstractConnector connector, int max) {
    this.connector = connector;
    this.max = max;
  }

  @Override
  public void onAccepting(SelectableChannel channel) {
    synchronized (lock) {
      open++;
      check();
    }
  }

  @Override
  public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
    synchronized (lock) {
      open--;
      check();
    }
  }

  @Override
  public void onClosed(SelectableChannel channel) {
    synchronized (lock) {
      open--;
      check();
    }
  }

  /** Connections open now. */
  int openCount() {
    synchronized (lock) {
      return open;
    }
  }

  private void check() {
    boolean full = open >= max;
    if (full != limiting) {
      limiting = full;
      connector.setAccepting(!full);
      LOG.log(
          Level.DEBUG,
          full
              ? "download URL server: {0} connections open, accepting paused"
              : "download URL server: below {0} connections, accepting again",
          max);
    }
  }
}
