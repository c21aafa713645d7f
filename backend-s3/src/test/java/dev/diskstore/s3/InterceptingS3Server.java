package dev.diskstore.s3;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An S3 endpoint that is a real HTTP server in front of a real S3Proxy, and can change what goes
 * through: answer a request itself (a server lacking a call), or change a response (a server that
 * returns other bytes than it stored). The front is a JDK {@link HttpServer}; it forwards every
 * request it does not answer itself to S3Proxy with {@link HttpClient} and sends back the answer,
 * as {@link Handler} decides.
 *
 * <p>The S3Proxy behind it checks no signatures ({@link AuthenticationType#NONE}): the client signs
 * the front's {@code Host}, and forwarding changes it. Tests of credentials use {@link
 * SharedS3Proxy}. Thread-safe; {@link #close()} stops both servers.
 */
final class InterceptingS3Server implements AutoCloseable {
  /** Decides what the front answers to one request. */
  @FunctionalInterface
  interface Handler {
    /**
     * @param upstream forwards a request to S3Proxy and returns its answer
     */
    Answer handle(Request request, Upstream upstream) throws IOException;
  }

  /** Forwards a request to S3Proxy. */
  @FunctionalInterface
  interface Upstream {
    Answer forward(Request request) throws IOException;
  }

  /** An HTTP request as the front received it; {@code rawQuery} is "" when there is none. */
  record Request(
      String method,
      String rawPath,
      String rawQuery,
      Map<String, List<String>> headers,
      byte[] body) {
    /**
     * Whether the query has a parameter named {@code name} ({@code ?uploads}, {@code ?uploadId=}).
     */
    boolean hasQueryParameter(String name) {
      for (String parameter : rawQuery.split("&")) {
        if (parameter.equals(name) || parameter.startsWith(name + "=")) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String toString() {
      return method + " " + rawPath + (rawQuery.isEmpty() ? "" : "?" + rawQuery);
    }
  }

  /** An HTTP response; header names in lower case. */
  record Answer(int status, Map<String, List<String>> headers, byte[] body) {
    /** A copy with another body and the headers without {@code removed} (lower case). */
    Answer withBody(byte[] newBody, Set<String> removed) {
      Map<String, List<String>> kept = new TreeMap<>();
      headers.forEach(
          (name, values) -> {
            if (!removed.contains(name)) {
              kept.put(name, values);
            }
          });
      return new Answer(status, kept, newBody);
    }
  }

  /** Headers {@link HttpClient} sets itself and refuses to take from the caller. */
  private static final Set<String> RESTRICTED_REQUEST_HEADERS =
      Set.of("connection", "content-length", "expect", "host", "upgrade", "transfer-encoding");

  /** Headers of the upstream answer that the front recomputes for what it sends. */
  private static final Set<String> HOP_RESPONSE_HEADERS =
      Set.of("content-length", "transfer-encoding", "connection", "date", "keep-alive");

  private final BlobStore blobStore;
  private final S3Proxy proxy;
  private final URI upstreamEndpoint;
  private final HttpServer front;
  private final ExecutorService frontThreads;
  private final HttpClient forwarder;
  private final Handler handler;
  private final List<String> requests = new CopyOnWriteArrayList<>();

  InterceptingS3Server(Handler handler) throws Exception {
    this.handler = handler;
    Properties properties = new Properties();
    properties.setProperty("jclouds.identity", SharedS3Proxy.ACCESS_KEY);
    properties.setProperty("jclouds.credential", SharedS3Proxy.SECRET_KEY);
    blobStore = BlobStores.create("transient", properties);
    upstreamEndpoint = URI.create("http://127.0.0.1:" + freePort());
    proxy =
        S3Proxy.builder()
            .blobStore(blobStore)
            .endpoint(upstreamEndpoint)
            .awsAuthentication(AuthenticationType.NONE, null, null)
            .stopTimeout(0)
            .build();
    proxy.start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!proxy.getState().equals("STARTED")) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
      }
      Thread.sleep(5);
    }
    forwarder =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    front = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    frontThreads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "intercepting-s3");
              t.setDaemon(true);
              return t;
            });
    front.setExecutor(frontThreads);
    front.createContext("/", this::serve);
    front.start();
    try (S3Client admin = admin()) {
      admin.createBucket(b -> b.bucket(SharedS3Proxy.BUCKET));
    }
  }

  /** The front: what the backend under test talks to. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + front.getAddress().getPort());
  }

  /** A client for S3Proxy itself, bypassing the front (to look at what is really stored). */
  S3Client admin() {
    return SharedS3Proxy.adminClient(upstreamEndpoint);
  }

  /** Every request the front received, as {@code METHOD /path?query}, in arrival order. */
  List<String> requests() {
    return List.copyOf(requests);
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      URI uri = exchange.getRequestURI();
      Map<String, List<String>> headers = new TreeMap<>();
      exchange
          .getRequestHeaders()
          .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
      Request request =
          new Request(
              exchange.getRequestMethod(),
              uri.getRawPath(),
              uri.getRawQuery() == null ? "" : uri.getRawQuery(),
              headers,
              exchange.getRequestBody().readAllBytes());
      requests.add(request.toString());
      Answer answer;
      try {
        answer = handler.handle(request, this::forward);
      } catch (IOException | RuntimeException e) {
        answer = new Answer(502, Map.of(), new byte[0]);
      }
      answer
          .headers()
          .forEach(
              (name, values) -> {
                if (!HOP_RESPONSE_HEADERS.contains(name)) {
                  exchange.getResponseHeaders().put(name, values);
                }
              });
      boolean head = request.method().equals("HEAD");
      if (head) {
        // The JDK server sends no body for HEAD; the length of the object goes in the header.
        List<String> length = answer.headers().get("content-length");
        if (length != null) {
          exchange.getResponseHeaders().put("Content-Length", length);
        }
        exchange.sendResponseHeaders(answer.status(), -1);
      } else if (answer.body().length == 0 || answer.status() == 204 || answer.status() == 304) {
        exchange.sendResponseHeaders(answer.status(), -1);
      } else {
        exchange.sendResponseHeaders(answer.status(), answer.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(answer.body());
        }
      }
    }
  }

  private Answer forward(Request request) throws IOException {
    URI target =
        URI.create(
            upstreamEndpoint
                + request.rawPath()
                + (request.rawQuery().isEmpty() ? "" : "?" + request.rawQuery()));
    HttpRequest.Builder forwarded =
        HttpRequest.newBuilder(target)
            .method(
                request.method(),
                request.body().length == 0
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(request.body()));
    request
        .headers()
        .forEach(
            (name, values) -> {
              if (!RESTRICTED_REQUEST_HEADERS.contains(name)) {
                values.forEach(value -> forwarded.header(name, value));
              }
            });
    HttpResponse<byte[]> response;
    try {
      response = forwarder.send(forwarded.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while forwarding " + request, e);
    }
    Map<String, List<String>> headers = new TreeMap<>();
    response
        .headers()
        .map()
        .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
    return new Answer(response.statusCode(), headers, response.body());
  }

  @Override
  public void close() throws Exception {
    front.stop(0);
    frontThreads.shutdownNow();
    proxy.stop();
    blobStore.close();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
