package dev.diskstore.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diskstore.Artifact;
import dev.diskstore.ArtifactVersion;
import dev.diskstore.Disk;
import dev.diskstore.InvalidMetadataException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON the commands print with {@code --json} and read in {@code --meta} / {@code meta set}.
 * Field names are snake_case like Acontext's API; times are ISO-8601 UTC strings; user metadata is
 * the JSON object as stored. Each command prints one document (an object or an array) on one line.
 */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static ArrayNode array() {
    return MAPPER.createArrayNode();
  }

  static ObjectNode disk(Disk disk) {
    ObjectNode node = object();
    node.put("id", disk.id());
    node.put("project_id", disk.projectId());
    node.put("user", disk.user());
    node.put("created_at", disk.createdAt().toString());
    node.put("updated_at", disk.updatedAt().toString());
    return node;
  }

  static ObjectNode artifact(Artifact artifact) {
    ObjectNode node = object();
    node.put("disk_id", artifact.diskId());
    node.put("path", artifact.path());
    node.put("filename", artifact.filename());
    node.put("full_path", artifact.fullPath());
    node.put("size_bytes", artifact.sizeBytes());
    node.put("content_type", artifact.contentType());
    node.put("etag", artifact.etag());
    node.put("sha256", artifact.sha256());
    node.put("last_modified", artifact.info().lastModified().toString());
    node.put("created_at", artifact.createdAt().toString());
    node.put("updated_at", artifact.updatedAt().toString());
    node.set("meta", MAPPER.valueToTree(artifact.userMeta()));
    return node;
  }

  /**
   * One version of an artifact: {@code version}, {@code change} (the {@link
   * ArtifactVersion.Change} name), {@code changed_at}, and {@code artifact} as that change left it
   * ({@code null} for a change that removed it).
   */
  static ObjectNode version(ArtifactVersion version) {
    ObjectNode node = object();
    node.put("version", version.version());
    node.put("change", version.change().name());
    node.put("changed_at", version.changedAt().toString());
    if (version.artifact().isPresent()) {
      node.set("artifact", artifact(version.artifact().get()));
    } else {
      node.putNull("artifact");
    }
    return node;
  }

  /** Prints {@code document} on one line. */
  static void print(PrintStream out, JsonNode document) {
    try {
      out.println(MAPPER.writeValueAsString(document));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Indented, for people reading metadata. */
  static String pretty(Object value) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Parses user metadata: a JSON object.
   *
   * @throws InvalidMetadataException (exit code 2) for anything else, with the parser's reason and
   *     position on one line
   */
  static Map<String, Object> metadata(String text) {
    JsonNode node;
    try {
      node = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      var where = e.getLocation();
      throw new InvalidMetadataException("metadata is not valid JSON: " + e.getOriginalMessage()
          + (where == null ? "" : " (column " + where.getColumnNr() + ")"));
    }
    if (node == null || !node.isObject()) {
      throw new InvalidMetadataException("metadata must be a JSON object like {\"author\":\"alice\"},"
          + " not " + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase(
              java.util.Locale.ROOT)));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = MAPPER.convertValue(node, LinkedHashMap.class);
    return map;
  }
}
