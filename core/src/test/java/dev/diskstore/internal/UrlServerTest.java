package dev.diskstore.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.InvalidPathException;
import dev.diskstore.StorageException;
import dev.diskstore.StoreClosedException;
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
    assertThat(url.getRawQuery()).matches("exp=\\d+&etag=etag%2F1%20%2B&sig=[0-9a-f]{64}");

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
        .matches("exp=" + START.plus(HOUR).getEpochSecond() + "&etag=etag-1&sig=[0-9a-f]{64}");
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
  void changingExpOrEtagIsForbidden() throws Exception {
    URI url = publish("d", "/a/", "f.txt", new byte[] {1}, "e1", "text/plain");
    resolver.put(new Key("d", "/a/", "f.txt"), new byte[] {1}, "e1", "text/plain");
    long exp = Long.parseLong(queryParam(url, "exp"));

    assertThat(get(withQueryParam(url, "exp", String.valueOf(exp + 3600))).statusCode())
        .isEqualTo(403);
    assertThat(get(withQueryParam(url, "exp", String.valueOf(exp - 1))).statusCode())
        .isEqualTo(403);
    assertThat(get(withQueryParam(url, "etag", "e2")).statusCode()).isEqualTo(403);
    assertThat(get(url).statusCode()).isEqualTo(200);
  }

  @Test
  void changingDiskPathOrFilenameIsForbidden() throws Exception {
    URI url = publish("d1", "/a/b/", "f.txt", new byte[] {1}, "e", "text/plain");
    // Every target exists with the same etag, so only the signature can refuse them.
    for (Key other :
        List.of(
            new Key("d2", "/a/b/", "f.txt"),
            new Key("d1", "/a/c/", "f.txt"),
            new Key("d1", "/a/", "f.txt"),
            new Key("d1", "/a/b/c/", "f.txt"),
            new Key("d1", "/a/b/", "g.txt"))) {
      resolver.put(other, new byte[] {2}, "e", "text/plain");
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

    List<String> queries =
        List.of(
            "",
            "?etag=e&sig=" + sig,
            "?exp=" + exp + "&sig=" + sig,
            "?exp=" + exp + "&etag=e",
            "?exp=&etag=e&sig=" + sig,
            "?exp=-1&etag=e&sig=" + sig,
            "?exp=12x&etag=e&sig=" + sig,
            "?exp=99999999999999999999&etag=e&sig=" + sig,
            "?exp=" + exp + "&etag=e&sig=" + sig.substring(1),
            "?exp=" + exp + "&etag=e&sig=" + sig.substring(1) + "g",
            "?exp=" + exp + "&etag=e&sig=" + sig + "&sig=" + sig,
            "?exp=" + exp + "&etag=%FF&sig=" + sig);
    for (String query : queries) {
      HttpResponse<byte[]> response = get(URI.create(base + query));
      assertThat(response.statusCode()).as(query).isEqualTo(403);
    }
    assertThat(get(URI.create(base + "?exp=" + exp + "&etag=e&sig=" + sig)).statusCode())
        .isEqualTo(200);
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
  void changedEtagIsNotFound() throws Exception {
    URI url = publish("d", "/", "f.txt", "old".getBytes(UTF_8), "e1", "text/plain");
    resolver.put(new Key("d", "/", "f.txt"), "new".getBytes(UTF_8), "e2", "text/plain");

    HttpResponse<byte[]> response = get(url);

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(body(response)).contains("changed since this link was issued");
    assertThat(resolver.opens.get()).isZero();
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
        List.of("/", "/favicon.ico", "/v1", "/v1/", "/v1/d", "/v1/d/", "/v2/d/f.txt", "/v1//f.txt")) {
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
    URI url = publish("d", "/", "f.txt", new byte[100_000], "e", "text/plain");
    resolver.failMidStream.set(true);

    assertThatThrownBy(() -> get(url)).isInstanceOf(IOException.class);

    resolver.failMidStream.set(false);
    assertThat(get(url).statusCode()).isEqualTo(200);
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
    Set<Integer> ports =
        signs.stream().map(f -> f.join().getPort()).collect(Collectors.toSet());
    assertThat(ports).containsExactly(server.baseUri().orElseThrow().getPort());
  }

  @Test
  void closeStopsTheServerAndIsIdempotent() throws Exception {
    URI url = publish("d", "/", "f.txt", new byte[] {1}, "e", "text/plain");
    assertThat(get(url).statusCode()).isEqualTo(200);

    server.close();
    server.close();

    assertThat(server.baseUri()).isEmpty();
    HttpClient fresh = HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
    assertThatThrownBy(() -> fresh.send(HttpRequest.newBuilder(url).build(), BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> server.sign(request("d", "/", "f.txt", "e", START.plus(HOUR))))
        .isInstanceOf(StoreClosedException.class);
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
              .thenApply(
                  r -> r.statusCode() == 200 && Arrays.equals(r.body(), entry.getValue())));
    }

    assertThat(downloads).hasSize(20).allSatisfy(d -> assertThat(d.get()).isTrue());
  }

  @Test
  void connectionsBeyondThePoolAndQueueAreRefusedNotQueuedForever() throws Exception {
    URI url = publish("d", "/", "f.txt", "ok".getBytes(UTF_8), "e", "text/plain");
    int capacity = UrlServer.MAX_THREADS + UrlServer.QUEUE_CAPACITY;
    int extra = 10;
    CountDownLatch gate = new CountDownLatch(1);
    resolver.gate.set(gate);
    List<SocketChannel> channels = new ArrayList<>();
    try {
      byte[] requestBytes =
          ("GET " + url.getRawPath() + "?" + url.getRawQuery() + " HTTP/1.1\r\n"
                  + "Host: localhost\r\n\r\n")
              .getBytes(UTF_8);
      for (int i = 0; i < capacity + extra; i++) {
        SocketChannel channel = SocketChannel.open(new InetSocketAddress(url.getHost(), url.getPort()));
        channel.write(ByteBuffer.wrap(requestBytes));
        channel.configureBlocking(false);
        channels.add(channel);
      }

      // While every thread is stuck in the resolver, exactly the surplus is cut off.
      Set<SocketChannel> refused = new HashSet<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (refused.size() < extra && System.nanoTime() < deadline) {
        for (SocketChannel channel : channels) {
          if (!refused.contains(channel) && readsEof(channel)) {
            refused.add(channel);
          }
        }
        Thread.sleep(10);
      }
      assertThat(refused).hasSize(extra);

      gate.countDown();
      int served = 0;
      for (SocketChannel channel : channels) {
        if (!refused.contains(channel)) {
          assertThat(readAll(channel)).startsWith("HTTP/1.1 200");
          served++;
        }
      }
      assertThat(served).isEqualTo(capacity);
    } finally {
      gate.countDown();
      for (SocketChannel channel : channels) {
        channel.close();
      }
    }
    resolver.gate.set(null);
    assertThat(get(url).statusCode()).isEqualTo(200);
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

  private static PublicUrlRequest request(
      String disk, String path, String filename, String etag, Instant expiresAt) {
    return new PublicUrlRequest(
        disk, path, filename, "blob/key", etag, "text/plain", 1, HOUR, expiresAt);
  }

  private HttpResponse<byte[]> get(URI url) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(url).build(), BodyHandlers.ofByteArray());
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

  /** Sends a request line verbatim (for targets java.net.URI refuses) and returns the status line. */
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
        .filter(t -> t.getName().equals("HTTP-Dispatcher"))
        .collect(Collectors.toCollection(HashSet::new));
  }

  private record Key(String disk, String path, String filename) {}

  private record Entry(byte[] content, String etag, String contentType) {}

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

    void put(Key key, byte[] content, String etag, String contentType) {
      entries.put(key, new Entry(content.clone(), etag, contentType));
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
            public InputStream open(dev.diskstore.ByteRange range) {
              opens.incrementAndGet();
              RuntimeException openToThrow = openFailure.get();
              if (openToThrow != null) {
                throw openToThrow;
              }
              if (failMidStream.get()) {
                return new FailingAfterHalf(entry.content());
              }
              return new ByteArrayInputStream(entry.content());
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
