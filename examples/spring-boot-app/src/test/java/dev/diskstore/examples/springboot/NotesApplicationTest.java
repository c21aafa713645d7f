package dev.diskstore.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.DiskStore;
import dev.diskstore.StoreClosedException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/** The application, started as its {@code main} starts it, on a store in a temporary directory. */
@ExtendWith(OutputCaptureExtension.class)
class NotesApplicationTest {
  @TempDir Path directory;

  @Test
  void eachRunWritesOnTheSameDiskAndTheHistoryGrows(CapturedOutput output) {
    String store = "--diskstore.directory=" + directory;

    NotesApplication.main(new String[] {store});
    NotesApplication.main(new String[] {store});

    List<String> lines = output.getOut().lines().toList();
    assertThat(lines).hasSize(8);
    assertThat(lines.get(0)).matches("created disk [0-9a-f-]{36}");
    String diskId = lines.get(0).substring("created disk ".length());
    assertThat(lines).containsExactly(
        "created disk " + diskId,
        "wrote /notes/runs.txt (run 1) and /notes/hello.md",
        "/notes/: hello.md (25 bytes, text/markdown), runs.txt (6 bytes, text/plain)",
        "history of /notes/runs.txt (newest first): [0]",
        "found disk " + diskId,
        "wrote /notes/runs.txt (run 2) and /notes/hello.md",
        "/notes/: hello.md (25 bytes, text/markdown), runs.txt (12 bytes, text/plain)",
        "history of /notes/runs.txt (newest first): [1, 0]");
    // only the example's lines: no banner, no log below warnings (application.properties)
    assertThat(output.getAll().lines()).hasSize(8);
    // the store is where the property said, not in the default directory
    assertThat(directory.resolve("index.db")).isRegularFile();
    assertThat(Path.of("spring-boot-app-data")).doesNotExist();
  }

  @Test
  void theStoreIsTheStartersBeanConfiguredByApplicationPropertiesAndClosedWithTheContext() {
    DiskStore store;
    try (ConfigurableApplicationContext context = SpringApplication.run(NotesApplication.class,
        "--diskstore.directory=" + directory)) {
      assertThat(context.getEnvironment().getProperty("diskstore.history.keep-last"))
          .isEqualTo("20");
      store = context.getBean(DiskStore.class);
      assertThat(store.disks().list().items()).singleElement()
          .satisfies(disk -> assertThat(disk.findUser()).hasValue(StartupNotes.DISK_USER));
    }
    assertThatThrownBy(store::disks).isInstanceOf(StoreClosedException.class);
  }
}
