package dev.diskstore.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The exported tool lists: valid JSON Schema (checked against the draft 2020-12 and draft-07
 * meta-schemas by a real validator), each tool's example accepted by its own schema in every
 * dialect, and each provider's structural rules.
 */
class ToolSchemaTest extends DiskToolsTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern OPENAI_NAME = Pattern.compile("^[a-zA-Z0-9_-]{1,64}$");
  private static final Pattern GEMINI_NAME = Pattern.compile("^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$");
  private static final List<String> NAMES =
      List.of(
          "write_file_disk", "read_file_disk", "replace_string_disk", "list_disk", "grep_disk",
          "glob_disk", "download_file_disk", "delete_file_disk", "move_file_disk",
          "list_versions_disk", "restore_file_disk");

  private static final Schema META_2020_12 =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
          .getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
  private static final Schema META_07 =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
          .getSchema(SchemaLocation.of("http://json-schema.org/draft-07/schema#"));

  private static Schema compile(JsonNode schema) {
    return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schema);
  }

  private static List<String> messages(List<Error> errors) {
    return errors.stream().map(Error::getMessage).toList();
  }

  private JsonNode export(ToolFormat format) throws Exception {
    return JSON.readTree(tools.tools(format));
  }

  /** (name, parameters schema) of every tool in an exported list. */
  private List<Map.Entry<String, JsonNode>> schemas(ToolFormat format) throws Exception {
    JsonNode list = export(format);
    List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
    switch (format) {
      case OPENAI_CHAT -> list.forEach(
          t -> out.add(Map.entry(t.get("function").get("name").asText(),
              t.get("function").get("parameters"))));
      case OPENAI_RESPONSES -> list.forEach(
          t -> out.add(Map.entry(t.get("name").asText(), t.get("parameters"))));
      case ANTHROPIC -> list.forEach(
          t -> out.add(Map.entry(t.get("name").asText(), t.get("input_schema"))));
      case GEMINI -> list.get(0).get("functionDeclarations").forEach(
          t -> out.add(Map.entry(t.get("name").asText(), t.get("parameters"))));
    }
    return out;
  }

  @Test
  void everyExportedSchemaIsValidJsonSchema() throws Exception {
    for (ToolFormat format : ToolFormat.values()) {
      List<Map.Entry<String, JsonNode>> schemas = schemas(format);
      assertThat(schemas).extracting(Map.Entry::getKey).as(format.name()).isEqualTo(NAMES);
      for (Map.Entry<String, JsonNode> e : schemas) {
        assertThat(messages(META_2020_12.validate(e.getValue())))
            .as(format + " " + e.getKey() + " against draft 2020-12").isEmpty();
        assertThat(messages(META_07.validate(e.getValue())))
            .as(format + " " + e.getKey() + " against draft-07").isEmpty();
      }
    }
    for (ToolDefinition d : tools.definitions()) {
      assertThat(messages(META_2020_12.validate(d.parameters()))).as(d.name()).isEmpty();
    }
  }

  @Test
  void theMetaSchemaCheckRejectsABrokenSchema() throws Exception {
    JsonNode broken = JSON.readTree("{\"type\": \"objekt\", \"required\": \"filename\"}");

    assertThat(META_2020_12.validate(broken)).isNotEmpty();
  }

  @Test
  void examplesAreValidAgainstTheirOwnSchemaInEveryDialect() throws Exception {
    Map<String, ToolDefinition> byName = new java.util.HashMap<>();
    tools.definitions().forEach(d -> byName.put(d.name(), d));
    for (ToolFormat format : ToolFormat.values()) {
      for (Map.Entry<String, JsonNode> e : schemas(format)) {
        ObjectNode example = (ObjectNode) JSON.readTree(byName.get(e.getKey()).exampleArguments());
        if (format == ToolFormat.OPENAI_CHAT || format == ToolFormat.OPENAI_RESPONSES) {
          // strict mode: the model sends every property, null for the ones it leaves out
          e.getValue().get("properties").fieldNames().forEachRemaining(
              p -> { if (!example.has(p)) example.putNull(p); });
        }
        assertThat(messages(compile(e.getValue()).validate(example)))
            .as(format + " example of " + e.getKey()).isEmpty();
      }
    }
  }

  @Test
  void examplesWorkWhenExecuted() {
    put("/notes/", "todo.md", "# TODO\n- call Bob\n");
    put("/drafts/", "plan.md", "plan");
    put("/notes/", "old.md", "old");
    put("/reports/", "q3.pdf", "%PDF-1.4");
    for (ToolDefinition d : tools.definitions()) {
      assertThat(tools.execute(d.name(), d.exampleArguments())).as(d.name())
          .doesNotStartWith("Error:");
    }
  }

  @Test
  void schemasRejectWhatTheExecutorRejects() throws Exception {
    JsonNode read = tools.definitions().get(1).parameters();
    Schema schema = compile(read);

    assertThat(schema.validate(JSON.readTree("{\"filename\": \"a.txt\", \"line_offset\": -1}")))
        .isNotEmpty();
    assertThat(schema.validate(JSON.readTree("{\"filename\": 5}"))).isNotEmpty();
    assertThat(schema.validate(JSON.readTree("{\"file_path\": \"/a/\"}"))).isNotEmpty();
    assertThat(schema.validate(JSON.readTree("{\"filename\": \"a.txt\", \"line_limit\": 100}")))
        .isEmpty();
  }

  @Test
  void openAiToolsFollowStrictModeRules() throws Exception {
    for (JsonNode tool : export(ToolFormat.OPENAI_CHAT)) {
      assertThat(tool.get("type").asText()).isEqualTo("function");
      JsonNode function = tool.get("function");
      assertThat(function.get("name").asText()).matches(OPENAI_NAME);
      assertThat(function.get("description").asText()).isNotBlank().hasSizeLessThan(1024);
      assertThat(function.get("strict").asBoolean()).isTrue();
      assertStrict(function.get("parameters"));
    }
    for (JsonNode tool : export(ToolFormat.OPENAI_RESPONSES)) {
      assertThat(tool.get("type").asText()).isEqualTo("function");
      assertThat(tool.get("name").asText()).matches(OPENAI_NAME);
      assertThat(tool.get("strict").asBoolean()).isTrue();
      assertStrict(tool.get("parameters"));
    }
  }

  private static void assertStrict(JsonNode parameters) {
    assertThat(parameters.get("type").asText()).isEqualTo("object");
    assertThat(parameters.get("additionalProperties").asBoolean(true)).isFalse();
    List<String> properties = new ArrayList<>();
    parameters.get("properties").fieldNames().forEachRemaining(properties::add);
    List<String> required = new ArrayList<>();
    parameters.get("required").forEach(r -> required.add(r.asText()));
    assertThat(required).containsExactlyElementsOf(properties);
    for (JsonNode property : parameters.get("properties")) {
      Set<String> keys = new java.util.HashSet<>();
      property.fieldNames().forEachRemaining(keys::add);
      assertThat(keys).isSubsetOf("type", "description");
    }
  }

  @Test
  void anthropicToolsHaveObjectInputSchemas() throws Exception {
    for (JsonNode tool : export(ToolFormat.ANTHROPIC)) {
      assertThat(tool.get("name").asText()).matches(OPENAI_NAME);
      assertThat(tool.get("description").asText()).isNotBlank();
      JsonNode schema = tool.get("input_schema");
      assertThat(schema.get("type").asText()).isEqualTo("object");
      assertThat(schema.get("properties").isObject()).isTrue();
      for (JsonNode r : schema.path("required")) {
        assertThat(schema.get("properties").has(r.asText())).isTrue();
      }
      Set<String> keys = new java.util.HashSet<>();
      tool.fieldNames().forEachRemaining(keys::add);
      assertThat(keys).containsExactlyInAnyOrder("name", "description", "input_schema");
    }
  }

  @Test
  void geminiDeclarationsUseOnlyTheOpenApiSubset() throws Exception {
    JsonNode list = export(ToolFormat.GEMINI);
    assertThat(list.size()).isEqualTo(1);
    for (JsonNode declaration : list.get(0).get("functionDeclarations")) {
      assertThat(declaration.get("name").asText()).matches(GEMINI_NAME);
      assertGeminiSchema(declaration.get("parameters"));
    }
  }

  private static void assertGeminiSchema(JsonNode schema) {
    Set<String> allowed =
        Set.of("type", "description", "properties", "required", "items", "enum", "nullable",
            "format");
    for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
      assertThat(it.next()).isIn(allowed);
    }
    assertThat(schema.get("type").isTextual()).isTrue();
    assertThat(schema.get("type").asText())
        .isIn("string", "integer", "number", "boolean", "array", "object");
    if (schema.has("properties")) {
      for (JsonNode property : schema.get("properties")) {
        assertGeminiSchema(property);
      }
    }
    if (schema.has("required")) {
      assertThat(schema.get("required").size()).isPositive();
      for (JsonNode r : schema.get("required")) {
        assertThat(schema.get("properties").has(r.asText())).isTrue();
      }
    }
  }

  @Test
  void requiredArgumentsAreTheSameAcrossDialects() throws Exception {
    Map<String, List<String>> anthropic = new java.util.HashMap<>();
    for (Map.Entry<String, JsonNode> e : schemas(ToolFormat.ANTHROPIC)) {
      List<String> required = new ArrayList<>();
      e.getValue().path("required").forEach(r -> required.add(r.asText()));
      anthropic.put(e.getKey(), required);
    }
    for (Map.Entry<String, JsonNode> e : schemas(ToolFormat.GEMINI)) {
      List<String> required = new ArrayList<>();
      e.getValue().path("required").forEach(r -> required.add(r.asText()));
      assertThat(required).as(e.getKey()).isEqualTo(anthropic.get(e.getKey()));
    }
    assertThat(anthropic.get("write_file_disk")).containsExactly("filename", "content");
    assertThat(anthropic.get("list_disk")).isEmpty();
  }

  @Test
  void definitionsAreCopies() {
    ToolDefinition first = tools.definitions().get(0);
    ((ObjectNode) first.parameters()).put("type", "changed");

    assertThat(first.parameters().get("type").asText()).isEqualTo("object");
    assertThat(tools.toolNames()).isEqualTo(NAMES);
  }

  @Test
  void contextPromptNamesEveryToolAndTheEtagWorkflow() {
    String prompt = tools.contextPrompt();

    assertThat(prompt).startsWith("<disk>\n").endsWith("\n</disk>");
    for (String name : NAMES) {
      assertThat(prompt).contains(name);
    }
    assertThat(prompt).contains("expected_etag").contains("etag").contains("cannot run code");
  }
}
