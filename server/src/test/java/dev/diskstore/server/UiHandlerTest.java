package dev.diskstore.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.InvalidRequestException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import org.eclipse.jetty.server.Handler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web view's files over real HTTP: where they are, their types, the security and caching
 * headers, and what is not served. (The page itself runs in a browser in the ui-tests module.)
 */
class UiHandlerTest {
  @TempDir Path dir;

  private TestServer.Reply get(TestServer api, String path, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.server.port() + path)).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return api.send(b.build());
  }

  @Test
  void offByDefault() {
    try (TestServer api = new TestServer(dir)) {
      assertThat(api.server.uiUri()).isEmpty();
      TestServer.Reply r = get(api, "/ui/");
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.contentType()).isEqualTo(ApiHandler.JSON);
    }
  }

  @Test
  void servesThePageAndItsFilesWithAStrictPolicy() {
    try (TestServer api = new TestServer(dir, b -> b.webUi(true).token("sk-ui"), "sk-ui")) {
      assertThat(api.server.uiUri()).hasValue(URI.create("http://127.0.0.1:" + api.server.port() + "/ui/"));
      TestServer.Reply page = get(api, "/ui/"); // no token: the files hold no data
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.contentType()).isEqualTo("text/html; charset=utf-8");
      assertThat(page.text())
          .contains("<meta name=\"diskstore-api\" content=\"/api/v1\">")
          .contains("<script type=\"module\" src=\"js/main.js\"></script>")
          .doesNotContain("%API_PREFIX%")
          .doesNotContain("onclick=")
          .doesNotContainPattern("<script>|<script [^>]*>[^<]");
      assertThat(page.header("Content-Security-Policy"))
          .isEqualTo(UiHandler.CSP)
          .contains("default-src 'self'", "script-src 'self'", "style-src 'self'",
              "img-src 'self' blob: data:", "object-src 'none'", "frame-ancestors 'none'")
          .doesNotContain("unsafe");
      assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
      assertThat(page.header("Referrer-Policy")).isEqualTo("no-referrer");
      assertThat(page.header("Cache-Control")).isEqualTo("no-cache");

      String etag = page.header("ETag");
      assertThat(etag).matches("\"[0-9a-f]{32}\"");
      TestServer.Reply again = get(api, "/ui/", "If-None-Match", etag);
      assertThat(again.status()).isEqualTo(304);
      assertThat(again.bytes()).isEmpty();
      assertThat(get(api, "/ui/", "If-None-Match", "\"other\"").status()).isEqualTo(200);

      TestServer.Reply redirect = get(api, "/ui");
      assertThat(redirect.status()).isEqualTo(308);
      assertThat(redirect.header("Location")).isEqualTo("/ui/");

      for (String[] file :
          new String[][] {
            {"/ui/app.css", "text/css; charset=utf-8"},
            {"/ui/js/main.js", "text/javascript; charset=utf-8"},
            {"/ui/js/preview.js", "text/javascript; charset=utf-8"},
            {"/ui/favicon.svg", "image/svg+xml"},
            {"/ui/vendor/marked.esm.js", "text/javascript; charset=utf-8"},
            {"/ui/vendor/purify.es.mjs", "text/javascript; charset=utf-8"},
            {"/ui/vendor/highlight/core.js", "text/javascript; charset=utf-8"},
            {"/ui/vendor/highlight/languages/python.js", "text/javascript; charset=utf-8"},
            {"/ui/vendor/highlight/github.css", "text/css; charset=utf-8"},
          }) {
        TestServer.Reply r = get(api, file[0]);
        assertThat(r.status()).as(file[0]).isEqualTo(200);
        assertThat(r.contentType()).as(file[0]).isEqualTo(file[1]);
        assertThat(r.header("Content-Security-Policy")).as(file[0]).isEqualTo(UiHandler.CSP);
        assertThat(r.bytes().length).as(file[0]).isGreaterThan(100);
      }
      assertThat(get(api, "/ui/vendor/highlight/core.js").text())
          .startsWith("// highlight.js core (CommonJS) as an ES module")
          .endsWith("export default module.exports;\n");
      assertThat(get(api, "/ui/vendor/marked.esm.js").text()).contains("export");

      // the API is where it was, behind its token
      assertThat(api.get("/ping").status()).isEqualTo(200);
      assertThat(api.send(HttpRequest.newBuilder(api.uri("/disk")).GET().build()).status()).isEqualTo(401);
    }
  }

  @Test
  void servesNothingElse() {
    try (TestServer api = new TestServer(dir, b -> b.webUi(true), "t")) {
      for (String path :
          new String[] {
            "/ui/nope.js", "/ui/js/", "/ui/js", "/ui/vendor", "/ui/vendor/highlight/languages",
            "/ui/.hidden.js", "/ui/js/../../openapi.json", "/ui/UiHandler.class",
            "/ui/vendor/highlight/languages/nope.js", "/ui/vendor/highlight/lib/core.js",
            "/ui/vendor/marked.umd.js", "/ui/index.txt", "/ui/%2e%2e/openapi.json",
          }) {
        TestServer.Reply r = get(api, path);
        assertThat(r.status()).as(path).isIn(400, 404);
      }
      TestServer.Reply post =
          api.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.server.port() + "/ui/"))
              .POST(HttpRequest.BodyPublishers.ofString("x")).build());
      assertThat(post.status()).isEqualTo(405);
      assertThat(post.header("Allow")).isEqualTo("GET, HEAD");
      TestServer.Reply head =
          api.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.server.port() + "/ui/app.css"))
              .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.bytes()).isEmpty();
    }
  }

  @Test
  void aPrefixOrMountAtUiIsRefused() {
    try (dev.diskstore.DiskStore store = dev.diskstore.DiskStore.inMemory()) {
      assertThatThrownBy(() -> DiskStoreServer.builder(store).webUi(true).prefix("/ui").build())
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("/ui");
      Handler handler = new Handler.Abstract() {
        @Override
        public boolean handle(org.eclipse.jetty.server.Request request,
            org.eclipse.jetty.server.Response response, org.eclipse.jetty.util.Callback callback) {
          return false;
        }
      };
      assertThatThrownBy(() -> DiskStoreServer.builder(store).webUi(true).mount("/ui", handler).build())
          .isInstanceOf(InvalidRequestException.class);
      // with an empty prefix the API is at the root and the web view still at /ui/
      DiskStoreServer.builder(store).webUi(true).prefix("").build().close();
    }
  }
}
