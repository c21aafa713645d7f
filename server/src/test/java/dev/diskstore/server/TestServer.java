package dev.diskstore.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.local.LocalBlobBackend;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A real store on a temporary directory (SQLite + local blobs), material URLs wired in, and a
 * server on an ephemeral loopback port; plus a small HTTP client for the tests. Closes both.
 */
final class TestServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  final DiskStore store;
  final MaterialUrlSigner urls;
  final DiskStoreServer server;
  final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  String token;

  TestServer(Path dir, UnaryOperator<DiskStoreServer.Builder> settings, String token) {
    this(urls -> openStore(dir, urls), settings, token);
  }

  /** A server on the store {@code opener} opens with the signer it is given. */
  TestServer(
      Function<MaterialUrlSigner, DiskStore> opener,
      UnaryOperator<DiskStoreServer.Builder> settings,
      String token) {
    this.urls = MaterialUrlSigner.create();
    this.store = opener.apply(urls);
    this.token = token;
    this.server =
        settings.apply(DiskStoreServer.builder(store).port(0).materialUrls(urls)).build().start();
  }

  TestServer(Path dir) {
    this(dir, b -> b, "any-token");
  }

  static DiskStore openStore(Path dir, MaterialUrlSigner urls) {
    LocalBlobBackend backend = LocalBlobBackend.at(dir.resolve("blobs"));
    return DiskStore.open(
        DiskStoreConfig.builder()
            .directory(dir)
            .backend(backend)
            .publicUrlSigner(urls.orBackendSigner(backend))
            .build());
  }

  URI uri(String path) {
    return URI.create(server.baseUri() + path);
  }

  HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  Reply send(HttpRequest request) {
    try {
      HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      return new Reply(r);
    } catch (IOException e) {
      throw new RuntimeException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeException(e);
    }
  }

  Reply get(String path) {
    return send(request(path).GET().build());
  }

  Reply delete(String path) {
    return send(request(path).DELETE().build());
  }

  Reply postJson(String path, String json) {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  Reply putJson(String path, String json) {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  String createDisk() {
    Reply r = send(request("/disk").POST(HttpRequest.BodyPublishers.noBody()).build());
    if (r.status() != 201) {
      throw new AssertionError("create disk: " + r);
    }
    return r.data().get("id").asText();
  }

  /** A multipart body as the SDKs send it: fields in the given order. */
  static final class Multipart {
    final String boundary = "----diskstore" + UUID.randomUUID();
    private final List<byte[]> parts = new ArrayList<>();

    Multipart field(String name, String value) {
      parts.add(
          ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n"
                  + value + "\r\n")
              .getBytes(UTF_8));
      return this;
    }

    Multipart file(String rawFilenameParam, byte[] content) {
      byte[] head =
          ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                  + rawFilenameParam + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
              .getBytes(UTF_8);
      byte[] all = new byte[head.length + content.length + 2];
      System.arraycopy(head, 0, all, 0, head.length);
      System.arraycopy(content, 0, all, head.length, content.length);
      all[all.length - 2] = '\r';
      all[all.length - 1] = '\n';
      parts.add(all);
      return this;
    }

    byte[] body() {
      int n = 0;
      for (byte[] p : parts) {
        n += p.length;
      }
      byte[] end = ("--" + boundary + "--\r\n").getBytes(UTF_8);
      byte[] all = new byte[n + end.length];
      int at = 0;
      for (byte[] p : parts) {
        System.arraycopy(p, 0, all, at, p.length);
        at += p.length;
      }
      System.arraycopy(end, 0, all, at, end.length);
      return all;
    }
  }

  Reply upload(String diskId, Multipart body, String... headers) {
    HttpRequest.Builder b =
        request("/disk/" + diskId + "/artifact")
            .header("Content-Type", "multipart/form-data; boundary=" + body.boundary)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.body()));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  Reply upload(String diskId, String dir, String name, String content) {
    Multipart m = new Multipart();
    if (dir != null) {
      m.field("file_path", dir);
    }
    return upload(diskId, m.file(name, content.getBytes(UTF_8)));
  }

  /** A response with its body read. */
  record Reply(HttpResponse<byte[]> response) {
    int status() {
      return response.statusCode();
    }

    String contentType() {
      return response.headers().firstValue("Content-Type").orElse("");
    }

    String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }

    byte[] bytes() {
      return response.body();
    }

    String text() {
      return new String(response.body(), UTF_8);
    }

    JsonNode json() {
      try {
        return JSON.readTree(response.body());
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + text(), e);
      }
    }

    JsonNode data() {
      return json().get("data");
    }

    @Override
    public String toString() {
      return status() + " " + text();
    }
  }

  @Override
  public void close() {
    server.close();
    store.close();
  }
}
