package dev.diskstore.server;

import dev.diskstore.DiskStore;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.jspecify.annotations.Nullable;

/**
 * A local Acontext: the {@code /api/v1} disk API of <a
 * href="https://github.com/memodb-io/Acontext">Acontext</a> over a {@link DiskStore}, on HTTP/1.1,
 * for the official Python and TypeScript SDKs ({@code base_url="http://127.0.0.1:8029/api/v1"}).
 *
 * <pre>{@code
 * try (DiskStore store = DiskStore.local(dir);
 *     DiskStoreServer server = DiskStoreServer.builder(store).token("sk-ac-secret").build().start()) {
 *   System.out.println(server.baseUri());   // http://127.0.0.1:8029/api/v1
 *   server.awaitStop();                      // or keep running until close()
 * }
 * }</pre>
 *
 * <p><b>Contract.</b> The routes, envelope and shapes are those the SDKs send and read (see the
 * module README and {@code {prefix}/openapi.json}); extensions beyond Acontext (conditional writes,
 * move, full-text and metadata search, ranged downloads) are marked there.
 *
 * <p><b>Auth.</b> {@code Authorization: Bearer <token>}; each token is a project. A disk of another
 * project answers 404 exactly as a missing one. Without tokens the server is <em>open</em>: any
 * bearer (or none) is accepted and every caller is the store's own project ({@link
 * DiskStore#projectId()}); an open server only binds a loopback address ({@link Builder#build}
 * refuses anything else).
 *
 * <p><b>Download URLs.</b> {@code with_public_url} returns what the store's signer returns: with
 * {@link Builder#materialUrls} wired in (see {@link MaterialUrlSigner}), URLs on this server's
 * {@code {prefix}/material/{token}}; with an S3 backend, S3 presigned URLs.
 *
 * <p><b>Mounts.</b> {@link Builder#mount} serves other handlers beside the API (the MCP module's
 * Streamable HTTP endpoint, say) behind the same tokens, telling them the caller's project in
 * {@link #PROJECT_ATTRIBUTE}.
 *
 * <p><b>Ownership.</b> The caller opens and closes the {@link DiskStore}; the server never closes
 * it. {@link #close()} stops the server (listening socket, connections, threads) and is
 * idempotent; it does not wait for requests in flight, which fail. Close the server before the
 * store.
 *
 * <p><b>Threads.</b> One bounded Jetty pool ({@link Builder#maxThreads}, daemon threads {@code
 * diskstore-server-<n>}) runs requests; idle and half-sent connections hold no thread, only a
 * socket (bounded by {@link Builder#maxConnections}). Methods of this class are thread-safe.
 */
public final class DiskStoreServer implements AutoCloseable {
  /** The port Acontext's API listens on by default. */
  public static final int DEFAULT_PORT = 8029;

  public static final String DEFAULT_PREFIX = "/api/v1";

  /**
   * The request attribute in which a {@linkplain Builder#mount mounted} handler finds the
   * authenticated caller's project id (a {@code String}; with servlets, the servlet request
   * attribute of the same name).
   */
  public static final String PROJECT_ATTRIBUTE = "dev.diskstore.server.project";

  private final Builder config;
  private final Object lock = new Object();
  private @Nullable Server server;
  private @Nullable ServerConnector connector;
  private boolean started;
  private boolean closed;

  private DiskStoreServer(Builder config) {
    this.config = config;
  }

  /** A builder serving {@code store}, which the caller keeps owning. */
  public static Builder builder(DiskStore store) {
    return new Builder(store);
  }

  /**
   * Binds and starts serving; returns this.
   *
   * @throws StorageException if the address cannot be bound or Jetty does not start (nothing is
   *     left running)
   * @throws IllegalStateException if started before, or closed
   */
  public DiskStoreServer start() {
    synchronized (lock) {
      if (started || closed) {
        throw new IllegalStateException(closed ? "the server is closed" : "already started");
      }
      started = true;
      Server s = null;
      try {
        QueuedThreadPool threads = new QueuedThreadPool(config.maxThreads, 4, 30_000);
        threads.setName("diskstore-server");
        threads.setDaemon(true);
        threads.setReservedThreads(0);
        ScheduledExecutorScheduler scheduler =
            new ScheduledExecutorScheduler("diskstore-server-scheduler", true);
        s = new Server(threads, scheduler, null);
        s.setStopAtShutdown(false);
        s.setStopTimeout(0);

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(config.maxRequestHeaderBytes);
        ServerConnector c = new ServerConnector(s, 1, 1, new HttpConnectionFactory(http));
        c.setHost(config.host.getHostAddress());
        c.setPort(config.port);
        c.setIdleTimeout(config.idleTimeout.toMillis());
        c.setAcceptQueueSize(1024);
        HeadDeadline headDeadline = new HeadDeadline(scheduler, config.requestHeadTimeout.toMillis());
        c.addEventListener(headDeadline);
        s.addConnector(c);
        s.addBean(new NetworkConnectionLimit(config.maxConnections, c));
        s.setErrorHandler(new JsonErrorHandler());
        Projects projects = new Projects(config.tokens, config.store.projectId());
        Handler api =
            new ApiHandler(
                config.store,
                config.prefix,
                projects,
                config.materialUrls,
                openApiDocument(),
                headDeadline);
        if (config.mounts.isEmpty() && !config.webUi) {
          s.setHandler(api);
        } else {
          Handler.Sequence sequence = new Handler.Sequence();
          if (config.webUi) {
            sequence.addHandler(new UiHandler(config.prefix, headDeadline));
          }
          config.mounts.forEach(
              (path, handler) ->
                  sequence.addHandler(new MountHandler(path, handler, projects, headDeadline)));
          sequence.addHandler(api);
          s.setHandler(sequence);
        }
        c.open();
        this.connector = c;
        if (config.materialUrls != null) {
          config.materialUrls.bind(advertised(c.getLocalPort()));
        }
        s.start();
        this.server = s;
        return this;
      } catch (Exception e) {
        if (s != null) {
          stopQuietly(s);
        }
        throw new StorageException(
            "cannot start the DiskStore server on "
                + config.host.getHostAddress()
                + ":"
                + config.port
                + ": "
                + e.getMessage(),
            false,
            e);
      }
    }
  }

  private URI advertised(int port) {
    if (config.advertisedUri != null) {
      return URI.create(stripSlash(config.advertisedUri.toString()));
    }
    String host = config.host.getHostAddress();
    if (config.host.isAnyLocalAddress()) {
      host = InetAddress.getLoopbackAddress().getHostAddress();
    }
    if (host.indexOf(':') >= 0) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + port + config.prefix);
  }

  /** The bound port (the ephemeral one when configured with 0). */
  public int port() {
    synchronized (lock) {
      if (connector == null) {
        throw new IllegalStateException("not started");
      }
      return connector.getLocalPort();
    }
  }

  /**
   * The base URL the SDKs take, ending in the prefix without a slash: {@code
   * http://127.0.0.1:8029/api/v1} (or the {@link Builder#advertisedUri} when set).
   */
  public URI baseUri() {
    return advertised(port());
  }

  /**
   * The address of the web view, {@code http://127.0.0.1:8029/ui/} (on the host of {@link
   * #baseUri()}), when it is served ({@link Builder#webUi}).
   */
  public Optional<URI> uiUri() {
    if (!config.webUi) {
      return Optional.empty();
    }
    return Optional.of(baseUri().resolve(UiHandler.PATH + "/"));
  }

  /** Connections open right now. */
  public int openConnections() {
    synchronized (lock) {
      return connector == null ? 0 : connector.getConnectedEndPoints().size();
    }
  }

  /** Blocks until the server stops (after {@link #close()} from another thread). */
  public void awaitStop() throws InterruptedException {
    Server s;
    synchronized (lock) {
      s = server;
    }
    if (s != null) {
      s.join();
    }
  }

  /** Stops listening, cuts open connections, ends the threads. Idempotent; never closes the store. */
  @Override
  public void close() {
    Server s;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      s = server;
      server = null;
    }
    if (s != null) {
      stopQuietly(s);
    }
  }

  private static void stopQuietly(Server s) {
    try {
      s.stop();
    } catch (Exception e) {
      // sockets are closed and threads are daemons either way
    }
  }

  /** The checked-in OpenAPI document ({@code openapi.json} beside this class). */
  static byte[] openApiDocument() {
    try (InputStream in = DiskStoreServer.class.getResourceAsStream("openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is missing from the server jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read openapi.json", e);
    }
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "DiskStoreServer["
          + (connector == null ? "not started" : config.host.getHostAddress() + ":" + port())
          + config.prefix
          + "]";
    }
  }

  /** Jetty's own refusals (431 heads too large, 400 malformed requests) as JSON envelopes. */
  private static final class JsonErrorHandler extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      int status = response.getStatus();
      Object message = request.getAttribute(ERROR_MESSAGE);
      String text =
          message instanceof String m && !m.isEmpty()
              ? m
              : status == 431 ? "request header fields too large" : "bad request";
      ApiHandler.writeJson(response, status, WireJson.error(status, text), callback);
      return true;
    }
  }

  /**
   * Settings of a {@link DiskStoreServer}. Defaults: host {@code 127.0.0.1}, port {@value
   * #DEFAULT_PORT}, prefix {@code /api/v1}, no tokens (open, loopback only), 16 KiB request heads
   * arriving within 10 s, 30 s idle timeout, 32 threads, 2,048 connections. Not thread-safe; {@link #build()} copies.
   */
  public static final class Builder {
    private final DiskStore store;
    private InetAddress host = InetAddress.getLoopbackAddress();
    private int port = DEFAULT_PORT;
    private String prefix = DEFAULT_PREFIX;
    private final List<Projects.Entry> tokens = new ArrayList<>();
    private @Nullable MaterialUrlSigner materialUrls;
    private @Nullable URI advertisedUri;
    private int maxRequestHeaderBytes = 16 * 1024;
    private Duration idleTimeout = Duration.ofSeconds(30);
    private Duration requestHeadTimeout = Duration.ofSeconds(10);
    private int maxThreads = 32;
    private int maxConnections = 2048;
    private final Map<String, Handler> mounts = new LinkedHashMap<>();
    private boolean webUi;

    private Builder(DiskStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    private Builder(Builder other) {
      this.store = other.store;
      this.host = other.host;
      this.port = other.port;
      this.prefix = other.prefix;
      this.tokens.addAll(other.tokens);
      this.materialUrls = other.materialUrls;
      this.advertisedUri = other.advertisedUri;
      this.maxRequestHeaderBytes = other.maxRequestHeaderBytes;
      this.idleTimeout = other.idleTimeout;
      this.requestHeadTimeout = other.requestHeadTimeout;
      this.maxThreads = other.maxThreads;
      this.maxConnections = other.maxConnections;
      this.mounts.putAll(other.mounts);
      this.webUi = other.webUi;
    }

    /** The address to bind; a non-loopback address needs at least one token. */
    public Builder host(InetAddress host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The address to bind, by name or literal ({@code 127.0.0.1}, {@code 0.0.0.0}, {@code ::1}). */
    public Builder host(String host) {
      Objects.requireNonNull(host, "host");
      try {
        return host(InetAddress.getByName(host));
      } catch (UnknownHostException e) {
        throw new InvalidRequestException("unknown host " + host);
      }
    }

    /** The port; 0 picks a free one ({@link DiskStoreServer#port()} tells which). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new InvalidRequestException("port must be 0-65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /** The path prefix of every route, {@code /api/v1} by default; {@code ""} for none. */
    public Builder prefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      String p = stripSlash(prefix);
      if (!p.isEmpty() && (!p.startsWith("/") || p.contains("//") || p.contains("?"))) {
        throw new InvalidRequestException("prefix must look like /api/v1, was " + prefix);
      }
      this.prefix = p;
      return this;
    }

    /**
     * A bearer token whose project id is derived from it: a UUID made of its SHA-256, the same on
     * every start.
     */
    public Builder token(String token) {
      return project(null, token);
    }

    /** A bearer token for project {@code projectId}; several tokens may share a project. */
    public Builder project(@Nullable String projectId, String token) {
      Objects.requireNonNull(token, "token");
      if (token.isBlank()) {
        throw new InvalidRequestException("a token must not be blank");
      }
      if (projectId != null && !projectId.matches("[A-Za-z0-9._:-]{1,128}")) {
        throw new InvalidRequestException(
            "a project id is 1-128 characters from [A-Za-z0-9._:-], was \"" + projectId + "\"");
      }
      tokens.add(Projects.entry(token, projectId));
      return this;
    }

    /** The signer whose URLs this server serves on {@code {prefix}/material/{token}}. */
    public Builder materialUrls(@Nullable MaterialUrlSigner signer) {
      this.materialUrls = signer;
      return this;
    }

    /**
     * The base URL clients reach the server at, when it is not {@code http://<host>:<port><prefix>}
     * (a reverse proxy, a wildcard bind): used for material URLs and {@link #baseUri()}.
     */
    public Builder advertisedUri(@Nullable URI uri) {
      this.advertisedUri = uri;
      return this;
    }

    /** Bytes of a request line plus headers; larger heads get 431. Default 16 KiB. */
    public Builder maxRequestHeaderBytes(int bytes) {
      if (bytes < 1024 || bytes > 1024 * 1024) {
        throw new InvalidRequestException("maxRequestHeaderBytes must be 1 KiB-1 MiB, was " + bytes);
      }
      this.maxRequestHeaderBytes = bytes;
      return this;
    }

    /** How long a connection may stay silent (also mid-request) before it is closed. Default 30 s. */
    public Builder idleTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.compareTo(Duration.ofMillis(100)) < 0) {
        throw new InvalidRequestException("idleTimeout must be at least 100 ms, was " + timeout);
      }
      this.idleTimeout = timeout;
      return this;
    }

    /**
     * How long a new connection may take to deliver its first complete request head, however
     * slowly its bytes trickle (slowloris); then it is closed. Default 10 s.
     */
    public Builder requestHeadTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.compareTo(Duration.ofMillis(100)) < 0) {
        throw new InvalidRequestException(
            "requestHeadTimeout must be at least 100 ms, was " + timeout);
      }
      this.requestHeadTimeout = timeout;
      return this;
    }

    /**
     * Threads of the pool (bounding the requests served at once; an acceptor and a selector
     * included). Default 32, at least 8.
     */
    public Builder maxThreads(int threads) {
      if (threads < 8 || threads > 10_000) {
        throw new InvalidRequestException("maxThreads must be 8-10000, was " + threads);
      }
      this.maxThreads = threads;
      return this;
    }

    /** Connections held open at once; more wait in the kernel's backlog. Default 2,048. */
    public Builder maxConnections(int connections) {
      if (connections < 1) {
        throw new InvalidRequestException("maxConnections must be at least 1, was " + connections);
      }
      this.maxConnections = connections;
      return this;
    }

    /**
     * Serves {@code handler} at {@code path} (e.g. {@code /mcp}) beside the API: every request to
     * {@code path} or below it is authenticated with the same bearer tokens as the API (no valid
     * token: the API's 401, and the handler is not called) and then handed to {@code handler},
     * with the caller's project id in the request attribute {@link #PROJECT_ATTRIBUTE}; the
     * handler answers with the full request path (nothing is stripped). The server starts and
     * stops the handler with itself; a handler belongs to one server. Requests it declines get a
     * JSON 404.
     *
     * @throws InvalidRequestException if the path is malformed, already mounted, or overlaps the
     *     API prefix
     */
    public Builder mount(String path, Handler handler) {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(handler, "handler");
      String p = stripSlash(path);
      if (!p.startsWith("/") || p.length() < 2 || p.contains("//") || p.contains("?")) {
        throw new InvalidRequestException("a mount path must look like /mcp, was " + path);
      }
      if (mounts.containsKey(p)) {
        throw new InvalidRequestException(p + " is already mounted");
      }
      this.mounts.put(p, handler);
      return this;
    }

    /**
     * Serves the web view at {@code /ui/} (off by default; {@code diskstore serve} turns it on): a
     * page in the browser that lists disks, browses, previews, searches, uploads, edits metadata
     * and restores versions through this server's API, with a bearer token the user enters (so it
     * shows what that token's project holds, nothing else). Its files need no token; they are
     * served with a strict Content-Security-Policy. {@link #uiUri()} tells the address.
     *
     * @throws InvalidRequestException if a mount is at {@code /ui} (checked by {@link #build()})
     */
    public Builder webUi(boolean serve) {
      this.webUi = serve;
      return this;
    }

    /**
     * The server, not started.
     *
     * @throws InvalidRequestException if the host is not a loopback address and no token is set
     */
    public DiskStoreServer build() {
      if (tokens.isEmpty() && !host.isLoopbackAddress()) {
        throw new InvalidRequestException(
            "refusing to serve "
                + host.getHostAddress()
                + " without a token: an open server (no tokens) binds loopback only; add"
                + " token(...) or project(...)");
      }
      if (webUi && mounts.keySet().stream().anyMatch(p -> overlaps(p, UiHandler.PATH))) {
        throw new InvalidRequestException("a mount overlaps the web view at " + UiHandler.PATH);
      }
      if (webUi && (prefix.equals(UiHandler.PATH) || prefix.startsWith(UiHandler.PATH + "/"))) {
        throw new InvalidRequestException(
            "the API prefix " + prefix + " overlaps the web view at " + UiHandler.PATH);
      }
      for (String path : mounts.keySet()) {
        boolean overlapsAnother =
            mounts.keySet().stream().anyMatch(other -> !other.equals(path) && overlaps(path, other));
        if (prefix.isEmpty() || overlaps(path, prefix) || overlapsAnother) {
          throw new InvalidRequestException(
              "the mount " + path + " overlaps the API prefix \"" + prefix + "\" or another mount");
        }
      }
      return new DiskStoreServer(new Builder(this));
    }

    private static boolean overlaps(String a, String b) {
      return a.equals(b) || a.startsWith(b + "/") || b.startsWith(a + "/");
    }
  }
}
