package dev.diskstore.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.DiskStore;
import dev.diskstore.InvalidRequestException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link DiskStoreServer.Builder#mount}: a handler beside the API, behind the same tokens. */
class MountTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private DiskStore store;
  private DiskStoreServer server;
  private String origin;

  /** Answers "path project" for requests below /echo/ok, declines the others. */
  private static final class Echo extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = request.getHttpURI().getPath();
      if (!path.startsWith("/echo/ok")) {
        return false;
      }
      response.setStatus(200);
      response.write(true,
          ByteBuffer.wrap((path + " " + request.getAttribute(DiskStoreServer.PROJECT_ATTRIBUTE))
              .getBytes(UTF_8)),
          callback);
      return true;
    }
  }

  @BeforeEach
  void start() {
    store = DiskStore.inMemory();
    server = DiskStoreServer.builder(store).port(0)
        .project("alpha", "token-a").project("beta", "token-b")
        .mount("/echo", new Echo())
        .build().start();
    origin = "http://127.0.0.1:" + server.port();
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(origin + path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theMountedHandlerSeesTheCallersProjectAndTheFullPath() throws Exception {
    assertThat(get("/echo/ok/x?q=1", "token-a").body()).isEqualTo("/echo/ok/x alpha");
    assertThat(get("/echo/ok", "token-b").body()).isEqualTo("/echo/ok beta");
  }

  @Test
  void withoutAValidTokenTheHandlerIsNotCalled() throws Exception {
    for (String token : new String[] {null, "wrong"}) {
      HttpResponse<String> response = get("/echo/ok", token);
      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
      assertThat(response.body()).contains("Unauthorized").doesNotContain("/echo/ok");
    }
  }

  @Test
  void declinedRequestsGetA404AndTheApiStillAnswers() throws Exception {
    assertThat(get("/echo/other", "token-a").statusCode()).isEqualTo(404);
    assertThat(get("/echoes", "token-a").statusCode()).isEqualTo(404);
    assertThat(get("/api/v1/ping", null).body()).contains("pong");
    assertThat(get("/api/v1/disk", "token-a").statusCode()).isEqualTo(200);
  }

  @Test
  void mountsMustNotOverlapTheApiOrEachOther() {
    assertThatThrownBy(() -> DiskStoreServer.builder(store).mount("/api", new Echo()).build())
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("overlaps");
    assertThatThrownBy(() -> DiskStoreServer.builder(store)
            .mount("/a", new Echo()).mount("/a/b", new Echo()).build())
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> DiskStoreServer.builder(store).mount("mcp", new Echo()))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> DiskStoreServer.builder(store)
            .mount("/m", new Echo()).mount("/m/", new Echo()))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("already mounted");
  }
}
