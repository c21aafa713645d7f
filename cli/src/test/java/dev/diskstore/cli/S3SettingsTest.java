package dev.diskstore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.InvalidRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code s3.*} settings that are true or false: anything else is refused naming the key and
 * the value.
 */
class S3SettingsTest {
  private static final List<String> BOOLEAN_KEYS = List.of("s3.path-style");

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
}
