package dev.diskstore.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import dev.diskstore.StorageException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Material URLs expire, and need a started server to be signed. */
class MaterialUrlExpiryTest {
  @TempDir Path dir;

  /** A clock the test moves forward. */
  static final class MovableClock extends Clock {
    volatile Instant now = Instant.now();

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void anExpiredLinkIs403() throws Exception {
    MovableClock clock = new MovableClock();
    MaterialUrlSigner urls = MaterialUrlSigner.withSecret("0123456789abcdef0123".getBytes(UTF_8), clock);
    try (DiskStore store = TestServer.openStore(dir, urls);
        DiskStoreServer server = DiskStoreServer.builder(store).port(0).materialUrls(urls).build().start()) {
      String disk = store.disks().create().id();
      store.disks().artifacts().upsert(disk, FileUpload.of("a.txt", "hi".getBytes(UTF_8)), "/");
      URI url =
          store.disks().artifacts()
              .get(disk, "/", "a.txt", GetOptions.builder().withPublicUrl(true).expireSeconds(60).build())
              .publicUrl()
              .orElseThrow();
      assertThat(url.toString()).startsWith(server.baseUri() + "/material/");
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> fresh = http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(fresh.statusCode()).isEqualTo(200);
      assertThat(fresh.body()).isEqualTo("hi");
      assertThat(fresh.headers().firstValue("Cache-Control").orElse("")).startsWith("private, max-age=");

      clock.now = clock.now.plus(Duration.ofSeconds(61));
      HttpResponse<String> expired = http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(expired.statusCode()).isEqualTo(403);
      assertThat(expired.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
      assertThat(expired.body()).contains("expired");
    }
  }

  @Test
  void aTokenOfTheEarlierEtagFormatIsRefusedWith403() throws Exception {
    byte[] secret = "0123456789abcdef0123".getBytes(UTF_8);
    MaterialUrlSigner urls = MaterialUrlSigner.withSecret(secret, Clock.systemUTC());
    try (DiskStore store = TestServer.openStore(dir, urls);
        DiskStoreServer server = DiskStoreServer.builder(store).port(0).materialUrls(urls).build().start()) {
      String disk = store.disks().create().id();
      String etag =
          store.disks().artifacts().upsert(disk, FileUpload.of("a.txt", "hi".getBytes(UTF_8)), "/").etag();
      // diskId, path, filename, etag, expiry: how tokens were made before they named the bytes,
      // signed with the right secret.
      byte[] payload =
          String.join("\n", disk, "/", "a.txt", etag, Long.toString(Instant.now().getEpochSecond() + 600))
              .getBytes(UTF_8);
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256"));
      java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
      URI old =
          URI.create(
              server.baseUri() + "/material/" + b64.encodeToString(payload) + "."
                  + b64.encodeToString(mac.doFinal(payload)));
      HttpResponse<String> answer =
          HttpClient.newHttpClient().send(HttpRequest.newBuilder(old).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).isEqualTo(403);
      assertThat(answer.body()).contains("outdated format").doesNotContain("hi\"");
    }
  }

  @Test
  void signingBeforeTheServerStartedFailsClearly() {
    MaterialUrlSigner urls = MaterialUrlSigner.create();
    try (DiskStore store = TestServer.openStore(dir, urls)) {
      String disk = store.disks().create().id();
      store.disks().artifacts().upsert(disk, FileUpload.of("a.txt", "hi".getBytes(UTF_8)), "/");
      assertThatThrownBy(
              () -> store.disks().artifacts().get(disk, "/", "a.txt", GetOptions.builder().withPublicUrl(true).build()))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("has started");
    }
  }
}
