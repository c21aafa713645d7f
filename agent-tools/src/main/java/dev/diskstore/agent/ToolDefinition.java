package dev.diskstore.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One agent tool, provider-neutral: its name, description and the JSON Schema of its arguments.
 * For a ready-made tool list in a provider's format use {@link DiskTools#tools(ToolFormat)}.
 *
 * <p>Immutable: {@link #parameters()} returns a fresh copy on every call.
 *
 * @param name the tool name, e.g. {@code read_file_disk}
 * @param description what the tool does, written for the model
 * @param parameters a JSON Schema ({@code "type": "object"}) of the arguments: optional parameters
 *     are not in {@code required}; integers carry their {@code minimum}/{@code maximum}
 * @param exampleArguments a JSON object the tool accepts, e.g. for documentation or tests
 */
public record ToolDefinition(
    String name, String description, JsonNode parameters, String exampleArguments) {
  public ToolDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    parameters = Objects.requireNonNull(parameters, "parameters").deepCopy();
    Objects.requireNonNull(exampleArguments, "exampleArguments");
  }

  /** A copy of the arguments' JSON Schema; changing it does not change this definition. */
  @Override
  public JsonNode parameters() {
    return parameters.deepCopy();
  }
}
