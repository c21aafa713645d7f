package dev.diskstore.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.mcp.DiskMcpServer;
import dev.diskstore.server.DiskStoreServer;
import dev.diskstore.server.MaterialUrlSigner;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.OutputStreamWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code diskstore serve}: Acontext's {@code /api/v1} disk API over a store ({@link
 * DiskStoreServer}), until the process is stopped (SIGINT / SIGTERM close the server, then the
 * store, cleanly).
 *
 * <p>Tokens: {@code --token T} (a project derived from the token), {@code --project P=T} (token T
 * for project P), {@code --tokens-file F} (lines {@code TOKEN} or {@code PROJECT TOKEN}, {@code #}
 * comments) and the environment variable {@code DISKSTORE_TOKEN} (one token; keeps it out of the
 * process list). Without any token the server is open to every local process, on loopback only.
 *
 * <p>Download URLs of a store whose blobs are in a local directory are served by this server on
 * {@code {prefix}/material/...}, signed with a secret that is random per start unless {@code
 * DISKSTORE_URL_SECRET} gives one (replicas behind a load balancer share it, so that any of them
 * serves a URL another signed). S3 stores hand out S3 presigned URLs.
 *
 * <p>The web view ({@link DiskStoreServer.Builder#webUi}) is served at {@code /ui/} unless {@code
 * --no-ui} is given; its address is printed at start.
 *
 * <p>The first line on standard output, once the server listens, is {@code diskstore serve:
 * listening on <base URL>}: scripts and tests read the address from it (with {@code --port 0}).
 * The third is {@code diskstore serve: web view at <URL>} (unless {@code --no-ui}).
 */
@Command(
    name = "serve",
    header = "Serves the store over Acontext's HTTP API (/api/v1) for the official SDKs.",
    mixinStandardHelpOptions = true,
    description = {
      "Serves the store over Acontext's /api/v1 disk API, so that the official Python and"
          + " TypeScript SDKs work against it: ACONTEXT_BASE_URL=http://127.0.0.1:8029/api/v1."
          + " Creates an embedded store that does not exist yet. Runs until stopped (Ctrl-C,"
          + " SIGTERM), then closes the server and the store.",
      "Without a token every local process may use it, and only a loopback address can be"
          + " bound. Prefer DISKSTORE_TOKEN or --tokens-file to --token: arguments are visible"
          + " to other users in the process list."
    },
    sortOptions = false)
final class ServeCommand implements Callable<Integer> {
  static final String TOKEN_ENV = "DISKSTORE_TOKEN";
  static final String URL_SECRET_ENV = "DISKSTORE_URL_SECRET";

  @Mixin StoreOptions store;

  @Spec CommandSpec spec;

  @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
      description = "address to bind (default: ${DEFAULT-VALUE}); other than loopback needs a token")
  String host;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8029",
      description = "port (default: ${DEFAULT-VALUE}; 0 picks a free one)")
  int port;

  @Option(names = "--prefix", paramLabel = "PATH", defaultValue = DiskStoreServer.DEFAULT_PREFIX,
      description = "path prefix of the API (default: ${DEFAULT-VALUE})")
  String prefix;

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "a bearer token; its project id is derived from it (repeatable)")
  List<String> tokens = new ArrayList<>();

  @Option(names = "--project", paramLabel = "PROJECT=TOKEN",
      description = "a bearer token of the named project (repeatable)")
  List<String> projects = new ArrayList<>();

  @Option(names = "--tokens-file", paramLabel = "FILE",
      description = "tokens, one per line: TOKEN or PROJECT TOKEN; # starts a comment")
  @Nullable Path tokensFile;

  @Option(names = "--advertised-url", paramLabel = "URL",
      description = "the base URL clients reach the server at, if not http://HOST:PORT/PREFIX"
          + " (behind a proxy); used in download URLs")
  @Nullable URI advertisedUrl;

  @Option(names = "--max-connections", paramLabel = "N", defaultValue = "2048",
      description = "open connections at most (default: ${DEFAULT-VALUE})")
  int maxConnections;

  @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "30",
      description = "close a connection idle this long (default: ${DEFAULT-VALUE})")
  int idleTimeoutSeconds;

  @Option(names = "--mcp",
      description = "also serve MCP (Streamable HTTP) at /mcp behind the same tokens; clients name"
          + " a disk of their project with /mcp?disk=ID")
  boolean mcp;

  @Option(names = "--mcp-read-only", description = "with --mcp: withhold the MCP write tools")
  boolean mcpReadOnly;

  @Option(names = "--no-ui",
      description = "do not serve the web view at /ui/ (served by default: browse, preview, search,"
          + " upload and restore files in a browser, behind the same tokens)")
  boolean noUi;

  /** The environment, replaceable by tests. */
  Function<String, @Nullable String> env = System::getenv;

  @Override
  public Integer call() throws InterruptedException {
    StoreOptions options = store.isGiven() ? store : rootStore();
    StoreSettings settings = options.settings();
    List<String[]> credentials = credentials();
    if (credentials.isEmpty() && !isLoopback(host)) {
      // refused before the store is opened (an embedded one would be created)
      throw CommandException.usage("serving on " + host + " needs a token (--token, --project,"
          + " --tokens-file or " + TOKEN_ENV + "): without one any client could use the store");
    }
    MaterialUrlSigner urls = urlSigner();
    DiskStoreConfig base = settings.toConfig();
    DiskStoreConfig config =
        base.toBuilder().publicUrlSigner(urls.orBackendSigner(base.backend())).build();
    return serve(config, urls, settings, credentials);
  }

  private static String mcpUrl(URI base) {
    return base.resolve("/mcp").toString();
  }

  private static boolean isLoopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      throw CommandException.usage("unknown host " + host);
    }
  }

  private int serve(DiskStoreConfig config, MaterialUrlSigner urls, StoreSettings settings,
      List<String[]> credentials) throws InterruptedException {
    PrintWriter out = new PrintWriter(new OutputStreamWriter(io().out(), UTF_8), true);
    CountDownLatch finished = new CountDownLatch(1);
    try (DiskStore opened = DiskStore.open(config);
        DiskMcpServer mcpServer =
            mcp ? DiskMcpServer.builder(opened).anyDiskOfTheCaller().readOnly(mcpReadOnly).build()
                : null) {
      DiskStoreServer.Builder builder =
          DiskStoreServer.builder(opened)
              .host(host)
              .port(port)
              .prefix(prefix)
              .materialUrls(urls)
              .advertisedUri(advertisedUrl)
              .maxConnections(maxConnections)
              .idleTimeout(Duration.ofSeconds(idleTimeoutSeconds))
              .webUi(!noUi);
      for (String[] c : credentials) {
        if (c[0] == null) {
          builder.token(c[1]);
        } else {
          builder.project(c[0], c[1]);
        }
      }
      if (mcpServer != null) {
        builder.mount("/mcp", mcpServer.httpHandler("/mcp"));
      }
      int count = credentials.size();
      try (DiskStoreServer server = builder.build().start()) {
        Thread hook =
            new Thread(
                () -> {
                  server.close();
                  try {
                    // let the command close the store before the JVM halts
                    finished.await(30, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "diskstore-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("diskstore serve: listening on " + server.baseUri());
        out.println("diskstore serve: store " + settings + "; "
            + (count == 0 ? "open to local processes (no token)" : count + " token(s)")
            + (mcpServer == null ? "" : "; MCP at " + mcpUrl(server.baseUri())
                + "?disk=DISK" + (mcpReadOnly ? " (read-only)" : ""))
            + "; stop with Ctrl-C");
        server.uiUri().ifPresent(ui -> out.println("diskstore serve: web view at " + ui));
        out.flush();
        server.awaitStop();
      }
    } finally {
      finished.countDown();
    }
    return ExitCodes.OK;
  }

  /** The tokens given, as {project or null, token} pairs, checked before anything is opened. */
  private List<String[]> credentials() {
    List<String[]> out = new ArrayList<>();
    for (String token : tokens) {
      out.add(new String[] {null, token});
    }
    for (String pair : projects) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        throw CommandException.usage("--project takes PROJECT=TOKEN, got \"" + redact(pair) + "\"");
      }
      out.add(new String[] {pair.substring(0, eq), pair.substring(eq + 1)});
    }
    if (tokensFile != null) {
      List<String> lines;
      try {
        lines = Files.readAllLines(tokensFile, UTF_8);
      } catch (NoSuchFileException e) {
        throw CommandException.notFound("no tokens file " + tokensFile);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("cannot read the tokens file " + tokensFile, e);
      }
      int n = 0;
      for (String raw : lines) {
        n++;
        String line = raw.strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] fields = line.split("\\s+");
        if (fields.length == 1) {
          out.add(new String[] {null, fields[0]});
        } else if (fields.length == 2) {
          out.add(new String[] {fields[0], fields[1]});
        } else {
          throw CommandException.usage(
              tokensFile + " line " + n + ": expected TOKEN or PROJECT TOKEN");
        }
      }
    }
    String fromEnv = env.apply(TOKEN_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      out.add(new String[] {null, fromEnv.strip()});
    }
    for (String[] c : out) {
      if (c[0] != null && !c[0].matches("[A-Za-z0-9._:-]{1,128}")) {
        throw CommandException.usage("a project id is 1-128 characters from [A-Za-z0-9._:-], was \""
            + c[0] + "\"");
      }
    }
    return out;
  }

  private MaterialUrlSigner urlSigner() {
    String secret = env.apply(URL_SECRET_ENV);
    if (secret == null || secret.isBlank()) {
      return MaterialUrlSigner.create();
    }
    if (secret.strip().length() < 16) {
      throw CommandException.usage(URL_SECRET_ENV + " must be at least 16 characters");
    }
    try {
      byte[] key = MessageDigest.getInstance("SHA-256").digest(secret.strip().getBytes(UTF_8));
      return MaterialUrlSigner.withSecret(key, Clock.systemUTC());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String redact(String pair) {
    int eq = pair.indexOf('=');
    return eq < 0 ? "…" : pair.substring(0, eq + 1) + "…";
  }

  private StoreOptions rootStore() {
    return ((DiskStoreCli) spec.root().userObject()).store;
  }

  private Io io() {
    return ((DiskStoreCli) spec.root().userObject()).io();
  }
}
