package dev.diskstore.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Acontext TypeScript SDK ({@code @acontext/acontext} 0.0.16 from npm, the only
 * version published) runs the Disk quickstart, step by step and checking every answer ({@code
 * src/test/node/quickstart.mjs}), against {@code diskstore serve} started as users start it: its
 * own JVM, the command line, an embedded store directory, two projects' tokens. Then the server is
 * stopped with SIGTERM and the store it leaves behind verifies clean.
 *
 * <p>Needs {@code node} and {@code npm} (installed by {@code .ci/run} when missing); {@code npm ci}
 * installs the SDK from the checked-in lock file into {@code target/sdk-check}.
 */
class ServeSdkTest {
  private static final Path NODE_PROJECT = Path.of("src/test/node");
  private static Path sdkDir;

  @TempDir Path dir;
  private Process serve;

  @BeforeAll
  static void installTheSdk() throws Exception {
    sdkDir = Path.of("target/sdk-check").toAbsolutePath();
    Files.createDirectories(sdkDir);
    for (String f : List.of("package.json", "package-lock.json", "quickstart.mjs")) {
      Files.copy(NODE_PROJECT.resolve(f), sdkDir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.isDirectory(sdkDir.resolve("node_modules/@acontext/acontext"))) {
      Result npm = run(sdkDir, Map.of(), 300, "npm", "ci", "--no-audit", "--no-fund");
      assertThat(npm.code).as("npm ci\n" + npm.output).isZero();
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (serve != null && serve.isAlive()) {
      serve.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void theOfficialTypeScriptSdkRunsTheQuickstartAgainstDiskstoreServe() throws Exception {
    Path store = dir.resolve("store");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m",
        "-cp", System.getProperty("java.class.path"),
        DiskStoreCli.class.getName(),
        "serve", "--store", store.toString(), "--port", "0",
        "--project", "alpha=sk-ac-alpha-secret",
        "--project", "beta=sk-ac-beta-secret"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    serve = pb.start();
    BufferedReader serverOut =
        new BufferedReader(new InputStreamReader(serve.getInputStream(), UTF_8));
    String first = serverOut.readLine();
    assertThat(first).as("the first line of diskstore serve")
        .isNotNull().startsWith("diskstore serve: listening on http://127.0.0.1:");
    String base = first.substring("diskstore serve: listening on ".length()).strip();
    assertThat(base).endsWith("/api/v1");
    StringBuilder rest = new StringBuilder();
    CompletableFuture<Void> drain = CompletableFuture.runAsync(() -> {
      try {
        for (String line; (line = serverOut.readLine()) != null; ) {
          rest.append(line).append('\n');
        }
      } catch (IOException e) {
        // the process ended
      }
    });

    // the README's curl lines, as a client without an SDK sends them
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> ping = http.send(
        HttpRequest.newBuilder(URI.create(base + "/ping")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(ping.statusCode()).isEqualTo(200);
    assertThat(ping.body()).contains("\"msg\":\"pong\"");
    HttpResponse<String> anonymous = http.send(
        HttpRequest.newBuilder(URI.create(base + "/disk")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("content-type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("application/json"));
    // the web view, served by default beside the API (its page needs no token; its data does)
    URI ui = URI.create(base).resolve("/ui/");
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(ui).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("content-security-policy")).hasValueSatisfying(
        csp -> assertThat(csp).contains("script-src 'self'"));

    Result sdk = run(sdkDir, Map.of(
            "ACONTEXT_BASE_URL", base,
            "ACONTEXT_API_KEY", "sk-ac-alpha-secret",
            "OTHER_API_KEY", "sk-ac-beta-secret"),
        180, "node", "quickstart.mjs");
    System.out.println("== official TypeScript SDK against diskstore serve\n" + sdk.output);
    assertThat(sdk.code).as(sdk.output + "\nserver:\n" + rest).isZero();
    assertThat(sdk.output.strip().lines().reduce((a, b) -> b).orElse(""))
        .matches("quickstart: \\d+ checks passed");

    // SIGTERM: the server and then the store close cleanly
    serve.destroy();
    assertThat(serve.waitFor(60, TimeUnit.SECONDS)).as("serve stops on SIGTERM").isTrue();
    drain.get(10, TimeUnit.SECONDS);
    assertThat(rest.toString()).contains("diskstore serve: web view at " + ui + "\n");
    CliRun.Result verify = CliRun.run("verify", "--store", store.toString(), "--deep");
    assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.out()).contains("clean");
    CliRun.Result disks = CliRun.run("disks", "--store", store.toString(), "--json");
    assertThat(disks.exitCode()).isZero();
    assertThat(disks.json().toString()).contains("\"project_id\":\"alpha\"");
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
