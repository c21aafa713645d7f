package dev.diskstore.mcp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

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
 * The official MCP TypeScript SDK ({@code @modelcontextprotocol/sdk}, pinned in {@code
 * src/test/node/package-lock.json}) connects over Streamable HTTP to {@code /mcp} on a real
 * {@code DiskStoreServer} and runs {@code src/test/node/mcp-client.mjs}: tools, an edit with a
 * precondition, resources, a subscription, a refused URI, another project's token refused. The
 * cli module's {@code McpStdioSdkTest} runs the same script over stdio.
 *
 * <p>Needs {@code node} and {@code npm} ({@code .ci/run} installs them when missing); {@code npm
 * ci} installs the SDK from the checked-in lock file into {@code target/mcp-sdk-check}.
 */
class McpHttpSdkTest {
  private static final Path NODE_PROJECT = Path.of("src/test/node");
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
  void theOfficialTypeScriptClientWorksOverStreamableHttp() throws Exception {
    try (McpServers servers = new McpServers(dir, b -> {})) {
      String disk = servers.createDisk("alpha");
      Result node = run(sdkDir, Map.of(
              "MCP_TRANSPORT", "http",
              "MCP_DISK", disk,
              "MCP_URL", servers.origin + "/mcp?disk=" + disk,
              "MCP_TOKEN", "token-a",
              "MCP_OTHER_TOKEN", "token-b"),
          180, "node", "mcp-client.mjs");
      System.out.println("== official MCP TypeScript SDK over Streamable HTTP\n" + node.output);
      assertThat(node.code).as(node.output).isZero();
      assertThat(node.output.strip().lines().reduce((a, b) -> b).orElse(""))
          .matches("mcp-http: \\d+ checks passed");
      assertThat(servers.store.disks().artifacts().get(disk, "/notes/", "todo.md").artifact()
          .sizeBytes()).isEqualTo("# TODO\n- call Alice\n".length());
    }
  }

  record Result(int code, String output) {}

  static Result run(Path workDir, Map<String, String> env, int seconds, String... command)
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
