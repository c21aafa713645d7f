package dev.diskstore.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diskstore.DiskNotFoundException;
import dev.diskstore.DiskStore;
import dev.diskstore.agent.DiskTools;
import dev.diskstore.agent.ToolDefinition;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.modelcontextprotocol.server.McpNotificationHandler;
import io.modelcontextprotocol.server.McpRequestHandler;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpServerSession;
import io.modelcontextprotocol.spec.McpServerTransportProviderBase;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import org.eclipse.jetty.server.Handler;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A Model Context Protocol server over a {@link DiskStore}: any MCP client (a desktop agent, an
 * agent built on an MCP SDK) can read, write, search and share the files of a disk.
 *
 * <pre>{@code
 * // stdio: one disk, for as long as the client keeps standard input open
 * try (DiskStore store = DiskStore.local(dir);
 *     DiskMcpServer mcp = DiskMcpServer.builder(store).disk(diskId).readOnly(false).build()) {
 *   mcp.serveStdio(System.in, System.out);
 * }
 * // Streamable HTTP on a DiskStoreServer, behind its bearer tokens:
 * DiskMcpServer mcp = DiskMcpServer.builder(store).anyDiskOfTheCaller().build();
 * DiskStoreServer server = DiskStoreServer.builder(store).token("sk-local")
 *     .mount("/mcp", mcp.httpHandler("/mcp")).build().start();
 * // clients connect to http://127.0.0.1:8029/mcp?disk=<disk id>
 * }</pre>
 *
 * <h2>What it serves</h2>
 *
 * <ul>
 *   <li><b>Tools:</b> every {@link DiskTools} tool, with its JSON Schema as {@code inputSchema}
 *       and its result text as the tool result; a result starting with {@code "Error:"} is an MCP
 *       tool error ({@code isError: true}) with the same self-explaining text. Tool calls never
 *       fail at the protocol level. Results are capped by DiskTools' output limit ({@link
 *       Builder#maxToolOutputChars}).
 *   <li><b>Resources:</b> every file as {@code diskstore://<disk>/<path>/<file>} (segments
 *       percent-encoded), listed a page at a time ({@code resources/list} with MCP cursors,
 *       ordered by path and name), read as text (text types, JSON, XML, YAML...) or as a base64
 *       blob with the file's content type, up to {@link Builder#maxResourceBytes}; one resource
 *       template {@code diskstore://<disk>/{+path}}.
 *   <li><b>Subscriptions:</b> {@code resources/subscribe} to a file's URI (existing or not); a
 *       change made <em>through this server's tools</em> sends {@code
 *       notifications/resources/updated} to every subscribed session. Changes made by other
 *       servers, other processes or the store API directly are not seen.
 * </ul>
 *
 * <h2>Safety</h2>
 *
 * One disk per server ({@link Builder#disk}) unless built with {@link
 * Builder#anyDiskOfTheCaller()}, where each HTTP request names a disk of the caller's project
 * (never another project's: those answer 404 like missing ones). {@link Builder#readOnly}: the
 * write tools ({@code write_file_disk}, {@code replace_string_disk}, {@code delete_file_disk},
 * {@code move_file_disk}, {@code restore_file_disk}) are not listed and calling them is a tool error. Paths go through the
 * store's path rules and {@link ResourceUri}'s strict parsing: nothing outside the disk can be
 * named.
 *
 * <p><b>Thread-safety.</b> Thread-safe; sessions are served concurrently (requests run on
 * Reactor's bounded elastic threads, since the store blocks).
 *
 * <p><b>Ownership.</b> The caller owns the store and closes it after this server. {@link #close()}
 * closes the sessions this server opened (stdio and HTTP) and is idempotent; an HTTP handler's
 * Jetty lifecycle belongs to the Jetty server it is mounted on.
 */
public final class DiskMcpServer implements AutoCloseable {
  /** The query parameter naming the disk of an HTTP request ({@code /mcp?disk=<id>}). */
  public static final String DISK_PARAMETER = "disk";

  /** The header naming the disk of an HTTP request, when the URL does not. */
  public static final String DISK_HEADER = "X-DiskStore-Disk";

  /** The transport context key under which the HTTP endpoint puts the request's checked disk. */
  static final String CONTEXT_DISK = "dev.diskstore.mcp.disk";

  static final Set<String> WRITE_TOOLS =
      Set.of("write_file_disk", "replace_string_disk", "delete_file_disk", "move_file_disk",
          "restore_file_disk");

  private static final System.Logger LOG = System.getLogger(DiskMcpServer.class.getName());
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private final DiskStore store;
  private final @Nullable String disk;
  private final boolean readOnly;
  private final long maxResourceBytes;
  private final int resourcePageSize;
  private final int maxToolOutputChars;
  private final McpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
  private final DiskResources resources;

  /** Resource URI → the sessions subscribed to it. */
  private final Map<String, Set<String>> subscriptions = new ConcurrentHashMap<>();

  /** Session id → the transport that reaches it, for notifications. */
  private final Map<String, McpServerTransportProviderBase> sessions = new ConcurrentHashMap<>();

  private final List<McpServerTransportProviderBase> transports = new CopyOnWriteArrayList<>();

  /** Released by {@link #close()}: the stdio sessions waiting for their input to end. */
  private final List<CountDownLatch> stdioSessions = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private DiskMcpServer(Builder b) {
    this.store = b.store;
    this.disk = b.disk;
    this.readOnly = b.readOnly;
    this.maxResourceBytes = b.maxResourceBytes;
    this.resourcePageSize = b.resourcePageSize;
    this.maxToolOutputChars = b.maxToolOutputChars;
    this.resources = new DiskResources(store, maxResourceBytes, resourcePageSize);
  }

  /** A builder over {@code store}, which the caller keeps owning. */
  public static Builder builder(DiskStore store) {
    return new Builder(store);
  }

  /** The one disk this server serves, or empty when each HTTP request names one. */
  public java.util.Optional<String> disk() {
    return java.util.Optional.ofNullable(disk);
  }

  /** Whether the write tools are withheld. */
  public boolean isReadOnly() {
    return readOnly;
  }

  // ------------------------------------------------------------------ transports

  /**
   * Serves one MCP session over newline-delimited JSON-RPC on {@code in} / {@code out} (the MCP
   * stdio transport) and returns once {@code in} ends (the client closed it) or this server is
   * closed ({@link #close()} from another thread). Only protocol messages are written to {@code
   * out}; log elsewhere (standard error).
   * Needs a server built with {@link Builder#disk}. Neither stream is closed.
   *
   * @throws IllegalStateException if the server serves no single disk, or is closed
   */
  public void serveStdio(InputStream in, OutputStream out) throws InterruptedException {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(out, "out");
    if (disk == null) {
      throw new IllegalStateException("stdio serves one disk: build the server with disk(id)");
    }
    requireOpen();
    CountDownLatch ended = new CountDownLatch(1);
    stdioSessions.add(ended);
    InputStream watched =
        new FilterInputStream(in) {
          @Override
          public int read() throws IOException {
            return watch(super.read());
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            return watch(super.read(b, off, len));
          }

          private int watch(int n) {
            if (n < 0) {
              ended.countDown();
            }
            return n;
          }

          @Override
          public void close() {
            ended.countDown(); // the caller owns the stream
          }
        };
    StdioServerTransportProvider transport =
        new StdioServerTransportProvider(json, watched, out);
    transports.add(transport);
    String sessionId = UUID.randomUUID().toString();
    transport.setSessionFactory(
        sessionTransport -> {
          sessions.put(sessionId, transport);
          return new McpServerSession(
              sessionId,
              REQUEST_TIMEOUT,
              sessionTransport,
              request -> initialize(request, transport.protocolVersions()),
              requestHandlers(),
              notificationHandlers(),
              () -> Mono.fromRunnable(() -> forget(sessionId)));
        });
    try {
      ended.await();
    } finally {
      try {
        transport.closeGracefully().block(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "closing the stdio session", e);
      }
      forget(sessionId);
      transports.remove(transport);
      stdioSessions.remove(ended);
    }
  }

  /**
   * The Streamable HTTP endpoint as a Jetty handler, to mount at {@code path} on a {@code
   * DiskStoreServer} ({@code builder.mount(path, mcp.httpHandler(path))}), which authenticates
   * callers and tells the handler their project. Each request names its disk with {@code
   * ?disk=<id>} or the {@value #DISK_HEADER} header (optional with {@link Builder#disk}, which
   * is then the only disk served); a missing disk, or one of another project, answers 404, and
   * a request without a disk 400, before any MCP processing. A handler outside a {@code
   * DiskStoreServer} mount (no caller project) answers 403.
   *
   * @param path the path the handler is mounted at, e.g. {@code /mcp}
   */
  public Handler httpHandler(String path) {
    requireOpen();
    return HttpEndpoint.create(this, path);
  }

  /** Registers an HTTP transport (see {@link HttpEndpoint}) and gives its session handlers. */
  void register(McpServerTransportProviderBase transport) {
    transports.add(transport);
  }

  void sessionStarted(String sessionId, McpServerTransportProviderBase transport) {
    sessions.put(sessionId, transport);
  }

  DiskStore store() {
    return store;
  }

  McpJsonMapper json() {
    return json;
  }

  Duration requestTimeout() {
    return REQUEST_TIMEOUT;
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the MCP server is closed");
    }
  }

  /** Closes every session this server opened. Idempotent; never closes the store. */
  @Override
  public void close() {
    closed = true;
    stdioSessions.forEach(CountDownLatch::countDown);
    for (McpServerTransportProviderBase transport : transports) {
      try {
        transport.closeGracefully().block(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "closing an MCP transport", e);
      }
    }
    transports.clear();
    sessions.clear();
    subscriptions.clear();
  }

  void forget(String sessionId) {
    sessions.remove(sessionId);
    subscriptions.values().forEach(s -> s.remove(sessionId));
    subscriptions.entrySet().removeIf(e -> e.getValue().isEmpty());
  }

  // ------------------------------------------------------------------ protocol

  Mono<McpSchema.InitializeResult> initialize(
      McpSchema.InitializeRequest request, List<String> protocolVersions) {
    String version =
        protocolVersions.contains(request.protocolVersion())
            ? request.protocolVersion()
            : protocolVersions.get(protocolVersions.size() - 1);
    McpSchema.ServerCapabilities capabilities =
        McpSchema.ServerCapabilities.builder().tools(false).resources(true, false).build();
    return Mono.just(
        new McpSchema.InitializeResult(
            version,
            capabilities,
            new McpSchema.Implementation("diskstore", "0.1.0"),
            instructions()));
  }

  private String instructions() {
    return "The tools whose names end in _disk work on one disk: a file store shared with the"
        + " user. Each file is also a resource, diskstore://<disk>/<path>/<file>."
        + (readOnly ? " This server is read-only: files can be read and searched, not changed." : "");
  }

  Map<String, McpRequestHandler<?>> requestHandlers() {
    Map<String, McpRequestHandler<?>> handlers = new HashMap<>();
    handlers.put(McpSchema.METHOD_PING, (exchange, params) -> Mono.just(Map.of()));
    handlers.put(McpSchema.METHOD_TOOLS_LIST, blocking(this::listTools));
    handlers.put(McpSchema.METHOD_TOOLS_CALL, blocking(this::callTool));
    handlers.put(McpSchema.METHOD_RESOURCES_LIST, blocking(this::listResources));
    handlers.put(McpSchema.METHOD_RESOURCES_READ, blocking(this::readResource));
    handlers.put(McpSchema.METHOD_RESOURCES_TEMPLATES_LIST, blocking(this::listTemplates));
    handlers.put(McpSchema.METHOD_RESOURCES_SUBSCRIBE, blocking(this::subscribe));
    handlers.put(McpSchema.METHOD_RESOURCES_UNSUBSCRIBE, blocking(this::unsubscribe));
    return handlers;
  }

  Map<String, McpNotificationHandler> notificationHandlers() {
    Map<String, McpNotificationHandler> handlers = new HashMap<>();
    McpNotificationHandler ignore = (exchange, params) -> Mono.empty();
    handlers.put(McpSchema.METHOD_NOTIFICATION_INITIALIZED, ignore);
    handlers.put(McpSchema.METHOD_NOTIFICATION_ROOTS_LIST_CHANGED, ignore);
    handlers.put("notifications/cancelled", ignore);
    return handlers;
  }

  /** A handler whose work blocks on the store: run on a bounded elastic thread. */
  private interface Work<T> {
    T run(McpAsyncServerExchange exchange, @Nullable Object params) throws Exception;
  }

  private <T> McpRequestHandler<T> blocking(Work<T> work) {
    return (exchange, params) -> {
      Callable<T> call = () -> work.run(exchange, params);
      return Mono.fromCallable(call).subscribeOn(Schedulers.boundedElastic());
    };
  }

  /** The disk of the request: the one the HTTP endpoint checked, else the configured one. */
  private String diskOf(McpAsyncServerExchange exchange) {
    McpTransportContext context = exchange.transportContext();
    Object fromRequest = context == null ? null : context.get(CONTEXT_DISK);
    if (fromRequest instanceof String id) {
      return id;
    }
    if (disk != null) {
      return disk;
    }
    throw McpError.builder(McpSchema.ErrorCodes.INVALID_REQUEST)
        .message("no disk: name one with ?disk=<id> or the " + DISK_HEADER + " header")
        .build();
  }

  private DiskTools tools(String diskId) {
    return DiskTools.builder(store, diskId)
        .maxOutputChars(maxToolOutputChars)
        .onFileChanged(fullPath -> changed(diskId, fullPath))
        .build();
  }

  private McpSchema.ListToolsResult listTools(McpAsyncServerExchange exchange, @Nullable Object p) {
    DiskTools tools = toolsOrError(diskOf(exchange));
    List<McpSchema.Tool> list = new ArrayList<>();
    for (ToolDefinition definition : tools.definitions()) {
      if (readOnly && WRITE_TOOLS.contains(definition.name())) {
        continue;
      }
      Map<String, Object> schema =
          json.convertValue(definition.parameters(), new TypeRef<Map<String, Object>>() {});
      list.add(
          McpSchema.Tool.builder()
              .name(definition.name())
              .description(definition.description())
              .inputSchema(schema)
              .annotations(annotations(definition.name()))
              .build());
    }
    return new McpSchema.ListToolsResult(list, null);
  }

  private static McpSchema.ToolAnnotations annotations(String tool) {
    boolean writes = WRITE_TOOLS.contains(tool);
    // a restore replaces the current content (kept as a version, but replaced all the same)
    boolean destructive = tool.equals("delete_file_disk") || tool.equals("move_file_disk")
        || tool.equals("write_file_disk") || tool.equals("restore_file_disk");
    return new McpSchema.ToolAnnotations(
        null, !writes, writes ? destructive : null, writes ? false : null, false, null);
  }

  private DiskTools toolsOrError(String diskId) {
    try {
      return tools(diskId);
    } catch (DiskNotFoundException e) {
      throw McpError.builder(McpSchema.ErrorCodes.INVALID_REQUEST)
          .message("the disk " + diskId + " does not exist")
          .build();
    }
  }

  private McpSchema.CallToolResult callTool(McpAsyncServerExchange exchange, @Nullable Object p)
      throws IOException {
    McpSchema.CallToolRequest request =
        json.convertValue(p, new TypeRef<McpSchema.CallToolRequest>() {});
    String name = request.name() == null ? "" : request.name();
    String diskId = diskOf(exchange);
    String text;
    if (readOnly && WRITE_TOOLS.contains(name)) {
      text = "Error: this disk is served read-only, so " + name + " is not available; nothing"
          + " was changed. Read, list, search and download files instead, or ask the user.";
    } else {
      DiskTools tools;
      try {
        tools = tools(diskId);
      } catch (DiskNotFoundException e) {
        tools = null;
      }
      text = tools == null
          ? "Error: the disk " + diskId + " does not exist any more, so no disk tool can work."
              + " Tell the user."
          : tools.execute(
              name, request.arguments() == null ? null : json.writeValueAsString(request.arguments()));
    }
    return McpSchema.CallToolResult.builder()
        .addTextContent(text)
        .isError(text.startsWith("Error:"))
        .build();
  }

  private McpSchema.ListResourcesResult listResources(
      McpAsyncServerExchange exchange, @Nullable Object p) {
    McpSchema.PaginatedRequest request =
        p == null
            ? new McpSchema.PaginatedRequest()
            : json.convertValue(p, new TypeRef<McpSchema.PaginatedRequest>() {});
    return resources.list(diskOf(exchange), request.cursor());
  }

  private McpSchema.ListResourceTemplatesResult listTemplates(
      McpAsyncServerExchange exchange, @Nullable Object p) {
    return resources.templates(diskOf(exchange));
  }

  private McpSchema.ReadResourceResult readResource(
      McpAsyncServerExchange exchange, @Nullable Object p) {
    McpSchema.ReadResourceRequest request =
        json.convertValue(p, new TypeRef<McpSchema.ReadResourceRequest>() {});
    return resources.read(diskOf(exchange), request.uri());
  }

  private Object subscribe(McpAsyncServerExchange exchange, @Nullable Object p) {
    McpSchema.SubscribeRequest request =
        json.convertValue(p, new TypeRef<McpSchema.SubscribeRequest>() {});
    String uri = resources.ownUri(diskOf(exchange), request.uri()).uri();
    subscriptions.computeIfAbsent(uri, k -> ConcurrentHashMap.newKeySet()).add(exchange.sessionId());
    return Map.of();
  }

  private Object unsubscribe(McpAsyncServerExchange exchange, @Nullable Object p) {
    McpSchema.UnsubscribeRequest request =
        json.convertValue(p, new TypeRef<McpSchema.UnsubscribeRequest>() {});
    String uri = resources.ownUri(diskOf(exchange), request.uri()).uri();
    Set<String> subscribed = subscriptions.get(uri);
    if (subscribed != null) {
      subscribed.remove(exchange.sessionId());
    }
    return Map.of();
  }

  /** A tool of this server changed a file: tell the sessions subscribed to it. */
  private void changed(String diskId, String fullPath) {
    String uri = ResourceUri.of(diskId, fullPath);
    Set<String> subscribed = subscriptions.get(uri);
    if (subscribed == null) {
      return;
    }
    for (String sessionId : subscribed) {
      McpServerTransportProviderBase transport = sessions.get(sessionId);
      if (transport == null) {
        continue;
      }
      transport
          .notifyClient(
              sessionId,
              McpSchema.METHOD_NOTIFICATION_RESOURCES_UPDATED,
              new McpSchema.ResourcesUpdatedNotification(uri))
          .subscribe(
              done -> {},
              e -> LOG.log(System.Logger.Level.DEBUG, "notifying session " + sessionId, e));
    }
  }

  @Override
  public String toString() {
    return "DiskMcpServer[" + (disk == null ? "any disk of the caller" : "disk " + disk)
        + (readOnly ? ", read-only" : "") + "]";
  }

  /**
   * Settings of a {@link DiskMcpServer}. Exactly one of {@link #disk} and {@link
   * #anyDiskOfTheCaller()} must be chosen. Not thread-safe; {@link #build()} copies.
   */
  public static final class Builder {
    private final DiskStore store;
    private @Nullable String disk;
    private boolean anyDisk;
    private boolean readOnly;
    private long maxResourceBytes = 8L << 20;
    private int resourcePageSize = 100;
    private int maxToolOutputChars = 20_000;

    private Builder(DiskStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /** Serve this disk only (stdio needs this; over HTTP it is then the default disk). */
    public Builder disk(String diskId) {
      this.disk = Objects.requireNonNull(diskId, "diskId");
      return this;
    }

    /**
     * Over HTTP, serve whichever disk a request names, provided it belongs to the caller's
     * project. Not for stdio.
     */
    public Builder anyDiskOfTheCaller() {
      this.anyDisk = true;
      return this;
    }

    /** Withhold the write tools (default false). */
    public Builder readOnly(boolean readOnly) {
      this.readOnly = readOnly;
      return this;
    }

    /**
     * The largest file {@code resources/read} returns: 1 byte to 256 MiB, default 8 MiB; a larger
     * one is an error pointing at {@code read_file_disk} and {@code download_file_disk}.
     */
    public Builder maxResourceBytes(long bytes) {
      if (bytes < 1 || bytes > (256L << 20)) {
        throw new IllegalArgumentException("maxResourceBytes must be 1 to 256 MiB, was " + bytes);
      }
      this.maxResourceBytes = bytes;
      return this;
    }

    /** Resources per {@code resources/list} page: 1-1,000, default 100. */
    public Builder resourcePageSize(int size) {
      if (size < 1 || size > 1_000) {
        throw new IllegalArgumentException("resourcePageSize must be 1-1000, was " + size);
      }
      this.resourcePageSize = size;
      return this;
    }

    /** The longest tool result ({@link DiskTools.Builder#maxOutputChars}), default 20,000. */
    public Builder maxToolOutputChars(int chars) {
      if (chars < 2_000 || chars > 1_000_000) {
        throw new IllegalArgumentException("maxToolOutputChars must be 2000-1000000, was " + chars);
      }
      this.maxToolOutputChars = chars;
      return this;
    }

    /**
     * @throws IllegalStateException unless exactly one of {@link #disk} and {@link
     *     #anyDiskOfTheCaller()} was chosen
     * @throws DiskNotFoundException if the configured disk does not exist
     */
    public DiskMcpServer build() {
      if ((disk == null) == !anyDisk) {
        throw new IllegalStateException(
            "choose exactly one of disk(id) (one disk) and anyDiskOfTheCaller() (HTTP requests"
                + " name a disk of the caller's project)");
      }
      if (disk != null) {
        store.disks().get(disk);
      }
      return new DiskMcpServer(this);
    }
  }
}
