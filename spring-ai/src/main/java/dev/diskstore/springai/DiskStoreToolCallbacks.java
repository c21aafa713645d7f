package dev.diskstore.springai;

import dev.diskstore.DiskNotFoundException;
import dev.diskstore.DiskStore;
import dev.diskstore.agent.DiskTools;
import java.util.List;
import java.util.Objects;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.ToolCallbackProvider;

/**
 * DiskStore's disk tools for Spring AI: write, read, replace, list, grep, glob, download, delete
 * and move on one disk, as {@link DiskTools} defines them, as {@link ToolCallback}s.
 *
 * <pre>{@code
 * DiskTools tools = DiskTools.forDisk(store, diskId);
 * String answer = ChatClient.create(chatModel).prompt()
 *     .system(tools.contextPrompt())
 *     .user("Summarise /notes/todo.md")
 *     .toolCallbacks(DiskStoreToolCallbacks.provider(tools))   // Spring AI 2.0: .tools(...)
 *     .call().content();
 * }</pre>
 *
 * or, for every request of a client, {@code ChatClient.Builder.defaultToolCallbacks(provider)}
 * ({@code defaultTools(provider)} on 2.0, which deprecates the {@code toolCallbacks} methods; on
 * 1.1 {@code tools(...)} takes only {@code @Tool}-annotated objects).
 *
 * <p><b>Schemas.</b> Each callback's {@code ToolDefinition.inputSchema()} is {@link DiskTools}'
 * JSON Schema as a JSON string, unchanged: required parameters, {@code minimum}/{@code maximum},
 * {@code additionalProperties: false}. Spring AI hands it to the chat model as it is.
 *
 * <p><b>Results.</b> {@code call} returns {@link DiskTools#execute}'s text and never throws for bad
 * arguments or store failures: a failed call returns {@code "Error: ..."}, which goes back to the
 * model like any other result. A {@code ToolContext} is accepted and ignored: the tools work on
 * their one disk whatever the conversation.
 *
 * <p><b>Versions.</b> Compiled against Spring AI 1.1.x and tested, as the same class files, on 1.1.x
 * and 2.0.x; it uses only {@code ToolCallback}, {@code ToolDefinition}, {@code ToolContext} and
 * {@code ToolCallbackProvider}, whose signatures both lines share.
 *
 * <p><b>Thread-safety.</b> Every object returned here is immutable and thread-safe, as {@link
 * DiskTools} is: one callback may serve any number of concurrent conversations.
 *
 * <p><b>Ownership.</b> Nothing here owns the store: the application closes it, after which calls
 * return an error result.
 */
public final class DiskStoreToolCallbacks {
  private DiskStoreToolCallbacks() {}

  /**
   * A provider of the disk tools of one disk with the default limits.
   *
   * @throws DiskNotFoundException if the disk does not exist
   */
  public static ToolCallbackProvider provider(DiskStore store, String diskId) {
    return provider(DiskTools.forDisk(store, diskId));
  }

  /**
   * A provider of {@code tools} (built with {@link DiskTools#builder} for other limits or an {@code
   * onFileChanged} listener). Each {@code getToolCallbacks()} returns a fresh array of the same
   * callbacks, in {@link DiskTools#toolNames()} order.
   */
  public static ToolCallbackProvider provider(DiskTools tools) {
    return new DiskToolCallbackProvider(callbacks(tools));
  }

  /** The eleven callbacks in {@link DiskTools#toolNames()} order, as an unmodifiable list. */
  public static List<ToolCallback> callbacks(DiskTools tools) {
    Objects.requireNonNull(tools, "tools");
    return tools.definitions().stream()
        .<ToolCallback>map(definition -> new DiskToolCallback(tools, definition))
        .toList();
  }
}
