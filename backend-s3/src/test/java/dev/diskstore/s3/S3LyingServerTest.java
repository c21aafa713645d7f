package dev.diskstore.s3;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.diskstore.ByteRange;
import dev.diskstore.CorruptContentException;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import dev.diskstore.spi.BlobKeys;
import dev.diskstore.spi.BlobStat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * S3-compatible servers that return other bytes than they stored, with a {@code Content-Length}
 * that matches what they send (so nothing below the store notices): one that stored the SDK's
 * {@code aws-chunked} upload encoding verbatim and returns the framing with the bytes, one that
 * appends bytes, one that returns too few. Reads through a store are checked against the recorded
 * size and SHA-256, so they fail with {@link CorruptContentException}, and a ranged read never
 * returns a byte beyond the recorded size. Real S3Proxy behind an {@link InterceptingS3Server} that
 * changes the body of every object {@code GET}.
 */
class S3LyingServerTest {
  private static final String TEXT = "fifteen bytes!\n";

  private InterceptingS3Server server;

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /**
   * A store over a server that claims each object is {@code lie(stored bytes)}: object GETs return
   * it (ranges are cut from it) and HEADs report its length.
   */
  private DiskStore storeLying(Path dir, UnaryOperator<byte[]> lie) throws Exception {
    server =
        new InterceptingS3Server(
            (request, upstream) -> {
              boolean object = request.rawPath().endsWith(S3BlobBackend.OBJECT_SUFFIX);
              boolean read = request.method().equals("GET") || request.method().equals("HEAD");
              if (!object || !read || !request.rawQuery().isEmpty()) {
                return upstream.forward(request);
              }
              Map<String, List<String>> headers = new TreeMap<>(request.headers());
              List<String> range = headers.remove("range");
              InterceptingS3Server.Answer stored =
                  upstream.forward(
                      new InterceptingS3Server.Request(
                          "GET", request.rawPath(), "", headers, request.body()));
              if (stored.status() != 200) {
                return stored;
              }
              return lyingAnswer(stored, lie.apply(stored.body()), range, request.method());
            });
    return DiskStore.open(
        DiskStoreConfig.builder()
            .directory(dir)
            .backend(SharedS3Proxy.builderFor(server.endpoint(), "lies/").build())
            .build());
  }

  /** What the lying server answers: {@code claimed} whole or a range of it, as 200, 206 or 416. */
  private static InterceptingS3Server.Answer lyingAnswer(
      InterceptingS3Server.Answer stored, byte[] claimed, List<String> range, String method) {
    // a server that does not know what it stored sends no checksum of it either
    Set<String> removed =
        Set.of(
            "x-amz-checksum-crc32",
            "x-amz-checksum-crc32c",
            "x-amz-checksum-sha256",
            "x-amz-checksum-type",
            "content-range",
            "content-length");
    byte[] body = claimed;
    int status = 200;
    Map<String, List<String>> extra = new TreeMap<>();
    if (range != null) {
      Matcher m = Pattern.compile("bytes=(\\d+)-(\\d*)").matcher(range.get(0));
      if (!m.matches()) {
        throw new IllegalArgumentException("unexpected range " + range);
      }
      int first = Integer.parseInt(m.group(1));
      if (first >= claimed.length) {
        return new InterceptingS3Server.Answer(416, Map.of(), new byte[0]);
      }
      int last =
          m.group(2).isEmpty()
              ? claimed.length - 1
              : Math.min(claimed.length - 1, Integer.parseInt(m.group(2)));
      body = Arrays.copyOfRange(claimed, first, last + 1);
      status = 206;
      extra.put("content-range", List.of("bytes " + first + "-" + last + "/" + claimed.length));
    }
    InterceptingS3Server.Answer answer = stored.withBody(body, removed);
    Map<String, List<String>> headers = new TreeMap<>(answer.headers());
    headers.putAll(extra);
    if (method.equals("HEAD")) {
      headers.put("content-length", List.of(Integer.toString(body.length)));
      return new InterceptingS3Server.Answer(status, headers, new byte[0]);
    }
    return new InterceptingS3Server.Answer(status, headers, body);
  }

  /** The stored bytes framed as one {@code aws-chunked} chunk with a trailing checksum. */
  private static byte[] chunkFramed(byte[] stored) {
    ByteArrayOutputStream framed = new ByteArrayOutputStream();
    framed.writeBytes(Integer.toHexString(stored.length).getBytes(US_ASCII));
    framed.writeBytes(";chunk-signature=".getBytes(US_ASCII));
    framed.writeBytes("0".repeat(64).getBytes(US_ASCII));
    framed.writeBytes("\r\n".getBytes(US_ASCII));
    framed.writeBytes(stored);
    framed.writeBytes(
        ("\r\n0;chunk-signature=" + "0".repeat(64) + "\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n")
            .getBytes(US_ASCII));
    return framed.toByteArray();
  }

  @Test
  void aServerReturningItsChunkedUploadFramingFailsEveryRead(@TempDir Path dir) throws Exception {
    try (DiskStore store = storeLying(dir, S3LyingServerTest::chunkFramed)) {
      String disk = store.disks().create().id();
      store.disks().artifacts().upsert(disk, FileUpload.ofText("a.txt", TEXT), "/");
      byte[] served = readThroughTheBackend();
      System.out.printf(
          "lying server: %d bytes returned for the %d stored%n", served.length, TEXT.length());
      assertThat(served)
          .as("what the backend passes on")
          .hasSize(chunkFramed(TEXT.getBytes(UTF_8)).length);

      assertWholeReadsAreCorrupt(store, disk);
      assertRangedReadsStayWithinTheRecordedSize(store, disk);
    }
  }

  @Test
  void aServerAppendingBytesFailsEveryRead(@TempDir Path dir) throws Exception {
    try (DiskStore store =
        storeLying(dir, stored -> (new String(stored, UTF_8) + "trailing junk").getBytes(UTF_8))) {
      String disk = store.disks().create().id();
      store.disks().artifacts().upsert(disk, FileUpload.ofText("a.txt", TEXT), "/");

      assertWholeReadsAreCorrupt(store, disk);
      assertRangedReadsStayWithinTheRecordedSize(store, disk);
    }
  }

  @Test
  void aServerReturningTooFewBytesFailsEveryRead(@TempDir Path dir) throws Exception {
    try (DiskStore store =
        storeLying(dir, stored -> Arrays.copyOf(stored, Math.max(0, stored.length - 4)))) {
      String disk = store.disks().create().id();
      store.disks().artifacts().upsert(disk, FileUpload.ofText("a.txt", TEXT), "/");

      assertWholeReadsAreCorrupt(store, disk);
    }
  }

  /** The only blob, read with a backend of its own: the server's bytes, unchecked. */
  private byte[] readThroughTheBackend() throws IOException {
    try (S3BlobBackend backend = SharedS3Proxy.builderFor(server.endpoint(), "lies/").build()) {
      String key;
      try (Stream<BlobStat> blobs = backend.list("")) {
        key =
            blobs
                .map(BlobStat::key)
                .filter(k -> !k.equals(BlobKeys.STORE_MARKER))
                .findFirst()
                .orElseThrow();
      }
      try (InputStream in = backend.open(key, ByteRange.from(0))) {
        return in.readAllBytes();
      }
    }
  }

  private static void assertWholeReadsAreCorrupt(DiskStore store, String disk) {
    CorruptContentException open =
        catchThrowableOfType(
            CorruptContentException.class,
            () -> {
              try (InputStream in = store.disks().artifacts().open(disk, "/", "a.txt")) {
                in.readAllBytes();
              }
            });
    assertThat(open).as("open(...) read to the end").isNotNull();
    assertThat(open).hasMessageContaining("a.txt");

    CorruptContentException withContent =
        catchThrowableOfType(
            CorruptContentException.class,
            () ->
                store
                    .disks()
                    .artifacts()
                    .get(disk, "/", "a.txt", GetOptions.builder().withContent(true).build()));
    assertThat(withContent).as("get(..., withContent)").isNotNull();
  }

  /**
   * A range reaching past the recorded end returns at most the recorded bytes of the range, or
   * fails with {@link CorruptContentException}; never a byte beyond the recorded size. (Bytes
   * inside the range cannot be checked without reading the whole blob.)
   */
  private static void assertRangedReadsStayWithinTheRecordedSize(DiskStore store, String disk)
      throws IOException {
    for (ByteRange range : new ByteRange[] {ByteRange.of(10, 100), ByteRange.from(10)}) {
      ByteArrayOutputStream read = new ByteArrayOutputStream();
      try (InputStream in = store.disks().artifacts().open(disk, "/", "a.txt", range)) {
        byte[] buffer = new byte[64];
        int n;
        while ((n = in.read(buffer)) >= 0) {
          read.write(buffer, 0, n);
        }
      } catch (CorruptContentException expected) {
        // failing at the recorded end is allowed too
      }
      assertThat(read.size()).as("bytes read of %s", range).isLessThanOrEqualTo(TEXT.length() - 10);
    }
  }
}
