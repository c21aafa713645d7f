package dev.diskstore.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.ByteRange;
import dev.diskstore.CorruptContentException;
import dev.diskstore.InvalidPathException;
import dev.diskstore.StorageException;
import dev.diskstore.StoreClosedException;
import dev.diskstore.spi.BlobNotFoundException;
import dev.diskstore.spi.PublicUrlRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The built-in download server over real HTTP on loopback, with a map-backed resolver. */
class UrlServerTest {
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(UTF_8);
  private static final Instant START = Instant.parse("2025-03-01T12:00:00Z");
  private static final Duration HOUR = Duration.ofHours(1);

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final MutableClock clock = new MutableClock(START);
  private final MapResolver resolver = new MapResolver();
  private UrlServer server;

  @BeforeEach
  void startServer() {
    server = new UrlServer(InetAddress.getLoopbackAddress(), 0, SECRET, clock, resolver);
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Downloads

  @Test
  void downloadsBytesWithHeaders() throws Exception {
    byte[] content = "hello, download".getBytes(UTF_8);
    URI url = publish("disk-1", "/docs/2024/", "report.txt", content, "etag-1", "text/plain");

    HttpResponse<byte[]> response = get(url);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(content);
    assertThat(header(response, "Content-Type")).isEqualTo("text/plain");
    assertThat(header(response, "Content-Length")).isEqualTo(String.valueOf(content.length));
    assertThat(header(response, "Content-Disposition"))
        .isEqualTo("attachment; filename=\"report.txt\"; filename*=UTF-8''report.txt");
    assertThat(header(response, "X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(header(response, "Cache-Control")).isEqualTo("private, max-age=3600");
    assertThat(resolver.lastThreadName.get()).startsWith("diskstore-url-server-");
  }

  @Test
  void contentDispositionOfUnicodeFilename() throws Exception {
    URI url = publish("d", "/", "résumé 日本.pdf", new byte[] {1, 2, 3}, "e", "application/pdf");

    HttpResponse<byte[]> response = get(url);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(header(response, "Content-Disposition"))
        .isEqualTo(
            "attachment; filename=\"r_sum_ __.pdf\"; "
                + "filename*=UTF-8''r%C3%A9sum%C3%A9%20%E6%97%A5%E6%9C%AC.pdf");
  }

  @Test
  void contentDispositionOfFilenameWithQuotesAndSpaces() throws Exception {
    URI url = publish("d", "/", "my \"quoted\" file.txt", new byte[] {7}, "e", "text/plain");

    HttpResponse<byte[]> response = get(url);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(header(response, "Content-Disposition"))
        .isEqualTo(
            "attachment; filename=\"my _quoted_ file.txt\"; "
                + "filename*=UTF-8''my%20%22quoted%22%20file.txt");
  }

  @Test
  void contentDispositionFallbackReplacesBackslashAndAstralCharacters() {
    assertThat(UrlServer.contentDisposition("a\\b\uD83D\uDE00.txt"))
        .isEqualTo("attachment; filename=\"a_b_.txt\"; filename*=UTF-8''a%5Cb%F0%9F%98%80.txt");
  }

  @Test
  void headAnswersHeadersWithoutBodyOrOpeningTheBlob() throws Exception {
    byte[] content = new byte[1234];
    URI url = publish("d", "/x/", "f.bin", content, "e", "application/octet-stream");

    HttpResponse<byte[]> response =
        http.send(
            HttpRequest.newBuilder(url).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
            BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEmpty();
    assertThat(header(response, "Content-Length")).isEqualTo("1234");
    assertThat(header(response, "Content-Type")).isEqualTo("application/octet-stream");
    assertThat(header(response, "Content-Disposition")).startsWith("attachment;");
    assertThat(resolver.opens.get()).isZero();
  }

  @Test
  void emptyFileDownloadsWithZeroLength() throws Exception {
    URI url = publish("d", "/", "empty.txt", new byte[0], "e", "text/plain");

    HttpResponse<byte[]> response = get(url);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEmpty();
    assertThat(header(response, "Content-Length")).isEqualTo("0");
  }

  @Test
  void unsafeStoredContentTypeIsReplaced() throws Exception {
    URI url = publish("d", "/", "f", new byte[] {1}, "e", "text/plain; x=\u00e9");

    HttpResponse<byte[]> response = get(url);

    assertThat(header(response, "Content-Type")).isEqualTo("application/octet-stream");
  }

  @Test
  void pathsWithSpacesUnicodeAndPercentSignsRoundTrip() throws Exception {
    byte[] content = "odd names".getBytes(UTF_8);
    String path = "/reports 2024/résumé/a+b~c/";
    String filename = "100% done & ok?#.txt";
    URI url = publish("disk 1", path, filename, content, "etag/1 +", "text/plain");

    assertThat(url.getRawPath())
        .isEqualTo(
            "/v1/disk%201/reports%202024/r%C3%A9sum%C3%A9/a%2Bb~c/"
                + "100%25%20done%20%26%20ok%3F%23.txt");
    assertThat(url.getRawQuery()).matches("exp=\\d+&sha256=" + sha256(content) + "&sig=[0-9a-f]{64}");

    HttpResponse<byte[]> response = get(url);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(content);
    assertThat(resolver.lastLookup.get()).isEqualTo(new Key("disk 1", path, filename));
  }

  @Test
  void urlHasTheDocumentedShape() {
    URI url = publish("d", "/a/b/", "c.txt", new byte[] {1}, "etag-1", "text/plain");

    assertThat(url.getScheme()).isEqualTo("http");
    assertThat(url.getHost()).isEqualTo("127.0.0.1");
    assertThat(url.getPort()).isEqualTo(server.baseUri().orElseThrow().getPort());
    assertThat(url.getRawPath()).isEqualTo("/v1/d/a/b/c.txt");
    assertThat(url.getRawQuery())
        .matches(
            "exp="
                + START.plus(HOUR).getEpochSecond()
                + "&sha256="
                + sha256(new byte[] {1})
                + "&sig=[0-9a-f]{64}");
  }

  @Test
  void wildcardBindAddressIsAdvertisedAsLoopback() throws Exception {
    try (UrlServer wildcard =
        new UrlServer(InetAddress.getByName("0.0.0.0"), 0, SECRET, clock, resolver)) {
      resolver.put(new Key("d", "/", "f"), new byte[] {5}, "e", "text/plain");
      URI url = wildcard.sign(request("d", "/", "f", "e", START.plus(HOUR)));

      assertThat(url.getHost()).isEqualTo("127.0.0.1");
      assertThat(get(url).body()).containsExactly(5);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Expiry and tampering

  @Test
  void expiresAtExpByTheClock() throws Exception {
    URI url = publish("d", "/", "f.txt", new byte[] {1}, "e", "text/plain", Duration.ofSeconds(60));

    clock.advance(Duration.ofSeconds(59));
    HttpResponse<byte[]> stillValid = get(url);
    assertThat(stillValid.statusCode()).isEqualTo(200);
    assertThat(header(stillValid, "Cache-Control")).isEqualTo("private, max-age=1");

    clock.advance(Duration.ofSeconds(1));
    HttpResponse<byte[]> expired = get(url);
    assertThat(expired.statusCode()).isEqualTo(403);
    assertThat(body(expired)).contains("expired");
    assertThat(header(expired, "Content-Type")).startsWith("text/plain");
  }

  @Test
  void flippingAnyCharacterOfTheSignatureIsForbidden() throws Exception {
    URI url = publish("d", "/a/", "f.txt", new byte[] {1}, "e", "text/plain");
    String sig = queryParam(url, "sig");
    assertThat(get(url).statusCode()).isEqualTo(200);

    for (int i = 0; i < sig.length(); i++) {
      char flipped = sig.charAt(i) == '0' ? '1' : '0';
      String tampered = sig.substring(0, i) + flipped + sig.substring(i + 1);
      HttpResponse<byte[]> response = get(withQueryParam(url, "sig", tampered));
      assertThat(response.statusCode()).as("sig flipped at %d", i).isEqualTo(403);
    }
  }

  @Test
  void changingExpOrSha256IsForbidden() throws Exception {
    URI url = publish("d", "/a/", "f.txt", new byte[] {1}, "e1", "text/plain");
    resolver.put(new Key("d", "/a/", "f.txt"), new byte[] {1}, "e1", "text/plain");
    long exp = Long.parseLong(queryParam(url, "exp"));

    assertThat(get(withQueryParam(url, "exp", String.valueOf(exp + 3600))).statusCode())
        .isEqualTo(403);
    assertThat(get(withQueryParam(url, "exp", String.valueOf(exp - 1))).statusCode())
        .isEqualTo(403);
    assertThat(get(withQueryParam(url, "sha256", sha256(new byte[] {2}))).statusCode())
        .isEqualTo(403);
    assertThat(get(url).statusCode()).isEqualTo(200);
  }

  @Test
  void changingDiskPathOrFilenameIsForbidden() throws Exception {
    URI url = publish("d1", "/a/b/", "f.txt", new byte[] {1}, "e", "text/plain");
    // Every target exists with the same bytes, so only the signature can refuse them.
    for (Key other :
        List.of(
            new Key("d2", "/a/b/", "f.txt"),
            new Key("d1", "/a/c/", "f.txt"),
            new Key("d1", "/a/", "f.txt"),
            new Key("d1", "/a/b/c/", "f.txt"),
            new Key("d1", "/a/b/", "g.txt"))) {
      resolver.put(other, new byte[] {1}, "e", "text/plain");
    }
    String query = "?" + url.getRawQuery();
    String base = server.baseUri().orElseThrow().toString();

    for (String path :
        List.of(
            "/v1/d2/a/b/f.txt",
            "/v1/d1/a/c/f.txt",
            "/v1/d1/a/f.txt",
            "/v1/d1/a/b/c/f.txt",
            "/v1/d1/a/b/g.txt")) {
      HttpResponse<byte[]> response = get(URI.create(base + path + query));
      assertThat(response.statusCode()).as(path).isEqualTo(403);
      assertThat(body(response)).as(path).contains("signature");
    }
    // An escaped "/" inside a directory segment is not a second spelling of the same URL.
    assertThat(get(URI.create(base + "/v1/d1/a%2Fb/f.txt" + query)).statusCode()).isEqualTo(404);
    assertThat(get(url).statusCode()).isEqualTo(200);
  }

  @Test
  void missingOrMalformedParametersAreForbidden() throws Exception {
    URI url = publish("d", "/", "f.txt", new byte[] {1}, "e", "text/plain");
    String base = server.baseUri().orElseThrow() + url.getRawPath();
    String exp = queryParam(url, "exp");
    String sig = queryParam(url, "sig");

    String sha = queryParam(url, "sha256");

    List<String> queries =
        List.of(
            "",
            "?sha256=" + sha + "&sig=" + sig,
            "?exp=" + exp + "&sig=" + sig,
            "?exp=" + exp + "&sha256=" + sha,
            "?exp=&sha256=" + sha + "&sig=" + sig,
            "?exp=-1&sha256=" + sha + "&sig=" + sig,
            "?exp=12x&sha256=" + sha + "&sig=" + sig,
            "?exp=99999999999999999999&sha256=" + sha + "&sig=" + sig,
            "?exp=" + exp + "&sha256=" + sha + "&sig=" + sig.substring(1),
            "?exp=" + exp + "&sha256=" + sha + "&sig=" + sig.substring(1) + "g",
            "?exp=" + exp + "&sha256=" + sha + "&sig=" + sig + "&sig=" + sig,
            "?exp=" + exp + "&sha256=" + sha + "&sha256=" + sha + "&sig=" + sig,
            "?exp=" + exp + "&sha256=%FF&sig=" + sig);
    for (String query : queries) {
      HttpResponse<byte[]> response = get(URI.create(base + query));
      assertThat(response.statusCode()).as(query).isEqualTo(403);
    }
    assertThat(get(URI.create(base + "?exp=" + exp + "&sha256=" + sha + "&sig=" + sig)).statusCode())
        .isEqualTo(200);
  }

  @Test
  void urlsOfTheEarlierEtagFormatAreRefusedClearly() throws Exception {
    // Before URLs were bound to content they carried &etag= (and signed it under the tag v1).
    URI url = publish("d", "/", "f.txt", new byte[] {1}, "e", "text/plain");
    String base = server.baseUri().orElseThrow() + url.getRawPath();
    String earlier =
        "?exp=" + queryParam(url, "exp") + "&etag=e&sig=" + queryParam(url, "sig");

    HttpResponse<byte[]> response = get(URI.create(base + earlier));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(body(response)).contains("outdated format");
    assertThat(resolver.opens.get()).isZero();
  }

  // ---------------------------------------------------------------------------------------------
  // Artifact state

  @Test
  void removedArtifactIsNotFound() throws Exception {
    URI url = publish("d", "/", "f.txt", new byte[] {1}, "e", "text/plain");
    resolver.remove(new Key("d", "/", "f.txt"));

    HttpResponse<byte[]> response = get(url);

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(body(response)).contains("no longer exists");
  }

  @Test
  void changedBytesAreNotFound() throws Exception {
    URI url = publish("d", "/", "f.txt", "old".getBytes(UTF_8), "e1", "text/plain");
    resolver.put(new Key("d", "/", "f.txt"), "new".getBytes(UTF_8), "e2", "text/plain");

    HttpResponse<byte[]> response = get(url);

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(body(response)).contains("replaced, moved or deleted since this link was issued");
    assertThat(resolver.opens.get()).isZero();
  }

  @Test
  void aNewEtagForTheSameBytesKeepsServingThem() throws Exception {
    // A metadata-only update: the artifact's etag moves, its bytes do not.
    URI url = publish("d", "/", "f.txt", "same".getBytes(UTF_8), "e1", "text/plain");
    resolver.put(new Key("d", "/", "f.txt"), "same".getBytes(UTF_8), "e2", "text/plain");

    HttpResponse<byte[]> response = get(url);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("same".getBytes(UTF_8));
    assertThat(header(response, "ETag")).isEqualTo("\"e2\"");
  }

  // ---------------------------------------------------------------------------------------------
  // Protocol errors

  @Test
  void otherMethodsAreNotAllowed() throws Exception {
    URI url = publish("d", "/", "f.txt", new byte[] {1}, "e", "text/plain");

    for (String method : List.of("POST", "PUT", "DELETE")) {
      HttpResponse<byte[]> response =
          http.send(
              HttpRequest.newBuilder(url)
                  .method(method, HttpRequest.BodyPublishers.ofString("payload"))
                  .build(),
              BodyHandlers.ofByteArray());
      assertThat(response.statusCode()).as(method).isEqualTo(405);
      assertThat(header(response, "Allow")).isEqualTo("GET, HEAD");
    }
    assertThat(resolver.lookups.get()).isZero();
  }

  @Test
  void unknownPathsAreNotFound() throws Exception {
    publish("d", "/", "f.txt", new byte[] {1}, "e", "text/plain");
    String base = server.baseUri().orElseThrow().toString();

    for (String path :
        List.of(
            "/", "/favicon.ico", "/v1", "/v1/", "/v1/d", "/v1/d/", "/v2/d/f.txt", "/v1//f.txt")) {
      HttpResponse<byte[]> response = get(URI.create(base + path));
      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(header(response, "Content-Type")).startsWith("text/plain");
    }
  }

  @Test
  void malformedPercentEncodingIsBadRequest() throws Exception {
    URI url = publish("d", "/", "f.txt", new byte[] {1}, "e", "text/plain");
    String base = server.baseUri().orElseThrow().toString();
    String query = "?" + url.getRawQuery();

    // Valid URI syntax, but not UTF-8: our decoder refuses it.
    for (String path : List.of("/v1/d/%FF.txt", "/v1/d/%C3.txt", "/v1/%ED%A0%80/f.txt")) {
      HttpResponse<byte[]> response = get(URI.create(base + path + query));
      assertThat(response.statusCode()).as(path).isEqualTo(400);
      assertThat(body(response)).as(path).contains("percent-encoding");
    }
    // Broken escapes are not even URIs; send them raw.
    assertThat(rawStatusLine("/v1/d/%zz.txt" + query)).contains(" 400");
    assertThat(rawStatusLine("/v1/d/f.txt%2" + query)).contains(" 400");
  }

  @Test
  void percentDecodingIsStrict() {
    assertThat(UrlServer.percentDecode("a%20b+c")).contains("a b+c");
    assertThat(UrlServer.percentDecode("%e6%97%a5")).contains("日");
    assertThat(UrlServer.percentDecode("日")).contains("日");
    assertThat(UrlServer.percentDecode("%")).isEmpty();
    assertThat(UrlServer.percentDecode("%4")).isEmpty();
    assertThat(UrlServer.percentDecode("%4g")).isEmpty();
    assertThat(UrlServer.percentDecode("%C0%AF")).isEmpty(); // overlong "/"
    assertThat(UrlServer.percentEncode("a b+c~d-e_f.g/h")).isEqualTo("a%20b%2Bc~d-e_f.g%2Fh");
  }

  @Test
  void resolverFailureAnswers500AndServerKeepsServing() throws Exception {
    URI url = publish("d", "/", "f.txt", "fine".getBytes(UTF_8), "e", "text/plain");

    resolver.failure.set(new StorageException("index unavailable", true, null));
    HttpResponse<byte[]> failed = get(url);
    assertThat(failed.statusCode()).isEqualTo(500);
    assertThat(header(failed, "Content-Type")).startsWith("text/plain");
    assertThat(body(failed)).doesNotContain("index unavailable");

    resolver.failure.set(null);
    resolver.openFailure.set(new StorageException("blob missing", false, null));
    assertThat(get(url).statusCode()).isEqualTo(500);

    resolver.openFailure.set(null);
    HttpResponse<byte[]> recovered = get(url);
    assertThat(recovered.statusCode()).isEqualTo(200);
    assertThat(recovered.body()).isEqualTo("fine".getBytes(UTF_8));
  }

  @Test
  void streamFailureMidBodyCutsTheResponseAndServerKeepsServing() throws Exception {
    URI url = publish("d", "/", "f.txt", new byte[3 * 1024 * 1024], "e", "text/plain");
    resolver.failMidStream.set(true);

    assertThatThrownBy(() -> get(url)).isInstanceOf(IOException.class);

    resolver.failMidStream.set(false);
    assertThat(get(url).statusCode()).isEqualTo(200);
  }

  @Test
  void streamFailureOfASmallFileAnswers500BeforeAnyByte() throws Exception {
    URI url = publish("d", "/", "f.txt", new byte[100_000], "e", "text/plain");
    resolver.failMidStream.set(true);

    HttpResponse<byte[]> failed = get(url);
    assertThat(failed.statusCode()).isEqualTo(500);
    assertThat(header(failed, "Content-Type")).startsWith("text/plain");

    resolver.failMidStream.set(false);
    assertThat(get(url).statusCode()).isEqualTo(200);
  }

  // ---------------------------------------------------------------------------------------------
  // Ranges

  @Test
  void fullDownloadAdvertisesRangesAndItsEtag() throws Exception {
    URI url = publish("d", "/", "f.bin", bytes(1000, 1), "etag-1", "application/octet-stream");

    HttpResponse<byte[]> response = get(url);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(header(response, "Accept-Ranges")).isEqualTo("bytes");
    assertThat(header(response, "ETag")).isEqualTo("\"etag-1\"");
    assertThat(header(response, "Content-Range")).isEqualTo("<absent>");
    assertThat(response.headers().allValues("Connection")).containsExactly("close");
    assertThat(header(response, "Server")).isEqualTo("<absent>");
  }

  @Test
  void singleByteRangesAnswer206WithThoseBytes() throws Exception {
    byte[] content = bytes(1000, 2);
    URI url = publish("d", "/r/", "f.bin", content, "e", "application/octet-stream");
    Map<String, long[]> cases = new java.util.LinkedHashMap<>();
    cases.put("bytes=0-9", new long[] {0, 9});
    cases.put("bytes=990-", new long[] {990, 999});
    cases.put("bytes=-10", new long[] {990, 999});
    cases.put("bytes=995-2000", new long[] {995, 999});
    cases.put("bytes=0-999", new long[] {0, 999});
    cases.put("bytes=-5000", new long[] {0, 999});
    cases.put("bytes=500-500", new long[] {500, 500});
    cases.put("bytes=999-99999999999999999999999", new long[] {999, 999});
    cases.put("Bytes = 7-8 ", new long[] {7, 8});
    cases.put("bytes=3-4,", new long[] {3, 4});

    for (Map.Entry<String, long[]> c : cases.entrySet()) {
      HttpResponse<byte[]> response = get(url, "Range", c.getKey());
      int first = (int) c.getValue()[0];
      int last = (int) c.getValue()[1];
      assertThat(response.statusCode()).as(c.getKey()).isEqualTo(206);
      assertThat(header(response, "Content-Range"))
          .as(c.getKey())
          .isEqualTo("bytes " + first + "-" + last + "/1000");
      assertThat(header(response, "Content-Length"))
          .as(c.getKey())
          .isEqualTo("" + (last - first + 1));
      assertThat(response.body())
          .as(c.getKey())
          .isEqualTo(Arrays.copyOfRange(content, first, last + 1));
      assertThat(header(response, "Content-Disposition")).startsWith("attachment;");
      assertThat(header(response, "Content-Type")).isEqualTo("application/octet-stream");
      assertThat(header(response, "ETag")).isEqualTo("\"e\"");
      assertThat(header(response, "Accept-Ranges")).isEqualTo("bytes");
    }
  }

  @Test
  void unsatisfiableRangesAnswer416WithTheSize() throws Exception {
    URI url = publish("d", "/", "f.bin", bytes(1000, 3), "e", "application/octet-stream");

    for (String range :
        List.of("bytes=1000-", "bytes=5000-6000", "bytes=-0", "bytes=99999999999999999999-")) {
      HttpResponse<byte[]> response = get(url, "Range", range);
      assertThat(response.statusCode()).as(range).isEqualTo(416);
      assertThat(header(response, "Content-Range")).as(range).isEqualTo("bytes */1000");
      assertThat(header(response, "Content-Type")).startsWith("text/plain");
    }
    assertThat(resolver.opens.get()).isZero();
  }

  @Test
  void rangesTheServerDoesNotHonourGetTheWholeFile() throws Exception {
    byte[] content = bytes(1000, 4);
    URI url = publish("d", "/", "f.bin", content, "e", "application/octet-stream");

    for (String range :
        List.of(
            "bytes=0-1,5-6",
            "items=0-1",
            "bytes=5-1",
            "bytes=abc",
            "bytes=",
            "bytes=--5",
            "bytes=1-2-3",
            "bytes 0-1",
            "bytes=-",
            "bytes=+1-2",
            "bytes=0x10-")) {
      HttpResponse<byte[]> response = get(url, "Range", range);
      assertThat(response.statusCode()).as(range).isEqualTo(200);
      assertThat(response.body()).as(range).isEqualTo(content);
    }
  }

  @Test
  void ifRangeHonoursTheRangeOnlyForTheCurrentEtag() throws Exception {
    byte[] content = bytes(1000, 5);
    URI url = publish("d", "/", "f.bin", content, "etag-7", "application/octet-stream");

    HttpResponse<byte[]> current = get(url, "Range", "bytes=100-199", "If-Range", "\"etag-7\"");
    assertThat(current.statusCode()).isEqualTo(206);
    assertThat(current.body()).isEqualTo(Arrays.copyOfRange(content, 100, 200));

    for (String ifRange :
        List.of("\"etag-6\"", "W/\"etag-7\"", "etag-7", "Wed, 21 Oct 2015 07:28:00 GMT", "")) {
      HttpResponse<byte[]> response = get(url, "Range", "bytes=100-199", "If-Range", ifRange);
      assertThat(response.statusCode()).as(ifRange).isEqualTo(200);
      assertThat(response.body()).as(ifRange).isEqualTo(content);
    }
  }

  @Test
  void headAnswersWhatGetWouldWithoutOpeningTheBlob() throws Exception {
    URI url = publish("d", "/", "f.bin", bytes(1000, 6), "e", "application/octet-stream");

    RawResponse partial = raw(url, "HEAD", "Range: bytes=10-19");
    assertThat(partial.status()).isEqualTo(206);
    assertThat(partial.header("Content-Range")).isEqualTo("bytes 10-19/1000");
    assertThat(partial.header("Content-Length")).isEqualTo("10");
    assertThat(partial.body()).isEmpty();

    RawResponse whole = raw(url, "HEAD", "Range: bytes=10-19", "If-Range: \"other\"");
    assertThat(whole.status()).isEqualTo(200);
    assertThat(whole.header("Content-Length")).isEqualTo("1000");
    assertThat(whole.header("Accept-Ranges")).isEqualTo("bytes");
    assertThat(whole.header("ETag")).isEqualTo("\"e\"");

    RawResponse unsatisfiable = raw(url, "HEAD", "Range: bytes=2000-");
    assertThat(unsatisfiable.status()).isEqualTo(416);
    assertThat(unsatisfiable.header("Content-Range")).isEqualTo("bytes */1000");
    assertThat(unsatisfiable.body()).isEmpty();
    assertThat(resolver.opens.get()).isZero();
  }

  @Test
  void emptyFileHasNoSatisfiableFirstPosition() throws Exception {
    URI url = publish("d", "/", "empty.txt", new byte[0], "e", "text/plain");

    HttpResponse<byte[]> fromStart = get(url, "Range", "bytes=0-");
    assertThat(fromStart.statusCode()).isEqualTo(416);
    assertThat(header(fromStart, "Content-Range")).isEqualTo("bytes */0");

    HttpResponse<byte[]> suffix = get(url, "Range", "bytes=-5");
    assertThat(suffix.statusCode()).isEqualTo(200);
    assertThat(suffix.body()).isEmpty();
  }

  @Test
  void aCutDownloadOfABigFileResumesWithRangeAndIfRange() throws Exception {
    byte[] content = bytes(6 * 1024 * 1024 + 123, 7);
    URI url = publish("d", "/big/", "image.iso", content, "etag-big", "application/octet-stream");

    // The first attempt breaks off after 2.5 MiB of body.
    int firstPart = 5 * 512 * 1024;
    String etag;
    try (Socket socket = new Socket(url.getHost(), url.getPort())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET "
                      + url.getRawPath()
                      + "?"
                      + url.getRawQuery()
                      + " HTTP/1.1\r\n"
                      + "Host: localhost\r\n\r\n")
                  .getBytes(UTF_8));
      InputStream in = socket.getInputStream();
      Map<String, String> headers = readHead(in);
      assertThat(headers.get(":status")).isEqualTo("200");
      assertThat(headers.get("accept-ranges")).isEqualTo("bytes");
      etag = headers.get("etag");
      byte[] received = in.readNBytes(firstPart);
      assertThat(received).isEqualTo(Arrays.copyOf(content, firstPart));
    }

    HttpResponse<byte[]> rest = get(url, "Range", "bytes=" + firstPart + "-", "If-Range", etag);

    assertThat(rest.statusCode()).isEqualTo(206);
    assertThat(header(rest, "Content-Range"))
        .isEqualTo("bytes " + firstPart + "-" + (content.length - 1) + "/" + content.length);
    byte[] joined = new byte[content.length];
    System.arraycopy(content, 0, joined, 0, firstPart);
    System.arraycopy(rest.body(), 0, joined, firstPart, rest.body().length);
    assertThat(firstPart + rest.body().length).isEqualTo(content.length);
    assertThat(joined).isEqualTo(content);
  }

  // ---------------------------------------------------------------------------------------------
  // Integrity: never a complete response with bytes other than the recorded ones

  @Test
  void damagedSmallFileAnswers500WithoutItsBytes() throws Exception {
    byte[] content = "the quarterly numbers, all of them\n".getBytes(UTF_8);
    Key key = new Key("d", "/", "small.txt");
    URI url = publish("d", "/", "small.txt", content, "e", "text/plain");
    Map<String, byte[]> damages = damages(content);

    for (Map.Entry<String, byte[]> damage : damages.entrySet()) {
      resolver.damage(key, damage.getValue());
      HttpResponse<byte[]> response = get(url);
      assertThat(response.statusCode()).as(damage.getKey()).isEqualTo(500);
      assertThat(header(response, "Content-Type")).as(damage.getKey()).startsWith("text/plain");
      assertThat(body(response))
          .as(damage.getKey())
          .contains("damaged")
          .doesNotContain("quarterly");
    }
    resolver.damage(key, content);
    assertThat(get(url).body()).isEqualTo(content);
  }

  @Test
  void damagedLargeFileIsCutBeforeItsLastBytes() throws Exception {
    byte[] content = bytes(3 * 1024 * 1024 + 17, 8);
    Key key = new Key("d", "/", "large.bin");
    URI url = publish("d", "/", "large.bin", content, "e", "application/octet-stream");

    for (Map.Entry<String, byte[]> damage : damages(content).entrySet()) {
      resolver.damage(key, damage.getValue());
      RawResponse response = raw(url, "GET");
      // A status line may already be out when the damage shows: then the body stops short.
      if (response.status() == 200) {
        assertThat(response.header("Content-Length"))
            .as(damage.getKey())
            .isEqualTo("" + content.length);
        assertThat(response.body().length).as(damage.getKey()).isLessThan(content.length);
        assertThat(response.body())
            .as(damage.getKey())
            .isEqualTo(Arrays.copyOf(damage.getValue(), response.body().length));
      } else {
        assertThat(response.status()).as(damage.getKey()).isEqualTo(500);
      }
      assertThatThrownBy(() -> get(url)).as(damage.getKey()).isInstanceOf(IOException.class);
    }
    resolver.damage(key, content);
    assertThat(get(url).body()).isEqualTo(content);
  }

  @Test
  void aStreamWithMoreBytesThanRecordedIsCutEvenIfTheResolverDoesNotCheck() throws Exception {
    byte[] content = bytes(3 * 1024 * 1024, 10);
    Key key = new Key("d", "/", "u.bin");
    URI url = publish("d", "/", "u.bin", content, "e", "application/octet-stream");
    resolver.unchecked.set(true);

    resolver.damage(key, Arrays.copyOf(content, content.length + 1));
    RawResponse longer = raw(url, "GET");
    assertThat(longer.status()).isEqualTo(200);
    assertThat(longer.body().length).isLessThan(content.length);

    resolver.damage(key, Arrays.copyOf(content, content.length - 1));
    RawResponse shorter = raw(url, "GET");
    assertThat(shorter.status()).isEqualTo(200);
    assertThat(shorter.body().length).isLessThan(content.length);

    resolver.damage(key, content);
    assertThat(get(url).body()).isEqualTo(content);
  }

  @Test
  void rangesNeverServeBytesBeyondTheRecordedSizeAndAreCutWhenTheBlobEndsEarly() throws Exception {
    byte[] content = bytes(3 * 1024 * 1024, 9);
    Key key = new Key("d", "/", "r.bin");
    URI url = publish("d", "/", "r.bin", content, "e", "application/octet-stream");

    byte[] appended = Arrays.copyOf(content, content.length + 5000);
    resolver.damage(key, appended);
    HttpResponse<byte[]> tail = get(url, "Range", "bytes=-10");
    assertThat(tail.statusCode()).isEqualTo(206);
    assertThat(tail.body())
        .isEqualTo(Arrays.copyOfRange(content, content.length - 10, content.length));

    resolver.damage(key, Arrays.copyOf(content, 2 * 1024 * 1024));
    RawResponse cut = raw(url, "GET", "Range: bytes=1048576-");
    assertThat(cut.status()).isEqualTo(206);
    assertThat(cut.header("Content-Length")).isEqualTo("" + (content.length - 1048576));
    assertThat(cut.body().length).isLessThan(content.length - 1048576);

    RawResponse beyond = raw(url, "GET", "Range: bytes=2500000-2500099");
    assertThat(beyond.status())
        .as("nothing to send: refused before the status line")
        .isEqualTo(500);
  }

  // ---------------------------------------------------------------------------------------------
  // A replace racing the download

  @Test
  void blobGoneBecauseTheArtifactWasReplacedOrDeletedAnswers404() throws Exception {
    Key key = new Key("d", "/", "v.txt");
    URI url = publish("d", "/", "v.txt", "one".getBytes(UTF_8), "e1", "text/plain");

    resolver.blobVanishes.set(k -> resolver.put(k, "two".getBytes(UTF_8), "e2", "text/plain"));
    HttpResponse<byte[]> replaced = get(url);
    assertThat(replaced.statusCode()).isEqualTo(404);
    assertThat(body(replaced)).contains("replaced, moved or deleted");

    resolver.put(key, "one".getBytes(UTF_8), "e1", "text/plain");
    resolver.blobVanishes.set(resolver::remove);
    assertThat(get(url).statusCode()).isEqualTo(404);

    // The same bytes without their blob are a fault of the store, not a race: 500.
    resolver.put(key, "one".getBytes(UTF_8), "e1", "text/plain");
    resolver.blobVanishes.set(k -> {});
    assertThat(get(url).statusCode()).isEqualTo(500);

    resolver.blobVanishes.set(null);
    assertThat(get(url).body()).isEqualTo("one".getBytes(UTF_8));
  }

  // ---------------------------------------------------------------------------------------------
  // Slow and idle clients

  @Test
  void idleAndHalfSentConnectionsHoldNoThread() throws Exception {
    DownloadLimits small =
        new DownloadLimits(6, 1000, Duration.ofSeconds(30), Duration.ofSeconds(30));
    try (UrlServer bounded =
        new UrlServer(InetAddress.getLoopbackAddress(), 0, SECRET, clock, resolver, small)) {
      resolver.put(new Key("d", "/", "f.txt"), "ok".getBytes(UTF_8), "e", "text/plain");
      URI url = bounded.sign(request("d", "/", "f.txt", "e", START.plus(HOUR)));
      List<Socket> slow = new ArrayList<>();
      try {
        for (int i = 0; i < 100; i++) {
          Socket socket = new Socket(url.getHost(), url.getPort());
          if (i % 2 == 0) {
            socket
                .getOutputStream()
                .write(("GET " + url.getRawPath() + " HTTP/1.1\r\nHo").getBytes(UTF_8));
          }
          slow.add(socket);
        }
        for (int i = 0; i < 5; i++) {
          HttpResponse<byte[]> response = get(url);
          assertThat(response.statusCode()).isEqualTo(200);
        }
        assertThat(bounded.httpServer().orElseThrow().threadCount()).isLessThanOrEqualTo(6);
      } finally {
        for (Socket socket : slow) {
          socket.close();
        }
      }
    }
  }

  @Test
  void aRequestHeadMustArriveWithinTheDeadlineHoweverSlowlyItTrickles() throws Exception {
    DownloadLimits quick =
        new DownloadLimits(8, 1000, Duration.ofMillis(600), Duration.ofSeconds(30));
    try (UrlServer bounded =
        new UrlServer(InetAddress.getLoopbackAddress(), 0, SECRET, clock, resolver, quick)) {
      resolver.put(new Key("d", "/", "f.txt"), "ok".getBytes(UTF_8), "e", "text/plain");
      URI url = bounded.sign(request("d", "/", "f.txt", "e", START.plus(HOUR)));
      byte[] head =
          ("GET "
                  + url.getRawPath()
                  + "?"
                  + url.getRawQuery()
                  + " HTTP/1.1\r\nHost: x\r\n"
                  + "X-Padding: "
                  + "p".repeat(200)
                  + "\r\n\r\n")
              .getBytes(UTF_8);
      try (Socket silent = new Socket(url.getHost(), url.getPort());
          Socket trickling = new Socket(url.getHost(), url.getPort())) {
        long start = System.nanoTime();
        OutputStream out = trickling.getOutputStream();
        boolean cut = false;
        for (int i = 0; i < head.length - 1 && !cut; i++) {
          try {
            out.write(head[i]); // one byte every 20 ms: Jetty's idle timeout alone never fires
            out.flush();
            Thread.sleep(20);
          } catch (IOException e) {
            cut = true;
          }
          if (System.nanoTime() - start > Duration.ofSeconds(10).toNanos()) {
            break;
          }
        }
        trickling.setSoTimeout(5_000);
        assertThat(cut || trickling.getInputStream().read() == -1)
            .as("trickling connection closed")
            .isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        silent.setSoTimeout(5_000);
        assertThat(silent.getInputStream().read()).as("silent connection closed").isEqualTo(-1);
      }
      assertThat(bounded.httpServer().orElseThrow().headDeadlinesMissed()).isEqualTo(2);
      assertThat(get(url).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void atTheConnectionLimitNewConnectionsWaitUntilTheHeadDeadlineFreesRoom() throws Exception {
    DownloadLimits few = new DownloadLimits(8, 10, Duration.ofMillis(1500), Duration.ofSeconds(30));
    try (UrlServer bounded =
        new UrlServer(InetAddress.getLoopbackAddress(), 0, SECRET, clock, resolver, few)) {
      resolver.put(new Key("d", "/", "f.txt"), "ok".getBytes(UTF_8), "e", "text/plain");
      URI url = bounded.sign(request("d", "/", "f.txt", "e", START.plus(HOUR)));
      DownloadHttpServer http = bounded.httpServer().orElseThrow();
      List<Socket> idle = new ArrayList<>();
      try {
        for (int i = 0; i < 10; i++) {
          idle.add(new Socket(url.getHost(), url.getPort()));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (http.openConnections() < 10 && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertThat(http.openConnections()).isEqualTo(10);

        // The eleventh connection waits in the backlog, not served...
        Socket waiting = new Socket(url.getHost(), url.getPort());
        idle.add(waiting);
        waiting
            .getOutputStream()
            .write(
                ("GET "
                        + url.getRawPath()
                        + "?"
                        + url.getRawQuery()
                        + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(UTF_8));
        waiting.setSoTimeout(500);
        assertThatThrownBy(() -> waiting.getInputStream().read())
            .isInstanceOf(java.net.SocketTimeoutException.class);
        assertThat(http.openConnections()).isEqualTo(10);

        // ...until the idle ones miss their head deadline and make room.
        waiting.setSoTimeout(10_000);
        String answer = new String(waiting.getInputStream().readAllBytes(), UTF_8);
        assertThat(answer).startsWith("HTTP/1.1 200");
        assertThat(get(url).statusCode()).isEqualTo(200);
      } finally {
        for (Socket socket : idle) {
          socket.close();
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle

  @Test
  void signStartsTheServerLazily() throws Exception {
    Set<Thread> before = dispatcherThreads();
    assertThat(server.baseUri()).isEmpty();

    URI url = publish("d", "/", "f.txt", new byte[] {1}, "e", "text/plain");

    URI base = server.baseUri().orElseThrow();
    assertThat(url.toString()).startsWith(base + "/v1/");
    assertThat(base.getHost()).isEqualTo("127.0.0.1");
    assertThat(base.getPort()).isPositive();
    // The second sign reuses the same server.
    assertThat(publish("d", "/", "g.txt", new byte[] {1}, "e", "text/plain").getPort())
        .isEqualTo(base.getPort());
    server.httpServer().orElseThrow(); // Jetty starts in the background; wait for it
    Set<Thread> started = dispatcherThreads();
    started.removeAll(before);
    assertThat(started).isNotEmpty().allMatch(Thread::isDaemon);
  }

  @Test
  void concurrentFirstSignsStartOneServer() throws Exception {
    resolver.put(new Key("d", "/", "f"), new byte[] {1}, "e", "text/plain");
    List<CompletableFuture<URI>> signs = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      signs.add(
          CompletableFuture.supplyAsync(
              () -> server.sign(request("d", "/", "f", "e", START.plus(HOUR)))));
    }
    Set<Integer> ports = signs.stream().map(f -> f.join().getPort()).collect(Collectors.toSet());
    assertThat(ports).containsExactly(server.baseUri().orElseThrow().getPort());
  }

  @Test
  void closeStopsTheServerAndIsIdempotent() throws Exception {
    URI url = publish("d", "/", "f.txt", new byte[] {1}, "e", "text/plain");
    assertThat(get(url).statusCode()).isEqualTo(200);

    server.close();
    server.close();

    assertThat(server.baseUri()).isEmpty();
    HttpClient fresh =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    assertThatThrownBy(
            () -> fresh.send(HttpRequest.newBuilder(url).build(), BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> server.sign(request("d", "/", "f.txt", "e", START.plus(HOUR))))
        .isInstanceOf(StoreClosedException.class);
  }

  @Test
  void closeRightAfterTheFirstSignStopsTheStartingServerAndItsThreads() throws Exception {
    Set<Thread> before = dispatcherThreads();
    URI url = publish("d", "/", "f.txt", new byte[] {1}, "e", "text/plain");

    server.close(); // Jetty is most likely still starting in the background

    assertThatThrownBy(() -> new Socket(url.getHost(), url.getPort()).close())
        .isInstanceOf(IOException.class);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Set<Thread> left = dispatcherThreads();
    left.removeAll(before);
    while (left.stream().anyMatch(Thread::isAlive) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(left).noneMatch(Thread::isAlive);
  }

  @Test
  void closeBeforeStartIsFineAndSignThenFails() {
    server.close();

    assertThat(server.baseUri()).isEmpty();
    assertThatThrownBy(() -> server.sign(request("d", "/", "f.txt", "e", START.plus(HOUR))))
        .isInstanceOf(StoreClosedException.class);
  }

  @Test
  void twentyConcurrentDownloadsAllSucceed() throws Exception {
    Random random = new Random(42);
    Map<URI, byte[]> expected = new ConcurrentHashMap<>();
    for (int i = 0; i < 20; i++) {
      byte[] content = new byte[256 * 1024 + i];
      random.nextBytes(content);
      expected.put(publish("d", "/bulk/", "file-" + i + ".bin", content, "e" + i, "x/y"), content);
    }

    List<CompletableFuture<Boolean>> downloads = new ArrayList<>();
    for (Map.Entry<URI, byte[]> entry : expected.entrySet()) {
      downloads.add(
          http.sendAsync(HttpRequest.newBuilder(entry.getKey()).build(), BodyHandlers.ofByteArray())
              .thenApply(r -> r.statusCode() == 200 && Arrays.equals(r.body(), entry.getValue())));
    }

    assertThat(downloads).hasSize(20).allSatisfy(d -> assertThat(d.get()).isTrue());
  }

  @Test
  void requestsBeyondTheThreadsWaitAndAreAllServed() throws Exception {
    // 6 pool threads: acceptor, selector and 4 for requests
    DownloadLimits small =
        new DownloadLimits(6, 1000, Duration.ofSeconds(5), Duration.ofSeconds(30));
    try (UrlServer bounded =
        new UrlServer(InetAddress.getLoopbackAddress(), 0, SECRET, clock, resolver, small)) {
      resolver.put(new Key("d", "/", "f.txt"), "ok".getBytes(UTF_8), "e", "text/plain");
      URI url = bounded.sign(request("d", "/", "f.txt", "e", START.plus(HOUR)));
      CountDownLatch gate = new CountDownLatch(1);
      resolver.gate.set(gate);
      int requests = 4 + 20;
      List<SocketChannel> channels = new ArrayList<>();
      try {
        byte[] requestBytes =
            ("GET "
                    + url.getRawPath()
                    + "?"
                    + url.getRawQuery()
                    + " HTTP/1.1\r\n"
                    + "Host: localhost\r\n\r\n")
                .getBytes(UTF_8);
        for (int i = 0; i < requests; i++) {
          SocketChannel channel =
              SocketChannel.open(new InetSocketAddress(url.getHost(), url.getPort()));
          channel.write(ByteBuffer.wrap(requestBytes));
          channels.add(channel);
        }
        // Four requests hold the four request threads in the resolver; the rest wait queued,
        // neither refused nor given threads beyond the bound.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (resolver.lookups.get() < 4 && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        Thread.sleep(300);
        assertThat(resolver.lookups.get()).isEqualTo(4);
        assertThat(bounded.httpServer().orElseThrow().threadCount()).isLessThanOrEqualTo(6);
        assertThat(serverThreads()).isLessThanOrEqualTo(6 + 1); // + the scheduler

        gate.countDown();
        for (SocketChannel channel : channels) {
          assertThat(readAll(channel)).startsWith("HTTP/1.1 200");
        }
      } finally {
        gate.countDown();
        for (SocketChannel channel : channels) {
          channel.close();
        }
      }
      resolver.gate.set(null);
      assertThat(resolver.lookups.get()).isEqualTo(requests);
      assertThat(get(url).statusCode()).isEqualTo(200);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Arguments

  @Test
  void rejectsBadConstructorArguments() {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    assertThatThrownBy(() -> new UrlServer(loopback, 0, new byte[15], clock, resolver))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("16");
    assertThatThrownBy(() -> new UrlServer(loopback, 65536, SECRET, clock, resolver))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void signRejectsPathsThatAreNotNormalised() {
    for (String path : List.of("", "a/", "/a", "//", "/a//b/")) {
      assertThatThrownBy(() -> server.sign(request("d", path, "f", "e", START.plus(HOUR))))
          .as(path)
          .isInstanceOf(InvalidPathException.class);
    }
    assertThat(server.baseUri()).as("failed signs start nothing").isEmpty();
  }

  @Test
  void differentSecretsProduceDifferentSignatures() throws Exception {
    byte[] otherSecret = "another-secret-of-32-bytes-long!".getBytes(UTF_8);
    try (UrlServer other =
        new UrlServer(InetAddress.getLoopbackAddress(), 0, otherSecret, clock, resolver)) {
      URI mine = publish("d", "/", "f", new byte[] {1}, "e", "text/plain");
      URI theirs = other.sign(request("d", "/", "f", "e", START.plus(HOUR)));

      assertThat(queryParam(theirs, "sig")).isNotEqualTo(queryParam(mine, "sig"));
      URI forged = withQueryParam(mine, "sig", queryParam(theirs, "sig"));
      assertThat(get(forged).statusCode()).isEqualTo(403);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** Deterministic pseudo-random bytes. */
  private static byte[] bytes(int length, long seed) {
    byte[] out = new byte[length];
    new Random(seed).nextBytes(out);
    return out;
  }

  /** The three ways stored bytes go wrong: one byte flipped, cut short, bytes appended. */
  private static Map<String, byte[]> damages(byte[] content) {
    Map<String, byte[]> damages = new java.util.LinkedHashMap<>();
    byte[] flippedLast = content.clone();
    flippedLast[flippedLast.length - 1] ^= 0x01;
    damages.put("last byte flipped", flippedLast);
    byte[] flippedFirst = content.clone();
    flippedFirst[0] ^= 0x40;
    damages.put("first byte flipped", flippedFirst);
    damages.put("truncated", Arrays.copyOf(content, content.length - 1));
    damages.put("appended", Arrays.copyOf(content, content.length + 1));
    return damages;
  }

  private HttpResponse<byte[]> get(URI url, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder builder = HttpRequest.newBuilder(url);
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return http.send(builder.build(), BodyHandlers.ofByteArray());
  }

  /** A response read off a raw socket up to the server's close, however it closed. */
  private record RawResponse(int status, Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), "<absent>");
    }
  }

  private static RawResponse raw(URI url, String method, String... headerLines) throws IOException {
    try (Socket socket = new Socket(url.getHost(), url.getPort())) {
      socket.setSoTimeout(10_000);
      StringBuilder request =
          new StringBuilder(
              method + " " + url.getRawPath() + "?" + url.getRawQuery() + " HTTP/1.1\r\n");
      request.append("Host: localhost\r\n");
      for (String line : headerLines) {
        request.append(line).append("\r\n");
      }
      socket.getOutputStream().write(request.append("\r\n").toString().getBytes(UTF_8));
      InputStream in = socket.getInputStream();
      Map<String, String> headers = readHead(in);
      java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
      byte[] buffer = new byte[64 * 1024];
      try {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          body.write(buffer, 0, n);
        }
      } catch (java.net.SocketException reset) {
        // a cut connection may end in a reset
      }
      return new RawResponse(Integer.parseInt(headers.get(":status")), headers, body.toByteArray());
    }
  }

  /** Status (as ":status") and headers (lower-case names) of a response, up to its blank line. */
  private static Map<String, String> readHead(InputStream in) throws IOException {
    Map<String, String> headers = new java.util.HashMap<>();
    StringBuilder line = new StringBuilder();
    boolean first = true;
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("connection closed in the response head");
      }
      if (c != '\n') {
        if (c != '\r') {
          line.append((char) c);
        }
        continue;
      }
      if (line.length() == 0) {
        return headers;
      }
      String text = line.toString();
      line.setLength(0);
      if (first) {
        headers.put(":status", text.substring(9, 12));
        first = false;
      } else {
        int colon = text.indexOf(':');
        headers.put(
            text.substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT),
            text.substring(colon + 1).strip());
      }
    }
  }

  private URI publish(
      String disk, String path, String filename, byte[] content, String etag, String type) {
    return publish(disk, path, filename, content, etag, type, HOUR);
  }

  private URI publish(
      String disk,
      String path,
      String filename,
      byte[] content,
      String etag,
      String type,
      Duration expire) {
    resolver.put(new Key(disk, path, filename), content, etag, type);
    return server.sign(request(disk, path, filename, etag, clock.instant().plus(expire)));
  }

  /** A request for what the resolver holds under the name (or a placeholder hash if nothing). */
  private PublicUrlRequest request(
      String disk, String path, String filename, String etag, Instant expiresAt) {
    Entry entry = resolver.entries.get(new Key(disk, path, filename));
    String sha256 = entry == null ? "0".repeat(64) : sha256(entry.content());
    return new PublicUrlRequest(
        disk, path, filename, "blob/key", sha256, etag, "text/plain", 1, HOUR, expiresAt);
  }

  private static String sha256(byte[] content) {
    return java.util.HexFormat.of().formatHex(Hashing.sha256().digest(content));
  }

  private static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse("<absent>");
  }

  private static String body(HttpResponse<byte[]> response) {
    return new String(response.body(), UTF_8);
  }

  private static String queryParam(URI url, String name) {
    for (String pair : url.getRawQuery().split("&")) {
      if (pair.startsWith(name + "=")) {
        return pair.substring(name.length() + 1);
      }
    }
    throw new AssertionError("no " + name + " in " + url);
  }

  private static URI withQueryParam(URI url, String name, String value) {
    String query =
        List.of(url.getRawQuery().split("&")).stream()
            .map(pair -> pair.startsWith(name + "=") ? name + "=" + value : pair)
            .collect(Collectors.joining("&"));
    String text = url.toString();
    return URI.create(text.substring(0, text.indexOf('?') + 1) + query);
  }

  /**
   * Sends a request line verbatim (for targets java.net.URI refuses) and returns the status line.
   */
  private String rawStatusLine(String target) throws IOException {
    URI base = server.baseUri().orElseThrow();
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
              .getBytes(UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
        line.append((char) c);
      }
      return line.toString();
    }
  }

  /** Non-blocking: whether the peer closed the connection without sending anything. */
  private static boolean readsEof(SocketChannel channel) throws IOException {
    try {
      return channel.read(ByteBuffer.allocate(1)) == -1;
    } catch (IOException reset) {
      return true;
    }
  }

  /** Everything the server sends until it closes the connection (it closes after each response). */
  private static String readAll(SocketChannel channel) throws IOException {
    channel.configureBlocking(true);
    channel.socket().setSoTimeout(10_000);
    return new String(channel.socket().getInputStream().readAllBytes(), UTF_8);
  }

  private static Set<Thread> dispatcherThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("diskstore-url-server"))
        .collect(Collectors.toCollection(HashSet::new));
  }

  private static long serverThreads() {
    return dispatcherThreads().size();
  }

  private record Key(String disk, String path, String filename) {}

  /** {@code content} is what the index recorded, {@code stored} what the "backend" returns. */
  private record Entry(byte[] content, byte[] stored, String etag, String contentType) {}

  /** A resolver over an in-memory map: the test's stand-in for the store's index. */
  private static final class MapResolver implements UrlResolver {
    final Map<Key, Entry> entries = new ConcurrentHashMap<>();
    final AtomicReference<@Nullable RuntimeException> failure = new AtomicReference<>();
    final AtomicReference<@Nullable RuntimeException> openFailure = new AtomicReference<>();
    final AtomicReference<Boolean> failMidStream = new AtomicReference<>(false);
    final AtomicReference<@Nullable Key> lastLookup = new AtomicReference<>();
    final AtomicReference<String> lastThreadName = new AtomicReference<>("");
    final AtomicReference<@Nullable CountDownLatch> gate = new AtomicReference<>();
    final AtomicInteger lookups = new AtomicInteger();
    final AtomicInteger opens = new AtomicInteger();

    final AtomicReference<@Nullable Consumer<Key>> blobVanishes = new AtomicReference<>();
    final AtomicReference<Boolean> unchecked = new AtomicReference<>(false);

    void put(Key key, byte[] content, String etag, String contentType) {
      entries.put(key, new Entry(content.clone(), content.clone(), etag, contentType));
    }

    /** The stored bytes change behind the index's back (bit rot, truncation, appended bytes). */
    void damage(Key key, byte[] stored) {
      entries.computeIfPresent(
          key, (k, e) -> new Entry(e.content(), stored.clone(), e.etag(), e.contentType()));
    }

    void remove(Key key) {
      entries.remove(key);
    }

    @Override
    public Optional<Served> resolve(String diskId, String path, String filename) {
      lookups.incrementAndGet();
      Key key = new Key(diskId, path, filename);
      lastLookup.set(key);
      lastThreadName.set(Thread.currentThread().getName());
      CountDownLatch closedGate = gate.get();
      if (closedGate != null) {
        try {
          closedGate.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      RuntimeException toThrow = failure.get();
      if (toThrow != null) {
        throw toThrow;
      }
      Entry entry = entries.get(key);
      if (entry == null) {
        return Optional.empty();
      }
      return Optional.of(
          new Served() {
            @Override
            public String etag() {
              return entry.etag();
            }

            @Override
            public String contentType() {
              return entry.contentType();
            }

            @Override
            public long sizeBytes() {
              return entry.content().length;
            }

            @Override
            public String sha256() {
              return java.util.HexFormat.of().formatHex(Hashing.sha256().digest(entry.content()));
            }

            @Override
            public InputStream open(ByteRange range) {
              opens.incrementAndGet();
              RuntimeException openToThrow = openFailure.get();
              if (openToThrow != null) {
                throw openToThrow;
              }
              Consumer<Key> vanish = blobVanishes.get();
              if (vanish != null) {
                vanish.accept(key); // e.g. the artifact is replaced and its old blob collected
                throw new BlobNotFoundException("blob/key");
              }
              byte[] stored = entry.stored();
              InputStream backend =
                  failMidStream.get()
                      ? new FailingAfterHalf(stored)
                      : new ByteArrayInputStream(stored);
              if (unchecked.get()) {
                return backend; // a resolver that does not check: the server must not trust it
              }
              // The same checks as the store's ArtifactOps.openChecked, over the fake "backend".
              long size = entry.content().length;
              long offset = Math.min(range.offset(), size);
              long length = Math.min(range.length().orElse(Long.MAX_VALUE), size - offset);
              CheckedBlobStream.Corruption corruption =
                  problem ->
                      new CorruptContentException(
                          diskId, path, filename, "blob/key", problem, null);
              if (offset == 0 && length == size) {
                return CheckedBlobStream.whole(backend, size, sha256(), corruption);
              }
              try {
                backend.skipNBytes(Math.min(offset, stored.length));
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
              return CheckedBlobStream.range(backend, length, corruption);
            }
          });
    }
  }

  /** Serves the first half of its bytes, then fails like a broken disk. */
  private static final class FailingAfterHalf extends InputStream {
    private final InputStream delegate;
    private int remainingBeforeFailure;

    FailingAfterHalf(byte[] content) {
      this.delegate = new ByteArrayInputStream(content);
      this.remainingBeforeFailure = content.length / 2;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) == -1 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (remainingBeforeFailure == 0) {
        throw new IOException("simulated read failure");
      }
      int n = delegate.read(buffer, offset, Math.min(length, remainingBeforeFailure));
      remainingBeforeFailure -= n;
      return n;
    }
  }

  /** A clock the test moves by hand. */
  private static final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;

    MutableClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    void advance(Duration duration) {
      now.updateAndGet(instant -> instant.plus(duration));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
