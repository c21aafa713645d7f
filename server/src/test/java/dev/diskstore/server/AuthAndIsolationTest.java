package dev.diskstore.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.DiskStore;
import dev.diskstore.InvalidRequestException;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bearer tokens, projects, and disks of other projects looking exactly like missing ones. */
class AuthAndIsolationTest {
  @TempDir Path dir;

  @Test
  void missingOrWrongTokenIs401() {
    try (TestServer api = new TestServer(dir, b -> b.token("sk-ac-alice"), null)) {
      TestServer.Reply none = api.get("/disk");
      assertThat(none.status()).isEqualTo(401);
      assertThat(none.contentType()).isEqualTo("application/json; charset=utf-8");
      assertThat(none.text()).isEqualTo("{\"code\":401,\"msg\":\"Unauthorized\"}");
      api.token = "sk-ac-alicf";
      assertThat(api.get("/disk").text()).isEqualTo("{\"code\":401,\"msg\":\"Unauthorized\"}");
      api.token = "sk-ac-alice";
      assertThat(api.get("/disk").status()).isEqualTo(200);
      TestServer.Reply basic =
          api.send(api.request("/disk").header("Authorization", "Basic c2stYWM=").build());
      assertThat(basic.status()).isIn(200, 401); // first Authorization header wins in the client
      api.token = null;
      assertThat(api.get("/ping").status()).isEqualTo(200); // ping needs no token
    }
  }

  @Test
  void eachTokenIsAProjectAndOtherProjectsDisksDoNotExist() {
    try (TestServer api =
        new TestServer(dir, b -> b.token("sk-ac-alice").project("team-bob", "sk-ac-bob"), "sk-ac-alice")) {
      String aliceDisk = api.createDisk();
      api.upload(aliceDisk, "/", "secret.txt", "alice only");
      String aliceProject = api.store.disks().get(aliceDisk).projectId();
      assertThat(aliceProject).isEqualTo(Projects.derivedProjectId("sk-ac-alice"));
      assertThat(aliceProject).doesNotContain("alice");

      api.token = "sk-ac-bob";
      String bobDisk = api.createDisk();
      assertThat(api.store.disks().get(bobDisk).projectId()).isEqualTo("team-bob");
      assertThat(api.get("/disk").data().get("items")).hasSize(1);
      assertThat(api.get("/disk").data().get("items").get(0).get("id").asText()).isEqualTo(bobDisk);

      String missing = "00000000-0000-4000-8000-000000000000";
      for (String id : new String[] {aliceDisk, missing}) {
        TestServer.Reply get = api.get("/disk/" + id + "/artifact?file_path=%2Fsecret.txt");
        assertThat(get.status()).isEqualTo(404);
        assertThat(get.text()).isEqualTo("{\"code\":404,\"msg\":\"disk not found: " + id + "\"}");
        assertThat(api.get("/disk/" + id + "/artifact/download?file_path=%2Fsecret.txt").status())
            .isEqualTo(404);
        assertThat(api.get("/disk/" + id + "/artifact/ls").status()).isEqualTo(404);
        assertThat(api.get("/disk/" + id + "/artifact/grep?query=alice").status()).isEqualTo(404);
        assertThat(api.delete("/disk/" + id + "/artifact?file_path=%2Fsecret.txt").status())
            .isEqualTo(404);
        assertThat(
                api.putJson("/disk/" + id + "/artifact", "{\"file_path\":\"/secret.txt\",\"meta\":\"{}\"}")
                    .status())
            .isEqualTo(404);
        assertThat(api.upload(id, "/", "evil.txt", "x").status()).isEqualTo(404);
        assertThat(api.delete("/disk/" + id).status()).isEqualTo(404);
      }
      api.token = "sk-ac-alice";
      assertThat(
              api.get("/disk/" + aliceDisk + "/artifact/download?file_path=%2Fsecret.txt").text())
          .isEqualTo("alice only");
      assertThat(api.store.disks().artifacts().list(aliceDisk, "/").artifacts()).hasSize(1);
    }
  }

  @Test
  void openServerIsTheStoresProjectAndAcceptsAnyBearer() {
    try (TestServer api = new TestServer(dir, b -> b, null)) {
      String disk = api.createDisk();
      assertThat(api.store.disks().get(disk).projectId()).isEqualTo(api.store.projectId());
      api.token = "whatever";
      assertThat(api.get("/disk/" + disk + "/artifact/ls").status()).isEqualTo(200);
    }
  }

  @Test
  void aNonLoopbackHostNeedsAToken() {
    try (DiskStore store = DiskStore.inMemory()) {
      assertThatThrownBy(() -> DiskStoreServer.builder(store).host("0.0.0.0").build())
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("without a token");
      DiskStoreServer.builder(store).host("0.0.0.0").token("t").build(); // not started
      assertThatThrownBy(() -> DiskStoreServer.builder(store).project("bad project", "t"))
          .isInstanceOf(InvalidRequestException.class);
    }
  }

  @Test
  void aBusyPortIsAClearFailureAndCloseIsIdempotent() {
    try (TestServer api = new TestServer(dir, b -> b, null)) {
      DiskStoreServer second = DiskStoreServer.builder(api.store).port(api.server.port()).build();
      assertThatThrownBy(second::start)
          .isInstanceOf(dev.diskstore.StorageException.class)
          .hasMessageContaining("cannot start the DiskStore server");
      second.close();
      second.close();
      assertThat(api.get("/ping").status()).isEqualTo(200);
    }
  }

  @Test
  void derivedProjectIdsAreStableAndDistinct() {
    assertThat(Projects.derivedProjectId("a")).isEqualTo(Projects.derivedProjectId("a"));
    assertThat(Projects.derivedProjectId("a")).isNotEqualTo(Projects.derivedProjectId("b"));
    assertThat(Projects.derivedProjectId("a")).matches("[0-9a-f-]{36}");
  }

  @Test
  void serverDoesNotCloseTheStore() {
    TestServer api = new TestServer(dir, b -> b, null);
    api.server.close();
    api.server.close();
    assertThat(api.store.disks().create()).isNotNull();
    api.store.close();
    assertThat(HttpRequest.BodyPublishers.ofString("", UTF_8)).isNotNull();
  }
}
