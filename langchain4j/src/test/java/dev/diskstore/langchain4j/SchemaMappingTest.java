package dev.diskstore.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diskstore.DiskStore;
import dev.diskstore.agent.DiskTools;
import dev.diskstore.agent.ToolDefinition;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every tool's JSON Schema from {@link DiskTools}, compared keyword by keyword with its mapping. */
class SchemaMappingTest {
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

  static Stream<ToolDefinition> definitions() {
    return tools.definitions().stream();
  }

  @Test
  void allElevenToolsAreMappedInOrder() {
    assertThat(DiskStoreTools.specifications(tools)).extracting(ToolSpecification::name)
        .containsExactlyElementsOf(tools.toolNames())
        .hasSize(11);
  }

  @ParameterizedTest
  @MethodSource("definitions")
  void theSpecificationCarriesTheToolsSchema(ToolDefinition definition) {
    ToolSpecification spec = DiskStoreTools.specification(definition);
    JsonNode schema = definition.parameters();

    assertThat(spec.name()).isEqualTo(definition.name());
    assertThat(spec.description()).isEqualTo(definition.description());
    JsonObjectSchema parameters = spec.parameters();
    assertThat(parameters.additionalProperties()).isFalse();
    List<String> required = new ArrayList<>();
    schema.path("required").forEach(n -> required.add(n.asText()));
    assertThat(parameters.required() == null ? List.of() : parameters.required())
        .containsExactlyElementsOf(required);

    List<String> names = new ArrayList<>();
    schema.get("properties").fieldNames().forEachRemaining(names::add);
    assertThat(parameters.properties().keySet()).containsExactlyElementsOf(names);
    for (String name : names) {
      JsonNode property = schema.get("properties").get(name);
      JsonSchemaElement mapped = parameters.properties().get(name);
      String description = property.get("description").asText();
      switch (property.get("type").asText()) {
        case "string" -> assertThat(mapped).isInstanceOfSatisfying(JsonStringSchema.class,
            s -> assertThat(s.description()).isEqualTo(description));
        case "boolean" -> assertThat(mapped).isInstanceOfSatisfying(JsonBooleanSchema.class,
            s -> assertThat(s.description()).isEqualTo(description));
        case "integer" -> assertThat(mapped).isInstanceOfSatisfying(JsonIntegerSchema.class,
            s -> {
              // the bounds LangChain4j cannot carry are stated in the description
              assertThat(s.description()).startsWith(description);
              if (property.has("minimum")) {
                assertThat(s.description()).contains(property.get("minimum").asText());
              }
              if (property.has("maximum")) {
                assertThat(s.description())
                    .contains(property.get("minimum").asText() + "-"
                        + property.get("maximum").asText());
              }
            });
        default -> throw new AssertionError("unexpected type in " + property);
      }
    }
  }

  @Test
  void boundsAlreadyInTheDescriptionAreNotRepeated() {
    JsonIntegerSchema lineLimit = integer("read_file_disk", "line_limit");
    assertThat(lineLimit.description())
        .startsWith("Optional. Maximum number of lines to return, 1-2000")
        .doesNotContain("Range");
    JsonIntegerSchema lineOffset = integer("read_file_disk", "line_offset");
    assertThat(lineOffset.description()).endsWith(" Minimum 0.");
    JsonIntegerSchema expectedCount = integer("replace_string_disk", "expected_count");
    assertThat(expectedCount.description()).endsWith(" Minimum 1.");
  }

  @Test
  void rangesAreWordedByWhatIsKnown() throws Exception {
    ObjectMapper json = new ObjectMapper();
    assertThat(SchemaMapping.withBounds("Pages.", json.readTree("{\"minimum\":1,\"maximum\":50}")))
        .isEqualTo("Pages. Range 1-50.");
    assertThat(SchemaMapping.withBounds("Pages, 1-50.", json.readTree("{\"minimum\":1,\"maximum\":50}")))
        .isEqualTo("Pages, 1-50.");
    assertThat(SchemaMapping.withBounds("", json.readTree("{\"maximum\":9}"))).isEqualTo("Maximum 9.");
    assertThat(SchemaMapping.withBounds("N.", json.readTree("{}"))).isEqualTo("N.");
  }

  @Test
  void aSchemaKeywordWithoutAMappingIsRefusedNotDropped() throws Exception {
    ObjectMapper json = new ObjectMapper();
    assertThatThrownBy(() -> SchemaMapping.objectSchema("t", json.readTree(
            "{\"type\":\"object\",\"properties\":{\"p\":{\"type\":\"string\",\"pattern\":\"x\"}}}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("t.p").hasMessageContaining("pattern");
    assertThatThrownBy(() -> SchemaMapping.objectSchema("t", json.readTree(
            "{\"type\":\"object\",\"properties\":{\"p\":{\"type\":\"array\"}}}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("array");
    assertThatThrownBy(() -> SchemaMapping.objectSchema("t", json.readTree(
            "{\"type\":\"object\",\"$defs\":{}}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("$defs");
  }

  @Test
  void theSpecificationSurvivesLangChain4jsJsonRoundTrip() {
    for (ToolSpecification spec : DiskStoreTools.specifications(tools)) {
      assertThat(ToolSpecification.fromJson(spec.toJson())).isEqualTo(spec);
    }
  }

  private static JsonIntegerSchema integer(String tool, String property) {
    Map<String, JsonSchemaElement> properties = DiskStoreTools.specifications(tools).stream()
        .filter(s -> s.name().equals(tool)).findFirst().orElseThrow().parameters().properties();
    return (JsonIntegerSchema) properties.get(property);
  }
}
