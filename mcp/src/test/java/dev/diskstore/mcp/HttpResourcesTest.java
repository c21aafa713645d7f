package dev.diskstore.mcp;

import static dev.diskstore.mcp.McpServers.call;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.FileUpload;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files as resources through the SDK's Java client: listing, paging, reads, subscriptions. */
class HttpResourcesTest {
  @TempDir Path dir;
  private McpServers servers;
  private String disk;
  private McpSyncClient client;
  private final LinkedBlockingQueue<String> updated = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() {
    servers = new McpServers(dir, b -> b.resourcePageSize(2).maxResourceBytes(1_000));
    disk = servers.createDisk("alpha");
    client = servers.client("/mcp?disk=" + disk, "token-a",
        contents -> contents.forEach(c -> updated.add(c.uri())));
  }

  @AfterEach
  void stop() {
    servers.close();
  }

  private void put(String path, String name, byte[] bytes, String type) {
    servers.store.disks().artifacts()
        .upsert(disk, FileUpload.of(name, bytes, type), path, null);
  }

  private String uri(String tail) {
    return "diskstore://" + disk + "/" + tail;
  }

  @Test
  void everyFileIsListedPageByPageWithItsTypeAndSize() {
    put("/", "a.md", "# A".getBytes(UTF_8), "text/markdown");
    put("/docs/", "b c.txt", "b".getBytes(UTF_8), "text/plain");
    put("/docs/2024/", "größe.json", "{}".getBytes(UTF_8), "application/json");
    put("/img/", "d.png", new byte[] {(byte) 0x89, 'P', 'N', 'G'}, "image/png");
    put("/z/", "e.md", "e".getBytes(UTF_8), "text/markdown");

    List<McpSchema.Resource> all = new ArrayList<>();
    int pages = 0;
    String cursor = null;
    do {
      McpSchema.ListResourcesResult page = client.listResources(cursor);
      assertThat(page.resources()).hasSizeLessThanOrEqualTo(2);
      all.addAll(page.resources());
      cursor = page.nextCursor();
      pages++;
    } while (cursor != null);
    assertThat(pages).isEqualTo(3);
    assertThat(all).extracting(McpSchema.Resource::uri).containsExactly(
        uri("a.md"), uri("docs/b%20c.txt"), uri("docs/2024/gr%C3%B6%C3%9Fe.json"),
        uri("img/d.png"), uri("z/e.md"));
    McpSchema.Resource png = all.get(3);
    assertThat(png.name()).isEqualTo("d.png");
    assertThat(png.mimeType()).isEqualTo("image/png");
    assertThat(png.size()).isEqualTo(4L);
  }

  @Test
  void aBadCursorIsAnInvalidParamsError() {
    assertThatThrownBy(() -> client.listResources("not-a-cursor"))
        .isInstanceOf(McpError.class).hasMessageContaining("cursor");
  }

  @Test
  void textIsReadAsTextAndBinaryAsBase64WithTheirTypes() {
    put("/docs/", "b c.txt", "hello wörld".getBytes(UTF_8), "text/plain");
    put("/", "data.json", "{\"a\":1}".getBytes(UTF_8), "application/json");
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2};
    put("/img/", "d.png", png, "image/png");

    McpSchema.ResourceContents text =
        client.readResource(new McpSchema.ReadResourceRequest(uri("docs/b%20c.txt")))
            .contents().get(0);
    assertThat(text).isInstanceOf(McpSchema.TextResourceContents.class);
    assertThat(((McpSchema.TextResourceContents) text).text()).isEqualTo("hello wörld");
    assertThat(text.mimeType()).startsWith("text/plain");

    McpSchema.ResourceContents json =
        client.readResource(new McpSchema.ReadResourceRequest(uri("data.json"))).contents().get(0);
    assertThat(((McpSchema.TextResourceContents) json).text()).isEqualTo("{\"a\":1}");

    McpSchema.ResourceContents blob =
        client.readResource(new McpSchema.ReadResourceRequest(uri("img/d.png"))).contents().get(0);
    assertThat(blob).isInstanceOf(McpSchema.BlobResourceContents.class);
    assertThat(Base64.getDecoder().decode(((McpSchema.BlobResourceContents) blob).blob()))
        .isEqualTo(png);
    assertThat(blob.mimeType()).isEqualTo("image/png");
  }

  @Test
  void badMissingForeignAndOversizedUrisAreErrors() {
    put("/", "big.txt", "x".repeat(1_001).getBytes(UTF_8), "text/plain");
    String other = servers.createDisk("alpha");
    servers.store.disks().artifacts()
        .upsert(other, FileUpload.of("secret.txt", "s".getBytes(UTF_8)), "/", null);
    for (String bad : List.of(
        uri("missing.md"), "diskstore://" + other + "/secret.txt", uri("a/../secret.txt"),
        uri("..%2Fsecret.txt"), uri("a/%2E%2E/secret.txt"), "file:///etc/passwd",
        uri("bad%zz"), uri("a//b.txt"), uri("big.txt"))) {
      assertThatThrownBy(() -> client.readResource(new McpSchema.ReadResourceRequest(bad)))
          .as(bad).isInstanceOf(McpError.class);
    }
    assertThatThrownBy(() -> client.readResource(new McpSchema.ReadResourceRequest(uri("big.txt"))))
        .hasMessageContaining("read_file_disk");
  }

  @Test
  void theTemplateNamesFilesOfTheDiskByPath() {
    McpSchema.ResourceTemplate template = client.listResourceTemplates().resourceTemplates().get(0);
    assertThat(template.uriTemplate()).isEqualTo("diskstore://" + disk + "/{+path}");
  }

  @Test
  void subscribersHearOfChangesMadeThroughTheTools() throws Exception {
    client.subscribeResource(new McpSchema.SubscribeRequest(uri("notes/a.md")));
    client.subscribeResource(new McpSchema.SubscribeRequest(uri("notes/b.md")));
    call(client, "write_file_disk", Map.of("filename", "/notes/a.md", "content", "one"));
    assertThat(updated.poll(30, TimeUnit.SECONDS)).isEqualTo(uri("notes/a.md"));

    // another client of the same disk changes it: the first one hears of it too
    McpSyncClient other = servers.client("/mcp?disk=" + disk, "token-a");
    call(other, "replace_string_disk",
        Map.of("filename", "/notes/a.md", "old_string", "one", "new_string", "two"));
    assertThat(updated.poll(30, TimeUnit.SECONDS)).isEqualTo(uri("notes/a.md"));

    client.unsubscribeResource(new McpSchema.UnsubscribeRequest(uri("notes/a.md")));
    call(other, "write_file_disk", Map.of("filename", "/notes/a.md", "content", "three"));
    call(other, "write_file_disk", Map.of("filename", "/notes/b.md", "content", "b"));
    // notifications arrive in order on the session's stream: b's, not a's
    assertThat(updated.poll(30, TimeUnit.SECONDS)).isEqualTo(uri("notes/b.md"));
    assertThat(updated).isEmpty();
  }

  @Test
  void subscribingToAnotherDisksFileIsRefused() {
    String other = servers.createDisk("alpha");
    assertThatThrownBy(() -> client.subscribeResource(
            new McpSchema.SubscribeRequest("diskstore://" + other + "/a.md")))
        .isInstanceOf(McpError.class);
  }
}
