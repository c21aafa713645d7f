package dev.diskstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The checked-in OpenAPI document and the routes the server dispatches are the same set. */
class OpenApiTest {
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

  @Test
  void documentAndRoutesMatchBothWays() throws Exception {
    JsonNode doc = new ObjectMapper().readTree(DiskStoreServer.openApiDocument());
    assertThat(doc.get("openapi").asText()).matches("3\\.1\\.\\d+");
    Set<String> documented = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("paths").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> path = it.next();
      path.getValue()
          .fieldNames()
          .forEachRemaining(
              m -> {
                if (METHODS.contains(m)) {
                  documented.add(m.toUpperCase(Locale.ROOT) + " " + path.getKey());
                }
              });
    }
    Set<String> dispatched = new TreeSet<>();
    ApiHandler.ROUTES.forEach(r -> dispatched.add(r.method() + " " + r.template()));
    assertThat(documented).isEqualTo(dispatched);
  }

  @Test
  void extensionsAreMarkedAsBeyondAcontext() throws Exception {
    JsonNode paths = new ObjectMapper().readTree(DiskStoreServer.openApiDocument()).get("paths");
    for (String p :
        new String[] {
          "/disk/{disk_id}/artifact/move", "/disk/{disk_id}/artifact/search", "/disk/{disk_id}/artifact/query",
          "/disk/{disk_id}/artifact/versions", "/disk/{disk_id}/artifact/restore"
        }) {
      assertThat(paths.get(p).toString()).contains("Extension (beyond Acontext)");
    }
  }
}
