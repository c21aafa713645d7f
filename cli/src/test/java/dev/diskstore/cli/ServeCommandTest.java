package dev.diskstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code diskstore serve} refuses what it cannot serve safely, before it binds anything, with one
 * line and a usage or not-found exit code. (Serving itself is {@link ServeSdkTest}: the official
 * SDK against the command in its own JVM.)
 */
class ServeCommandTest {
  @TempDir Path dir;

  @Test
  void anOpenServerIsRefusedOnANonLoopbackAddress() {
    CliRun.Result r = CliRun.run("serve", "--store", dir.resolve("s").toString(),
        "--host", "0.0.0.0", "--port", "0");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).startsWith("diskstore: ").contains("token").doesNotContain("\tat ");
    assertThat(r.err().lines()).hasSize(1);
    assertThat(dir.resolve("s")).as("refused before the store is opened (or created)")
        .doesNotExist();
  }

  @Test
  void malformedProjectTokensAreRefusedWithoutEchoingTheSecret() {
    CliRun.Result r = CliRun.run("serve", "--store", dir.resolve("s").toString(), "--port", "0",
        "--project", "no-equals-sign-secret");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("PROJECT=TOKEN").doesNotContain("no-equals-sign-secret");

    CliRun.Result badProject = CliRun.run("serve", "--store", dir.resolve("s").toString(),
        "--port", "0", "--project", "a/b=secret");
    assertThat(badProject.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(badProject.err()).contains("project id");
  }

  @Test
  void tokensFilesAreCheckedLineByLine() throws Exception {
    CliRun.Result missing = CliRun.run("serve", "--store", dir.resolve("s").toString(),
        "--port", "0", "--tokens-file", dir.resolve("nope").toString());
    assertThat(missing.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(missing.err()).contains("tokens file");

    Path file = Files.writeString(dir.resolve("tokens"), "# team\nalpha tok-a\n\nb c d\n");
    CliRun.Result bad = CliRun.run("serve", "--store", dir.resolve("s").toString(),
        "--port", "0", "--tokens-file", file.toString());
    assertThat(bad.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("line 4").contains("PROJECT TOKEN");
  }
}
