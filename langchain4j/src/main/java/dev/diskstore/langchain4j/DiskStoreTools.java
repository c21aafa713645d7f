package dev.diskstore.langchain4j;

import dev.diskstore.DiskNotFoundException;
import dev.diskstore.DiskStore;
import dev.diskstore.agent.DiskTools;
import dev.diskstore.agent.ToolDefinition;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.service.tool.ToolExecutor;
import dev.langchain4j.service.tool.ToolProvider;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * DiskStore's disk tools for LangChain4j's {@code AiServices}: write, read, replace, list, grep,
 * glob, download, delete and move on one disk, as {@link DiskTools} defines them.
 *
 * <pre>{@code
 * interface Assistant { String chat(String message); }
 *
 * DiskTools tools = DiskTools.forDisk(store, diskId);
 * Assistant assistant = AiServices.builder(Assistant.class)
 *     .chatModel(model)
 *     .toolProvider(DiskStoreTools.provider(tools))          // or provider(store, diskId)
 *     .systemMessageProvider(memoryId -> tools.contextPrompt())
 *     .build();
 * }</pre>
 *
 * <p><b>Schemas.</b> Each tool's {@link ToolSpecification} carries {@link DiskTools}' name,
 * description and JSON Schema, mapped to LangChain4j's schema model ({@code JsonObjectSchema} with
 * {@code JsonStringSchema}, {@code JsonIntegerSchema}, {@code JsonBooleanSchema} properties, the
 * same {@code required} list and {@code additionalProperties: false}). LangChain4j's model has no
 * {@code minimum}/{@code maximum}: where a description does not already state an integer's range,
 * the range is appended to it ({@code "Minimum 0."}, {@code "Range 1-2000."}), and the executor
 * enforces it either way.
 *
 * <p><b>Results.</b> A tool call returns {@link DiskTools#execute}'s text and never throws: a
 * failed call returns {@code "Error: ..."}, which LangChain4j hands back to the model like any
 * other result, so the model can correct itself. A call to a tool name that is not one of the
 * eleven never reaches these executors: {@code AiServices} handles it by its {@code
 * hallucinatedToolNameStrategy} (by default it throws).
 *
 * <p><b>Thread-safety.</b> Every object returned here is immutable and thread-safe, as {@link
 * DiskTools} is: one provider may serve any number of concurrent conversations.
 *
 * <p><b>Ownership.</b> Nothing here owns the store: the application closes it, after which tool
 * calls return an error result.
 */
public final class DiskStoreTools {
  private DiskStoreTools() {}

  /**
   * A {@link ToolProvider} with the disk tools of one disk and the default limits.
   *
   * @throws DiskNotFoundException if the disk does not exist
   */
  public static ToolProvider provider(DiskStore store, String diskId) {
    return provider(DiskTools.forDisk(store, diskId));
  }

  /**
   * A {@link ToolProvider} with {@code tools} (built with {@link DiskTools#builder} for other
   * limits or an {@code onFileChanged} listener). The provider is static ({@code isDynamic()} is
   * false): every request gets the same eleven tools.
   */
  public static ToolProvider provider(DiskTools tools) {
    return new DiskToolProvider(toolsByName(tools));
  }

  /**
   * The tools as LangChain4j specifications with their executors, in {@link DiskTools#toolNames()}
   * order, e.g. for {@code AiServices.builder(...).tools(map)}; a fresh, modifiable map.
   */
  public static Map<ToolSpecification, ToolExecutor> tools(DiskTools tools) {
    Map<ToolSpecification, ToolExecutor> map = new LinkedHashMap<>();
    ToolExecutor executor = executor(tools);
    for (ToolSpecification specification : specifications(tools)) {
      map.put(specification, executor);
    }
    return map;
  }

  /**
   * The tools' specifications in {@link DiskTools#toolNames()} order, e.g. for a {@code
   * ChatRequest} built by hand (execute the model's calls with {@link #executor}).
   */
  public static List<ToolSpecification> specifications(DiskTools tools) {
    Objects.requireNonNull(tools, "tools");
    return tools.definitions().stream().map(DiskStoreTools::specification).toList();
  }

  /**
   * An executor that runs any of the disk tools by the request's name and JSON arguments, returning
   * {@link DiskTools#execute}'s text; it never throws for bad arguments or store failures.
   */
  public static ToolExecutor executor(DiskTools tools) {
    Objects.requireNonNull(tools, "tools");
    return (request, memoryId) -> tools.execute(request.name(), request.arguments());
  }

  /** One tool definition as a LangChain4j specification (see the class comment on schemas). */
  public static ToolSpecification specification(ToolDefinition definition) {
    Objects.requireNonNull(definition, "definition");
    return ToolSpecification.builder()
        .name(definition.name())
        .description(definition.description())
        .parameters(SchemaMapping.objectSchema(definition.name(), definition.parameters()))
        .build();
  }

  private static Map<String, Map.Entry<ToolSpecification, ToolExecutor>> toolsByName(
      DiskTools tools) {
    Map<String, Map.Entry<ToolSpecification, ToolExecutor>> byName = new LinkedHashMap<>();
    tools(tools).forEach((spec, executor) -> byName.put(spec.name(), Map.entry(spec, executor)));
    return byName;
  }
}
