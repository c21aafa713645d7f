package dev.diskstore.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diskstore.ArtifactListing;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every Acontext route and every extension, over real HTTP, on a real store in a temp dir. */
class ServerRoutesTest {
  @TempDir Path dir;
  TestServer api;
  String disk;

  @BeforeEach
  void start() {
    api = newServer();
    disk = api.createDisk();
  }

  /** The server under test: here on SQLite + a local directory. */
  TestServer newServer() {
    return new TestServer(dir);
  }

  /** Whether {@code with_public_url} gives this server's material URLs (not a backend's own). */
  boolean servesMaterialUrls() {
    return true;
  }

  @AfterEach
  void stop() {
    api.close();
  }

  static String enc(String s) {
    return URLEncoder.encode(s, UTF_8);
  }

  private void assertJson(TestServer.Reply r) {
    assertThat(r.contentType()).isEqualTo("application/json; charset=utf-8");
  }

  private void assertError(TestServer.Reply r, int status) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertJson(r);
    assertThat(r.json().get("code").asInt()).isEqualTo(status);
    assertThat(r.json().get("msg").asText()).isNotBlank();
    assertThat(r.json().has("data")).isFalse();
    assertThat(r.text()).doesNotContain("\tat ", "Exception");
  }

  private ArtifactListing listing(String path) {
    return api.store.disks().artifacts().list(disk, path);
  }

  @Test
  void ping() {
    TestServer.Reply r = api.get("/ping");
    assertThat(r.status()).isEqualTo(200);
    assertJson(r);
    assertThat(r.text()).isEqualTo("{\"code\":0,\"msg\":\"pong\"}");
  }

  @Test
  void createDiskWithoutAndWithBody() {
    TestServer.Reply r = api.send(api.request("/disk").POST(HttpRequest.BodyPublishers.noBody()).build());
    assertThat(r.status()).isEqualTo(201);
    assertJson(r);
    assertThat(r.json().get("code").asInt()).isZero();
    assertThat(r.json().get("msg").asText()).isEmpty();
    JsonNode d = r.data();
    assertThat(d.get("id").asText()).isNotBlank();
    assertThat(d.get("project_id").asText()).isEqualTo(api.store.projectId());
    assertThat(d.get("user_id").isNull()).isTrue();
    assertThat(d.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(d.get("updated_at").isTextual()).isTrue();

    TestServer.Reply withUser = api.postJson("/disk", "{\"user\":\"alice@acontext.io\"}");
    assertThat(withUser.status()).isEqualTo(201);
    assertThat(withUser.data().get("user_id").asText()).isEqualTo("alice@acontext.io");

    assertError(api.postJson("/disk", "{not json"), 400);
  }

  @Test
  void listDisksPaginates() {
    api.createDisk();
    api.createDisk();
    TestServer.Reply first = api.get("/disk?limit=2");
    assertThat(first.status()).isEqualTo(200);
    assertJson(first);
    assertThat(first.data().get("items")).hasSize(2);
    assertThat(first.data().get("has_more").asBoolean()).isTrue();
    String cursor = first.data().get("next_cursor").asText();
    TestServer.Reply second = api.get("/disk?limit=2&cursor=" + enc(cursor));
    assertThat(second.data().get("items")).hasSize(1);
    assertThat(second.data().get("has_more").asBoolean()).isFalse();
    assertThat(second.data().has("next_cursor")).isFalse();
    assertThat(api.get("/disk?time_desc=true&limit=1").data().get("items").get(0).get("id").asText())
        .isNotEqualTo(disk);
    assertThat(api.get("/disk?user=nobody").data().get("items")).isEmpty();
    assertError(api.get("/disk?limit=0"), 400);
    assertError(api.get("/disk?limit=201"), 400);
    assertError(api.get("/disk?limit=x"), 400);
    assertError(api.get("/disk?cursor=garbage"), 400);
    assertError(api.get("/disk?time_desc=maybe"), 400);
  }

  @Test
  void deleteDisk() {
    api.upload(disk, "/docs/", "a.txt", "hello");
    TestServer.Reply r = api.delete("/disk/" + disk);
    assertThat(r.status()).isEqualTo(200);
    assertJson(r);
    assertThat(r.text()).isEqualTo("{\"code\":0,\"msg\":\"\"}");
    assertThat(api.store.disks().find(disk)).isEmpty();
    assertError(api.delete("/disk/" + disk), 404);
    assertError(api.delete("/disk/not-a-disk"), 404);
  }

  @Test
  void upsertReturnsTheBareArtifactWithBothInfoKeySets() {
    TestServer.Reply r =
        api.upload(
            disk,
            new TestServer.Multipart()
                .field("file_path", "/documents/2024/")
                .field("meta", "{\"author\":\"alice\",\"version\":1}")
                .file("sprint-plan.md", "# Sprint Plan\n".getBytes(UTF_8)));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertJson(r);
    JsonNode a = r.data();
    assertThat(a.get("disk_id").asText()).isEqualTo(disk);
    assertThat(a.get("path").asText()).isEqualTo("/documents/2024/");
    assertThat(a.get("filename").asText()).isEqualTo("sprint-plan.md");
    assertThat(a.get("created_at").isTextual()).isTrue();
    JsonNode meta = a.get("meta");
    assertThat(meta.get("author").asText()).isEqualTo("alice");
    assertThat(meta.get("version").asInt()).isEqualTo(1);
    JsonNode info = meta.get("__artifact_info__");
    assertThat(info.get("path").asText()).isEqualTo("/documents/2024/");
    assertThat(info.get("filename").asText()).isEqualTo("sprint-plan.md");
    assertThat(info.get("mime").asText()).startsWith("text/markdown");
    assertThat(info.get("size").asLong()).isEqualTo(14);
    assertThat(info.get("size_bytes").asLong()).isEqualTo(14);
    assertThat(info.get("content_type").asText()).isEqualTo(info.get("mime").asText());
    assertThat(info.get("sha256").asText()).hasSize(64);
    assertThat(info.get("last_modified").isTextual()).isTrue();
    assertThat(r.header("ETag")).isEqualTo("\"" + info.get("etag").asText() + "\"");
  }

  @Test
  void upsertFilePathNamingTheFileIsItsDirectory() {
    assertThat(api.upload(disk, "/test/test.txt", "test.txt", "x").data().get("path").asText())
        .isEqualTo("/test/");
    assertThat(api.upload(disk, "/docs", "b.txt", "x").data().get("path").asText())
        .isEqualTo("/docs/");
    assertThat(api.upload(disk, null, "root.txt", "x").data().get("path").asText()).isEqualTo("/");
  }

  @Test
  void chunkedUploadsStreamToo() {
    TestServer.Multipart m =
        new TestServer.Multipart().field("file_path", "/c/").file("chunked.txt", "streamed".getBytes(UTF_8));
    byte[] body = m.body();
    TestServer.Reply r =
        api.send(
            api.request("/disk/" + disk + "/artifact")
                .header("Content-Type", "multipart/form-data; boundary=" + m.boundary)
                // unknown length: the client sends Transfer-Encoding: chunked
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
                .build());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(api.get("/disk/" + disk + "/artifact/download?file_path=%2Fc%2Fchunked.txt").text())
        .isEqualTo("streamed");
  }

  @Test
  void filenamesAreDecodedAsTheSdksEncodeThem() {
    TestServer.Reply r = api.upload(disk, "/", "a b%22é.txt", "x");
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(r.data().get("filename").asText()).isEqualTo("a b\"é.txt");
    assertThat(listing("/").artifacts().get(0).filename()).isEqualTo("a b\"é.txt");
  }

  @Test
  void badUploadsStoreNothing() {
    // bad JSON meta
    assertError(
        api.upload(disk, new TestServer.Multipart().field("meta", "{oops").file("a.txt", new byte[] {1})),
        400);
    // meta that is not an object
    assertError(
        api.upload(disk, new TestServer.Multipart().field("meta", "[1]").file("a.txt", new byte[] {1})),
        400);
    // reserved key
    assertError(
        api.upload(
            disk,
            new TestServer.Multipart()
                .field("meta", "{\"__artifact_info__\":{}}")
                .file("a.txt", new byte[] {1})),
        400);
    // no file part
    TestServer.Reply noFile = api.upload(disk, new TestServer.Multipart().field("file_path", "/x/"));
    assertError(noFile, 400);
    assertThat(noFile.json().get("msg").asText()).contains("file is required");
    // not multipart
    assertError(api.postJson("/disk/" + disk + "/artifact", "{}"), 400);
    // meta after the file
    TestServer.Reply late =
        api.upload(
            disk, new TestServer.Multipart().file("late.txt", new byte[] {1}).field("meta", "{}"));
    assertError(late, 400);
    assertThat(late.json().get("msg").asText()).contains("meta").contains("after the file");
    assertThat(late.header("Connection")).isEqualTo("close"); // the body may be partly unread
    // path tricks
    assertError(api.upload(disk, "/a/../b/", "c.txt", "x"), 400);
    assertError(api.upload(disk, "/a/\u0000/", "c.txt", "x"), 400);
    assertError(api.upload(disk, "/", "..", "x"), 400);
    assertError(api.upload(disk, "/", "a%0Ab.txt", "x"), 400);
    assertThat(listing("/").artifacts()).isEmpty();
    assertThat(listing("/").directories()).isEmpty();
    assertThat(api.store.search().glob(disk, "**", 100)).isEmpty();
  }

  @Test
  void uploadsOverTheStoresLimitAre413AndStoreNothing(@TempDir Path other) {
    try (TestServer small =
        new TestServer(
            urls ->
                dev.diskstore.DiskStore.open(
                    dev.diskstore.DiskStoreConfig.builder()
                        .directory(other)
                        .backend(dev.diskstore.local.LocalBlobBackend.at(other.resolve("blobs")))
                        .maxUploadBytes(1024)
                        .build()),
            b -> b,
            "t")) {
      String d = small.createDisk();
      TestServer.Reply r =
          small.upload(d, new TestServer.Multipart().file("big.bin", new byte[64 * 1024]));
      assertError(r, 413);
      assertThat(small.store.disks().artifacts().list(d, "/").artifacts()).isEmpty();
      assertThat(small.upload(d, "/", "ok.txt", "small").status()).isEqualTo(201);
    }
  }

  @Test
  void pathTricksInTheUrlAreRefused() {
    for (String path :
        new String[] {
          "/disk/" + disk + "/%2e%2e/artifact",
          "/disk/%2e%2e/artifact",
          "/disk/" + disk + "%00/artifact/ls",
          "/disk/" + disk + "/artifact?file_path=%C3%28"
        }) {
      TestServer.Reply r = api.send(api.request(path).GET().build());
      assertThat(r.status()).as(path).isIn(400, 404);
      assertJson(r);
    }
    // a malformed escape, which java.net.URI refuses to send: over a raw socket
    try (java.net.Socket s =
        new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), api.server.port())) {
      s.getOutputStream()
          .write(
              ("GET /api/v1/disk/" + disk + "/artifact?file_path=%ZZ HTTP/1.1\r\nHost: x\r\n"
                      + "Connection: close\r\n\r\n")
                  .getBytes(UTF_8));
      String answer = new String(s.getInputStream().readAllBytes(), UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 400");
      assertThat(answer).contains("application/json; charset=utf-8").contains("\"code\":400");
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    assertThat(listing("/").artifacts()).isEmpty();
  }

  @Test
  void contentOfLatin1TextIsDecodedAndSaysItsCharset() {
    byte[] latin1 = "café naïve, 10 €".getBytes(java.nio.charset.Charset.forName("windows-1252"));
    TestServer.Multipart m = new TestServer.Multipart();
    m.field("file_path", "/legacy/");
    assertThat(api.upload(disk, m.file("old.txt", latin1)).status()).isEqualTo(201);
    TestServer.Reply r = api.get("/disk/" + disk + "/artifact?file_path=" + enc("/legacy/old.txt")
        + "&with_public_url=false");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.data().get("content").get("raw").asText()).isEqualTo("café naïve, 10 €");
    assertThat(r.data().get("content").get("charset").asText()).isEqualTo("windows-1252");
    assertThat(r.data().get("content").has("lossy")).isFalse();
    // the download serves the stored bytes as they are
    TestServer.Reply bytes =
        api.get("/disk/" + disk + "/artifact/download?file_path=" + enc("/legacy/old.txt"));
    assertThat(bytes.status()).isEqualTo(200);
    assertThat(bytes.response().body()).isEqualTo(latin1);
    assertThat(bytes.response().headers().firstValue("etag")).isPresent();
  }

  @Test
  void getDefaultsToUrlAndContent() {
    api.upload(disk, "/docs/", "notes.md", "# Notes\nTODO");
    TestServer.Reply r = api.get("/disk/" + disk + "/artifact?file_path=" + enc("/docs/notes.md"));
    assertThat(r.status()).isEqualTo(200);
    assertJson(r);
    assertThat(r.data().get("artifact").get("filename").asText()).isEqualTo("notes.md");
    if (servesMaterialUrls()) {
      assertThat(r.data().get("public_url").asText())
          .startsWith(api.server.baseUri() + "/material/");
    } else {
      assertThat(r.data().get("public_url").asText()).startsWith("http");
    }
    assertThat(r.data().get("content").get("type").asText()).isEqualTo("text");
    assertThat(r.data().get("content").get("raw").asText()).isEqualTo("# Notes\nTODO");

    TestServer.Reply bare =
        api.get(
            "/disk/" + disk + "/artifact?file_path=" + enc("/docs/notes.md")
                + "&with_public_url=false&with_content=false");
    assertThat(bare.data().has("public_url")).isFalse();
    assertThat(bare.data().has("content")).isFalse();

    assertError(api.get("/disk/" + disk + "/artifact?file_path=" + enc("/docs/missing.md")), 404);
    assertError(api.get("/disk/" + disk + "/artifact"), 400);
    assertError(api.get("/disk/" + disk + "/artifact?file_path=" + enc("/docs/")), 400);
    assertError(api.get("/disk/" + disk + "/artifact?file_path=%2F%2e%2e%2Fx.md"), 400);
    assertError(api.get("/disk/" + disk + "/artifact?file_path=%2Fa%00b%2Fx.md"), 400);
    assertError(
        api.get("/disk/" + disk + "/artifact?file_path=%2Fdocs%2Fnotes.md&expire=0"), 400);
    assertError(
        api.get("/disk/" + disk + "/artifact?file_path=%2Fdocs%2Fnotes.md&with_content=yes"), 400);
  }

  @Test
  void publicUrlDownloadsWithoutAuthUntilTheArtifactChanges() throws Exception {
    assumeTrue(servesMaterialUrls(), "the backend signs its own URLs");
    api.upload(disk, "/docs/", "report.bin", "0123456789");
    String url =
        api.get("/disk/" + disk + "/artifact?file_path=%2Fdocs%2Freport.bin&with_content=false")
            .data()
            .get("public_url")
            .asText();
    TestServer.Reply r = api.send(HttpRequest.newBuilder(URI.create(url)).GET().build());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo("0123456789");
    assertThat(r.header("Content-Disposition")).startsWith("attachment; filename=\"report.bin\"");
    TestServer.Reply ranged =
        api.send(HttpRequest.newBuilder(URI.create(url)).header("Range", "bytes=2-4").GET().build());
    assertThat(ranged.status()).isEqualTo(206);
    assertThat(ranged.text()).isEqualTo("234");

    String tampered = url.substring(0, url.length() - 2) + (url.endsWith("A") ? "BB" : "AA");
    assertError(api.send(HttpRequest.newBuilder(URI.create(tampered)).GET().build()), 403);

    api.upload(disk, "/docs/", "report.bin", "changed");
    assertError(api.send(HttpRequest.newBuilder(URI.create(url)).GET().build()), 404);
  }

  /** The public URL {@code GET artifact} gives for {@code /docs/<name>}. */
  private URI materialUrl(String name) {
    return URI.create(
        api.get("/disk/" + disk + "/artifact?file_path=" + enc("/docs/" + name) + "&with_content=false")
            .data()
            .get("public_url")
            .asText());
  }

  private TestServer.Reply fetch(URI url) {
    return api.send(HttpRequest.newBuilder(url).GET().build());
  }

  @Test
  void aMaterialUrlFollowsTheBytesNotTheMetadata() {
    assumeTrue(servesMaterialUrls(), "the backend signs its own URLs");
    api.upload(disk, "/docs/", "m.txt", "the bytes");
    URI url = materialUrl("m.txt");

    // A metadata-only update keeps the URL serving the same bytes.
    assertThat(
            api.putJson(
                    "/disk/" + disk + "/artifact",
                    "{\"file_path\":\"/docs/m.txt\",\"meta\":\"{\\\"reviewed\\\":true}\"}")
                .status())
        .isEqualTo(200);
    TestServer.Reply afterUpdate = fetch(url);
    assertThat(afterUpdate.status()).isEqualTo(200);
    assertThat(afterUpdate.text()).isEqualTo("the bytes");

    // So does a re-upload of identical bytes: the URL serves exactly what it was issued for.
    api.upload(disk, "/docs/", "m.txt", "the bytes");
    assertThat(fetch(url).text()).isEqualTo("the bytes");

    // Other bytes end it.
    api.upload(disk, "/docs/", "m.txt", "other bytes");
    assertError(fetch(url), 404);
    // Back to the signed bytes: it serves them again (they are what it was issued for).
    api.upload(disk, "/docs/", "m.txt", "the bytes");
    assertThat(fetch(url).status()).isEqualTo(200);

    // A move ends it, even with the bytes unchanged elsewhere.
    URI moving = materialUrl("m.txt");
    assertThat(
            api.postJson(
                    "/disk/" + disk + "/artifact/move",
                    "{\"from_path\":\"/docs/m.txt\",\"to_path\":\"/docs/n.txt\"}")
                .status())
        .isEqualTo(200);
    assertError(fetch(moving), 404);

    // A delete ends it.
    URI deleting = materialUrl("n.txt");
    assertThat(fetch(deleting).status()).isEqualTo(200);
    assertThat(api.delete("/disk/" + disk + "/artifact?file_path=%2Fdocs%2Fn.txt").status())
        .isEqualTo(200);
    assertError(fetch(deleting), 404);
  }

  @Test
  void updateReplacesUserMeta() {
    api.upload(disk, "/docs/", "a.txt", "x");
    TestServer.Reply r =
        api.putJson(
            "/disk/" + disk + "/artifact",
            "{\"file_path\":\"/docs/a.txt\",\"meta\":\"{\\\"reviewed\\\":true}\"}");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertJson(r);
    JsonNode meta = r.data().get("artifact").get("meta");
    assertThat(meta.get("reviewed").asBoolean()).isTrue();
    assertThat(meta.has("__artifact_info__")).isTrue();
    assertError(
        api.putJson("/disk/" + disk + "/artifact", "{\"file_path\":\"/docs/a.txt\",\"meta\":\"{bad\"}"),
        400);
    assertError(api.putJson("/disk/" + disk + "/artifact", "{\"file_path\":\"/docs/a.txt\"}"), 400);
    assertError(
        api.putJson("/disk/" + disk + "/artifact", "{\"file_path\":\"/docs/zz.txt\",\"meta\":\"{}\"}"),
        404);
    assertError(
        api.putJson(
            "/disk/" + disk + "/artifact",
            "{\"file_path\":\"/test/../../../report.pdf\",\"meta\":\"{}\"}"),
        400);
  }

  @Test
  void deleteArtifact() {
    api.upload(disk, "/docs/", "a.txt", "x");
    TestServer.Reply r = api.delete("/disk/" + disk + "/artifact?file_path=%2Fdocs%2Fa.txt");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo("{\"code\":0,\"msg\":\"\"}");
    assertError(api.delete("/disk/" + disk + "/artifact?file_path=%2Fdocs%2Fa.txt"), 404);
    assertError(
        api.get("/disk/" + disk + "/artifact/download?file_path=%2Fdocs%2Fa.txt"), 404);
  }

  @Test
  void lsGrepGlob() {
    api.upload(disk, "/", "root.txt", "nothing");
    api.upload(disk, "/src/", "code.py", "# TODO: fix this bug");
    api.upload(disk, "/src/", "main.py", "print(1)");
    api.upload(disk, "/docs/", "notes.txt", "todo later");
    TestServer.Reply ls = api.get("/disk/" + disk + "/artifact/ls?path=%2F");
    assertThat(ls.status()).isEqualTo(200);
    assertJson(ls);
    assertThat(ls.data().get("artifacts")).hasSize(1);
    assertThat(ls.data().get("directories").toString()).contains("src", "docs");
    assertThat(api.get("/disk/" + disk + "/artifact/ls").data().get("artifacts")).hasSize(1);

    TestServer.Reply grep = api.get("/disk/" + disk + "/artifact/grep?query=TODO&limit=10");
    assertThat(grep.status()).isEqualTo(200);
    assertThat(names(grep.data())).containsExactlyInAnyOrder("code.py", "notes.txt");
    assertThat(api.get("/disk/" + disk + "/artifact/grep?query=nomatch&limit=50").data()).isEmpty();
    assertError(api.get("/disk/" + disk + "/artifact/grep?query="), 400);
    assertError(api.get("/disk/" + disk + "/artifact/grep?query=(&limit=5"), 400);

    TestServer.Reply glob = api.get("/disk/" + disk + "/artifact/glob?query=" + enc("**/*.py") + "&limit=20");
    assertThat(names(glob.data())).containsExactlyInAnyOrder("code.py", "main.py");
    assertThat(api.get("/disk/" + disk + "/artifact/glob?query=*.xyz").data()).isEmpty();
    assertError(api.get("/disk/" + disk + "/artifact/glob?query=*.py&limit=0"), 400);
  }

  private static List<String> names(JsonNode artifacts) {
    List<String> names = new ArrayList<>();
    artifacts.forEach(a -> names.add(a.get("filename").asText()));
    return names;
  }

  @Test
  void downloadWholeAndRanged() {
    api.upload(disk, "/", "d.bin", "abcdefghij");
    String base = "/disk/" + disk + "/artifact/download?file_path=%2Fd.bin";
    TestServer.Reply whole = api.get(base);
    assertThat(whole.status()).isEqualTo(200);
    assertThat(whole.text()).isEqualTo("abcdefghij");
    assertThat(whole.header("ETag")).isNotBlank();
    assertThat(whole.header("Accept-Ranges")).isEqualTo("bytes");
    TestServer.Reply part = api.send(api.request(base).header("Range", "bytes=3-").build());
    assertThat(part.status()).isEqualTo(206);
    assertThat(part.text()).isEqualTo("defghij");
    assertThat(part.header("Content-Range")).isEqualTo("bytes 3-9/10");
    TestServer.Reply suffix = api.send(api.request(base).header("Range", "bytes=-2").build());
    assertThat(suffix.text()).isEqualTo("ij");
    TestServer.Reply beyond = api.send(api.request(base).header("Range", "bytes=10-").build());
    assertError(beyond, 416);
    assertThat(beyond.header("Content-Range")).isEqualTo("bytes */10");
    TestServer.Reply staleIfRange =
        api.send(api.request(base).header("Range", "bytes=0-0").header("If-Range", "\"old\"").build());
    assertThat(staleIfRange.status()).isEqualTo(200);
  }

  @Test
  void conditionalWrites() {
    String etag = api.upload(disk, "/", "c.txt", "one").data().get("meta").get("__artifact_info__").get("etag").asText();
    TestServer.Multipart again = new TestServer.Multipart().file("c.txt", "two".getBytes(UTF_8));
    TestServer.Reply exists = api.upload(disk, again, "If-None-Match", "*");
    assertError(exists, 412);
    TestServer.Reply stale =
        api.upload(
            disk, new TestServer.Multipart().file("c.txt", "two".getBytes(UTF_8)), "If-Match", "\"nope\"");
    assertError(stale, 412);
    assertThat(stale.header("ETag")).isEqualTo("\"" + etag + "\"");
    TestServer.Reply fresh =
        api.upload(
            disk,
            new TestServer.Multipart().file("c.txt", "two".getBytes(UTF_8)),
            "If-Match",
            "\"" + etag + "\"");
    assertThat(fresh.status()).isEqualTo(201);
    assertError(
        api.send(
            api.request("/disk/" + disk + "/artifact?file_path=%2Fc.txt")
                .header("If-Match", "\"" + etag + "\"")
                .DELETE()
                .build()),
        412);
    assertThat(api.get("/disk/" + disk + "/artifact/download?file_path=%2Fc.txt").text())
        .isEqualTo("two");
  }

  @Test
  void moveArtifact() {
    api.upload(disk, "/a/", "x.txt", "x");
    api.upload(disk, "/b/", "y.txt", "y");
    TestServer.Reply r =
        api.postJson(
            "/disk/" + disk + "/artifact/move",
            "{\"from_path\":\"/a/x.txt\",\"to_path\":\"/c/z.txt\"}");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.data().get("artifact").get("path").asText()).isEqualTo("/c/");
    assertThat(r.data().get("artifact").get("filename").asText()).isEqualTo("z.txt");
    assertThat(listing("/a/").artifacts()).isEmpty();
    assertError(
        api.postJson(
            "/disk/" + disk + "/artifact/move",
            "{\"from_path\":\"/c/z.txt\",\"to_path\":\"/b/y.txt\"}"),
        412);
    assertThat(
            api.postJson(
                    "/disk/" + disk + "/artifact/move",
                    "{\"from_path\":\"/c/z.txt\",\"to_path\":\"/b/y.txt\",\"overwrite\":true}")
                .status())
        .isEqualTo(200);
    assertError(
        api.postJson("/disk/" + disk + "/artifact/move", "{\"from_path\":\"/nope.txt\",\"to_path\":\"/q.txt\"}"),
        404);
  }

  @Test
  void fullTextAndMetadataQuery() {
    api.upload(
        disk,
        new TestServer.Multipart()
            .field("meta", "{\"author\":\"alice\",\"pages\":12}")
            .file("a.txt", "the quick brown fox".getBytes(UTF_8)));
    api.upload(
        disk,
        new TestServer.Multipart()
            .field("meta", "{\"author\":\"bob\",\"pages\":3}")
            .file("b.txt", "lazy dogs sleep".getBytes(UTF_8)));
    TestServer.Reply hits = api.get("/disk/" + disk + "/artifact/search?query=fox");
    assertThat(hits.status()).as(hits.toString()).isEqualTo(200);
    assertThat(hits.data()).hasSize(1);
    assertThat(hits.data().get(0).get("artifact").get("filename").asText()).isEqualTo("a.txt");

    TestServer.Reply q =
        api.postJson(
            "/disk/" + disk + "/artifact/query",
            "{\"query\":{\"and\":[{\"key\":\"pages\",\"op\":\"gt\",\"value\":5},"
                + "{\"field\":\"size_bytes\",\"op\":\"ge\",\"value\":1}]}}");
    assertThat(q.status()).as(q.toString()).isEqualTo(200);
    assertThat(names(q.data().get("items"))).containsExactly("a.txt");
    assertThat(q.data().get("has_more").asBoolean()).isFalse();
    assertError(
        api.postJson("/disk/" + disk + "/artifact/query", "{\"query\":{\"key\":\"a\",\"op\":\"zz\"}}"),
        400);
  }

  @Test
  void routingAndProtocolErrorsAreJson() {
    assertError(api.get("/nope"), 404);
    assertError(api.send(api.request("/ping").DELETE().build()), 405);
    assertError(api.get("/disk/" + disk + "/artifact/unknown"), 404);
    TestServer.Reply huge =
        api.send(api.request("/ping").header("X-Big", "a".repeat(32 * 1024)).build());
    assertThat(huge.status()).isEqualTo(431);
    assertJson(huge);
    assertThat(huge.json().get("code").asInt()).isEqualTo(431);
  }

  @Test
  void versionsAreListedReadAndRestored() {
    api.upload(disk, "/h/", "doc.txt", "one");
    api.upload(disk, "/h/", "doc.txt", "two");
    String base = "/disk/" + disk + "/artifact";
    TestServer.Reply versions = api.get(base + "/versions?file_path=" + enc("/h/doc.txt"));
    assertThat(versions.status()).as(versions.toString()).isEqualTo(200);
    assertJson(versions);
    JsonNode items = versions.data().get("items");
    assertThat(items).hasSize(2);
    assertThat(items.get(0).get("version").asLong()).isEqualTo(1);
    assertThat(items.get(0).get("change").asText()).isEqualTo("upserted");
    assertThat(items.get(0).get("changed_at").asText()).matches("\\d{4}-.*Z");
    assertThat(items.get(1).get("artifact").get("meta").get("__artifact_info__").get("size").asLong())
        .isEqualTo(3);
    assertThat(versions.data().get("has_more").asBoolean()).isFalse();
    TestServer.Reply page = api.get(base + "/versions?limit=1&file_path=" + enc("/h/doc.txt"));
    assertThat(page.data().get("items")).hasSize(1);
    assertThat(page.data().get("has_more").asBoolean()).isTrue();
    TestServer.Reply older =
        api.get(base + "/versions?limit=1&cursor=" + enc(page.data().get("next_cursor").asText())
            + "&file_path=" + enc("/h/doc.txt"));
    assertThat(older.data().get("items").get(0).get("version").asLong()).isZero();

    // an old version through get (metadata and content) and download (whole and ranged)
    TestServer.Reply old =
        api.get(base + "?with_public_url=false&version=0&file_path=" + enc("/h/doc.txt"));
    assertThat(old.status()).as(old.toString()).isEqualTo(200);
    assertThat(old.data().get("content").get("raw").asText()).isEqualTo("one");
    assertThat(api.get(base + "/download?version=0&file_path=" + enc("/h/doc.txt")).text())
        .isEqualTo("one");
    TestServer.Reply ranged =
        api.send(api.request(base + "/download?version=0&file_path=" + enc("/h/doc.txt"))
            .header("Range", "bytes=1-").build());
    assertThat(ranged.status()).isEqualTo(206);
    assertThat(ranged.text()).isEqualTo("ne");
    assertThat(api.get(base + "/download?file_path=" + enc("/h/doc.txt")).text()).isEqualTo("two");
    assertError(api.get(base + "/download?version=7&file_path=" + enc("/h/doc.txt")), 404);
    assertError(api.get(base + "/download?version=-1&file_path=" + enc("/h/doc.txt")), 400);
    assertError(api.get(base + "?version=x&file_path=" + enc("/h/doc.txt")), 400);

    // restore: over a condition that fails, then for real; the restore is a version of its own
    TestServer.Reply stale =
        api.send(api.request(base + "/restore").header("Content-Type", "application/json")
            .header("If-Match", "\"nope\"")
            .POST(HttpRequest.BodyPublishers.ofString("{\"file_path\":\"/h/doc.txt\",\"version\":0}"))
            .build());
    assertError(stale, 412);
    TestServer.Reply restored =
        api.postJson(base + "/restore", "{\"file_path\":\"/h/doc.txt\",\"version\":0}");
    assertThat(restored.status()).as(restored.toString()).isEqualTo(200);
    assertThat(restored.header("ETag"))
        .isEqualTo("\"" + restored.data().get("artifact").get("meta").get("__artifact_info__").get("etag").asText() + "\"");
    assertThat(api.get(base + "/download?file_path=" + enc("/h/doc.txt")).text()).isEqualTo("one");
    assertThat(api.get(base + "/versions?file_path=" + enc("/h/doc.txt")).data().get("items").get(0)
        .get("change").asText()).isEqualTo("restored");

    // an undelete: the deletion is a version without an artifact
    assertThat(api.delete(base + "?file_path=" + enc("/h/doc.txt")).status()).isEqualTo(200);
    JsonNode afterDelete = api.get(base + "/versions?file_path=" + enc("/h/doc.txt")).data().get("items");
    assertThat(afterDelete.get(0).get("change").asText()).isEqualTo("deleted");
    assertThat(afterDelete.get(0).get("artifact").isNull()).isTrue();
    assertError(api.postJson(base + "/restore",
        "{\"file_path\":\"/h/doc.txt\",\"version\":" + afterDelete.get(0).get("version").asLong() + "}"), 404);
    assertThat(api.postJson(base + "/restore", "{\"file_path\":\"/h/doc.txt\",\"version\":1}").status())
        .isEqualTo(200);
    assertThat(api.get(base + "/download?file_path=" + enc("/h/doc.txt")).text()).isEqualTo("two");

    assertError(api.postJson(base + "/restore", "{\"file_path\":\"/h/doc.txt\"}"), 400);
    assertError(api.postJson(base + "/restore", "{\"file_path\":\"/h/doc.txt\",\"version\":\"1\"}"), 400);
    assertError(api.postJson(base + "/restore", "{\"file_path\":\"/h/none.txt\",\"version\":0}"), 404);
    assertError(api.get(base + "/versions"), 400);
    assertThat(api.get(base + "/versions?file_path=" + enc("/h/never.txt")).data().get("items")).isEmpty();
  }

  @Test
  void lsPagesWithLimitAndCursorDirectoriesFirst() {
    api.upload(disk, "/p/", "b.txt", "x");
    api.upload(disk, "/p/", "a.txt", "x");
    api.upload(disk, "/p/z/", "in.txt", "x");
    api.upload(disk, "/p/y/", "in.txt", "x");
    String base = "/disk/" + disk + "/artifact/ls?path=" + enc("/p/");
    TestServer.Reply first = api.get(base + "&limit=3");
    assertThat(first.status()).as(first.toString()).isEqualTo(200);
    assertThat(first.data().get("directories").toString()).isEqualTo("[\"y\",\"z\"]");
    assertThat(names(first.data().get("artifacts"))).containsExactly("a.txt");
    assertThat(first.data().get("has_more").asBoolean()).isTrue();
    TestServer.Reply second =
        api.get(base + "&limit=3&cursor=" + enc(first.data().get("next_cursor").asText()));
    assertThat(second.data().get("directories")).isEmpty();
    assertThat(names(second.data().get("artifacts"))).containsExactly("b.txt");
    assertThat(second.data().get("has_more").asBoolean()).isFalse();
    assertThat(second.data().has("next_cursor")).isFalse();
    // without limit and cursor: the whole listing, as Acontext answers (no paging fields)
    TestServer.Reply whole = api.get(base);
    assertThat(whole.data().has("has_more")).isFalse();
    assertThat(whole.data().get("artifacts")).hasSize(2);
    assertError(api.get(base + "&limit=0"), 400);
    assertError(api.get(base + "&limit=1001"), 400);
    assertError(api.get(base + "&limit=2&cursor=garbage"), 400);
  }

  @Test
  void grepCanAnswerTheMatchingLines() {
    api.upload(disk, "/", "a.txt", "first\nTODO one\nmiddle\ntodo two\nTODO three\n");
    String base = "/disk/" + disk + "/artifact/grep?query=todo";
    TestServer.Reply lines = api.get(base + "&matches_per_file=2");
    assertThat(lines.status()).as(lines.toString()).isEqualTo(200);
    JsonNode file = lines.data().get(0);
    assertThat(file.get("filename").asText()).isEqualTo("a.txt");
    assertThat(file.get("matches")).hasSize(2);
    assertThat(file.get("matches").get(0).get("line_number").asInt()).isEqualTo(2);
    assertThat(file.get("matches").get(0).get("line").asText()).isEqualTo("TODO one");
    assertThat(file.get("more_matches").asBoolean()).isTrue();
    // without it: bare artifacts, as Acontext answers
    assertThat(api.get(base).data().get(0).has("matches")).isFalse();
    assertError(api.get(base + "&matches_per_file=0"), 400);
    assertError(api.get(base + "&matches_per_file=101"), 400);
  }

  @Test
  void storedBytesAreSandboxedAttachments() {
    api.upload(disk, "/", "evil.html", "<script>alert(1)</script>");
    TestServer.Reply r = api.get("/disk/" + disk + "/artifact/download?file_path=%2Fevil.html");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Disposition")).startsWith("attachment;");
    assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(r.header("Content-Security-Policy"))
        .isEqualTo("sandbox; default-src 'none'; frame-ancestors 'none'");
    TestServer.Reply ranged =
        api.send(api.request("/disk/" + disk + "/artifact/download?file_path=%2Fevil.html")
            .header("Range", "bytes=0-3").build());
    assertThat(ranged.status()).isEqualTo(206);
    assertThat(ranged.header("Content-Security-Policy")).startsWith("sandbox");
    if (servesMaterialUrls()) {
      TestServer.Reply material = fetch(materialUrlOf("/evil.html"));
      assertThat(material.status()).isEqualTo(200);
      assertThat(material.header("Content-Security-Policy")).startsWith("sandbox");
      assertThat(material.header("X-Content-Type-Options")).isEqualTo("nosniff");
    }
  }

  private URI materialUrlOf(String filePath) {
    return URI.create(
        api.get("/disk/" + disk + "/artifact?with_content=false&file_path=" + enc(filePath))
            .data().get("public_url").asText());
  }

  @Test
  void getSaysWhyThereIsNoContent() {
    TestServer.Multipart m = new TestServer.Multipart();
    api.upload(disk, m.file("blob.bin", new byte[] {0, 1, 2, 3, (byte) 0xff}));
    TestServer.Reply r = api.get("/disk/" + disk + "/artifact?with_public_url=false&file_path=%2Fblob.bin");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.data().has("content")).isFalse();
    assertThat(r.data().get("content_unavailable").asText()).isEqualTo("unsupported");
    TestServer.Reply without =
        api.get("/disk/" + disk + "/artifact?with_public_url=false&with_content=false&file_path=%2Fblob.bin");
    assertThat(without.data().has("content_unavailable")).isFalse();
  }

  @Test
  void openApiIsServed() {
    TestServer.Reply r = api.get("/openapi.json");
    assertThat(r.status()).isEqualTo(200);
    assertJson(r);
    assertThat(r.json().get("openapi").asText()).startsWith("3.1.");
  }
}
