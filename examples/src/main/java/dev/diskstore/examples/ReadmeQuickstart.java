package dev.diskstore.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactContent;
import dev.diskstore.ArtifactListing;
import dev.diskstore.ArtifactResult;
import dev.diskstore.ArtifactStream;
import dev.diskstore.Disk;
import dev.diskstore.DiskPage;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * The README's "Quickstart in Java", compiled and run: {@code ReadmeSnippetsTest} checks that the
 * README shows these imports and exactly the lines between the tags, and runs it.
 */
public final class ReadmeQuickstart {
  private ReadmeQuickstart() {}

  // tag::quickstart[]
  static void quickstart(Path dataDirectory) throws IOException {
    try (DiskStore store = DiskStore.local(dataDirectory)) {          // client = AcontextClient(...)
      store.ping();
      Disk disk = store.disks().create();                             // client.disks.create()

      Artifact artifact = store.disks().artifacts().upsert(           // client.disks.artifacts.upsert(...)
          disk.id(),
          FileUpload.of("sprint-plan.md", "# Sprint Plan\n\n## Goals\n".getBytes(UTF_8)),
          "/documents/2024/",
          Map.of("department", "engineering", "author", "alice", "version", "1.0"));

      ArtifactResult result = store.disks().artifacts().get(          // ...get(with_public_url, with_content)
          disk.id(), "/documents/2024/", "sprint-plan.md",
          GetOptions.builder().withPublicUrl(true).withContent(true).expireSeconds(3600).build());
      URI url = result.publicUrl().orElseThrow();                     // signed, expiring, served on 127.0.0.1
      String text = result.content().map(ArtifactContent::raw).orElse("");

      ArtifactListing listing = store.disks().artifacts().list(disk.id(), "/documents/2024/");
      listing.artifacts();    // files, ordered by filename
      listing.directories();  // sub-directory names, ordered

      store.disks().artifacts().update(disk.id(), "/documents/2024/", "sprint-plan.md",
          Map.of("version", "1.1", "reviewed", true));                // metadata only, no re-upload

      try (ArtifactStream in = store.disks().artifacts().open(disk.id(), "/documents/2024/", "sprint-plan.md")) {
        in.artifact().info().etag();                                  // metadata of the version being read
        in.transferTo(OutputStream.nullOutputStream());               // streaming read
      }

      store.disks().artifacts().delete(disk.id(), "/documents/2024/", "sprint-plan.md");
      store.disks().delete(disk.id());                                // cascades to its artifacts

      DiskPage page = store.disks().list(10, null, true, null);       // limit, cursor, timeDesc, user
      if (page.hasMore()) store.disks().list(10, page.nextCursor().get(), true, null);

      store.async().disks().create()                                  // AsyncAcontextClient
          .thenCompose(d -> store.async().disks().artifacts()
              .upsert(d.id(), FileUpload.of("async.txt", "Async content".getBytes(UTF_8))))
          .join();
    }
  }
  // end::quickstart[]

  public static void main(String[] args) throws IOException {
    quickstart(Path.of(args.length > 0 ? args[0] : "data"));
  }
}
