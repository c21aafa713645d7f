package dev.diskstore.springai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diskstore.DiskStore;
import dev.diskstore.agent.DiskTools;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;

/**
 * Every callback carries DiskTools' name, description and exact JSON Schema, also as Spring AI's
 * own tool calling manager resolves them for a chat model.
 */
class ToolCallbackSchemaTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static DiskStore store;
  static DiskTools tools;

  @BeforeAll
  static void openStore() {
    store = DiskStore.inMemory();
    tools = DiskTools.forDisk(store, store.disks().create().id());
  }

  @AfterAll
  static void closeStore() {
    store.close();
  }

  @Test
  void eachCallbackKeepsTheToolsExactSchema() throws Exception {
    List<ToolCallback> callbacks = DiskStoreToolCallbacks.callbacks(tools);
    List<dev.diskstore.agent.ToolDefinition> definitions = tools.definitions();
    assertThat(callbacks).hasSize(11);
    for (int i = 0; i < definitions.size(); i++) {
      ToolDefinition mapped = callbacks.get(i).getToolDefinition();
      dev.diskstore.agent.ToolDefinition original = definitions.get(i);
      assertThat(mapped.name()).isEqualTo(original.name());
      assertThat(mapped.description()).isEqualTo(original.description());
      assertThat(JSON.readTree(mapped.inputSchema())).isEqualTo(original.parameters());
      assertThat(callbacks.get(i).getToolMetadata().returnDirect()).isFalse();
    }
  }

  @Test
  void theSchemasKeepTheBoundsAndRequiredLists() throws Exception {
    ToolDefinition read = definition("read_file_disk");
    var schema = JSON.readTree(read.inputSchema());
    assertThat(schema.at("/properties/line_limit/minimum").asInt()).isEqualTo(1);
    assertThat(schema.at("/properties/line_limit/maximum").asInt()).isEqualTo(2000);
    assertThat(schema.at("/properties/line_offset/minimum").asInt()).isZero();
    assertThat(schema.get("required").toString()).isEqualTo("[\"filename\"]");
    assertThat(schema.get("additionalProperties").asBoolean()).isFalse();
  }

  @Test
  void springAisToolCallingManagerResolvesTheSameDefinitions() {
    ToolCallingManager manager = ToolCallingManager.builder().build();
    ToolCallingChatOptions options = ToolCallingChatOptions.builder()
        .toolCallbacks(DiskStoreToolCallbacks.callbacks(tools))
        .build();

    List<ToolDefinition> resolved = manager.resolveToolDefinitions(options);

    assertThat(resolved).extracting(ToolDefinition::name).containsExactlyElementsOf(tools.toolNames());
    assertThat(resolved).extracting(ToolDefinition::inputSchema)
        .containsExactlyElementsOf(DiskStoreToolCallbacks.callbacks(tools).stream()
            .map(c -> c.getToolDefinition().inputSchema()).toList());
  }

  @Test
  void theProviderHandsOutTheCallbacksInOrder() {
    var provider = DiskStoreToolCallbacks.provider(tools);
    ToolCallback[] first = provider.getToolCallbacks();
    assertThat(Arrays.stream(first).map(c -> c.getToolDefinition().name()))
        .containsExactlyElementsOf(tools.toolNames());
    first[0] = null; // a caller changing its array does not change the provider
    assertThat(provider.getToolCallbacks()[0]).isNotNull();
  }

  private static ToolDefinition definition(String name) {
    return DiskStoreToolCallbacks.callbacks(tools).stream()
        .map(ToolCallback::getToolDefinition)
        .filter(d -> d.name().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
