package dev.diskstore.agent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diskstore.agent.ToolSpec.Param;
import java.util.List;

/**
 * Turns {@link ToolSpec}s into the tool lists of the three function-calling APIs. Each dialect is
 * kept to what its API documents as accepted:
 *
 * <ul>
 *   <li><b>JSON Schema</b> (the canonical form, used for Anthropic): optional parameters are left
 *       out of {@code required} (left out itself when empty); integers carry {@code minimum}/{@code
 *       maximum};
 *       {@code additionalProperties: false}.
 *   <li><b>OpenAI strict</b> ({@code "strict": true}): every parameter is listed in {@code
 *       required}, optional ones are typed {@code [type, "null"]} so the model sends {@code null}
 *       for "absent"; no numeric bounds (ranges are stated in the descriptions, and the executor
 *       checks them).
 *   <li><b>Gemini</b> (an OpenAPI 3.0 subset): no {@code additionalProperties}, no {@code
 *       $schema}, no type unions, no bounds; optional parameters are simply not required.
 * </ul>
 */
final class SchemaExport {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private SchemaExport() {}

  /** The canonical JSON Schema of a tool's arguments. */
  static ObjectNode jsonSchema(ToolSpec spec) {
    ObjectNode schema = JSON.objectNode();
    schema.put("type", "object");
    ObjectNode properties = schema.putObject("properties");
    ArrayNode required = JSON.arrayNode();
    for (Param p : spec.params()) {
      ObjectNode property = properties.putObject(p.name());
      property.put("type", p.type().jsonName());
      property.put("description", p.description());
      if (p.minimum() != null) {
        property.put("minimum", p.minimum());
      }
      if (p.maximum() != null && p.maximum() != Integer.MAX_VALUE) {
        property.put("maximum", p.maximum());
      }
      if (p.required()) {
        required.add(p.name());
      }
    }
    if (!required.isEmpty()) {
      schema.set("required", required);
    }
    schema.put("additionalProperties", false);
    return schema;
  }

  /** The schema for OpenAI's strict mode: all parameters required, optional ones nullable. */
  static ObjectNode openAiStrictSchema(ToolSpec spec) {
    ObjectNode schema = JSON.objectNode();
    schema.put("type", "object");
    ObjectNode properties = schema.putObject("properties");
    ArrayNode required = schema.putArray("required");
    for (Param p : spec.params()) {
      ObjectNode property = properties.putObject(p.name());
      if (p.required()) {
        property.put("type", p.type().jsonName());
      } else {
        property.putArray("type").add(p.type().jsonName()).add("null");
      }
      property.put("description", p.description());
      required.add(p.name());
    }
    schema.put("additionalProperties", false);
    return schema;
  }

  /** The schema in Gemini's OpenAPI 3.0 subset. */
  static ObjectNode geminiSchema(ToolSpec spec) {
    ObjectNode schema = JSON.objectNode();
    schema.put("type", "object");
    ObjectNode properties = schema.putObject("properties");
    ArrayNode required = JSON.arrayNode();
    for (Param p : spec.params()) {
      ObjectNode property = properties.putObject(p.name());
      property.put("type", p.type().jsonName());
      property.put("description", p.description());
      if (p.required()) {
        required.add(p.name());
      }
    }
    if (!required.isEmpty()) {
      schema.set("required", required); // OpenAPI 3.0: "required" must not be empty
    }
    return schema;
  }

  /** OpenAI Chat Completions: {@code [{"type":"function","function":{...,"strict":true}}]}. */
  static ArrayNode openAiChatTools(List<ToolSpec> specs) {
    ArrayNode tools = JSON.arrayNode();
    for (ToolSpec spec : specs) {
      ObjectNode tool = tools.addObject();
      tool.put("type", "function");
      ObjectNode function = tool.putObject("function");
      function.put("name", spec.name());
      function.put("description", spec.description());
      function.set("parameters", openAiStrictSchema(spec));
      function.put("strict", true);
    }
    return tools;
  }

  /** OpenAI Responses API: {@code [{"type":"function","name":...,"strict":true}]}. */
  static ArrayNode openAiResponsesTools(List<ToolSpec> specs) {
    ArrayNode tools = JSON.arrayNode();
    for (ToolSpec spec : specs) {
      ObjectNode tool = tools.addObject();
      tool.put("type", "function");
      tool.put("name", spec.name());
      tool.put("description", spec.description());
      tool.set("parameters", openAiStrictSchema(spec));
      tool.put("strict", true);
    }
    return tools;
  }

  /** Anthropic Messages API: {@code [{"name":...,"description":...,"input_schema":{...}}]}. */
  static ArrayNode anthropicTools(List<ToolSpec> specs) {
    ArrayNode tools = JSON.arrayNode();
    for (ToolSpec spec : specs) {
      ObjectNode tool = tools.addObject();
      tool.put("name", spec.name());
      tool.put("description", spec.description());
      tool.set("input_schema", jsonSchema(spec));
    }
    return tools;
  }

  /** Gemini: {@code [{"functionDeclarations":[{"name":...,"parameters":{...}}]}]}. */
  static ArrayNode geminiTools(List<ToolSpec> specs) {
    ArrayNode tools = JSON.arrayNode();
    ArrayNode declarations = tools.addObject().putArray("functionDeclarations");
    for (ToolSpec spec : specs) {
      ObjectNode declaration = declarations.addObject();
      declaration.put("name", spec.name());
      declaration.put("description", spec.description());
      declaration.set("parameters", geminiSchema(spec));
    }
    return tools;
  }
}
