package dev.diskstore.mcp;

import static dev.diskstore.mcp.McpServers.call;
import static dev.diskstore.mcp.McpServers.text;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.FileUpload;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens, projects, read-only mode and concurrent clients over Streamable HTTP. */
class HttpSafetyTest {
  @TempDir Path dir;
  private McpServers servers;
  private String disk;

  @BeforeEach
  void start() {
    servers = new McpServers(dir, b -> {});
    disk = servers.createDisk("alpha");
  }

  @AfterEach
  void stop() {
    servers.close();
  }

  private HttpResponse<String> post(String endpoint, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(servers.origin + endpoint))
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
                + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theEndpointAnswersOnlyItsProjectsDisks() throws Exception {
    assertThat(post("/mcp?disk=" + disk, null).statusCode()).isEqualTo(401);
    assertThat(post("/mcp?disk=" + disk, "wrong").statusCode()).isEqualTo(401);
    HttpResponse<String> foreign = post("/mcp?disk=" + disk, "token-b");
    assertThat(foreign.statusCode()).isEqualTo(404);
    assertThat(foreign.body()).contains("disk not found");
    assertThat(post("/mcp?disk=no-such-disk", "token-a").statusCode()).isEqualTo(404);
    assertThat(post("/mcp", "token-a").statusCode()).isEqualTo(400);
    HttpResponse<String> ok = post("/mcp?disk=" + disk, "token-a");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).contains("\"protocolVersion\"");
    assertThat(ok.headers().firstValue("Mcp-Session-Id")).isPresent();

    assertThatThrownBy(() -> servers.client("/mcp?disk=" + disk, "token-b"))
        .isInstanceOf(RuntimeException.class);
  }

  @Test
  void theDiskMayBeNamedByAHeader() {
    McpSyncClient client = servers.client("/mcp", "token-a", c -> {}, DiskMcpServer.DISK_HEADER, disk);
    assertThat(text(call(client, "write_file_disk", Map.of("filename", "h.md", "content", "x"))))
        .startsWith("Created /h.md");
  }

  @Test
  void aSessionCannotReachAnotherProjectsDiskWithItsOwnToken() throws Exception {
    String betaDisk = servers.createDisk("beta");
    servers.store.disks().artifacts()
        .upsert(betaDisk, FileUpload.of("secret.txt", "s".getBytes(UTF_8)), "/", null);
    McpSyncClient alpha = servers.client("/mcp?disk=" + disk, "token-a");
    assertThatThrownBy(() -> alpha.readResource(
            new McpSchema.ReadResourceRequest("diskstore://" + betaDisk + "/secret.txt")))
        .isInstanceOf(RuntimeException.class);
    assertThat(post("/mcp?disk=" + betaDisk, "token-a").statusCode()).isEqualTo(404);
  }

  @Test
  void readOnlyWithholdsTheWriteTools() {
    servers.store.disks().artifacts()
        .upsert(disk, FileUpload.of("a.md", "alpha".getBytes(UTF_8)), "/", null);
    McpSyncClient client = servers.client("/mcp-ro?disk=" + disk, "token-a");
    assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name)
        .containsExactly("read_file_disk", "list_disk", "grep_disk", "glob_disk",
            "download_file_disk", "list_versions_disk");
    for (String tool : DiskMcpServer.WRITE_TOOLS) {
      McpSchema.CallToolResult refused = call(client, tool,
          Map.of("filename", "a.md", "content", "x", "old_string", "alpha", "new_string", "b",
              "destination_path", "/b/"));
      assertThat(refused.isError()).as(tool).isTrue();
      assertThat(text(refused)).contains("read-only");
    }
    assertThat(text(call(client, "read_file_disk", Map.of("filename", "a.md")))).contains("alpha");
    assertThat(servers.store.disks().artifacts().find(disk, "/", "a.md")).isPresent();
    assertThat(client.getServerInstructions()).contains("read-only");
  }

  @Test
  void fourClientsWriteAndReadAtOnce() throws Exception {
    int clients = 4;
    int files = 10;
    List<McpSyncClient> sessions = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      sessions.add(servers.client("/mcp?disk=" + disk, "token-a"));
    }
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        McpSyncClient client = sessions.get(c);
        int id = c;
        done.add(pool.submit(() -> {
          for (int i = 0; i < files; i++) {
            String name = "/c" + id + "/f" + i + ".txt";
            McpSchema.CallToolResult written = call(client, "write_file_disk",
                Map.of("filename", name, "content", "client " + id + " file " + i));
            assertThat(written.isError()).as(text(written)).isFalse();
            assertThat(text(call(client, "read_file_disk", Map.of("filename", name))))
                .contains("client " + id + " file " + i);
            // everyone edits one shared file: etags make each edit safe or refused, never lost
            call(client, "write_file_disk", Map.of("filename", "/shared.txt",
                "content", "by " + id));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    McpSchema.ListResourcesResult listed = sessions.get(0).listResources();
    assertThat(servers.store.search().glob(disk, "**", 1_000)).hasSize(clients * files + 1);
    assertThat(listed.resources()).hasSize(clients * files + 1);
    assertThat(servers.store.maintenance().verify().isClean()).isTrue();
  }
}
