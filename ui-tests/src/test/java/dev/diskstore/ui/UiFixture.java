package dev.diskstore.ui;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.local.LocalBlobBackend;
import dev.diskstore.server.DiskStoreServer;
import dev.diskstore.server.MaterialUrlSigner;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/**
 * A real store on a temporary directory (SQLite + local blobs, Tika for PDF text, material URLs)
 * served by a {@link DiskStoreServer} with the web view on a free loopback port, behind the token
 * {@link #TOKEN} (and a second project's {@link #OTHER_TOKEN}); plus a small HTTP client that
 * seeds data through the same API the page uses.
 */
final class UiFixture implements AutoCloseable {
  static final String TOKEN = "sk-ac-ui-test";
  static final String OTHER_TOKEN = "sk-ac-other-project";
  static final ObjectMapper JSON = new ObjectMapper();

  final DiskStore store;
  final DiskStoreServer server;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  UiFixture(Path dir) {
    MaterialUrlSigner urls = MaterialUrlSigner.create();
    LocalBlobBackend backend = LocalBlobBackend.at(dir.resolve("blobs"));
    store =
        DiskStore.open(
            DiskStoreConfig.builder()
                .directory(dir)
                .backend(backend)
                .publicUrlSigner(urls.orBackendSigner(backend))
                .build());
    server =
        DiskStoreServer.builder(store)
            .port(0)
            .project("ui", TOKEN)
            .project("other", OTHER_TOKEN)
            .materialUrls(urls)
            .webUi(true)
            .build()
            .start();
  }

  /** The web view's address, http://127.0.0.1:PORT/ui/. */
  String ui() {
    return server.uiUri().orElseThrow().toString();
  }

  String api() {
    return server.baseUri().toString();
  }

  static String enc(String s) {
    return URLEncoder.encode(s, UTF_8);
  }

  HttpResponse<byte[]> send(HttpRequest.Builder request) {
    try {
      return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpRequest.Builder request(String path, String token) {
    return HttpRequest.newBuilder(URI.create(api() + path)).header("Authorization", "Bearer " + token);
  }

  JsonNode data(HttpResponse<byte[]> r) {
    try {
      JsonNode body = JSON.readTree(r.body());
      if (r.statusCode() >= 300) {
        throw new AssertionError(r.statusCode() + " " + body);
      }
      return body.get("data");
    } catch (IOException e) {
      throw new AssertionError(new String(r.body(), UTF_8), e);
    }
  }

  /** A new disk of {@code token}'s project, with an optional user. */
  String createDisk(String token, String user) {
    String body = user == null ? "{}" : "{\"user\":" + JSON.valueToTree(user) + "}";
    return data(send(request("/disk", token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)))).get("id").asText();
  }

  String createDisk() {
    return createDisk(TOKEN, null);
  }

  /** Uploads {@code bytes} as {@code dir + name}, with user metadata {@code meta} (JSON) or none. */
  JsonNode upload(String disk, String dir, String name, byte[] bytes, String meta) {
    String boundary = "----ui" + UUID.randomUUID();
    StringBuilder head = new StringBuilder();
    head.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"file_path\"\r\n\r\n")
        .append(dir).append("\r\n");
    if (meta != null) {
      head.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"meta\"\r\n\r\n")
          .append(meta).append("\r\n");
    }
    head.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"file\"; filename=\"")
        .append(name).append("\"\r\nContent-Type: application/octet-stream\r\n\r\n");
    byte[] start = head.toString().getBytes(UTF_8);
    byte[] end = ("\r\n--" + boundary + "--\r\n").getBytes(UTF_8);
    byte[] body = new byte[start.length + bytes.length + end.length];
    System.arraycopy(start, 0, body, 0, start.length);
    System.arraycopy(bytes, 0, body, start.length, bytes.length);
    System.arraycopy(end, 0, body, start.length + bytes.length, end.length);
    return data(send(request("/disk/" + disk + "/artifact", TOKEN)
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))));
  }

  JsonNode upload(String disk, String dir, String name, String text) {
    return upload(disk, dir, name, text.getBytes(UTF_8), null);
  }

  /** GET .../artifact without URL and content. */
  JsonNode get(String disk, String filePath) {
    return data(send(request("/disk/" + disk + "/artifact?with_content=false&with_public_url=false&file_path="
        + enc(filePath), TOKEN).GET())).get("artifact");
  }

  int status(String disk, String filePath) {
    return send(request("/disk/" + disk + "/artifact?with_content=false&with_public_url=false&file_path="
        + enc(filePath), TOKEN).GET()).statusCode();
  }

  String text(String disk, String filePath) {
    return new String(send(request("/disk/" + disk + "/artifact/download?file_path=" + enc(filePath), TOKEN)
        .GET()).body(), UTF_8);
  }

  /** The download URL (public_url) the API gives for a file. */
  String publicUrl(String disk, String filePath) {
    return data(send(request("/disk/" + disk + "/artifact?with_content=false&file_path=" + enc(filePath), TOKEN)
        .GET())).get("public_url").asText();
  }

  @Override
  public void close() {
    server.close();
    store.close();
  }
}
