package dev.diskstore.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP relay in front of a real server that plays a slow link: it passes bytes through unchanged
 * (so request signatures stay valid) at a fixed rate in each direction, and can stop passing the
 * answer after some bytes (a server that stops sending mid-response). Small socket buffers on its
 * side keep the pace visible to the client. One pair of daemon threads per connection. Thread-safe.
 */
final class PacedTcpRelay implements AutoCloseable {
  /** Socket buffer size on the relay's side: a few kilobytes, so that pacing shows at once. */
  private static final int BUFFER = 16 * 1024;

  private final URI upstream;
  private final long uploadBytesPerSecond;
  private final long downloadBytesPerSecond;
  private final long stallDownloadAfter;
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  /**
   * @param uploadBytesPerSecond pace from client to server; 0 for no limit
   * @param downloadBytesPerSecond pace from server to client; 0 for no limit
   * @param stallDownloadAfter bytes per connection after which the relay passes nothing more to the
   *     client (while keeping the connection open); -1 for never
   */
  PacedTcpRelay(
      URI upstream, long uploadBytesPerSecond, long downloadBytesPerSecond, long stallDownloadAfter)
      throws IOException {
    this.upstream = upstream;
    this.uploadBytesPerSecond = uploadBytesPerSecond;
    this.downloadBytesPerSecond = downloadBytesPerSecond;
    this.stallDownloadAfter = stallDownloadAfter;
    server = new ServerSocket();
    server.setReceiveBufferSize(BUFFER); // inherited by accepted sockets
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    daemon(this::acceptForever, "relay-accept").start();
  }

  /** {@code http://127.0.0.1:<port>}. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  private void acceptForever() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket target = new Socket();
        target.setReceiveBufferSize(BUFFER);
        target.connect(new InetSocketAddress(upstream.getHost(), upstream.getPort()));
        client.setSendBufferSize(BUFFER);
        target.setSendBufferSize(BUFFER);
        sockets.add(client);
        sockets.add(target);
        daemon(() -> pump(client, target, uploadBytesPerSecond, -1), "relay-up").start();
        daemon(() -> pump(target, client, downloadBytesPerSecond, stallDownloadAfter), "relay-down")
            .start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private static void pump(Socket from, Socket to, long bytesPerSecond, long stallAfter) {
    byte[] buffer = new byte[4096];
    long start = System.nanoTime();
    long total = 0;
    try {
      // Not closed here: closing a socket's stream closes the socket, and the other direction
      // may still be in use.
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (stallAfter >= 0 && total + n > stallAfter) {
          out.write(buffer, 0, (int) (stallAfter - total));
          out.flush();
          while (!to.isClosed()) {
            LockSupport.parkNanos(100_000_000L); // pass nothing more, keep the connection
          }
          return;
        }
        out.write(buffer, 0, n);
        total += n;
        if (bytesPerSecond > 0) {
          long due = start + total * 1_000_000_000L / bytesPerSecond;
          long wait;
          while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
          }
        }
      }
      to.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already broken
    }
  }

  private static Thread daemon(Runnable task, String name) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : sockets) {
      socket.close();
    }
  }
}
