package dev.diskstore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.URL;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The configuration metadata the annotation processor generates from {@link DiskStoreProperties}
 * (and {@code additional-spring-configuration-metadata.json}), which IDEs use to complete and
 * document {@code diskstore.*} in application properties.
 */
class MetadataTest {
  @Test
  void theMetadataListsEveryPropertyWithItsTypeAndADescription() throws Exception {
    URL metadata = starterMetadata();
    JsonNode root;
    try (InputStream in = metadata.openStream()) {
      root = new ObjectMapper().readTree(in);
    }
    Map<String, String> types = new TreeMap<>();
    for (JsonNode property : root.get("properties")) {
      String name = property.get("name").asText();
      types.put(name, property.get("type").asText());
      assertThat(property.path("description").asText()).as(name)
          .isNotBlank().doesNotContain("{@").endsWith(".");
    }
    assertThat(types).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
        Map.entry("diskstore.directory", "java.nio.file.Path"),
        Map.entry("diskstore.blobs-directory", "java.nio.file.Path"),
        Map.entry("diskstore.project-id", "java.lang.String"),
        Map.entry("diskstore.url-server.address", "java.net.InetAddress"),
        Map.entry("diskstore.url-server.port", "java.lang.Integer"),
        Map.entry("diskstore.history.keep-last", "java.lang.Integer"),
        Map.entry("diskstore.history.max-age", "java.time.Duration"),
        Map.entry("diskstore.s3.bucket", "java.lang.String"),
        Map.entry("diskstore.s3.prefix", "java.lang.String"),
        Map.entry("diskstore.s3.region", "java.lang.String"),
        Map.entry("diskstore.s3.endpoint", "java.net.URI"),
        Map.entry("diskstore.s3.path-style", "java.lang.Boolean"),
        Map.entry("diskstore.s3.access-key", "java.lang.String"),
        Map.entry("diskstore.s3.secret-key", "java.lang.String"),
        Map.entry("diskstore.s3.chunked-encoding", "java.lang.Boolean"),
        Map.entry("diskstore.postgres.url", "java.lang.String"),
        Map.entry("diskstore.postgres.user", "java.lang.String"),
        Map.entry("diskstore.postgres.password", "java.lang.String"),
        Map.entry("diskstore.postgres.schema", "java.lang.String"),
        Map.entry("diskstore.postgres.pool-size", "java.lang.Integer"),
        Map.entry("diskstore.tools.disk-id", "java.lang.String"),
        Map.entry("management.health.diskstore.enabled", "java.lang.Boolean")));
  }

  @Test
  void defaultsAreInTheMetadata() throws Exception {
    URL metadata = starterMetadata();
    Map<String, String> defaults = new TreeMap<>();
    try (InputStream in = metadata.openStream()) {
      for (JsonNode property : new ObjectMapper().readTree(in).get("properties")) {
        if (property.has("defaultValue")) {
          defaults.put(property.get("name").asText(), property.get("defaultValue").asText());
        }
      }
    }
    assertThat(defaults).containsEntry("diskstore.postgres.schema", "diskstore")
        .containsEntry("diskstore.postgres.pool-size", "10")
        .containsEntry("diskstore.url-server.port", "0")
        .containsEntry("diskstore.s3.path-style", "false")
        .containsEntry("management.health.diskstore.enabled", "true");
  }

  /** The metadata file of the starter's jar (or classes directory), not of Spring Boot's jars. */
  private static URL starterMetadata() throws Exception {
    String starter =
        DiskStoreProperties.class.getProtectionDomain().getCodeSource().getLocation().toString();
    return Collections.list(MetadataTest.class.getClassLoader()
            .getResources("META-INF/spring-configuration-metadata.json")).stream()
        .filter(url -> url.toString().contains(starter))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no configuration metadata in " + starter));
  }
}
