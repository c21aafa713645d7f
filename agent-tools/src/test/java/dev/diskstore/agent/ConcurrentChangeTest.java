package dev.diskstore.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.Artifact;
import dev.diskstore.ByteRange;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.memory.InMemoryBlobBackend;
import dev.diskstore.spi.ForwardingBlobBackend;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another writer changes a file in the middle of a tool call. A backend decorator runs the change
 * at a chosen moment: when the tool opens the file's bytes, or when it closes them.
 */
class ConcurrentChangeTest {
  private final AtomicReference<Runnable> onOpen = new AtomicReference<>();
  private final AtomicReference<Runnable> onClose = new AtomicReference<>();
  private DiskStore store;
  private String diskId;
  private DiskTools tools;

  /** Runs an armed hook once, at open or at close of a blob stream. */
  private final class HookedBackend extends ForwardingBlobBackend {
    HookedBackend() {
      super(new InMemoryBlobBackend());
    }

    @Override
    public InputStream open(String key, ByteRange range) {
      Runnable hook = onOpen.getAndSet(null);
      if (hook != null) {
        hook.run();
      }
      return new FilterInputStream(super.open(key, range)) {
        @Override
        public void close() throws IOException {
          super.close();
          Runnable closeHook = onClose.getAndSet(null);
          if (closeHook != null) {
            closeHook.run();
          }
        }
      };
    }
  }

  @BeforeEach
  void open(@TempDir Path dir) {
    store =
        DiskStore.open(
            DiskStoreConfig.builder().directory(dir).backend(new HookedBackend()).build());
    diskId = store.disks().create().id();
    tools = DiskTools.forDisk(store, diskId);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private void put(String path, String name, String text, Map<String, ?> meta) {
    store.disks().artifacts().upsert(diskId, FileUpload.ofText(name, text), path, meta);
  }

  private Runnable rewrite(String path, String name, String text) {
    return () -> store.disks().artifacts().upsert(diskId, FileUpload.ofText(name, text), path);
  }

  private String text(String path, String name) throws IOException {
    try (InputStream in = store.disks().artifacts().open(diskId, path, name)) {
      return new String(in.readAllBytes(), UTF_8);
    }
  }

  private boolean exists(String path, String name) {
    return store.disks().artifacts().find(diskId, path, name).isPresent();
  }

  @Test
  void replaceEditsOnlyTheVersionWhoseEtagItChecked() throws IOException {
    put("/", "a.txt", "alpha beta", Map.of());
    onOpen.set(rewrite("/", "a.txt", "alpha gamma"));

    String result = tools.execute("replace_string_disk", """
        {"filename": "a.txt", "old_string": "alpha", "new_string": "omega"}""");

    assertThat(result).startsWith("Error: /a.txt changed since you read it: its etag is now ")
        .contains("nothing was changed");
    assertThat(text("/", "a.txt")).isEqualTo("alpha gamma");
  }

  @Test
  void moveIsOneStoreTransactionWithoutReadingTheBytes() throws IOException {
    put("/", "a.txt", "one", Map.of("k", "v"));
    Artifact source = store.disks().artifacts().get(diskId, "/", "a.txt").artifact();
    // Any read of the bytes during the move would rewrite the source and break the move.
    onOpen.set(rewrite("/", "a.txt", "two"));

    String result = tools.execute("move_file_disk", """
        {"filename": "a.txt", "destination_path": "/moved/"}""");

    assertThat(result).startsWith("Moved /a.txt to /moved/a.txt. User metadata kept. etag: ");
    assertThat(exists("/", "a.txt")).isFalse();
    onOpen.set(null);
    assertThat(text("/moved/", "a.txt")).isEqualTo("one");
    Artifact moved = store.disks().artifacts().get(diskId, "/moved/", "a.txt").artifact();
    assertThat(moved.createdAt()).isEqualTo(source.createdAt());
    assertThat(moved.userMeta()).isEqualTo(Map.of("k", "v"));
  }
}
