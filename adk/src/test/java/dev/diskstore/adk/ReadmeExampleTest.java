package dev.diskstore.adk;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.adk.agents.LlmAgent;
import com.google.adk.runner.Runner;
import com.google.adk.sessions.Session;
import com.google.genai.types.Content;
import com.google.genai.types.Part;
import dev.diskstore.ArtifactVersion;
import dev.diskstore.DiskStore;
import io.reactivex.rxjava3.core.Maybe;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's snippet, run: an agent's saves land in the store, every version kept. */
class ReadmeExampleTest {
  @TempDir Path directory;

  @Test
  void theReadmeRunnerKeepsEveryVersionTheAgentSaves() {
    LlmAgent agent = LlmAgent.builder()
        .name("notes")
        .model(new ScriptedLlm(Part.fromText("first"), Part.fromText("second")))
        .afterModelCallback((context, response) -> context
            .saveArtifact("answer.txt", response.content().orElseThrow().parts().orElseThrow().get(0))
            .andThen(Maybe.empty()))
        .build();

    String diskId;
    try (DiskStore store = ReadmeExample.openStore(directory)) {
      diskId = store.disks().create("adk").id();
      Runner runner = ReadmeExample.runner(agent, store, diskId);
      Session session = runner.sessionService().createSession("my-app", "alice").blockingGet();
      for (String message : new String[] {"one", "two"}) {
        runner.runAsync("alice", session.id(), Content.fromParts(Part.fromText(message)))
            .blockingSubscribe();
      }

      assertThat(runner.artifactService()
              .listVersions("my-app", "alice", session.id(), "answer.txt").blockingGet())
          .containsExactly(0, 1);
    }
    // reopened: both versions are on disk
    try (DiskStore store = ReadmeExample.openStore(directory)) {
      assertThat(store.disks().artifacts().listAll(diskId, "/my-app/", 100, null).items())
          .singleElement()
          .satisfies(file -> assertThat(store.disks().artifacts()
                  .versions(diskId, file.path(), file.filename()).items())
              .extracting(ArtifactVersion::version).containsExactly(1L, 0L));
    }
  }
}
