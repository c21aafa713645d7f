package app;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactContent;
import dev.diskstore.ArtifactResult;
import dev.diskstore.Artifacts;
import dev.diskstore.Disk;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import dev.diskstore.agent.DiskTools;
import dev.diskstore.mcp.DiskMcpServer;
import dev.diskstore.memory.InMemoryBlobBackend;
import dev.diskstore.postgres.PostgresIndex;
import dev.diskstore.s3.S3BlobBackend;
import dev.diskstore.server.DiskStoreServer;
import dev.diskstore.spi.PublicUrlRequest;
import dev.diskstore.testkit.FaultInjectingBlobBackend;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Uses each library module that has a {@code module-info} through its exported API, and prints one
 * {@code key: value} line per check on standard output for {@code ModularApplicationIT} to
 * compare. The argument is an empty directory for the stores.
 */
public final class Main {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    System.out.println("module: " + Main.class.getModule().getName());

    try (DiskStore store = DiskStore.local(data.resolve("local"))) {
      Disk disk = store.disks().create();
      Artifacts artifacts = store.disks().artifacts();
      artifacts.upsert(disk.id(), FileUpload.of("notes.md", "# Notes\n".getBytes(UTF_8)),
          "/docs/", Map.of("from", "a module"));
      // a document for Tika (content-parsers): the core's built-in parser reads no RTF
      String rtf = "{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}}\\f0 Hello from Tika\\par}";
      artifacts.upsert(disk.id(), FileUpload.of("letter.rtf", rtf.getBytes(UTF_8)), "/docs/");

      ArtifactResult notes = artifacts.get(disk.id(), "/docs/", "notes.md",
          GetOptions.builder().withContent(true).withPublicUrl(true).build());
      System.out.println("read: " + notes.content().map(ArtifactContent::raw).orElse("").strip()
          + " " + notes.artifact().userMeta());
      // the download URL, served by the core's Jetty on the loopback interface
      var download = HTTP.send(HttpRequest.newBuilder(notes.publicUrl().orElseThrow()).build(),
          BodyHandlers.ofString());
      System.out.println("download: " + download.statusCode() + " " + download.body().strip());
      System.out.println("list: " + artifacts.list(disk.id(), "/docs/").artifacts().stream()
          .map(Artifact::filename).collect(Collectors.joining(",")));

      ArtifactContent letter = artifacts.get(disk.id(), "/docs/", "letter.rtf",
          GetOptions.builder().withContent(true).build()).content().orElseThrow();
      System.out.println("rtf: " + letter.type() + " " + letter.raw().strip());

      String listed = DiskTools.forDisk(store, disk.id()).execute("list_disk",
          "{\"file_path\":\"/docs/\"}");
      System.out.println(
          "agent tool: " + (listed.contains("notes.md") && listed.contains("letter.rtf")));

      try (DiskStoreServer server = DiskStoreServer.builder(store).port(0).build().start()) {
        URI disks = URI.create(server.baseUri() + "/disk");
        var listing = HTTP.send(HttpRequest.newBuilder(disks).build(), BodyHandlers.ofString());
        System.out.println(
            "server: " + listing.statusCode() + " " + listing.body().contains(disk.id()));
      }

      System.out.println("mcp: " + mcpWrite(store, disk.id()));
      System.out.println("mcp file: " + artifacts.get(disk.id(), "/mcp/", "hi.md",
          GetOptions.builder().withContent(true).build()).content().orElseThrow().raw());
    }

    try (DiskStore store = DiskStore.open(DiskStoreConfig.builder()
        .directory(data.resolve("faulty"))
        .backend(FaultInjectingBlobBackend.of(new InMemoryBlobBackend()))
        .build())) {
      Disk disk = store.disks().create();
      store.disks().artifacts()
          .upsert(disk.id(), FileUpload.of("a.txt", "in memory".getBytes(UTF_8)));
      System.out.println("testkit: " + store.disks().artifacts().get(disk.id(), "/", "a.txt",
          GetOptions.builder().withContent(true).build()).content().orElseThrow().raw());
    }

    try (S3BlobBackend s3 = S3BlobBackend.builder().bucket("modular")
        .endpoint(URI.create("http://127.0.0.1:9")).region("us-east-1")
        .credentials("access", "secret").pathStyleAccess(true).build()) {
      // a presigned GET: the SDK signs locally, nothing is sent
      URI url = s3.publicUrlSigner().orElseThrow().sign(new PublicUrlRequest("disk", "/",
          "a.txt", "blobs/key", "0".repeat(64), "etag", "text/plain", 1, Duration.ofMinutes(5),
          Instant.now().plus(Duration.ofMinutes(5))));
      System.out.println(
          "s3: " + url.getPath() + " " + url.getQuery().contains("X-Amz-Signature="));
    }

    String jdbcUrl = "jdbc:postgresql://127.0.0.1:9/none";
    PostgresIndex.builder().jdbcUrl(jdbcUrl).build(); // connects only when a store opens it
    System.out.println("postgres driver: " + DriverManager.getDriver(jdbcUrl).getClass().getName());

    Module core = DiskStore.class.getModule();
    System.out.println("internal exported: " + core.isExported("dev.diskstore.internal"));
    try {
      Class.forName("dev.diskstore.internal.PathRules").getMethod("directory", String.class)
          .invoke(null, "/docs/");
      System.out.println("internal call: allowed");
    } catch (IllegalAccessException e) {
      System.out.println("internal call: " + e.getClass().getSimpleName());
    }
  }

  /** Writes /mcp/hi.md with the MCP write tool over stdio; returns the tool's answer. */
  private static String mcpWrite(DiskStore store, String diskId) throws Exception {
    DiskMcpServer mcp = DiskMcpServer.builder(store).disk(diskId).build();
    PipedOutputStream toServer = new PipedOutputStream();
    PipedInputStream serverIn = new PipedInputStream(toServer, 1 << 16);
    PipedInputStream fromServer = new PipedInputStream(1 << 20);
    PipedOutputStream serverOut = new PipedOutputStream(fromServer);
    CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
      try {
        mcp.serveStdio(serverIn, serverOut);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    BufferedReader replies = new BufferedReader(new InputStreamReader(fromServer, UTF_8));
    send(toServer, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
        + "\"protocolVersion\":\"2024-11-05\",\"capabilities\":{},"
        + "\"clientInfo\":{\"name\":\"app\",\"version\":\"1\"}}}");
    replies.readLine();
    send(toServer, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    send(toServer, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{"
        + "\"name\":\"write_file_disk\",\"arguments\":{\"filename\":\"/mcp/hi.md\","
        + "\"content\":\"hi over MCP\"}}}");
    String written = replies.readLine();
    toServer.close();
    served.get(30, TimeUnit.SECONDS);
    mcp.close();
    return written.contains("\"isError\":false") ? "written" : written;
  }

  private static void send(OutputStream out, String line) throws Exception {
    out.write((line + "\n").getBytes(UTF_8));
    out.flush();
  }
}
