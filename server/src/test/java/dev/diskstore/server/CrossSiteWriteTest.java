package dev.diskstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server without tokens (the loopback default) refuses writes a browser marks as coming from
 * another site, so that a web page open in the same browser cannot create, upload or delete
 * through it; programs (no {@code Origin}) and the server's own web view (its own origin) write as
 * before, and reads are untouched.
 */
class CrossSiteWriteTest {
  @TempDir Path dir;

  private static TestServer.Reply createDisk(TestServer api, String... headers) {
    HttpRequest.Builder b = api.request("/disk")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}"));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return api.send(b.build());
  }

  private static int disks(TestServer api) {
    return api.get("/disk").json().path("data").path("items").size();
  }

  @Test
  void writesFromAnotherOriginAreRefusedAndChangeNothing() {
    try (TestServer api = new TestServer(dir)) {
      String self = "http://127.0.0.1:" + api.server.port();
      for (String[] foreign :
          new String[][] {
            {"Origin", "http://evil.example"},
            {"Origin", "http://127.0.0.1:" + (api.server.port() + 1)},
            {"Origin", "http://localhost:" + api.server.port()},
            {"Origin", "null"},
            {"Sec-Fetch-Site", "cross-site"},
          }) {
        TestServer.Reply r = createDisk(api, foreign);
        assertThat(r.status()).as("%s: %s", foreign[0], foreign[1]).isEqualTo(403);
        assertThat(r.json().path("msg").asText()).contains("refused");
      }
      assertThat(disks(api)).as("nothing was created").isZero();

      assertThat(createDisk(api).status()).as("a program (no Origin)").isEqualTo(201);
      assertThat(createDisk(api, "Origin", self, "Sec-Fetch-Site", "same-origin").status())
          .as("the server's own web view").isEqualTo(201);
      assertThat(disks(api)).isEqualTo(2);

      TestServer.Reply read = api.send(api.request("/disk")
          .header("Origin", "http://evil.example").GET().build());
      assertThat(read.status()).as("reads are not refused").isEqualTo(200);
      assertThat(read.header("Access-Control-Allow-Origin")).as("but never shared").isNull();
    }
  }
}
