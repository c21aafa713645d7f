package dev.diskstore.mcp;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diskstore.Disk;
import dev.diskstore.server.DiskStoreServer;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.DefaultMcpStreamableServerSessionFactory;
import io.modelcontextprotocol.spec.McpStreamableServerSession;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.jspecify.annotations.Nullable;

/**
 * The Streamable HTTP endpoint: the SDK's servlet transport in a Jetty servlet context, behind a
 * check that the request names a disk of the caller's project. The checked disk travels to the
 * MCP handlers in the transport context ({@link DiskMcpServer#CONTEXT_DISK}), so every request
 * is checked, not only the session's first. Thread-safe.
 */
final class HttpEndpoint extends Handler.Wrapper {
  private static final String DISK_ATTRIBUTE = "dev.diskstore.mcp.disk";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DiskMcpServer mcp;

  private HttpEndpoint(DiskMcpServer mcp, Handler servlets) {
    super(servlets);
    this.mcp = mcp;
  }

  static Handler create(DiskMcpServer mcp, String path) {
    HttpServletStreamableServerTransportProvider transport =
        HttpServletStreamableServerTransportProvider.builder()
            .jsonMapper(mcp.json())
            .mcpEndpoint(path)
            .keepAliveInterval(Duration.ofSeconds(15))
            .contextExtractor(
                request -> {
                  Object disk = request.getAttribute(DISK_ATTRIBUTE);
                  return disk instanceof String id
                      ? McpTransportContext.create(Map.of(DiskMcpServer.CONTEXT_DISK, id))
                      : McpTransportContext.EMPTY;
                })
            .build();
    McpStreamableServerSession.Factory sessions =
        new DefaultMcpStreamableServerSessionFactory(
            mcp.requestTimeout(),
            request -> mcp.initialize(request, transport.protocolVersions()),
            mcp.requestHandlers(),
            mcp.notificationHandlers(),
            sessionId -> reactor.core.publisher.Mono.fromRunnable(() -> mcp.forget(sessionId)));
    transport.setSessionFactory(
        request -> {
          McpStreamableServerSession.McpStreamableServerSessionInit init =
              sessions.startSession(request);
          mcp.sessionStarted(init.session().getId(), transport);
          return init;
        });
    mcp.register(transport);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    ServletHolder holder = new ServletHolder("mcp", transport);
    holder.setAsyncSupported(true);
    context.addServlet(holder, "/*");
    return new HttpEndpoint(mcp, context);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    Object project = request.getAttribute(DiskStoreServer.PROJECT_ATTRIBUTE);
    if (!(project instanceof String caller)) {
      return refuse(response, callback, 403, "the MCP endpoint serves only callers that"
          + " DiskStoreServer authenticated: mount it with DiskStoreServer.Builder.mount");
    }
    String named = named(request);
    Optional<String> fixed = mcp.disk();
    String diskId = named != null ? named : fixed.orElse(null);
    if (diskId == null) {
      return refuse(response, callback, 400, "name the disk: " + request.getHttpURI().getPath()
          + "?" + DiskMcpServer.DISK_PARAMETER + "=<disk id>, or the " + DiskMcpServer.DISK_HEADER
          + " header");
    }
    Optional<Disk> disk =
        fixed.isPresent() && !fixed.get().equals(diskId)
            ? Optional.empty()
            : mcp.store().disks().find(diskId);
    if (disk.isEmpty() || !disk.get().projectId().equals(caller)) {
      return refuse(response, callback, 404, "disk not found: " + diskId);
    }
    request.setAttribute(DISK_ATTRIBUTE, diskId);
    return super.handle(request, response, callback);
  }

  private static @Nullable String named(Request request) {
    Fields query;
    try {
      query = Request.extractQueryParameters(request, UTF_8);
    } catch (RuntimeException e) {
      query = Fields.EMPTY;
    }
    Fields.Field field = query.get(DiskMcpServer.DISK_PARAMETER);
    String value = field == null ? null : field.getValue();
    if (value == null || value.isBlank()) {
      value = request.getHeaders().get(DiskMcpServer.DISK_HEADER);
    }
    return value == null || value.isBlank() ? null : value.strip();
  }

  private static boolean refuse(Response response, Callback callback, int status, String message)
      throws Exception {
    byte[] body = JSON.writeValueAsBytes(Map.of("error", message));
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }
}
