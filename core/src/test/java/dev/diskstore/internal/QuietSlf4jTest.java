package dev.diskstore.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.ByteRange;
import dev.diskstore.DiskStore;
import dev.diskstore.spi.PublicUrlRequest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Without an SLF4J provider on the class path (core's tests have none), the download server adds
 * nothing to stderr: each case runs in a fresh JVM, because SLF4J initialises once per JVM.
 */
class QuietSlf4jTest {

  @Test
  void signingAndServingPrintNothingWithoutAnSlf4jProvider() throws Exception {
    Child child = run("serve");

    assertThat(child.stdout()).contains("status 200");
    assertThat(child.stderr()).doesNotContain("SLF4J");
  }

  @Test
  void openingAStoreWithUrlsPrintsNothingWithoutAnSlf4jProvider() throws Exception {
    Child child = run("open");

    assertThat(child.stdout()).contains("opened");
    assertThat(child.stderr()).doesNotContain("SLF4J");
  }

  /** The control: the notice these tests look for is what SLF4J prints when left alone. */
  @Test
  void withoutQuietingSlf4jPrintsItsNotice() throws Exception {
    Child child = run("slf4jAlone");

    assertThat(child.stderr()).contains("SLF4J(W): No SLF4J providers were found");
  }

  private record Child(String stdout, String stderr) {}

  private static Child run(String scenario) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    Main.class.getName(),
                    scenario))
            .start();
    process.getOutputStream().close();
    byte[] out = process.getInputStream().readAllBytes();
    byte[] err = process.getErrorStream().readAllBytes();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("child exit; stderr: %s", new String(err, UTF_8)).isZero();
    return new Child(new String(out, UTF_8), new String(err, UTF_8));
  }

  /** The child JVM. */
  static final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
      switch (args[0]) {
        case "serve" -> serve();
        case "open" -> {
          // the store quiets SLF4J itself, before sqlite-jdbc and Jetty ask it for loggers
          try (DiskStore store = DiskStore.inMemory()) {
            String disk = store.disks().create().id();
            store.disks().artifacts().upsert(disk, dev.diskstore.FileUpload.ofText("a.txt", "a"));
            store.disks().artifacts().get(disk, "/", "a.txt",
                dev.diskstore.GetOptions.builder().withPublicUrl(true).build());
            System.out.println("opened");
          }
        }
        case "slf4jAlone" -> org.slf4j.LoggerFactory.getLogger(Main.class).info("hello");
        default -> throw new IllegalArgumentException(args[0]);
      }
    }

    private static void serve() throws Exception {
      byte[] content = "hello".getBytes(UTF_8);
      UrlResolver resolver =
          (disk, path, filename) ->
              Optional.of(
                  new UrlResolver.Served() {
                    @Override
                    public String etag() {
                      return "e";
                    }

                    @Override
                    public String contentType() {
                      return "text/plain";
                    }

                    @Override
                    public long sizeBytes() {
                      return content.length;
                    }

                    @Override
                    public String sha256() {
                      return java.util.HexFormat.of().formatHex(Hashing.sha256().digest(content));
                    }

                    @Override
                    public InputStream open(ByteRange range) {
                      return new ByteArrayInputStream(content);
                    }
                  });
      byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(UTF_8);
      Instant expires = Instant.now().plus(Duration.ofHours(1));
      try (UrlServer server =
          new UrlServer(InetAddress.getLoopbackAddress(), 0, secret, Clock.systemUTC(), resolver)) {
        URI url =
            server.sign(
                new PublicUrlRequest(
                    "d",
                    "/",
                    "f.txt",
                    "key",
                    java.util.HexFormat.of().formatHex(Hashing.sha256().digest(content)),
                    "e",
                    "text/plain",
                    content.length,
                    Duration.ofHours(1),
                    expires));
        try (Socket socket = new Socket(url.getHost(), url.getPort())) {
          socket
              .getOutputStream()
              .write(
                  ("GET "
                          + url.getRawPath()
                          + "?"
                          + url.getRawQuery()
                          + " HTTP/1.1\r\nHost: x\r\n\r\n")
                      .getBytes(UTF_8));
          String response = new String(socket.getInputStream().readAllBytes(), UTF_8);
          System.out.println("status " + response.substring(9, 12));
        }
      }
    }
  }
}
