package dev.diskstore.s3;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * An in-process S3Proxy (signature checking on, {@code filesystem} provider in a directory the test
 * owns) that can be stopped and started again on the same port over the same data, to play a server
 * that goes away in the middle of a request and comes back. Not thread-safe, except that {@link
 * #stop()} may be called from any thread.
 */
final class RestartableS3Proxy implements AutoCloseable {
  private final BlobStore blobStore;
  private final int port;
  private volatile S3Proxy proxy;

  RestartableS3Proxy(Path directory) throws Exception {
    Files.createDirectories(directory);
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", directory.toString());
    properties.setProperty("jclouds.identity", SharedS3Proxy.ACCESS_KEY);
    properties.setProperty("jclouds.credential", SharedS3Proxy.SECRET_KEY);
    this.blobStore = BlobStores.create("filesystem", properties);
    this.port = freePort();
    start();
  }

  /** Starts serving on the port (again). */
  void start() throws Exception {
    S3Proxy started =
        S3Proxy.builder()
            .blobStore(blobStore)
            .endpoint(endpoint())
            .awsAuthentication(
                AuthenticationType.AWS_V2_OR_V4, SharedS3Proxy.ACCESS_KEY, SharedS3Proxy.SECRET_KEY)
            .stopTimeout(0)
            .build();
    started.start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!started.getState().equals("STARTED")) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start: " + started.getState());
      }
      Thread.sleep(5);
    }
    proxy = started;
  }

  /** Stops serving: connections are refused until {@link #start()}. */
  void stop() {
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop S3Proxy", e);
    }
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  @Override
  public void close() {
    stop();
    blobStore.close();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
