package dev.diskstore.examples.adk;

import com.google.adk.agents.LlmAgent;
import com.google.adk.artifacts.BaseArtifactService;
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
import com.google.genai.types.FunctionCall;
import com.google.genai.types.FunctionResponse;
import com.google.genai.types.Part;
import dev.diskstore.Artifact;
import dev.diskstore.ArtifactVersion;
import dev.diskstore.Disk;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.History;
import dev.diskstore.adk.DiskStoreArtifactService;
import dev.diskstore.local.LocalBlobBackend;
import io.reactivex.rxjava3.core.Single;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Google ADK agent whose artifacts outlive the process: an {@link LlmAgent} under ADK's {@link
 * Runner}, with {@link DiskStoreArtifactService} as its artifact service on a store in a local
 * directory.
 *
 * <ol>
 *   <li>First run: the agent's tool saves the user's notes twice through {@code
 *       ToolContext.saveArtifact}, which makes versions 0 and 1 of {@code user:notes.md}.
 *   <li>Second run: the store is closed and opened again, with a new {@code Runner} and a new
 *       session (as after a restart). The agent's tool reads version 0 back through {@code
 *       ToolContext.loadArtifact}, and ADK's own {@link LoadArtifactsTool} loads the newest version
 *       into the model's next request.
 * </ol>
 *
 * <p>The model is {@link ScriptedModel}, a script in place of Gemini, so the example needs no API
 * key and no network. Run it from the repository root with
 *
 * <pre>{@code
 * mvn -q -pl examples/adk-agent -am -Dmaven.test.skip=true package exec:java
 * }</pre>
 *
 * <p>The store lives in the directory given as the first argument, by default {@code
 * adk-agent-data} under the working directory. Run it again and the numbering goes on (versions 2
 * and 3), since the first runs' versions are still there. A failure prints {@code Error: <message>}
 * and exits with status 1.
 */
public final class AdkAgentExample {
  static final String APP = "notes-agent";
  static final String USER = "alice";
  /** A {@code user:} artifact belongs to the user, so every one of the user's sessions sees it. */
  static final String NOTES = "user:notes.md";
  /** The disk's user, to find the example's disk again on the next run. */
  static final String DISK_USER = "adk-example";

  private AdkAgentExample() {}

  public static void main(String[] args) {
    Path directory = Path.of(args.length > 0 ? args[0] : "adk-agent-data");
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    int status = run(directory, out);
    out.flush();
    if (status != 0) {
      System.exit(status);
    }
  }

  /** The agent's tools, called by ADK with a {@link ToolContext}. */
  public static final class NoteTools {
    @Schema(name = "save_note", description = "Saves the user's notes (Markdown), replacing them.")
    public Single<Map<String, Object>> saveNote(
        @Schema(name = "text", description = "The notes, in Markdown.") String text,
        @Schema(name = "toolContext") ToolContext toolContext) {
      return toolContext.saveArtifact(NOTES, Part.fromText(text))
          .andThen(Single.just(Map.of("saved", NOTES)));
    }

    @Schema(name = "read_note", description = "Reads an earlier version of the user's notes.")
    public Single<Map<String, Object>> readNote(
        @Schema(name = "version", description = "The version, 0 for the first.") int version,
        @Schema(name = "toolContext") ToolContext toolContext) {
      return toolContext.loadArtifact(NOTES, version)
          .map(part -> Map.<String, Object>of("version", version, "text", part.text().orElse("")))
          .defaultIfEmpty(Map.of("error", "no version " + version + " of " + NOTES));
    }
  }

  /**
   * Runs both runs on a store in {@code directory}, printing the conversations to {@code out}.
   *
   * @return the process exit status: 0 on success, 1 after printing {@code Error: ...}
   */
  static int run(Path directory, PrintStream out) {
    try {
      out.println("== First run: a Runner with DiskStoreArtifactService on " + directory);
      try (DiskStore store = openStore(directory)) {
        String diskId = exampleDisk(store).id();
        ScriptedModel model = new ScriptedModel()
            .call("save_note", Map.of("text", "# Notes\n- buy milk\n"))
            .call("save_note", Map.of("text", "# Notes\n- buy milk\n- call Bob\n"))
            .reply(request -> "Saved your notes, then added Bob.");
        Runner runner = runner(model, store, diskId);
        Session session = converse(runner, "Note that I need milk. Oh, and add: call Bob.", out);
        printVersions(runner, session, out);
        runner.close().blockingAwait();
      }

      out.println("== Second run: the store reopened, a new Runner, a new session");
      try (DiskStore store = openStore(directory)) {
        String diskId = exampleDisk(store).id();
        ScriptedModel model = new ScriptedModel()
            .call("read_note", Map.of("version", 0))
            // ADK's tool puts the artifact into the request right after its call: the last one
            .call("load_artifacts", Map.of("artifact_names", List.of(NOTES)))
            .reply(request -> "At first: " + oneLine(lastToolResult(request, "read_note", "text"))
                + " Now: " + oneLine(loadedArtifact(request, NOTES)));
        Runner runner = runner(model, store, diskId);
        Session session =
            converse(runner, "What did my notes say at first, and what do they say now?", out);
        printVersions(runner, session, out);
        for (Artifact file : store.disks().artifacts().listAll(diskId, "/" + APP + "/", 100, null)
            .items()) {
          List<Long> versions = store.disks().artifacts()
              .versions(diskId, file.path(), file.filename()).items().stream()
              .map(ArtifactVersion::version).toList();
          out.println("in the store: " + file.fullPath() + " on disk " + diskId
              + ", history (newest first) " + versions);
        }
        runner.close().blockingAwait();
      }
      return 0;
    } catch (RuntimeException e) {
      String message = e.getMessage() != null ? e.getMessage() : e.toString();
      out.println("Error: " + message);
      return 1;
    }
  }

  /**
   * A store that keeps every version, as ADK expects of an artifact service (the default history
   * keeps 10 versions for 30 days).
   */
  static DiskStore openStore(Path directory) {
    return DiskStore.open(DiskStoreConfig.builder()
        .directory(directory)
        .backend(LocalBlobBackend.at(directory.resolve("blobs")))
        .history(History.unlimited())
        .build());
  }

  /** The example's disk: created on the first run, found by its user on the next ones. */
  static Disk exampleDisk(DiskStore store) {
    return store.disks().list(1, null, false, DISK_USER).items().stream().findFirst()
        .orElseGet(() -> store.disks().create(DISK_USER));
  }

  /** The agent on {@code model}, under a new Runner whose artifacts go to the disk. */
  static Runner runner(ScriptedModel model, DiskStore store, String diskId) {
    NoteTools notes = new NoteTools();
    LlmAgent agent = LlmAgent.builder()
        .name("notes")
        .model(model)
        .instruction("Keep the user's notes with save_note; read them back when asked.")
        .tools(FunctionTool.create(notes, "saveNote"), FunctionTool.create(notes, "readNote"),
            LoadArtifactsTool.INSTANCE)
        .build();
    return new Runner(agent, APP, DiskStoreArtifactService.forDisk(store, diskId),
        new InMemorySessionService());
  }

  /** One user message in a new session, printing each event as it comes. */
  private static Session converse(Runner runner, String message, PrintStream out) {
    Session session = runner.sessionService().createSession(APP, USER).blockingGet();
    out.println("user> " + message);
    runner.runAsync(USER, session.id(), Content.fromParts(Part.fromText(message)))
        .blockingForEach(event -> print(event, out));
    return session;
  }

  private static void print(Event event, PrintStream out) {
    for (FunctionCall call : event.functionCalls()) {
      out.println("agent> calls " + call.name().orElse("?") + " "
          + oneLine(String.valueOf(new TreeMap<>(call.args().orElse(Map.of())))));
    }
    for (FunctionResponse response : event.functionResponses()) {
      out.println("tool " + response.name().orElse("?") + "> "
          + oneLine(String.valueOf(new TreeMap<>(response.response().orElse(Map.of())))));
    }
    event.actions().artifactDelta().forEach((filename, version) ->
        out.println("  (saved " + filename + " as version " + version + ")"));
    if (event.finalResponse()) {
      out.println("agent> " + event.stringifyContent());
    }
  }

  private static void printVersions(Runner runner, Session session, PrintStream out) {
    BaseArtifactService artifacts = runner.artifactService();
    out.println("versions of " + NOTES + ": "
        + artifacts.listVersions(APP, USER, session.id(), NOTES).blockingGet());
  }

  /** The text ADK's LoadArtifactsTool put into the request after "Artifact NAME is:". */
  private static String loadedArtifact(LlmRequest request, String name) {
    List<Part> parts = parts(request);
    for (int i = parts.size() - 2; i >= 0; i--) {
      if (parts.get(i).text().orElse("").equals("Artifact " + name + " is:")) {
        return parts.get(i + 1).text().orElse("(not text)");
      }
    }
    return "(not loaded)";
  }

  /** A field of the newest result of the tool {@code name} in the request. */
  private static String lastToolResult(LlmRequest request, String name, String field) {
    List<Part> parts = parts(request);
    for (int i = parts.size() - 1; i >= 0; i--) {
      FunctionResponse response = parts.get(i).functionResponse().orElse(null);
      if (response != null && response.name().orElse("").equals(name)) {
        return String.valueOf(response.response().orElse(Map.of()).get(field));
      }
    }
    return "(no result)";
  }

  private static List<Part> parts(LlmRequest request) {
    return request.contents().stream()
        .flatMap(content -> content.parts().orElse(List.of()).stream())
        .toList();
  }

  /** Text on one line, newlines shown as {@code \n}. */
  private static String oneLine(String text) {
    return text.replace("\r", "\\r").replace("\n", "\\n");
  }
}
