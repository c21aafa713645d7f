package dev.diskstore.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.spi.BlobBackend;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code s3.*} settings that are true or false: anything else is refused naming the key and
 * the value, and {@code s3.chunked-encoding} reaches the backend, seen in the requests that a
 * backend built from the settings sends to an HTTP server that records them.
 */
class S3SettingsTest {
  private static final List<String> BOOLEAN_KEYS = List.of("s3.path-style", "s3.chunked-encoding");

  @TempDir Path tmp;

  private StoreSettings settings(String... keysAndValues) {
    Properties properties = new Properties();
    properties.setProperty("directory", "store");
    properties.setProperty("blobs", "s3");
    properties.setProperty("s3.bucket", "bucket");
    for (int i = 0; i < keysAndValues.length; i += 2) {
      properties.setProperty(keysAndValues[i], keysAndValues[i + 1]);
    }
    return StoreSettings.of("test.properties", properties, tmp, name -> null);
  }

  @Test
  void booleanSettingsAreTrueOrFalseInAnyCase() {
    for (String key : BOOLEAN_KEYS) {
      for (String good : List.of("true", "false", "TRUE", "False", " true ")) {
        settings(key, good); // no exception
      }
      settings(key, ""); // blank is left out, like every other key
    }
  }

  @Test
  void anythingElseIsRefusedNamingTheKeyAndTheValue() {
    for (String key : BOOLEAN_KEYS) {
      for (String bad : List.of("maybe", "yes", "no", "1", "0", "on", "ture", "true false")) {
        assertThatThrownBy(() -> settings(key, bad))
            .isInstanceOf(InvalidRequestException.class)
            .hasMessage("test.properties: " + key + " must be true or false, not \"" + bad + "\"");
      }
    }
  }

  @Test
  void aMistypedKeyIsRefusedAndTheListOfKnownKeysHasTheRightOne() {
    assertThatThrownBy(() -> settings("s3.chunked-encodnig", "false"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("unknown setting(s) [s3.chunked-encodnig]")
        .hasMessageContaining("s3.chunked-encoding,");
  }

  @Test
  void aBadBooleanSettingFailsEveryCommandInOneLineWithExit2() throws Exception {
    for (String key : BOOLEAN_KEYS) {
      Path file = tmp.resolve("bad.properties");
      Files.writeString(file, "directory = store\n" + key + " = maybe\n");
      CliRun.Result result = CliRun.run("--config", file.toString(), "stats");
      assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
      assertThat(result.err())
          .startsWith("diskstore: ")
          .contains(key + " must be true or false", "\"maybe\"")
          .doesNotContain("\tat ");
      assertThat(result.err().strip().lines()).hasSize(1);
    }
  }

  @Test
  void chunkedEncodingReachesTheBackend() throws Exception {
    byte[] content = "plain or chunked?".getBytes(UTF_8);
    try (RecordingS3 s3 = new RecordingS3()) {
      // left out: the SDK's default, aws-chunked
      Put byDefault = s3.put(null, content);
      assertThat(byDefault.contentEncoding()).contains("aws-chunked");
      assertThat(byDefault.body()).isNotEqualTo(content);

      Put chunked = s3.put("true", content);
      assertThat(chunked.contentEncoding()).contains("aws-chunked");

      // false: the body is the content itself, signed up front
      Put plain = s3.put("false", content);
      assertThat(plain.contentEncoding()).doesNotContain("aws-chunked");
      assertThat(plain.body()).isEqualTo(content);
      assertThat(plain.contentSha256()).doesNotStartWith("STREAMING-");
    }
  }

  /** One PUT as the server received it; absent headers are "". */
  private record Put(String contentEncoding, String contentSha256, byte[] body) {}

  /**
   * An HTTP server that answers every request with 200 and an ETag, recording the PUTs: enough for
   * the backend's single-request upload.
   */
  private final class RecordingS3 implements AutoCloseable {
    private final List<Put> puts = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    RecordingS3() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext(
          "/",
          exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestMethod().equals("PUT")) {
              Headers headers = exchange.getRequestHeaders();
              puts.add(new Put(
                  Objects.requireNonNullElse(headers.getFirst("Content-Encoding"), ""),
                  Objects.requireNonNullElse(headers.getFirst("x-amz-content-sha256"), ""),
                  body));
            }
            exchange.getResponseHeaders().add("ETag", "\"0123456789abcdef0123456789abcdef\"");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
          });
      server.start();
    }

    /** Writes {@code content} through a backend of settings with that chunked-encoding. */
    Put put(@Nullable String chunkedEncoding, byte[] content) {
      List<String> keysAndValues = new ArrayList<>(List.of(
          "s3.endpoint", "http://127.0.0.1:" + server.getAddress().getPort(),
          "s3.path-style", "true",
          "s3.access-key", "access",
          "s3.secret-key", "secret"));
      if (chunkedEncoding != null) {
        keysAndValues.addAll(List.of("s3.chunked-encoding", chunkedEncoding));
      }
      int before = puts.size();
      try (BlobBackend backend =
          settings(keysAndValues.toArray(String[]::new)).toConfig().backend()) {
        backend.write("blob", new ByteArrayInputStream(content), OptionalLong.of(content.length));
      }
      assertThat(puts).hasSize(before + 1);
      return puts.get(before);
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
