package dev.diskstore.adk;

import com.google.adk.agents.BaseAgent;
import com.google.adk.runner.Runner;
import com.google.adk.sessions.InMemorySessionService;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.History;
import dev.diskstore.adk.DiskStoreArtifactService;
import dev.diskstore.local.LocalBlobBackend;
import java.nio.file.Path;

/**
 * The README's "Google ADK" snippet: the lines between the tags, with the imports above, are the
 * README's code block (the examples module's {@code ReadmeSnippetsTest} checks that), and {@code
 * ReadmeExampleTest} runs them.
 */
final class ReadmeExample {
  private ReadmeExample() {}

  // tag::adk[]
  static DiskStore openStore(Path dir) {
    return DiskStore.open(DiskStoreConfig.builder()
        .directory(dir)
        .backend(LocalBlobBackend.at(dir.resolve("blobs")))
        .history(History.unlimited())                    // ADK keeps every version of an artifact
        .build());
  }

  static Runner runner(BaseAgent agent, DiskStore store, String diskId) {
    // diskId: a disk created once (store.disks().create("adk").id()) and kept in your configuration
    return new Runner(agent, "my-app",
        DiskStoreArtifactService.forDisk(store, diskId),   // saveArtifact, loadArtifact, ... land here
        new InMemorySessionService());
  }
  // end::adk[]
}
