package dev.diskstore.langchain4j;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.DiskNotFoundException;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.agent.DiskTools;
import dev.langchain4j.agent.tool.ReturnBehavior;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.tool.AiServiceTool;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The disk tools through LangChain4j's real {@code AiServices}, against a real store. */
class AiServicesToolTest {
  interface Assistant {
    String chat(String message);
  }

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
  void theModelWritesThenReadsAFileOnTheDisk() throws IOException {
    ScriptedChatModel model = new ScriptedChatModel()
        .callTool("call-1", "write_file_disk",
            "{\"file_path\":\"/notes/\",\"filename\":\"todo.md\",\"content\":\"# TODO\\n- call Bob\\n\"}")
        .callTool("call-2", "read_file_disk", "{\"file_path\":\"/notes/\",\"filename\":\"todo.md\"}")
        .answer("Saved your list.");
    DiskTools tools = DiskTools.forDisk(store, diskId);
    Assistant assistant = AiServices.builder(Assistant.class)
        .chatModel(model)
        .toolProvider(DiskStoreTools.provider(tools))
        .systemMessageProvider(memoryId -> tools.contextPrompt())
        .build();

    String answer = assistant.chat("Write my to-do list to the disk.");

    assertThat(answer).isEqualTo("Saved your list.");
    try (InputStream in = store.disks().artifacts().open(diskId, "/notes/", "todo.md")) {
      assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("# TODO\n- call Bob\n");
    }
    assertThat(model.requests).hasSize(3);
    assertThat(model.requests.get(0).messages().get(0)).isInstanceOfSatisfying(SystemMessage.class,
        system -> assertThat(system.text()).startsWith("<disk>"));
    // every request offered the model the eleven disk tools
    for (ChatRequest request : model.requests) {
      assertThat(request.toolSpecifications()).extracting(ToolSpecification::name)
          .containsExactlyInAnyOrderElementsOf(tools.toolNames());
    }
    List<ToolExecutionResultMessage> results = toolResults(model.requests.get(2));
    assertThat(results).extracting(ToolExecutionResultMessage::id)
        .containsExactly("call-1", "call-2");
    String etag = store.disks().artifacts().get(diskId, "/notes/", "todo.md").artifact().etag();
    assertThat(results.get(0).text()).doesNotStartWith("Error").contains(etag);
    assertThat(results.get(1).text())
        .startsWith("[/notes/todo.md | lines 1-2 of 2 lines | etag: " + etag)
        .contains("1| # TODO", "2| - call Bob");
  }

  @Test
  void aFailedCallReachesTheModelAsAnErrorResultAndTheConversationGoesOn() {
    ScriptedChatModel model = new ScriptedChatModel()
        .callTool("c1", "read_file_disk", "{\"filename\":\"missing.md\"}")
        .callTool("c2", "read_file_disk", "{\"filename\":\"a.md\",\"line_limit\":\"many\"}")
        .answer("That file does not exist.");
    Assistant assistant = AiServices.builder(Assistant.class)
        .chatModel(model)
        .toolProvider(DiskStoreTools.provider(store, diskId))
        .build();

    assertThat(assistant.chat("Read missing.md")).isEqualTo("That file does not exist.");

    List<ToolExecutionResultMessage> results = toolResults(model.requests.get(2));
    assertThat(results).hasSize(2);
    assertThat(results.get(0).text()).startsWith("Error:").contains("missing.md");
    assertThat(results.get(1).text()).startsWith("Error:").contains("line_limit");
  }

  @Test
  void toolsBuiltWithOptionsKeepThem() {
    List<String> changed = new CopyOnWriteArrayList<>();
    DiskTools tools = DiskTools.builder(store, diskId).onFileChanged(changed::add).build();
    store.disks().artifacts().upsert(diskId, FileUpload.of("a.md", "x".getBytes(UTF_8)), "/");
    ScriptedChatModel model = new ScriptedChatModel()
        .callTool("m", "move_file_disk", "{\"filename\":\"/a.md\",\"destination_path\":\"/b/\"}")
        .answer("Moved.");
    Assistant assistant = AiServices.builder(Assistant.class)
        .chatModel(model)
        .tools(DiskStoreTools.tools(tools))
        .build();

    assertThat(assistant.chat("Move a.md into b")).isEqualTo("Moved.");
    assertThat(changed).containsExactly("/a.md", "/b/a.md");
    assertThat(store.disks().artifacts().find(diskId, "/b/", "a.md")).isPresent();
    assertThat(store.disks().artifacts().find(diskId, "/", "a.md")).isEmpty();
  }

  @Test
  void aClosedStoreGivesErrorResultsNotExceptions() {
    var provider = DiskStoreTools.provider(store, diskId);
    var result = provider.provideTools(null);
    store.close();
    var executor = result.aiServiceTools().stream()
        .filter(tool -> tool.name().equals("list_disk")).findFirst().orElseThrow().toolExecutor();
    var request = ToolExecutionRequest.builder()
        .id("x").name("list_disk").arguments("{}").build();
    assertThat(executor.execute(request, "memory")).startsWith("Error:").contains("closed");
  }

  @Test
  void anUnknownDiskIsRefusedWhenTheProviderIsBuilt() {
    assertThatThrownBy(() -> DiskStoreTools.provider(store, "no-such-disk"))
        .isInstanceOf(DiskNotFoundException.class);
  }

  @Test
  void theProviderIsStaticAndHandsOutFreshResults() {
    var provider = DiskStoreTools.provider(store, diskId);
    var first = provider.provideTools(null);
    var second = provider.provideTools(null);
    assertThat(provider.isDynamic()).isFalse();
    assertThat(first).isNotSameAs(second);
    assertThat(first.aiServiceTools()).extracting(AiServiceTool::toolSpecification)
        .hasSize(11)
        .containsExactlyElementsOf(second.aiServiceTools().stream()
            .map(AiServiceTool::toolSpecification).toList());
    assertThat(first.aiServiceTools()).extracting(AiServiceTool::returnBehavior)
        .containsOnly(ReturnBehavior.TO_LLM);
  }

  private static List<ToolExecutionResultMessage> toolResults(ChatRequest request) {
    List<ToolExecutionResultMessage> results = new ArrayList<>();
    for (ChatMessage message : request.messages()) {
      if (message instanceof ToolExecutionResultMessage result) {
        results.add(result);
      }
    }
    return results;
  }
}
