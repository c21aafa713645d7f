package dev.diskstore.reliability;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Blobs damaged on disk behind the store's back (one byte flipped, truncated, bytes appended) and
 * downloaded through a real signed URL of a {@code DiskStore.local} store: the server never
 * completes a response with bytes other than the recorded ones. A small file (at most 1 MiB) is
 * refused with 500 before any byte; a large one is cut before its last bytes (the client sees a
 * body shorter than its {@code Content-Length}); a range never returns bytes beyond the recorded
 * size and is cut when the blob ends early.
 */
class DownloadIntegrityTest {
  private static final byte[] MARKER = "APPEND!".getBytes(UTF_8);
  private static Figures figures;

  @TempDir Path tmp;
  private DiskStore store;
  private String disk;

  @BeforeEach
  void open() {
    store = DiskStore.local(tmp);
    disk = store.disks().create().id();
  }

  @AfterEach
  void close() {
    store.close();
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {40_000, 3 * 1024 * 1024 + 5})
  void damagedBlobsAreNeverServedWhole(int size) throws Exception {
    byte[] content = new byte[size];
    new Random(size).nextBytes(content);
    store.disks().artifacts().upsert(disk, FileUpload.of("report.bin", content), "/q1/");
    URI url = url("/q1/", "report.bin");
    Path blob = blobFileHolding(content);
    Map<String, byte[]> damages = new LinkedHashMap<>();
    byte[] flipped = content.clone();
    flipped[size / 2] ^= 0x10;
    damages.put("flipped", flipped);
    damages.put("truncated", Arrays.copyOf(content, size - 1000));
    byte[] appended = Arrays.copyOf(content, size + MARKER.length);
    System.arraycopy(MARKER, 0, appended, size, MARKER.length);
    damages.put("appended", appended);

    Map<String, String> outcomes = new TreeMap<>();
    for (Map.Entry<String, byte[]> damage : damages.entrySet()) {
      Files.write(blob, damage.getValue());
      Response r = get(url, null);
      String what = damage.getKey() + " (" + size + " bytes)";
      if (size <= 1024 * 1024) {
        assertThat(r.status()).as(what).isEqualTo(500);
        assertThat(new String(r.body(), UTF_8)).as(what).contains("damaged");
        outcomes.put(damage.getKey(), "500");
      } else {
        // Headers went out before the damage showed: the body must stop short.
        assertThat(r.status()).as(what).isIn(200, 500);
        if (r.status() == 200) {
          assertThat(r.contentLength()).as(what).isEqualTo(size);
          assertThat(r.body().length).as("%s: body cut short", what).isLessThan(size);
          outcomes.put(damage.getKey(), "200 cut at " + r.body().length);
        } else {
          outcomes.put(damage.getKey(), "500");
        }
      }
      assertThat(indexOf(r.body(), MARKER)).as("%s: never the appended bytes", what).isNegative();
    }

    // Ranges of a damaged blob: never a byte beyond the recorded size; cut if the blob is short.
    Files.write(blob, appended);
    Response tail = get(url, "bytes=-16");
    assertThat(tail.status()).isEqualTo(206);
    assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(content, size - 16, size));
    Files.write(blob, Arrays.copyOf(content, size / 2));
    Response shortRange = get(url, "bytes=" + (size / 4) + "-");
    assertThat(shortRange.status()).isIn(206, 500);
    assertThat(shortRange.body().length)
        .as("range of a truncated blob")
        .isLessThan(size - size / 4);
    outcomes.put("rangeOfTruncated", shortRange.status() + " with " + shortRange.body().length);

    Files.write(blob, content);
    Response repaired = get(url, null);
    assertThat(repaired.status()).isEqualTo(200);
    assertThat(repaired.body()).isEqualTo(content);
    figures.put(size <= 1024 * 1024 ? "small" : "large", outcomes.toString().replace(' ', '_'));
  }

  private URI url(String path, String name) {
    return store
        .disks()
        .artifacts()
        .get(disk, path, name, GetOptions.builder().withPublicUrl(true).expireSeconds(600).build())
        .publicUrl()
        .orElseThrow();
  }

  /** The file of the local backend ({@code <dir>/blobs/objects/...blob}) with these bytes. */
  private Path blobFileHolding(byte[] content) throws IOException {
    try (Stream<Path> files = Files.walk(tmp.resolve("blobs").resolve("objects"))) {
      List<Path> matches =
          files
              .filter(f -> f.toString().endsWith(".blob"))
              .filter(
                  f -> {
                    try {
                      return Arrays.equals(Files.readAllBytes(f), content);
                    } catch (IOException e) {
                      throw new IllegalStateException(e);
                    }
                  })
              .toList();
      assertThat(matches).hasSize(1);
      return matches.get(0);
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  record Response(int status, long contentLength, byte[] body) {}

  /** GET over a raw socket, reading to the server's close (clean or not). */
  private static Response get(URI url, String range) throws IOException {
    try (Socket socket = new Socket(url.getHost(), url.getPort())) {
      socket.setSoTimeout(20_000);
      String request =
          "GET "
              + url.getRawPath()
              + "?"
              + url.getRawQuery()
              + " HTTP/1.1\r\n"
              + "Host: 127.0.0.1\r\n"
              + (range == null ? "" : "Range: " + range + "\r\n")
              + "\r\n";
      socket.getOutputStream().write(request.getBytes(UTF_8));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] buffer = new byte[64 * 1024];
      try {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          all.write(buffer, 0, n);
        }
      } catch (SocketException reset) {
        // a cut connection may end in a reset
      }
      byte[] bytes = all.toByteArray();
      String text = new String(bytes, ISO_8859_1);
      int headEnd = text.indexOf("\r\n\r\n");
      assertThat(headEnd).as("a response head").isPositive();
      long length = -1;
      for (String line : text.substring(0, headEnd).split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Long.parseLong(line.substring(15).trim());
        }
      }
      return new Response(
          Integer.parseInt(text.substring(9, 12)),
          length,
          Arrays.copyOfRange(bytes, headEnd + 4, bytes.length));
    }
  }

  @BeforeAll
  static void startFigures() {
    figures = Figures.of("download-integrity");
  }

  @AfterAll
  static void report() {
    figures.report();
  }
}
