package dev.diskstore.examples.langchain4j;

import dev.diskstore.Disk;
import dev.diskstore.DiskStore;
import dev.diskstore.agent.DiskTools;
import dev.diskstore.langchain4j.DiskStoreTools;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.service.AiServices;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A LangChain4j AI service with DiskStore's disk tools: {@link AiServices} gets {@link
 * DiskStoreTools#provider(DiskTools)} as its tool provider, and the model writes a file, lists its
 * directory and reads it back on a disk of a store in a local directory. LangChain4j runs the tool
 * calls; the example prints the conversation as it goes.
 *
 * <p>The model is {@link ScriptedChatModel}, a script in place of an LLM, so the example needs no
 * API key and no network. Run it from the repository root with
 *
 * <pre>{@code
 * mvn -q -pl examples/langchain4j-assistant -am -Dmaven.test.skip=true package exec:java
 * }</pre>
 *
 * <p>The store lives in the directory given as the first argument, by default {@code
 * langchain4j-assistant-data} under the working directory; the next run finds the same disk (and
 * rewrites the file). A failure prints {@code Error: <message>} and exits with status 1.
 */
public final class AssistantExample {
  /** The disk's user, to find the example's disk again on the next run. */
  static final String DISK_USER = "langchain4j-example";
  static final String QUESTION = "Start a to-do list on my disk: call Bob, buy milk. Then show it.";
  private static final Pattern ITEM = Pattern.compile("^\\s*\\d+\\| - (.+)$", Pattern.MULTILINE);

  /** The AI service: LangChain4j implements it, with the model and the tools. */
  interface Assistant {
    String chat(String message);
  }

  private AssistantExample() {}

  public static void main(String[] args) {
    Path directory = Path.of(args.length > 0 ? args[0] : "langchain4j-assistant-data");
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    int status = run(directory, out);
    out.flush();
    if (status != 0) {
      System.exit(status);
    }
  }

  /**
   * Runs the conversation on a store in {@code directory}, printing it to {@code out}.
   *
   * @return the process exit status: 0 on success, 1 after printing {@code Error: ...}
   */
  static int run(Path directory, PrintStream out) {
    try (DiskStore store = DiskStore.local(directory)) {
      Disk disk = exampleDisk(store);
      out.println("disk " + disk.id() + " in " + directory);

      ScriptedChatModel model = new ScriptedChatModel()
          .callTool("write_file_disk", "{\"file_path\":\"/notes/\",\"filename\":\"todo.md\","
              + "\"content\":\"# TODO\\n- call Bob\\n- buy milk\\n\"}")
          .callTool("list_disk", "{\"file_path\":\"/notes/\"}")
          .callTool("read_file_disk", "{\"file_path\":\"/notes/\",\"filename\":\"todo.md\"}")
          .answer(request -> summary(ScriptedChatModel.lastResult(request, "read_file_disk")));

      DiskTools tools = DiskTools.forDisk(store, disk.id());
      Assistant assistant = AiServices.builder(Assistant.class)
          .chatModel(model)
          .toolProvider(DiskStoreTools.provider(tools))
          .systemMessageProvider(memoryId -> tools.contextPrompt())
          .beforeToolExecution(before -> printCall(before.request(), out))
          .afterToolExecution(execution -> printIndented("tool> ", execution.result(), out))
          .build();

      out.println("user> " + QUESTION);
      String answer = assistant.chat(QUESTION);
      out.println("assistant> " + answer);
      return 0;
    } catch (RuntimeException e) {
      String message = e.getMessage() != null ? e.getMessage() : e.toString();
      out.println("Error: " + message);
      return 1;
    }
  }

  /** The example's disk: created on the first run, found by its user on the next ones. */
  static Disk exampleDisk(DiskStore store) {
    return store.disks().list(1, null, false, DISK_USER).items().stream().findFirst()
        .orElseGet(() -> store.disks().create(DISK_USER));
  }

  /** The scripted model's final answer: the items of the list, as read_file_disk returned them. */
  private static String summary(String readResult) {
    Matcher item = ITEM.matcher(readResult);
    List<String> items = item.results().map(match -> match.group(1)).toList();
    return "Your to-do list /notes/todo.md has " + items.size() + " items: "
        + String.join(", ", items) + ".";
  }

  private static void printCall(ToolExecutionRequest request, PrintStream out) {
    out.println("assistant> calls " + request.name() + " " + request.arguments());
  }

  /** {@code text} after {@code prefix}, its other lines indented to match. */
  private static void printIndented(String prefix, String text, PrintStream out) {
    String indent = " ".repeat(prefix.length());
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      out.println((i == 0 ? prefix : indent) + lines.get(i));
    }
  }
}
