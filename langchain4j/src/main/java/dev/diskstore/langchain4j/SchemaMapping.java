package dev.diskstore.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps the flat JSON Schemas of {@link dev.diskstore.agent.DiskTools} (an object of string,
 * integer, number and boolean properties) to LangChain4j's schema model. A keyword the model cannot
 * carry ({@code minimum}, {@code maximum}) goes into the property's description; any other keyword
 * or type is refused with {@link IllegalArgumentException}, so that a schema change in {@code
 * agent-tools} fails this module's tests instead of being silently dropped.
 */
final class SchemaMapping {
  private static final Set<String> OBJECT_KEYWORDS =
      Set.of("type", "properties", "required", "additionalProperties", "description");
  private static final Set<String> PROPERTY_KEYWORDS =
      Set.of("type", "description", "minimum", "maximum");

  private SchemaMapping() {}

  static JsonObjectSchema objectSchema(String tool, JsonNode schema) {
    requireKnown(tool, "", schema, OBJECT_KEYWORDS);
    if (!"object".equals(schema.path("type").asText())) {
      throw new IllegalArgumentException(tool + ": the arguments' schema is not an object");
    }
    JsonObjectSchema.Builder builder = JsonObjectSchema.builder();
    if (schema.hasNonNull("description")) {
      builder.description(schema.get("description").asText());
    }
    for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
      builder.addProperty(property.getKey(), property(tool, property.getKey(), property.getValue()));
    }
    List<String> required = new ArrayList<>();
    schema.path("required").forEach(name -> required.add(name.asText()));
    if (!required.isEmpty()) {
      builder.required(required);
    }
    if (schema.has("additionalProperties")) {
      builder.additionalProperties(schema.get("additionalProperties").asBoolean());
    }
    return builder.build();
  }

  private static JsonSchemaElement property(String tool, String name, JsonNode schema) {
    requireKnown(tool, name, schema, PROPERTY_KEYWORDS);
    String description = schema.path("description").asText("");
    String type = schema.path("type").asText();
    switch (type) {
      case "string":
        requireNoBounds(tool, name, schema);
        return JsonStringSchema.builder().description(description).build();
      case "boolean":
        requireNoBounds(tool, name, schema);
        return JsonBooleanSchema.builder().description(description).build();
      case "integer":
        return JsonIntegerSchema.builder().description(withBounds(description, schema)).build();
      case "number":
        return JsonNumberSchema.builder().description(withBounds(description, schema)).build();
      default:
        throw new IllegalArgumentException(
            tool + "." + name + ": type \"" + type + "\" has no mapping to LangChain4j");
    }
  }

  /**
   * The description with the range appended, unless it already states it: {@code "Range 1-50."},
   * {@code "Minimum 0."} or {@code "Maximum 9."}.
   */
  static String withBounds(String description, JsonNode schema) {
    String min = schema.hasNonNull("minimum") ? schema.get("minimum").asText() : null;
    String max = schema.hasNonNull("maximum") ? schema.get("maximum").asText() : null;
    String bound;
    if (min != null && max != null) {
      if (description.contains(min + "-" + max)) {
        return description;
      }
      bound = "Range " + min + "-" + max + ".";
    } else if (min != null) {
      bound = "Minimum " + min + ".";
    } else if (max != null) {
      bound = "Maximum " + max + ".";
    } else {
      return description;
    }
    return description.isEmpty() ? bound : description + " " + bound;
  }

  private static void requireNoBounds(String tool, String name, JsonNode schema) {
    if (schema.has("minimum") || schema.has("maximum")) {
      throw new IllegalArgumentException(tool + "." + name + ": bounds on a non-numeric type");
    }
  }

  private static void requireKnown(String tool, String name, JsonNode schema, Set<String> known) {
    for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
      String keyword = it.next();
      if (!known.contains(keyword)) {
        throw new IllegalArgumentException(
            tool + (name.isEmpty() ? "" : "." + name) + ": JSON Schema keyword \"" + keyword
                + "\" has no mapping to LangChain4j");
      }
    }
  }
}
