package dev.diskstore.springai;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.DiskNotFoundException;
import dev.diskstore.DiskStore;
import dev.diskstore.agent.DiskTools;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage.ToolResponse;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.model.tool.ToolExecutionResult;
import org.springframework.ai.tool.ToolCallback;

/**
 * Tool calls as a chat model receives them, executed by Spring AI's own {@link ToolCallingManager}
 * (what every Spring AI chat model runs between turns), against a real store.
 */
class ToolCallingTest {
  DiskStore store;
  String diskId;

  @BeforeEach
  void openStore() {
    store = DiskStore.inMemory();
    diskId = store.disks().create().id();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void theModelsCallsWriteThenReadTheDisk() throws IOException {
    List<ToolResponse> responses = execute(
        DiskStoreToolCallbacks.callbacks(DiskTools.forDisk(store, diskId)), Map.of(),
        new AssistantMessage.ToolCall("c1", "function", "write_file_disk",
            "{\"file_path\":\"/notes/\",\"filename\":\"todo.md\",\"content\":\"# TODO\\n- call Bob\\n\"}"),
        new AssistantMessage.ToolCall("c2", "function", "read_file_disk",
            "{\"file_path\":\"/notes/\",\"filename\":\"todo.md\"}"));

    try (InputStream in = store.disks().artifacts().open(diskId, "/notes/", "todo.md")) {
      assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("# TODO\n- call Bob\n");
    }
    String etag = store.disks().artifacts().get(diskId, "/notes/", "todo.md").artifact().etag();
    assertThat(responses).extracting(ToolResponse::id).containsExactly("c1", "c2");
    assertThat(responses).extracting(ToolResponse::name)
        .containsExactly("write_file_disk", "read_file_disk");
    assertThat(responses.get(0).responseData()).doesNotContain("Error").contains(etag);
    assertThat(responses.get(1).responseData())
        .contains("[/notes/todo.md | lines 1-2 of 2 lines | etag: " + etag)
        .contains("1| # TODO", "2| - call Bob");
  }

  @Test
  void aToolContextIsAcceptedAndIgnored() {
    List<ToolResponse> responses = execute(
        DiskStoreToolCallbacks.callbacks(DiskTools.forDisk(store, diskId)),
        Map.of("tenant", "acme"),
        new AssistantMessage.ToolCall("c1", "function", "list_disk", "{}"));

    assertThat(responses.get(0).responseData()).doesNotStartWith("Error");
    ToolCallback list = DiskStoreToolCallbacks.callbacks(DiskTools.forDisk(store, diskId)).get(3);
    assertThat(list.call("{}", new ToolContext(Map.of("tenant", "acme"))))
        .isEqualTo(list.call("{}"));
  }

  @Test
  void failuresAreResultsForTheModelNotExceptions() {
    List<ToolCallback> callbacks = DiskStoreToolCallbacks.callbacks(DiskTools.forDisk(store, diskId));
    List<ToolResponse> responses = execute(callbacks, Map.of(),
        new AssistantMessage.ToolCall("c1", "function", "read_file_disk", "{\"filename\":\"missing.md\"}"),
        new AssistantMessage.ToolCall("c2", "function", "read_file_disk", "not json"),
        new AssistantMessage.ToolCall("c3", "function", "grep_disk", "{\"query\":\"(\"}"));

    assertThat(responses).allSatisfy(r -> assertThat(r.responseData()).startsWith("Error:"));
    assertThat(responses.get(0).responseData()).contains("missing.md");
    store.close();
    assertThat(callbacks.get(3).call("{}")).startsWith("Error:").contains("closed");
  }

  @Test
  void toolsBuiltWithOptionsKeepThem() {
    List<String> changed = new CopyOnWriteArrayList<>();
    DiskTools tools = DiskTools.builder(store, diskId).onFileChanged(changed::add).build();
    execute(DiskStoreToolCallbacks.callbacks(tools), Map.of(),
        new AssistantMessage.ToolCall("c1", "function", "write_file_disk",
            "{\"filename\":\"/a.md\",\"content\":\"x\"}"));
    assertThat(changed).containsExactly("/a.md");
  }

  @Test
  void anUnknownDiskIsRefusedWhenTheProviderIsBuilt() {
    assertThatThrownBy(() -> DiskStoreToolCallbacks.provider(store, "no-such-disk"))
        .isInstanceOf(DiskNotFoundException.class);
  }

  /** Runs the calls as Spring AI does after a model turn and returns the tool responses. */
  private static List<ToolResponse> execute(
      List<ToolCallback> callbacks, Map<String, Object> toolContext, AssistantMessage.ToolCall... calls) {
    ToolCallingChatOptions options =
        ToolCallingChatOptions.builder().toolCallbacks(callbacks).toolContext(toolContext).build();
    Prompt prompt = new Prompt(List.<Message>of(new UserMessage("work on the disk")), options);
    AssistantMessage turn = AssistantMessage.builder().content("").toolCalls(List.of(calls)).build();
    ChatResponse response = new ChatResponse(List.of(new Generation(turn)));

    ToolExecutionResult result = ToolCallingManager.builder().build().executeToolCalls(prompt, response);

    List<Message> history = result.conversationHistory();
    assertThat(history.get(history.size() - 1)).isInstanceOf(ToolResponseMessage.class);
    return ((ToolResponseMessage) history.get(history.size() - 1)).getResponses();
  }
}
