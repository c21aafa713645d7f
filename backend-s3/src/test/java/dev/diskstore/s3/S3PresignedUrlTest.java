package dev.diskstore.s3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.StorageException;
import dev.diskstore.spi.PublicUrlRequest;
import dev.diskstore.spi.PublicUrlSigner;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * S3 presigned download URLs, downloaded with {@code java.net.http} from S3Proxy (which checks
 * SigV4 query signatures): headers, expiry, tampering, and a public endpoint other than the one the
 * backend talks to.
 */
class S3PresignedUrlTest {
  private static final SharedS3Proxy S3 = new SharedS3Proxy("transient");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;

  @BeforeAll
  static void startProxy() throws Exception {
    S3.start();
  }

  @AfterAll
  static void stopProxy() {
    S3.stop();
  }

  private DiskStore openStore(S3BlobBackend backend) {
    return DiskStore.open(DiskStoreConfig.builder().directory(dir).backend(backend).build());
  }

  private static URI urlOf(
      DiskStore store, String disk, String path, String name, Duration expire) {
    return store
        .disks()
        .artifacts()
        .get(disk, path, name, GetOptions.builder().withPublicUrl(true).expire(expire).build())
        .publicUrl()
        .orElseThrow();
  }

  private static HttpResponse<byte[]> download(URI url) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void aPresignedUrlServesTheBytesWithTypeAndFilename() throws Exception {
    String name = "Q3 r\u00e9sum\u00e9 \"final\" 100%.pdf";
    byte[] bytes = "%PDF-1.7 not really".getBytes(UTF_8);
    try (DiskStore store = openStore(S3.backend(S3.newPrefix()).build())) {
      String disk = store.disks().create().id();
      store.disks().artifacts().upsert(disk, FileUpload.of(name, bytes, "application/pdf"), "/r/");

      URI url = urlOf(store, disk, "/r/", name, Duration.ofMinutes(10));

      assertThat(url.getHost()).isEqualTo("127.0.0.1");
      assertThat(url.getRawQuery())
          .contains("X-Amz-Signature=")
          .contains("X-Amz-Expires=600")
          .contains("response-content-disposition=")
          .contains("response-content-type=");
      HttpResponse<byte[]> response = download(url);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(bytes);
      assertThat(response.headers().firstValue("Content-Type")).hasValue("application/pdf");
      String disposition = response.headers().firstValue("Content-Disposition").orElseThrow();
      assertThat(disposition)
          .startsWith("attachment; filename=\"Q3 r_sum_ _final_ 100_.pdf\"; filename*=UTF-8''");
      Matcher m = Pattern.compile("filename\\*=UTF-8''([^;\\s]+)").matcher(disposition);
      assertThat(m.find()).isTrue();
      assertThat(URLDecoder.decode(m.group(1).replace("+", "%2B"), UTF_8)).isEqualTo(name);
    }
  }

  @Test
  void aTamperedUrlIsRefused() throws Exception {
    try (DiskStore store = openStore(S3.backend(S3.newPrefix()).build())) {
      String disk = store.disks().create().id();
      store.disks().artifacts().upsert(disk, FileUpload.ofText("a.txt", "secret a"), "/");
      store.disks().artifacts().upsert(disk, FileUpload.ofText("b.txt", "secret b"), "/");
      URI url = urlOf(store, disk, "/", "a.txt", Duration.ofMinutes(10));

      URI badSignature =
          withParameter(
              url,
              "X-Amz-Signature",
              s -> s.substring(0, s.length() - 1) + (s.endsWith("0") ? "1" : "0"));
      URI longerLife = withParameter(url, "X-Amz-Expires", e -> "604800");
      URI otherType = withParameter(url, "response-content-type", t -> "text%2Fhtml");
      URI otherObject = URI.create(url.toString().replace(".blob?", "x.blob?"));

      assertThat(download(badSignature).statusCode()).as("signature changed").isEqualTo(403);
      assertThat(download(longerLife).statusCode()).as("expiry changed").isEqualTo(403);
      assertThat(download(otherType).statusCode()).as("content type changed").isEqualTo(403);
      assertThat(download(otherObject).statusCode()).as("object changed").isEqualTo(403);
      assertThat(download(url).statusCode()).as("the genuine URL").isEqualTo(200);
    }
  }

  @Test
  void anExpiredUrlIsRefused() throws Exception {
    try (DiskStore store = openStore(S3.backend(S3.newPrefix()).build())) {
      String disk = store.disks().create().id();
      store.disks().artifacts().upsert(disk, FileUpload.ofText("short.txt", "short-lived"), "/");
      URI url = urlOf(store, disk, "/", "short.txt", Duration.ofSeconds(1));
      assertThat(url.getRawQuery()).contains("X-Amz-Expires=1");

      Thread.sleep(2100);

      HttpResponse<byte[]> response = download(url);
      assertThat(response.statusCode()).isEqualTo(403);
      assertThat(new String(response.body(), UTF_8)).contains("AccessDenied");
    }
  }

  @Test
  void thePublicEndpointNamesTheHostAndTheSignatureIsBoundToIt() throws Exception {
    URI endpoint = S3.endpoint(); // http://127.0.0.1:<port>
    URI publicEndpoint = URI.create("http://localhost:" + endpoint.getPort());
    S3BlobBackend backend = S3.backend(S3.newPrefix()).publicEndpoint(publicEndpoint).build();
    try (DiskStore store = openStore(backend)) {
      String disk = store.disks().create().id();
      store.disks().artifacts().upsert(disk, FileUpload.ofText("p.txt", "public"), "/");

      URI url = urlOf(store, disk, "/", "p.txt", Duration.ofMinutes(5));

      assertThat(url.getHost()).isEqualTo("localhost");
      assertThat(url.getPort()).isEqualTo(endpoint.getPort());
      HttpResponse<byte[]> response = download(url);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(new String(response.body(), UTF_8)).isEqualTo("public");
      URI otherHost = URI.create(url.toString().replace("//localhost:", "//127.0.0.1:"));
      assertThat(download(otherHost).statusCode())
          .as("the same URL on the backend's own host: signed for another Host header")
          .isEqualTo(403);
    }
  }

  @Test
  void theSignerAcceptsOneSecondToSevenDaysAndNothingAfterClose() {
    S3BlobBackend backend = S3.backend(S3.newPrefix()).build();
    PublicUrlSigner signer = backend.publicUrlSigner().orElseThrow();
    backend.write("k", new ByteArrayInputStream(new byte[] {1}), OptionalLong.of(1));

    assertThat(signer.sign(request(Duration.ofDays(7))).getRawQuery())
        .contains("X-Amz-Expires=604800");
    assertThat(signer.sign(request(Duration.ofSeconds(1))).getRawQuery())
        .contains("X-Amz-Expires=1");
    assertThatExceptionOfType(InvalidRequestException.class)
        .isThrownBy(() -> signer.sign(request(Duration.ofDays(7).plusSeconds(1))))
        .withMessageContaining("7 days");
    assertThatExceptionOfType(InvalidRequestException.class)
        .isThrownBy(() -> signer.sign(request(Duration.ofMillis(500))));

    backend.close();
    assertThatExceptionOfType(StorageException.class)
        .isThrownBy(() -> signer.sign(request(Duration.ofMinutes(1))))
        .withMessageContaining("closed");
  }

  @Test
  void contentDispositionCarriesAnAsciiFallbackAndTheUtf8Name() {
    assertThat(PresignedUrlSigner.attachment("report.pdf"))
        .isEqualTo("attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf");
    assertThat(PresignedUrlSigner.attachment("na\u00efve \"x\"\\ 5%;.txt"))
        .isEqualTo(
            "attachment; filename=\"na_ve _x__ 5_;.txt\";"
                + " filename*=UTF-8''na%C3%AFve%20%22x%22%5C%205%25%3B.txt");
    assertThat(PresignedUrlSigner.attachment("\uD83D\uDE80"))
        .isEqualTo("attachment; filename=\"_\"; filename*=UTF-8''%F0%9F%9A%80");
  }

  private static PublicUrlRequest request(Duration expire) {
    return new PublicUrlRequest(
        "disk",
        "/",
        "k.bin",
        "k",
        "0".repeat(64),
        "etag",
        "application/octet-stream",
        1,
        expire,
        Instant.now().plus(expire));
  }

  /** {@code uri} with query parameter {@code name} replaced by {@code change(value)}. */
  private static URI withParameter(URI uri, String name, UnaryOperator<String> change) {
    String text = uri.toString();
    int query = text.indexOf('?');
    String[] parts = text.substring(query + 1).split("&");
    boolean found = false;
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].startsWith(name + "=")) {
        parts[i] = name + "=" + change.apply(parts[i].substring(name.length() + 1));
        found = true;
      }
    }
    assertThat(found).as("%s has %s", uri, name).isTrue();
    return URI.create(text.substring(0, query + 1) + String.join("&", parts));
  }
}
