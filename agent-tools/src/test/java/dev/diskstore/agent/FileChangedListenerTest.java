package dev.diskstore.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link DiskTools.Builder#onFileChanged}: which calls report which paths. */
class FileChangedListenerTest extends DiskToolsTestBase {
  private final List<String> changes = new CopyOnWriteArrayList<>();

  @BeforeEach
  void listen() {
    tools = DiskTools.builder(store, diskId).onFileChanged(changes::add).build();
  }

  @Test
  void everyChangingToolReportsTheFullPathsItChanged() {
    call("write_file_disk", "{\"file_path\":\"docs\",\"filename\":\"a.md\",\"content\":\"one\"}");
    call("replace_string_disk",
        "{\"filename\":\"/docs/a.md\",\"old_string\":\"one\",\"new_string\":\"two\"}");
    call("move_file_disk",
        "{\"file_path\":\"/docs/\",\"filename\":\"a.md\",\"destination_path\":\"/archive/\"}");
    call("delete_file_disk", "{\"file_path\":\"//archive//\",\"filename\":\"a.md\"}");
    assertThat(changes).containsExactly(
        "/docs/a.md", "/docs/a.md", "/docs/a.md", "/archive/a.md", "/archive/a.md");
  }

  @Test
  void readsAndFailedCallsReportNothing() {
    put("/", "a.md", "text");
    call("read_file_disk", "{\"filename\":\"a.md\"}");
    call("grep_disk", "{\"query\":\"text\"}");
    assertThat(call("write_file_disk",
        "{\"filename\":\"a.md\",\"content\":\"x\",\"create_only\":true}")).startsWith("Error:");
    assertThat(call("delete_file_disk", "{\"filename\":\"missing.md\"}")).startsWith("Error:");
    assertThat(changes).isEmpty();
  }

  @Test
  void aFailingListenerDoesNotFailTheCall() {
    tools = DiskTools.builder(store, diskId)
        .onFileChanged(path -> {
          throw new IllegalStateException("listener broke");
        })
        .build();
    assertThat(call("write_file_disk", "{\"filename\":\"a.md\",\"content\":\"x\"}"))
        .startsWith("Created /a.md");
    assertThat(exists("/", "a.md")).isTrue();
  }
}
