package dev.diskstore.springai;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.diskstore.DiskStore;
import dev.diskstore.agent.DiskTools;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;

/** The README's call: Spring AI's real {@link ChatClient} with the provider, a scripted model. */
class ChatClientTest {
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
  @SuppressWarnings({"deprecation", "removal"}) // toolCallbacks(provider): 1.1.x's way, deprecated in 2.0
  void theModelWritesThenReadsAFileThroughChatClient() throws IOException {
    ScriptedChatModel model = new ScriptedChatModel()
        .callTool("c1", "write_file_disk",
            "{\"file_path\":\"/notes/\",\"filename\":\"todo.md\",\"content\":\"# TODO\\n- call Bob\\n\"}")
        .callTool("c2", "read_file_disk", "{\"filename\":\"/notes/todo.md\"}")
        .answer("Saved your list.");
    DiskTools tools = DiskTools.forDisk(store, diskId);

    String answer = ChatClient.create(model).prompt()
        .system(tools.contextPrompt())
        .user("Write my to-do list to the disk.")
        .toolCallbacks(DiskStoreToolCallbacks.provider(tools))
        .call().content();

    checkConversation(model, tools, answer);
  }

  /** Spring AI 2.0's replacement, {@code tools(Object...)}; 1.1.x's takes only {@code @Tool} objects. */
  @Test
  void onSpringAi2TheProviderGoesToTools() throws IOException {
    assumeTrue(System.getProperty("diskstore.expected.spring-ai.version", "").startsWith("2."));
    ScriptedChatModel model = new ScriptedChatModel()
        .callTool("c1", "write_file_disk",
            "{\"file_path\":\"/notes/\",\"filename\":\"todo.md\",\"content\":\"# TODO\\n- call Bob\\n\"}")
        .callTool("c2", "read_file_disk", "{\"filename\":\"/notes/todo.md\"}")
        .answer("Saved your list.");
    DiskTools tools = DiskTools.forDisk(store, diskId);
    String answer = ChatClient.create(model).prompt()
        .system(tools.contextPrompt())
        .user("Write my to-do list to the disk.")
        .tools(DiskStoreToolCallbacks.provider(tools))
        .call().content();

    checkConversation(model, tools, answer);
  }

  private void checkConversation(ScriptedChatModel model, DiskTools tools, String answer)
      throws IOException {
    assertThat(answer).isEqualTo("Saved your list.");
    try (InputStream in = store.disks().artifacts().open(diskId, "/notes/", "todo.md")) {
      assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("# TODO\n- call Bob\n");
    }
    assertThat(model.prompts).hasSize(3);
    Prompt first = model.prompts.get(0);
    assertThat(first.getInstructions().get(0)).isInstanceOfSatisfying(SystemMessage.class,
        system -> assertThat(system.getText()).startsWith("<disk>"));
    assertThat(first.getOptions()).isInstanceOfSatisfying(ToolCallingChatOptions.class,
        options -> assertThat(options.getToolCallbacks())
            .extracting(ToolCallback::getToolDefinition)
            .extracting(d -> d.name())
            .containsExactlyElementsOf(tools.toolNames()));
    List<Message> last = model.prompts.get(2).getInstructions();
    assertThat(last.get(last.size() - 1)).isInstanceOfSatisfying(ToolResponseMessage.class,
        response -> assertThat(response.getResponses().get(0).responseData())
            .contains("lines 1-2 of 2 lines", "1| # TODO"));
  }
}
