package dev.diskstore.bench;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactResult;
import dev.diskstore.ArtifactStream;
import dev.diskstore.Artifacts;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.server.DiskStoreServer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Scenario "the HTTP server against the in-process API": what {@link DiskStoreServer} (Acontext's
 * {@code /api/v1} disk API on Jetty 12) adds to an upsert and a get, compared with the same store
 * called in process, as an embedding Java application calls it. The baseline is DiskStore itself,
 * so the ratio is the cost of the HTTP layer (client, loopback TCP, Jetty, routing, multipart and
 * JSON on both sides), not a comparison with a floor.
 *
 * <p>Per trial (so per fork and method): a durable {@code DiskStore.local} store on a scratch
 * directory, a server on an ephemeral loopback port with one bearer token, one disk created over
 * HTTP in that token's project, and a {@link HttpClient} (HTTP/1.1, one kept-alive connection: the
 * benchmark is single-threaded) as a Java client would use it. Every HTTP method checks the status
 * and consumes the body bytes; it does not decode the JSON (a client would, on top).
 *
 * <ul>
 *   <li>{@link #inProcessUpsert} vs {@link #httpUpsert}: 1 KiB Markdown + 3 metadata keys, every
 *       call a new file with unique bytes ({@link Content#stamp}) in {@code /bench/}, as {@link
 *       LocalUpsertBench} does. Over HTTP the multipart body is the SDKs': parts {@code file_path},
 *       {@code meta} (a JSON string), then {@code file}.
 *   <li>{@link #inProcessGet} ({@code open}: metadata of the version read + its bytes, one lookup,
 *       as {@link GetBench#diskstore}) vs {@link #httpGet}: {@code GET .../artifact?file_path=..
 *       &with_public_url=false&with_content=false} then {@code GET .../artifact/download}, the two
 *       requests an SDK user makes for the metadata and the bytes. 1,000 files of 1 KiB in 10
 *       directories (written in process at set-up), read in a fixed pseudo-random order.
 *   <li>Splits, for where the time goes: {@link #httpGetMeta} and {@link #httpDownload} (the two
 *       requests alone), {@link #inProcessAsServer} (the store calls the server makes for those two
 *       requests: disk lookup + get, then disk lookup + get + open), {@link #rawGet} (the same two
 *       requests from a minimal blocking socket client: no HttpClient threads) and {@link
 *       #httpGetWithContent} (Acontext's defaults, both flags true: a signed URL and the text).
 * </ul>
 *
 * <p>Warm-up is longer than the other benchmarks' (5 × 2 s): the HTTP path (Jetty, HttpClient,
 * multipart) takes about 10 s of JIT compilation to settle, and a 1 s warm-up reports 2–3× the
 * steady figure. {@code bench/run.sh quick} keeps it ({@code -wi 5 -w 2s}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class ServerBench {
  private static final String TOKEN = "sk-ac-bench";
  private static final int FILES = 1000;
  private static final int DIRECTORIES = 10;
  private static final Map<String, Object> META = new LinkedHashMap<>();
  private static final String META_JSON =
      "{\"author\":\"bench\",\"version\":3,\"tags\":\"perf,http\"}";

  static {
    META.put("author", "bench");
    META.put("version", 3);
    META.put("tags", "perf,http");
  }

  private Path dir;
  private DiskStore store;
  private Artifacts artifacts;
  private DiskStoreServer server;
  private HttpClient client;
  private String base;
  private String disk;
  private byte[] content;
  private long counter;

  @Setup(Level.Trial)
  public void open() throws IOException, InterruptedException {
    dir = BenchFiles.scratch("server-");
    store = DiskStore.local(dir.resolve("store"));
    artifacts = store.disks().artifacts();
    server = DiskStoreServer.builder(store).port(0).token(TOKEN).build().start();
    base = server.baseUri().toString();
    client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    HttpResponse<String> created =
        client.send(
            request("/disk").POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
    if (created.statusCode() != 201) {
      throw new IllegalStateException("create disk: " + created.statusCode() + " " + created.body());
    }
    // {"code":0,"data":{"id":"<uuid>",...
    String body = created.body();
    int at = body.indexOf("\"id\":\"") + 6;
    disk = body.substring(at, body.indexOf('"', at));
    if (store.disks().find(disk).isEmpty()) {
      throw new IllegalStateException("no disk " + disk + " in " + body);
    }
    content = Content.text(1024, 42);
  }

  @TearDown(Level.Trial)
  public void close() {
    server.close();
    store.close();
    BenchFiles.deleteTree(dir);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .header("Authorization", "Bearer " + TOKEN)
        .timeout(Duration.ofSeconds(30));
  }

  // ------------------------------------------------------------------ upsert

  @Benchmark
  public Artifact inProcessUpsert() {
    long n = counter++;
    Content.stamp(content, "text", n);
    return artifacts.upsert(disk, FileUpload.of(Content.name("text", n), content), "/bench/", META);
  }

  @Benchmark
  public byte[] httpUpsert() throws IOException, InterruptedException {
    long n = counter++;
    Content.stamp(content, "text", n);
    Multipart body = Multipart.upload("/bench/", META_JSON, Content.name("text", n), content);
    HttpResponse<byte[]> r =
        client.send(
            request("/disk/" + disk + "/artifact")
                .header("Content-Type", "multipart/form-data; boundary=" + body.boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    return expect(r, 201);
  }

  // ------------------------------------------------------------------ get

  /** The 1,000 files the get methods read, written only by the trials that read them. */
  @State(Scope.Benchmark)
  public static class GetFiles {
    final String[] dirs = new String[FILES];
    final String[] names = new String[FILES];
    /** {@code dir + name}, URL-safe as it stands (ASCII letters, digits, '/', '-', '.'). */
    final String[] filePaths = new String[FILES];
    int[] order;
    int next;

    @Setup(Level.Trial)
    public void write(ServerBench bench) {
      for (int i = 0; i < FILES; i++) {
        dirs[i] = String.format(Locale.ROOT, "/docs/d%02d/", i % DIRECTORIES);
        names[i] = Content.name("text", i);
        filePaths[i] = dirs[i] + names[i];
        bench.artifacts.upsert(
            bench.disk, FileUpload.of(names[i], Content.text(1024, i)), dirs[i], META);
      }
      order = new SplittableRandom(7).ints(FILES * 16L, 0, FILES).toArray();
    }

    int nextIndex() {
      int i = order[next];
      next = next + 1 == order.length ? 0 : next + 1;
      return i;
    }
  }

  @Benchmark
  public void inProcessGet(GetFiles f, Blackhole bh) throws IOException {
    int i = f.nextIndex();
    try (ArtifactStream in = artifacts.open(disk, f.dirs[i], f.names[i])) {
      bh.consume(in.artifact());
      bh.consume(in.readAllBytes());
    }
  }

  @Benchmark
  public void httpGet(GetFiles f, Blackhole bh) throws IOException, InterruptedException {
    int i = f.nextIndex();
    bh.consume(getMeta(f.filePaths[i], false));
    bh.consume(download(f.filePaths[i]));
  }

  /** The metadata request of {@link #httpGet} alone. */
  @Benchmark
  public byte[] httpGetMeta(GetFiles f) throws IOException, InterruptedException {
    return getMeta(f.filePaths[f.nextIndex()], false);
  }

  /** The download request of {@link #httpGet} alone. */
  @Benchmark
  public byte[] httpDownload(GetFiles f) throws IOException, InterruptedException {
    return download(f.filePaths[f.nextIndex()]);
  }

  /** Acontext's defaults ({@code with_public_url} and {@code with_content} true), then download. */
  @Benchmark
  public void httpGetWithContent(GetFiles f, Blackhole bh) throws IOException, InterruptedException {
    int i = f.nextIndex();
    bh.consume(getMeta(f.filePaths[i], true));
    bh.consume(download(f.filePaths[i]));
  }

  /**
   * The store calls {@link #httpGet}'s two requests make in the server, in process: the disk
   * lookup (project check) and {@code get} for the metadata; the disk lookup, {@code get} (range
   * decision) and {@code open} for the download.
   */
  @Benchmark
  public void inProcessAsServer(GetFiles f, Blackhole bh) throws IOException {
    int i = f.nextIndex();
    bh.consume(store.disks().find(disk));
    bh.consume(artifacts.get(disk, f.dirs[i], f.names[i]));
    bh.consume(store.disks().find(disk));
    bh.consume(artifacts.get(disk, f.dirs[i], f.names[i]));
    try (ArtifactStream in = artifacts.open(disk, f.dirs[i], f.names[i])) {
      bh.consume(in.artifact());
      bh.consume(in.readAllBytes());
    }
  }

  /** {@link #httpGet}'s two requests from {@link RawClient}: one socket, no client threads. */
  @Benchmark
  public void rawGet(GetFiles f, RawClient raw, Blackhole bh) throws IOException {
    int i = f.nextIndex();
    bh.consume(
        raw.get(
            "/disk/" + disk + "/artifact?file_path=" + f.filePaths[i]
                + "&with_public_url=false&with_content=false"));
    bh.consume(raw.get("/disk/" + disk + "/artifact/download?file_path=" + f.filePaths[i]));
  }

  private byte[] getMeta(String filePath, boolean defaults)
      throws IOException, InterruptedException {
    String query = defaults ? "" : "&with_public_url=false&with_content=false";
    HttpResponse<byte[]> r =
        client.send(
            request("/disk/" + disk + "/artifact?file_path=" + filePath + query).GET().build(),
            HttpResponse.BodyHandlers.ofByteArray());
    return expect(r, 200);
  }

  private byte[] download(String filePath) throws IOException, InterruptedException {
    HttpResponse<byte[]> r =
        client.send(
            request("/disk/" + disk + "/artifact/download?file_path=" + filePath).GET().build(),
            HttpResponse.BodyHandlers.ofByteArray());
    byte[] bytes = expect(r, 200);
    if (bytes.length != 1024) {
      throw new IllegalStateException("downloaded " + bytes.length + " bytes, expected 1024");
    }
    return bytes;
  }

  private static byte[] expect(HttpResponse<byte[]> r, int status) {
    if (r.statusCode() != status) {
      throw new IllegalStateException(
          r.request().method() + " " + r.uri() + ": " + r.statusCode() + " "
              + new String(r.body(), StandardCharsets.UTF_8));
    }
    return r.body();
  }

  /** A multipart body as the SDKs send an upload: {@code file_path}, {@code meta}, {@code file}. */
  static final class Multipart {
    final String boundary;
    final byte[] bytes;

    private Multipart(String boundary, byte[] bytes) {
      this.boundary = boundary;
      this.bytes = bytes;
    }

    static Multipart upload(String filePath, String metaJson, String filename, byte[] content) {
      // httpx and undici use a random boundary per request: so does this
      String boundary =
          String.format(Locale.ROOT, "%032x", new SplittableRandom().nextLong()) + "diskstore";
      ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 512);
      write(out, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file_path\"\r\n\r\n"
          + filePath + "\r\n");
      write(out, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"meta\"\r\n\r\n"
          + metaJson + "\r\n");
      write(out, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
          + filename + "\"\r\nContent-Type: text/markdown\r\n\r\n");
      out.writeBytes(content);
      write(out, "\r\n--" + boundary + "--\r\n");
      return new Multipart(boundary, out.toByteArray());
    }

    private static void write(ByteArrayOutputStream out, String s) {
      out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * A minimal blocking HTTP/1.1 client for GETs on one kept-alive socket (TCP_NODELAY): writes the
   * request head, reads the status line, the headers and a {@code Content-Length} body. It shows
   * what the server costs without {@link HttpClient}'s selector thread and executor hand-offs.
   */
  @State(Scope.Thread)
  public static class RawClient {
    private Socket socket;
    private OutputStream out;
    private InputStream in;
    private String prefix;
    private String host;

    /**
     * Connects after {@link GetFiles} is written (it is a parameter so that JMH sets it up first):
     * the server cuts a connection whose first request head has not arrived within 10 s, which a
     * slow set-up on a loaded machine would exceed.
     */
    @Setup(Level.Trial)
    public void connect(ServerBench bench, GetFiles writtenFirst) throws IOException {
      URI uri = bench.server.baseUri();
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
      socket.setSoTimeout(30_000);
      out = new BufferedOutputStream(socket.getOutputStream(), 4096);
      in = new BufferedInputStream(socket.getInputStream(), 16384);
      prefix = uri.getRawPath();
      host = uri.getHost() + ":" + uri.getPort();
    }

    @TearDown(Level.Trial)
    public void disconnect() throws IOException {
      socket.close();
    }

    byte[] get(String path) throws IOException {
      out.write(
          ("GET " + prefix + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer "
                  + TOKEN + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String status = line();
      if (!status.startsWith("HTTP/1.1 200")) {
        throw new IllegalStateException("GET " + path + ": " + status);
      }
      int length = -1;
      for (String h = line(); !h.isEmpty(); h = line()) {
        int colon = h.indexOf(':');
        if (colon > 0 && h.substring(0, colon).equalsIgnoreCase("Content-Length")) {
          length = Integer.parseInt(h.substring(colon + 1).trim());
        }
      }
      if (length < 0) {
        throw new IllegalStateException("GET " + path + ": no Content-Length");
      }
      byte[] body = in.readNBytes(length);
      if (body.length != length) {
        throw new UncheckedIOException(new IOException("connection closed mid-body"));
      }
      return body;
    }

    private String line() throws IOException {
      StringBuilder b = new StringBuilder(64);
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("connection closed");
        }
        if (c != '\r') {
          b.append((char) c);
        }
      }
      return b.toString();
    }
  }
}
