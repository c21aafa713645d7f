package dev.diskstore.internal;

import dev.diskstore.StorageException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP/1.1 front end of the download-URL server, on Jetty 12 core (no servlets).
 *
 * <p><b>Why Jetty.</b> Jetty reads and parses request heads on its selector as bytes arrive, so an
 * idle or half-sent connection costs a file descriptor and a few kilobytes, not a thread: a client
 * holding a thousand of them does not starve downloads (the JDK's {@code HttpServer} reads heads on
 * its worker threads, which such clients exhausted). On top of Jetty's idle timeout, {@link
 * DownloadHeadDeadline} closes a connection whose head is not complete within {@link
 * DownloadLimits#headDeadline()} however slowly it trickles, and {@link DownloadConnectionLimit}
 * bounds open connections (see {@link DownloadLimits}).
 *
 * <p><b>Threads.</b> One bounded {@link QueuedThreadPool} of daemon threads named {@code
 * diskstore-url-server-<n>} (one of them accepts, one selects; the rest run requests; idle ones end
 * after 30 s) and one daemon scheduler thread, {@code diskstore-url-server-scheduler}. Requests
 * beyond the threads wait in the pool's queue, which the connection limit bounds. No JVM-wide
 * setting is left changed, no shutdown hook is registered.
 *
 * <p><b>URIs.</b> Jetty's URI compliance checks are all relaxed ({@link UriCompliance#UNSAFE}):
 * {@link UrlServer#check} decodes the raw path and query itself, strictly, and only a signed target
 * is ever served; Jetty's own rules would answer 400 to targets the store signs (an encoded {@code
 * %25}, for one) and hide the reasons the tests pin.
 *
 * <p><b>Logging.</b> Jetty logs through SLF4J; {@link QuietSlf4j} keeps SLF4J from printing
 * its "no providers" notice when the application has no SLF4J provider. Applications with a
 * provider see Jetty's usual INFO lines ({@code Started Server@...}) when the first URL is signed
 * and when the store closes.
 *
 * <p>The owning {@link UrlServer} starts it once and stops it once, after the start returned; the
 * accessors for figures are thread-safe.
 */
final class DownloadHttpServer {
  /**
   * Pending TCP connections the kernel holds for the acceptor (capped by {@code
   * net.core.somaxconn}); a burst of connections, or the ones waiting while {@link
   * DownloadLimits#maxConnections()} is reached, queues here. When it overflows, the kernel drops
   * handshakes: clients see a connection their server never heard of, or retry after a second.
   */
  static final int ACCEPT_BACKLOG = 1024;

  /**
   * Bytes of a request line and headers. Signed URLs for the longest legal paths (4,096 bytes, each
   * byte percent-encoded as three characters) and filenames reach about 13.3 KB.
   */
  static final int REQUEST_HEAD_BYTES = 20 * 1024;

  private static final int IDLE_THREAD_MILLIS = 30_000;

  private final Server server;
  private final QueuedThreadPool threads;
  private final DownloadHeadDeadline headDeadline;
  private final DownloadConnectionLimit connectionLimit;

  private DownloadHttpServer(
      Server server,
      QueuedThreadPool threads,
      DownloadHeadDeadline headDeadline,
      DownloadConnectionLimit connectionLimit) {
    this.server = server;
    this.threads = threads;
    this.headDeadline = headDeadline;
    this.connectionLimit = connectionLimit;
  }

  /**
   * Binds {@code address:port} for {@link #start}: cheap (no Jetty class is loaded), so that a URL
   * can name the port before the server is up. Connections wait in the backlog until it is.
   *
   * @throws StorageException if the address cannot be bound
   */
  static ServerSocketChannel bind(InetAddress address, int port) {
    ServerSocketChannel channel = null;
    try {
      channel = ServerSocketChannel.open();
      channel.socket().setReuseAddress(true);
      channel.bind(new InetSocketAddress(address, port), ACCEPT_BACKLOG);
      return channel;
    } catch (IOException e) {
      closeQuietly(channel);
      throw new StorageException(
          "cannot start the download URL server on "
              + UrlServer.hostLiteral(address)
              + ":"
              + port
              + ": "
              + e.getMessage(),
          false,
          e);
    }
  }

  /**
   * Starts serving {@code signer}'s URLs from {@code resolver} on {@code channel} (from {@link
   * #bind}), which the server then owns.
   *
   * @throws StorageException if Jetty does not start; the channel is closed, nothing is left
   *     running
   */
  static DownloadHttpServer start(
      ServerSocketChannel channel, DownloadLimits limits, UrlServer signer, UrlResolver resolver) {
    Server server = null;
    try {
      QuietSlf4j
          .quietSlf4jWithoutProvider(); // before the first Jetty class creates its logger

      QueuedThreadPool threads =
          new QueuedThreadPool(
              limits.maxThreads(), DownloadLimits.INFRASTRUCTURE_THREADS, IDLE_THREAD_MILLIS);
      threads.setName("diskstore-url-server");
      threads.setDaemon(true);
      threads.setReservedThreads(0); // no idle threads parked for latency
      ScheduledExecutorScheduler scheduler =
          new ScheduledExecutorScheduler("diskstore-url-server-scheduler", true);
      server = new Server(threads, scheduler, null);
      server.setStopAtShutdown(false);
      server.setStopTimeout(0);
      server.setErrorHandler(new DownloadErrorHandler());

      HttpConfiguration http = new HttpConfiguration();
      http.setSendServerVersion(false);
      http.setSendXPoweredBy(false);
      http.setRequestHeaderSize(REQUEST_HEAD_BYTES);
      http.setUriCompliance(UriCompliance.UNSAFE);
      http.setPersistentConnectionsEnabled(false);

      ServerConnector connector =
          new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
      connector.open(channel);
      connector.setIdleTimeout(limits.idleTimeout().toMillis());
      DownloadHeadDeadline headDeadline =
          new DownloadHeadDeadline(scheduler, limits.headDeadline().toMillis());
      connector.addEventListener(headDeadline);
      DownloadConnectionLimit connectionLimit =
          new DownloadConnectionLimit(connector, limits.maxConnections());
      connector.addBean(connectionLimit);
      server.addConnector(connector);

      server.setHandler(new DownloadHandler(signer, resolver, headDeadline));
      server.start();
      return new DownloadHttpServer(server, threads, headDeadline, connectionLimit);
    } catch (Exception e) {
      if (server != null) {
        stopQuietly(server);
      }
      closeQuietly(channel);
      throw new StorageException(
          "cannot start the download URL server: " + e.getMessage(), false, e);
    }
  }

  private static void closeQuietly(@Nullable ServerSocketChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing listens on it any more either way
      }
    }
  }

  /** Threads of the pool right now (acceptor and selector included). */
  int threadCount() {
    return threads.getThreads();
  }

  /** Connections closed so far because their request head missed the deadline. */
  long headDeadlinesMissed() {
    return headDeadline.expiredCount();
  }

  /** Connections open right now. */
  int openConnections() {
    return connectionLimit.openCount();
  }

  /** Stops listening, cuts open connections and ends the threads; no grace period. */
  void stop() {
    stopQuietly(server);
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception e) {
      // Stopping closes sockets and joins threads; a failure leaves only daemon threads behind.
      System.getLogger(UrlServer.class.getName())
          .log(System.Logger.Level.DEBUG, "stopping the download URL server failed", e);
    }
  }
}
