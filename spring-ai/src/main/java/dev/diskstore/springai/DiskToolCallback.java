package dev.diskstore.springai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diskstore.agent.DiskTools;
import java.io.UncheckedIOException;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;

/**
 * One disk tool as a Spring AI {@link ToolCallback}: its definition carries {@link DiskTools}' name,
 * description and JSON Schema text; {@link #call} runs {@link DiskTools#execute}. Immutable and
 * thread-safe.
 */
final class DiskToolCallback implements ToolCallback {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DiskTools tools;
  private final ToolDefinition definition;

  DiskToolCallback(DiskTools tools, dev.diskstore.agent.ToolDefinition tool) {
    this.tools = tools;
    String schema;
    try {
      schema = JSON.writeValueAsString(tool.parameters());
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e); // a tree of plain nodes always serialises
    }
    this.definition =
        ToolDefinition.builder()
            .name(tool.name())
            .description(tool.description())
            .inputSchema(schema)
            .build();
  }

  @Override
  public ToolDefinition getToolDefinition() {
    return definition;
  }

  /** Runs the tool on its JSON arguments; never throws for bad arguments or store failures. */
  @Override
  public String call(@Nullable String toolInput) {
    return tools.execute(definition.name(), toolInput);
  }

  /**
   * As {@link #call(String)}: the context is ignored (Spring AI's default refuses a non-empty one),
   * since the tools work on their one disk whatever the conversation.
   */
  @Override
  public String call(@Nullable String toolInput, @Nullable ToolContext toolContext) {
    return call(toolInput);
  }

  @Override
  public String toString() {
    return "DiskToolCallback[" + definition.name() + " on disk " + tools.diskId() + "]";
  }
}
