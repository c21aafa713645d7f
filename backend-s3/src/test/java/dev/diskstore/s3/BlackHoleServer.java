package dev.diskstore.s3;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP server that accepts every connection and then never reads a byte nor answers: an endpoint
 * behind a firewall that drops replies, a hung server, a load balancer without healthy targets.
 * Connections stay open until {@link #close()}. Thread-safe.
 */
final class BlackHoleServer implements AutoCloseable {
  private final ServerSocket server;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final Thread acceptor;

  BlackHoleServer() throws IOException {
    server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptForever, "black-hole-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void acceptForever() {
    while (!server.isClosed()) {
      try {
        accepted.add(server.accept());
        connections.incrementAndGet();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  /** {@code http://127.0.0.1:<port>}. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Connections accepted so far (one per request attempt, give or take reuse). */
  int connections() {
    return connections.get();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : accepted) {
      socket.close();
    }
  }
}
