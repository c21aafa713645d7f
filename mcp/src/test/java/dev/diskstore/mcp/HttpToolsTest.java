package dev.diskstore.mcp;

import static dev.diskstore.mcp.McpServers.call;
import static dev.diskstore.mcp.McpServers.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diskstore.agent.DiskTools;
import dev.diskstore.agent.ToolDefinition;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every tool through the SDK's Java client over Streamable HTTP, on a real server and store. */
class HttpToolsTest {
  @TempDir Path dir;
  private McpServers servers;
  private String disk;
  private McpSyncClient client;

  @BeforeEach
  void start() {
    servers = new McpServers(dir, b -> {});
    disk = servers.createDisk("alpha");
    client = servers.client("/mcp?disk=" + disk, "token-a");
  }

  @AfterEach
  void stop() {
    servers.close();
  }

  private static Map<String, Object> args(Object... pairs) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], pairs[i + 1]);
    }
    return map;
  }

  @Test
  void theToolsAreDiskToolsWithTheirSchemas() throws Exception {
    List<McpSchema.Tool> tools = client.listTools().tools();
    List<ToolDefinition> expected = DiskTools.forDisk(servers.store, disk).definitions();
    assertThat(tools).extracting(McpSchema.Tool::name)
        .containsExactlyElementsOf(expected.stream().map(ToolDefinition::name).toList());
    ObjectMapper json = new ObjectMapper();
    for (int i = 0; i < tools.size(); i++) {
      McpSchema.Tool tool = tools.get(i);
      assertThat(tool.description()).isEqualTo(expected.get(i).description());
      assertThat((Object) json.valueToTree(tool.inputSchema()))
          .as(tool.name()).isEqualTo(expected.get(i).parameters());
      assertThat(tool.annotations().readOnlyHint())
          .isEqualTo(!DiskMcpServer.WRITE_TOOLS.contains(tool.name()));
    }
    assertThat(client.getServerCapabilities().resources().subscribe()).isTrue();
    assertThat(client.getServerInstructions()).contains("diskstore://");
  }

  @Test
  void writeReadReplaceWithPreconditionListGrepGlob() {
    McpSchema.CallToolResult written = call(client, "write_file_disk",
        args("file_path", "/notes/", "filename", "todo.md", "content", "# TODO\n- call Bob\n"));
    assertThat(written.isError()).isFalse();
    assertThat(text(written)).startsWith("Created /notes/todo.md");
    String etag = servers.store.disks().artifacts().get(disk, "/notes/", "todo.md").artifact().etag();
    assertThat(text(written)).endsWith("etag: " + etag);

    McpSchema.CallToolResult read =
        call(client, "read_file_disk", args("filename", "/notes/todo.md"));
    assertThat(read.isError()).isFalse();
    assertThat(text(read)).contains("etag: " + etag).contains("2| - call Bob");

    McpSchema.CallToolResult stale = call(client, "replace_string_disk", args(
        "filename", "/notes/todo.md", "old_string", "Bob", "new_string", "Alice",
        "expected_etag", "not-the-etag"));
    assertThat(stale.isError()).isTrue();
    assertThat(text(stale)).startsWith("Error: ").contains("changed since you read it")
        .contains(etag);

    McpSchema.CallToolResult replaced = call(client, "replace_string_disk", args(
        "filename", "/notes/todo.md", "old_string", "Bob", "new_string", "Alice",
        "expected_etag", etag));
    assertThat(replaced.isError()).isFalse();
    assertThat(text(replaced)).startsWith("Replaced 1 occurrence");

    assertThat(text(call(client, "list_disk", args("file_path", "/notes/"))))
        .contains("todo.md");
    assertThat(text(call(client, "grep_disk", args("query", "Alice"))))
        .contains("/notes/todo.md:2: - call Alice");
    assertThat(text(call(client, "glob_disk", args("query", "**/*.md"))))
        .contains("/notes/todo.md");
  }

  @Test
  void downloadMoveAndDelete() {
    call(client, "write_file_disk", args("filename", "/a/report.txt", "content", "numbers"));
    McpSchema.CallToolResult url =
        call(client, "download_file_disk", args("filename", "/a/report.txt", "expire", 60));
    assertThat(url.isError()).isFalse();
    assertThat(text(url)).contains("Download URL for /a/report.txt").contains("http");

    McpSchema.CallToolResult moved = call(client, "move_file_disk",
        args("filename", "/a/report.txt", "destination_path", "/b/"));
    assertThat(text(moved)).startsWith("Moved /a/report.txt to /b/report.txt");
    assertThat(servers.store.disks().artifacts().find(disk, "/b/", "report.txt")).isPresent();

    McpSchema.CallToolResult deleted =
        call(client, "delete_file_disk", args("filename", "/b/report.txt"));
    assertThat(deleted.isError()).isFalse();
    assertThat(servers.store.disks().artifacts().find(disk, "/b/", "report.txt")).isEmpty();
  }

  @Test
  void badArgumentsAreToolErrorsThatExplainThemselves() {
    McpSchema.CallToolResult missing = call(client, "read_file_disk", args());
    assertThat(missing.isError()).isTrue();
    assertThat(text(missing)).startsWith("Error: ").contains("filename");

    McpSchema.CallToolResult wrongType =
        call(client, "read_file_disk", args("filename", "a.md", "line_limit", "many"));
    assertThat(wrongType.isError()).isTrue();
    assertThat(text(wrongType)).contains("line_limit");

    McpSchema.CallToolResult notFound = call(client, "read_file_disk", args("filename", "no.md"));
    assertThat(notFound.isError()).isTrue();
    assertThat(text(notFound)).contains("file not found: /no.md");

    McpSchema.CallToolResult escape =
        call(client, "read_file_disk", args("file_path", "/../../etc/", "filename", "passwd"));
    assertThat(escape.isError()).isTrue();

    McpSchema.CallToolResult unknown = call(client, "rm_rf", args());
    assertThat(unknown.isError()).isTrue();
    assertThat(text(unknown)).contains("unknown tool");

    McpSchema.CallToolResult badRegex = call(client, "grep_disk", args("query", "(unclosed"));
    assertThat(badRegex.isError()).isTrue();
    assertThat(text(badRegex)).contains("regular expression");
  }

  @Test
  void resultsAreCappedByTheToolOutputLimit() {
    servers.close();
    servers = new McpServers(dir.resolve("capped"), b -> b.maxToolOutputChars(2_000));
    disk = servers.createDisk("alpha");
    client = servers.client("/mcp?disk=" + disk, "token-a");
    call(client, "write_file_disk",
        args("filename", "long.txt", "content", "line of text\n".repeat(2_000)));
    String read = text(call(client, "read_file_disk",
        args("filename", "long.txt", "line_limit", 2_000)));
    assertThat(read.length()).isLessThanOrEqualTo(2_000);
    assertThat(read).contains("line_offset=");
  }
}
