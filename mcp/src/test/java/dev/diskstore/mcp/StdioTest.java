package dev.diskstore.mcp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diskstore.DiskStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The stdio transport in process: newline-delimited JSON-RPC in, only protocol messages out, and
 * {@link DiskMcpServer#serveStdio} returns when the input ends.
 */
class StdioTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aSessionOverStdioEndsWithItsInput() throws Exception {
    try (DiskStore store = DiskStore.inMemory()) {
      String disk = store.disks().create().id();
      DiskMcpServer mcp = DiskMcpServer.builder(store).disk(disk).build();
      PipedOutputStream toServer = new PipedOutputStream();
      PipedInputStream serverIn = new PipedInputStream(toServer, 1 << 16);
      PipedInputStream fromServer = new PipedInputStream(1 << 20);
      PipedOutputStream serverOut = new PipedOutputStream(fromServer);
      CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
        try {
          mcp.serveStdio(serverIn, serverOut);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      BufferedReader replies = new BufferedReader(new InputStreamReader(fromServer, UTF_8));

      send(toServer, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
          + "\"protocolVersion\":\"2024-11-05\",\"capabilities\":{},"
          + "\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}}");
      JsonNode init = JSON.readTree(replies.readLine());
      assertThat(init.at("/result/serverInfo/name").asText()).isEqualTo("diskstore");
      assertThat(init.at("/result/protocolVersion").asText()).isEqualTo("2024-11-05");
      send(toServer, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");

      send(toServer, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{"
          + "\"name\":\"write_file_disk\",\"arguments\":{\"filename\":\"/a/b.md\","
          + "\"content\":\"hi\\nthere\"}}}");
      JsonNode written = JSON.readTree(replies.readLine());
      assertThat(written.at("/id").asInt()).isEqualTo(2);
      assertThat(written.at("/result/isError").asBoolean()).isFalse();
      assertThat(written.at("/result/content/0/text").asText()).startsWith("Created /a/b.md");

      send(toServer, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/read\",\"params\":{"
          + "\"uri\":\"diskstore://" + disk + "/a/b.md\"}}");
      JsonNode read = JSON.readTree(replies.readLine());
      assertThat(read.at("/result/contents/0/text").asText()).isEqualTo("hi\nthere");

      send(toServer, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"resources/read\",\"params\":{"
          + "\"uri\":\"diskstore://" + disk + "/%2E%2E/x\"}}");
      JsonNode refused = JSON.readTree(replies.readLine());
      assertThat(refused.at("/error/code").asInt()).isEqualTo(-32602);

      toServer.close(); // the client goes away
      served.get(30, TimeUnit.SECONDS);
      assertThat(store.disks().artifacts().find(disk, "/a/", "b.md")).isPresent();
      mcp.close();
    }
  }

  @Test
  void stdioNeedsOneDisk() {
    try (DiskStore store = DiskStore.inMemory()) {
      DiskMcpServer any = DiskMcpServer.builder(store).anyDiskOfTheCaller().build();
      assertThatThrownBy(() -> any.serveStdio(System.in, OutputStream.nullOutputStream()))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("disk(id)");
      assertThatThrownBy(() -> DiskMcpServer.builder(store).build())
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> DiskMcpServer.builder(store).disk("missing").build())
          .isInstanceOf(dev.diskstore.DiskNotFoundException.class);
    }
  }

  private static void send(OutputStream out, String line) throws Exception {
    out.write((line + "\n").getBytes(UTF_8));
    out.flush();
  }
}
