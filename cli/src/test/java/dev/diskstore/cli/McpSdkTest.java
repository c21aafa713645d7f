package dev.diskstore.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diskstore.DiskStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official MCP TypeScript SDK's client starts {@code diskstore mcp --store DIR --disk ID} as
 * a desktop agent does (a child process, protocol on its standard input and output) and runs the
 * mcp module's {@code src/test/node/mcp-client.mjs} over stdio: tools, an edit with a
 * precondition, resources, a subscription; then the same script over Streamable HTTP against
 * {@code diskstore serve --mcp} in its own JVM, with two projects' tokens. The node project (package.json and lock file) is the
 * mcp module's; {@code npm ci} installs it into {@code target/mcp-sdk-check}.
 */
class McpSdkTest {
  private static final Path NODE_PROJECT = Path.of("../mcp/src/test/node");
  private static Path sdkDir;

  @TempDir Path dir;

  @BeforeAll
  static void installTheSdk() throws Exception {
    sdkDir = Path.of("target/mcp-sdk-check").toAbsolutePath();
    Files.createDirectories(sdkDir);
    for (String f : List.of("package.json", "package-lock.json", "mcp-client.mjs")) {
      Files.copy(NODE_PROJECT.resolve(f), sdkDir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.isDirectory(sdkDir.resolve("node_modules/@modelcontextprotocol/sdk"))) {
      Result npm = run(sdkDir, Map.of(), 300, "npm", "ci", "--no-audit", "--no-fund");
      assertThat(npm.code).as("npm ci\n" + npm.output).isZero();
    }
  }

  @Test
  void theOfficialTypeScriptClientWorksOverStdio() throws Exception {
    Path store = dir.resolve("store");
    String disk;
    try (DiskStore opened = DiskStore.local(store)) {
      disk = opened.disks().create().id();
    }
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m",
        "-cp", System.getProperty("java.class.path"),
        DiskStoreCli.class.getName(),
        "mcp", "--store", store.toString(), "--disk", disk);
    Result node = run(sdkDir, Map.of(
            "MCP_TRANSPORT", "stdio",
            "MCP_DISK", disk,
            "MCP_COMMAND", new ObjectMapper().writeValueAsString(command)),
        180, "node", "mcp-client.mjs");
    System.out.println("== official MCP TypeScript SDK over stdio (diskstore mcp)\n" + node.output);
    assertThat(node.code).as(node.output).isZero();
    assertThat(node.output.strip().lines().reduce((a, b) -> b).orElse(""))
        .matches("mcp-stdio: \\d+ checks passed");

    // the client closed the server's input: it closed the store, which verifies clean
    CliRun.Result verify = CliRun.run("verify", "--store", store.toString(), "--deep");
    assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
    CliRun.Result cat = CliRun.run("cat", "--store", store.toString(), disk, "/notes/todo.md");
    assertThat(cat.out()).isEqualTo("# TODO\n- call Alice\n");
  }

  @Test
  void theOfficialTypeScriptClientWorksOverStreamableHttpOnDiskstoreServe() throws Exception {
    Path store = dir.resolve("served");
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m",
        "-cp", System.getProperty("java.class.path"),
        DiskStoreCli.class.getName(),
        "serve", "--store", store.toString(), "--port", "0", "--mcp", "--no-ui",
        "--project", "alpha=sk-alpha", "--project", "beta=sk-beta");
    Process serve = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      java.io.BufferedReader out = new java.io.BufferedReader(
          new java.io.InputStreamReader(serve.getInputStream(), UTF_8));
      String first = out.readLine();
      assertThat(first).startsWith("diskstore serve: listening on http://127.0.0.1:");
      String base = first.substring("diskstore serve: listening on ".length()).strip();
      assertThat(out.readLine()).contains("MCP at ").contains("/mcp?disk=DISK");
      // --no-ui: no web view, and no line announcing one
      java.net.http.HttpResponse<String> ui = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(base).resolve("/ui/")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(ui.statusCode()).isEqualTo(404);
      CompletableFuture.runAsync(() -> {
        try {
          out.transferTo(java.io.Writer.nullWriter());
        } catch (IOException e) {
          // the server stopped
        }
      });
      java.net.http.HttpResponse<String> created = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/disk"))
              .header("Authorization", "Bearer sk-alpha")
              .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).isEqualTo(201);
      String disk = new ObjectMapper().readTree(created.body()).at("/data/id").asText();
      String mcpUrl = java.net.URI.create(base).resolve("/mcp?disk=" + disk).toString();
      Result node = run(sdkDir, Map.of(
              "MCP_TRANSPORT", "http",
              "MCP_DISK", disk,
              "MCP_URL", mcpUrl,
              "MCP_TOKEN", "sk-alpha",
              "MCP_OTHER_TOKEN", "sk-beta"),
          180, "node", "mcp-client.mjs");
      System.out.println("== official MCP TypeScript SDK over Streamable HTTP (diskstore serve --mcp)\n"
          + node.output);
      assertThat(node.code).as(node.output).isZero();
      assertThat(node.output.strip().lines().reduce((a, b) -> b).orElse(""))
          .matches("mcp-http: \\d+ checks passed");
    } finally {
      serve.destroy();
      if (!serve.waitFor(60, TimeUnit.SECONDS)) {
        serve.destroyForcibly();
      }
    }
  }

  @Test
  void aMissingDiskOrStoreIsAUsageErrorOnStandardError() {
    CliRun.Result noDisk = CliRun.run("mcp", "--store", dir.toString());
    assertThat(noDisk.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(noDisk.out()).isEmpty();
    assertThat(noDisk.err()).contains("--disk");
  }

  private record Result(int code, String output) {}

  private static Result run(Path workDir, Map<String, String> env, int seconds, String... command)
      throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
      try {
        return new String(p.getInputStream().readAllBytes(), UTF_8);
      } catch (IOException e) {
        return "(output lost: " + e + ")";
      }
    });
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, String.join(" ", command) + " timed out after " + seconds + " s\n"
          + output.getNow(""));
    }
    return new Result(p.exitValue(), output.get(10, TimeUnit.SECONDS));
  }
}
