package dev.diskstore.spring.boot;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.ArtifactVersion;
import dev.diskstore.Disk;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import dev.diskstore.StoreClosedException;
import dev.diskstore.UploadTooLargeException;
import dev.diskstore.spi.BlobBackend;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default from properties: SQLite index and blobs in a local directory. */
class LocalStoreTest {
  @TempDir Path dir;

  @Test
  void aStoreFromTheDirectoryPropertyWritesReadsBackAndClosesWithTheContext() {
    AtomicReference<DiskStore> opened = new AtomicReference<>();
    Contexts.runner()
        .withPropertyValues("diskstore.directory=" + dir)
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(DiskStore.class)
              .hasSingleBean(DiskStoreProperties.class).hasSingleBean(BlobBackend.class);
          DiskStore store = context.getBean(DiskStore.class);
          opened.set(store);
          Disk disk = store.disks().create();
          store.disks().artifacts().upsert(disk.id(), FileUpload.ofText("a.md", "# A"), "/notes/");
          assertThat(read(store, disk.id(), "/notes/", "a.md")).isEqualTo("# A");
        });

    assertThat(dir.resolve("index.db")).isRegularFile();
    assertThat(dir.resolve("blobs")).isDirectory();
    DiskStore store = opened.get();
    assertThatThrownBy(store::disks).isInstanceOf(StoreClosedException.class);
  }

  @Test
  void theNextContextOnTheSameDirectoryFindsTheFiles() {
    AtomicReference<String> diskId = new AtomicReference<>();
    Contexts.runner()
        .withPropertyValues("diskstore.directory=" + dir)
        .run(context -> {
          DiskStore store = context.getBean(DiskStore.class);
          diskId.set(store.disks().create().id());
          store.disks().artifacts().upsert(diskId.get(), FileUpload.ofText("b.txt", "kept"));
        });
    Contexts.runner()
        .withPropertyValues("diskstore.directory=" + dir)
        .run(context -> assertThat(read(context.getBean(DiskStore.class), diskId.get(), "/", "b.txt"))
            .isEqualTo("kept"));
  }

  @Test
  void blobsDirectoryKeepsTheBytesApartFromTheIndex() {
    Path blobs = dir.resolve("elsewhere");
    Contexts.runner()
        .withPropertyValues("diskstore.directory=" + dir.resolve("index"),
            "diskstore.blobs-directory=" + blobs)
        .run(context -> {
          DiskStore store = context.getBean(DiskStore.class);
          String diskId = store.disks().create().id();
          store.disks().artifacts().upsert(diskId, FileUpload.ofText("c.txt", "bytes"));
          assertThat(read(store, diskId, "/", "c.txt")).isEqualTo("bytes");
        });
    assertThat(dir.resolve("index/index.db")).isRegularFile();
    assertThat(dir.resolve("index/blobs")).doesNotExist();
    assertThat(blobs.resolve("objects")).isDirectory();
  }

  @Test
  void projectIdUrlServerAndHistoryReachTheStore() throws Exception {
    int port;
    try (var socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Contexts.runner()
        .withPropertyValues("diskstore.directory=" + dir, "diskstore.project-id=boot-app",
            "diskstore.url-server.address=127.0.0.1", "diskstore.url-server.port=" + port,
            "diskstore.history.keep-last=0")
        .run(context -> {
          DiskStore store = context.getBean(DiskStore.class);
          assertThat(store.projectId()).isEqualTo("boot-app");
          String diskId = store.disks().create().id();
          store.disks().artifacts().upsert(diskId, FileUpload.ofText("d.txt", "one"));
          store.disks().artifacts().upsert(diskId, FileUpload.ofText("d.txt", "two"));
          List<ArtifactVersion> versions =
              store.disks().artifacts().versions(diskId, "/", "d.txt").items();
          assertThat(versions).as("history off: no versions recorded").isEmpty();
          URI url = store.disks().artifacts()
              .get(diskId, "/", "d.txt", GetOptions.builder().withPublicUrl(true).build())
              .publicUrl().orElseThrow();
          assertThat(url.getHost()).isEqualTo("127.0.0.1");
          assertThat(url.getPort()).isEqualTo(port);
          HttpResponse<String> download = HttpClient.newHttpClient()
              .send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
          assertThat(download.statusCode()).isEqualTo(200);
          assertThat(download.body()).isEqualTo("two");
        });
  }

  @Test
  void historyPropertiesKeepVersions() {
    Contexts.runner()
        .withPropertyValues("diskstore.directory=" + dir, "diskstore.history.keep-last=5",
            "diskstore.history.max-age=7d")
        .run(context -> {
          DiskStore store = context.getBean(DiskStore.class);
          String diskId = store.disks().create().id();
          store.disks().artifacts().upsert(diskId, FileUpload.ofText("e.txt", "one"));
          store.disks().artifacts().upsert(diskId, FileUpload.ofText("e.txt", "two"));
          assertThat(store.disks().artifacts().versions(diskId, "/", "e.txt").items())
              .hasSize(2);
        });
  }

  @Test
  void customizersAdjustTheRestOfTheConfiguration() {
    Contexts.runner()
        .withPropertyValues("diskstore.directory=" + dir)
        .withBean(DiskStoreConfigCustomizer.class, () -> config -> config.maxUploadBytes(4))
        .run(context -> {
          DiskStore store = context.getBean(DiskStore.class);
          String diskId = store.disks().create().id();
          assertThatThrownBy(() -> store.disks().artifacts()
                  .upsert(diskId, FileUpload.ofText("big.txt", "more than four bytes")))
              .isInstanceOf(UploadTooLargeException.class);
        });
  }

  static String read(DiskStore store, String diskId, String path, String filename)
      throws IOException {
    try (InputStream in = store.disks().artifacts().open(diskId, path, filename)) {
      return new String(in.readAllBytes(), UTF_8);
    }
  }
}
