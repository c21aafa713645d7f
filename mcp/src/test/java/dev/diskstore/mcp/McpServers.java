package dev.diskstore.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diskstore.DiskStore;
import dev.diskstore.server.DiskStoreServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A real store and a real {@link DiskStoreServer} with two projects ({@code alpha}: token
 * {@code token-a}, {@code beta}: {@code token-b}) serving MCP at {@code /mcp} (any disk of the
 * caller) and {@code /mcp-ro} (read-only), and SDK clients connected to them over Streamable HTTP.
 * Closes everything it opened.
 */
final class McpServers implements AutoCloseable {
  final DiskStore store;
  final DiskMcpServer mcp;
  final DiskMcpServer readOnly;
  final DiskStoreServer server;
  final String origin;
  private final List<McpSyncClient> clients = new ArrayList<>();

  McpServers(Path dir, Consumer<DiskMcpServer.Builder> settings) {
    store = DiskStore.local(dir);
    DiskMcpServer.Builder builder = DiskMcpServer.builder(store).anyDiskOfTheCaller();
    settings.accept(builder);
    mcp = builder.build();
    readOnly = DiskMcpServer.builder(store).anyDiskOfTheCaller().readOnly(true).build();
    server = DiskStoreServer.builder(store).port(0)
        .project("alpha", "token-a").project("beta", "token-b")
        .mount("/mcp", mcp.httpHandler("/mcp"))
        .mount("/mcp-ro", readOnly.httpHandler("/mcp-ro"))
        .build().start();
    origin = "http://127.0.0.1:" + server.port();
  }

  String createDisk(String project) {
    return store.disks().createInProject(project, null).id();
  }

  /** An initialized client of {@code endpoint} ("/mcp?disk=..."), with {@code token}. */
  McpSyncClient client(String endpoint, String token) {
    return client(endpoint, token, contents -> {});
  }

  McpSyncClient client(
      String endpoint, String token, Consumer<List<McpSchema.ResourceContents>> updates) {
    return client(endpoint, token, updates, "X-Test", "none");
  }

  /** A client that sends one more header on every request. */
  McpSyncClient client(String endpoint, String token,
      Consumer<List<McpSchema.ResourceContents>> updates, String header, String value) {
    HttpClientStreamableHttpTransport transport =
        HttpClientStreamableHttpTransport.builder(origin)
            .endpoint(endpoint)
            .jsonMapper(new JacksonMcpJsonMapper(new ObjectMapper()))
            .requestBuilder(HttpRequest.newBuilder()
                .header("Authorization", "Bearer " + token).header(header, value))
            .build();
    McpSyncClient client = McpClient.sync(transport)
        .requestTimeout(Duration.ofSeconds(60))
        .resourcesUpdateConsumer(updates)
        .build();
    clients.add(client);
    client.initialize();
    return client;
  }

  static McpSchema.CallToolResult call(McpSyncClient client, String tool, Map<String, Object> args) {
    return client.callTool(new McpSchema.CallToolRequest(tool, args));
  }

  static String text(McpSchema.CallToolResult result) {
    return ((McpSchema.TextContent) result.content().get(0)).text();
  }

  @Override
  public void close() {
    for (McpSyncClient client : clients) {
      try {
        client.close();
      } catch (RuntimeException e) {
        // the server may be gone already
      }
    }
    mcp.close();
    readOnly.close();
    server.close();
    store.close();
  }
}
