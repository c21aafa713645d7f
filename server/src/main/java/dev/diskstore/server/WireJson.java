package dev.diskstore.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diskstore.Artifact;
import dev.diskstore.ArtifactInfo;
import dev.diskstore.ArtifactVersion;
import dev.diskstore.Disk;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The Acontext wire shapes of DiskStore values, on one shared Jackson {@link ObjectMapper}
 * (thread-safe once configured). Timestamps are RFC 3339 strings ({@link java.time.Instant#toString}).
 */
final class WireJson {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private WireJson() {}

  /** {@code {id, project_id, user_id|null, created_at, updated_at}}. */
  static ObjectNode disk(Disk disk) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("id", disk.id());
    node.put("project_id", disk.projectId());
    node.put("user_id", disk.user());
    node.put("created_at", disk.createdAt().toString());
    node.put("updated_at", disk.updatedAt().toString());
    return node;
  }

  /**
   * {@code {disk_id, path, filename, meta, created_at, updated_at}}; {@code meta} holds {@code
   * __artifact_info__} with Acontext's keys ({@code path, filename, mime, size}) and DiskStore's
   * ({@code size_bytes, content_type, last_modified, sha256, etag}), then the user's keys.
   */
  static ObjectNode artifact(Artifact artifact) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("disk_id", artifact.diskId());
    node.put("path", artifact.path());
    node.put("filename", artifact.filename());
    ObjectNode meta = node.putObject("meta");
    ObjectNode info = meta.putObject(ArtifactInfo.KEY);
    info.put("path", artifact.path());
    info.put("filename", artifact.filename());
    info.put("mime", artifact.contentType());
    info.put("size", artifact.sizeBytes());
    for (Map.Entry<String, Object> e : artifact.info().toMap().entrySet()) {
      info.set(e.getKey(), MAPPER.valueToTree(e.getValue()));
    }
    for (Map.Entry<String, Object> e : artifact.userMeta().entrySet()) {
      meta.set(e.getKey(), MAPPER.valueToTree(e.getValue()));
    }
    node.put("created_at", artifact.createdAt().toString());
    node.put("updated_at", artifact.updatedAt().toString());
    return node;
  }

  /**
   * Extension: {@code {version, change, changed_at, artifact|null}}, {@code change} in lower case
   * ({@code upserted}, {@code updated}, {@code moved_in}, {@code moved_away}, {@code deleted},
   * {@code restored}); {@code artifact} is null for a removal.
   */
  static ObjectNode version(ArtifactVersion version) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("version", version.version());
    node.put("change", version.change().name().toLowerCase(Locale.ROOT));
    node.put("changed_at", version.changedAt().toString());
    if (version.artifact().isPresent()) {
      node.set("artifact", artifact(version.artifact().get()));
    } else {
      node.putNull("artifact");
    }
    return node;
  }

  static ArrayNode artifacts(Iterable<Artifact> artifacts) {
    ArrayNode array = MAPPER.createArrayNode();
    for (Artifact a : artifacts) {
      array.add(artifact(a));
    }
    return array;
  }

  /** {@code {"code":0,"data":data,"msg":""}}, or without {@code data} when it is null. */
  static byte[] success(@Nullable JsonNode data) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("code", 0);
    if (data != null) {
      node.set("data", data);
    }
    node.put("msg", "");
    return bytes(node);
  }

  /** {@code {"code":status,"msg":message}}. */
  static byte[] error(int status, String message) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("code", status);
    node.put("msg", message);
    return bytes(node);
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }
}
