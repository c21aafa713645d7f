package dev.diskstore.adk;

import static dev.diskstore.adk.TestStores.bytes;
import static dev.diskstore.adk.TestStores.mimeType;
import static dev.diskstore.adk.TestStores.optional;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.adk.agents.CallbackContext;
import com.google.adk.agents.LlmAgent;
import com.google.adk.agents.RunConfig;
import com.google.adk.events.Event;
import com.google.adk.models.LlmRequest;
import com.google.adk.runner.Runner;
import com.google.adk.sessions.InMemorySessionService;
import com.google.adk.sessions.Session;
import com.google.adk.tools.Annotations.Schema;
import com.google.adk.tools.FunctionTool;
import com.google.adk.tools.LoadArtifactsTool;
import com.google.adk.tools.ToolContext;
import com.google.genai.types.Content;
import com.google.genai.types.Part;
import dev.diskstore.DiskStore;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service plugged into ADK's {@link Runner}, with a scripted model instead of an LLM: the
 * Runner saves the user's uploaded image, a tool saves a report through {@code ToolContext}, ADK's
 * own {@link LoadArtifactsTool} lists and loads it back into the next model request, and an agent
 * callback saves a {@code user:} file through {@code CallbackContext}.
 */
class RunnerTest {
  static final String APP = "reports";
  static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  @TempDir Path directory;

  /** The tool the scripted model calls. */
  public static final class ReportTools {
    @Schema(name = "save_report", description = "Saves the report as report.md.")
    public Single<Map<String, Object>> saveReport(
        @Schema(name = "text", description = "The report, in Markdown.") String text,
        @Schema(name = "toolContext") ToolContext toolContext) {
      return toolContext
          .saveArtifact("report.md", Part.fromText(text))
          .andThen(Single.just(Map.of("saved", "report.md")));
    }
  }

  @Test
  void toolsCallbacksAndTheRunnerSaveAndLoadThroughTheService() {
    ScriptedLlm model = new ScriptedLlm(
        Part.fromFunctionCall("save_report", Map.of("text", "# Report\n\nAll good.")),
        Part.fromFunctionCall("load_artifacts", Map.of("artifact_names", List.of("report.md"))),
        Part.fromText("The report is saved."));
    LlmAgent agent = LlmAgent.builder()
        .name("reporter")
        .model(model)
        .instruction("Write reports.")
        .tools(FunctionTool.create(new ReportTools(), "saveReport"), LoadArtifactsTool.INSTANCE)
        .afterAgentCallback((CallbackContext context) -> context
            .saveArtifact("user:last-run.txt", Part.fromText("ran " + context.invocationId()))
            .andThen(Maybe.<Content>empty()))
        .build();

    try (DiskStore store = TestStores.open(directory)) {
      String diskId = store.disks().create("adk").id();
      DiskStoreArtifactService artifacts = DiskStoreArtifactService.forDisk(store, diskId);
      InMemorySessionService sessions = new InMemorySessionService();
      Runner runner = new Runner(agent, APP, artifacts, sessions);
      Session session = sessions.createSession(APP, "alice").blockingGet();

      List<Event> events = runner.runAsync("alice", session.id(),
              Content.builder().role("user").parts(List.of(
                  Part.fromText("Write the report about this chart."),
                  Part.fromBytes(PNG, "image/png"))).build(),
              RunConfig.builder().setSaveInputBlobsAsArtifacts(true).build())
          .toList().blockingGet();

      // the model answered last, after the two tool calls
      assertThat(events.get(events.size() - 1).stringifyContent()).contains("The report is saved.");
      // the tool's save is in the session's events with the version the service returned
      assertThat(events).map(event -> event.actions().artifactDelta())
          .contains(Map.of("report.md", 0));

      // the Runner saved the uploaded image; the tool saved the report; the callback the user file
      List<String> keys = artifacts.listArtifactKeys(APP, "alice", session.id()).blockingGet()
          .filenames();
      assertThat(keys).hasSize(3).contains("report.md", "user:last-run.txt");
      String upload = keys.get(0);
      assertThat(upload).startsWith("artifact_");
      Part image = optional(artifacts.loadArtifact(APP, "alice", session.id(), upload)).orElseThrow();
      assertThat(bytes(image)).isEqualTo(PNG);
      assertThat(mimeType(image)).hasValue("image/png");

      // ADK's LoadArtifactsTool listed the artifacts to the model and put the report into the
      // request after its call
      List<LlmRequest> requests = model.requests();
      assertThat(requests).hasSize(3);
      assertThat(String.join("\n", requests.get(0).getSystemInstructions())).contains(upload);
      assertThat(texts(requests.get(2))).contains("Artifact report.md is:", "# Report\n\nAll good.");

      // the files are in the disk, where the javadoc says
      assertThat(store.disks().artifacts()
              .list(diskId, "/reports/alice/sessions/" + session.id() + "/").artifacts())
          .extracting(a -> a.filename())
          .containsExactly(upload, "report.md");
      Session other = sessions.createSession(APP, "alice").blockingGet();
      Part lastRun = optional(artifacts.loadArtifact(APP, "alice", other.id(), "user:last-run.txt"))
          .orElseThrow();
      assertThat(lastRun.text().orElseThrow()).startsWith("ran ");
    }
  }

  private static List<String> texts(LlmRequest request) {
    return request.contents().stream()
        .flatMap(content -> content.parts().orElse(List.of()).stream())
        .map(part -> part.text().orElse(null))
        .filter(Objects::nonNull)
        .collect(Collectors.toList());
  }
}
