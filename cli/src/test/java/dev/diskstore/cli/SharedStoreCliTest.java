package dev.diskstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diskstore.testkit.postgres.EmbeddedPostgresServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The command line on a store named by {@code --config}: a PostgreSQL index (embedded, started by
 * the test) and S3 blobs (S3Proxy in process), as {@link StoreCopyTest} sets them up.
 */
class SharedStoreCliTest {
  private static final String ACCESS = "cli-access";
  private static final String SECRET = "cli-secret";
  private static final String BUCKET = "cli-test";

  @RegisterExtension
  static final S3ProxyExtension S3 =
      S3ProxyExtension.builder().withCredentials(ACCESS, SECRET).build();

  @TempDir Path tmp;
  private EmbeddedPostgresServer.FreshSchema schema;
  private Path config;

  @BeforeEach
  void start() throws Exception {
    schema = EmbeddedPostgresServer.shared().freshSchema();
    try (S3Client admin = S3Client.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .region(Region.US_EAST_1)
        .endpointOverride(S3.getUri())
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, SECRET)))
        .build()) {
      admin.createBucket(b -> b.bucket(BUCKET));
    }
    config = tmp.resolve("shared.properties");
    Files.writeString(config, String.join("\n",
        "index = postgres",
        "postgres.url = " + EmbeddedPostgresServer.shared().jdbcUrl(),
        "postgres.user = " + EmbeddedPostgresServer.shared().user(),
        "postgres.schema = " + schema.name(),
        "blobs = s3",
        "s3.bucket = " + BUCKET,
        "s3.prefix = cli/",
        "s3.endpoint = " + S3.getUri(),
        "s3.path-style = true",
        // plain bodies: S3Proxy 4.1 may close the connection before it has read the end of an
        // aws-chunked upload (see backend-s3's SharedS3Proxy)
        "s3.chunked-encoding = false",
        "s3.access-key = " + ACCESS,
        "s3.secret-key = " + SECRET,
        ""));
  }

  @AfterEach
  void stop() {
    schema.close();
  }

  private CliRun.Result ok(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--config";
    all[1] = config.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    CliRun.Result result = CliRun.run(all);
    assertThat(result.exitCode()).as(result.toString()).isZero();
    return result;
  }

  @Test
  void putListGetRoundTripOnPostgresAndS3() throws Exception {
    Path tree = tmp.resolve("tree");
    Files.createDirectories(tree.resolve("nested/dir"));
    Files.writeString(tree.resolve("readme.md"), "# Shared\n");
    Files.write(tree.resolve("nested/dir/empty.bin"), new byte[0]);
    Files.writeString(tree.resolve("nested/Ünïcødé.txt"), "ü\n");

    String disk = ok("disks", "create", "--user", "fleet").out().strip();
    assertThat(ok("put", disk, tree.toString(), "--to", "/t/", "--json").json().get("files")
        .asInt()).isEqualTo(3);

    JsonNode listing = ok("ls", disk, "/t/", "--recursive", "--json").json();
    assertThat(StreamSupport.stream(listing.get("files").spliterator(), false)
        .map(f -> f.get("full_path").asText()).toList())
        .containsExactlyInAnyOrder("/t/readme.md", "/t/nested/dir/empty.bin",
            "/t/nested/Ünïcødé.txt");
    for (String remote : List.of("/t/readme.md", "/t/nested/dir/empty.bin",
        "/t/nested/Ünïcødé.txt")) {
      Path local = tmp.resolve("got-" + remote.replace('/', '_'));
      ok("get", disk, remote, "-o", local.toString());
      assertThat(Files.readAllBytes(local))
          .isEqualTo(Files.readAllBytes(tree.resolve(remote.substring(3))));
    }

    // S3 presigns its URLs: no note about serving, and the URL works after the command ended
    CliRun.Result url = ok("url", disk, "/t/readme.md");
    assertThat(url.err()).isEmpty();
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(url.out().strip())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("# Shared\n");

    JsonNode stats = ok("stats", "--json").json();
    assertThat(stats.get("artifacts").asInt()).isEqualTo(3);
    assertThat(ok("verify", "--json").json().get("clean").asBoolean()).isTrue();
  }
}
