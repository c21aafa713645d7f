package dev.diskstore.tika;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactContent;
import dev.diskstore.ArtifactResult;
import dev.diskstore.Artifacts;
import dev.diskstore.ContentUnavailable;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import dev.diskstore.local.LocalBlobBackend;
import dev.diskstore.memory.InMemoryBlobBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module inside a real store: discovered through {@code META-INF/services}, results cached by
 * the core, extraction on upsert, reasons surfaced as {@link ArtifactResult#contentUnavailable()}.
 */
class TikaStoreTest {

  private static final GetOptions WITH_CONTENT = GetOptions.builder().withContent(true).build();

  @TempDir Path directory;

  @Test
  void pdfHasDocumentContentWithTheModuleOnTheClassPath() {
    try (DiskStore store = DiskStore.inMemory()) {
      String disk = store.disks().create().id();
      Artifacts artifacts = store.disks().artifacts();
      byte[] pdf = Documents.pdf("Quarterly report", "Revenue grew 12% to 4.2 million.");
      Artifact artifact =
          artifacts.upsert(disk, FileUpload.of("report.pdf", pdf), "/reports/");
      assertThat(artifact.contentType()).isEqualTo("application/pdf");

      ArtifactResult result = artifacts.get(disk, "/reports/", "report.pdf", WITH_CONTENT);
      assertThat(result.content())
          .hasValue(
              new ArtifactContent(
                  ArtifactContent.DOCUMENT,
                  "Quarterly report\nRevenue grew 12% to 4.2 million.",
                  false));
      assertThat(result.contentUnavailable()).isEmpty();
    }
  }

  @Test
  void textFilesKeepTheirBuiltInTypesAndContent() {
    try (DiskStore store = DiskStore.inMemory()) {
      String disk = store.disks().create().id();
      Artifacts artifacts = store.disks().artifacts();
      Map<String, String[]> files =
          Map.of(
              "notes.md", new String[] {"text/markdown", ArtifactContent.TEXT, "# Notes\n"},
              "data.json", new String[] {"application/json", ArtifactContent.JSON, "{\"a\": 1}"},
              "table.csv", new String[] {"text/csv", ArtifactContent.CSV, "a,b\n1,2\n"},
              "app.ts", new String[] {"text/x-typescript", ArtifactContent.CODE, "let x = 1;\n"},
              "main.tf", new String[] {"text/x-hcl", ArtifactContent.CODE, "locals {}\n"});
      for (var file : files.entrySet()) {
        String[] expected = file.getValue();
        Artifact artifact =
            artifacts.upsert(disk, FileUpload.ofText(file.getKey(), expected[2]), "/");
        assertThat(artifact.contentType()).as(file.getKey()).isEqualTo(expected[0]);
        assertThat(artifacts.get(disk, "/", file.getKey(), WITH_CONTENT).content())
            .hasValue(new ArtifactContent(expected[1], expected[2], false));
      }
      // A browser's generic declaration does not beat detection; a CSV mislabelled as Excel
      // is still CSV.
      Artifact csv =
          artifacts.upsert(
              disk, FileUpload.of("export.csv", "a,b\n".getBytes(UTF_8), "application/vnd.ms-excel"),
              "/");
      assertThat(csv.contentType()).isEqualTo("text/csv");
    }
  }

  @Test
  void secondGetIsServedFromTheCacheWithoutParsingAgain() {
    try (DiskStore store = DiskStore.inMemory()) {
      String disk = store.disks().create().id();
      Artifacts artifacts = store.disks().artifacts();
      int documents = 7;
      for (String kind : List.of("pdf", "docx")) {
        for (int i = 0; i < documents; i++) {
          // Different bytes each, so that every first get parses.
          String text = "Document " + i;
          byte[] bytes = kind.equals("pdf")
              ? Documents.pdf(text, "Some text for the timing run.")
              : Documents.docx(text, "Some text for the timing run.");
          artifacts.upsert(disk, FileUpload.of("doc" + i + "." + kind, bytes), "/");
        }
        List<Long> firstNanos = new ArrayList<>();
        List<Long> cachedNanos = new ArrayList<>();
        for (int i = 0; i < documents; i++) {
          String name = "doc" + i + "." + kind;
          long parsesBefore = TikaRuntime.parseCount();
          long start = System.nanoTime();
          ArtifactResult first = artifacts.get(disk, "/", name, WITH_CONTENT);
          firstNanos.add(System.nanoTime() - start);
          assertThat(TikaRuntime.parseCount() - parsesBefore).isEqualTo(1);

          start = System.nanoTime();
          ArtifactResult cached = artifacts.get(disk, "/", name, WITH_CONTENT);
          cachedNanos.add(System.nanoTime() - start);
          assertThat(TikaRuntime.parseCount() - parsesBefore).as("cached get parsed").isEqualTo(1);
          assertThat(cached.content()).isEqualTo(first.content());
          assertThat(first.content().orElseThrow().type()).isEqualTo(ArtifactContent.DOCUMENT);
          assertThat(first.content().orElseThrow().raw()).startsWith("Document " + i + "\n");
        }
        // Skip the first document: it pays this JVM's one-time class loading for the format.
        System.out.printf(
            "[timing] get(withContent) of a %s in a warm JVM: first (parse) median %.2f ms,"
                + " cached median %.2f ms (%d documents)%n",
            kind.toUpperCase(Locale.ROOT),
            median(firstNanos.subList(1, documents)) / 1e6,
            median(cachedNanos.subList(1, documents)) / 1e6,
            documents - 1);
      }
    }
  }

  @Test
  void legacyEncodedTextKeepsItsCharsetThroughTheCache() {
    try (DiskStore store = DiskStore.inMemory()) {
      String disk = store.disks().create().id();
      Artifacts artifacts = store.disks().artifacts();
      String text = "\u201cIt\u2019s only 5 \u20ac,\u201d she said \u2013 the caf\u00e9 agreed.\n";
      artifacts.upsert(
          disk,
          FileUpload.of("ansi.txt", text.getBytes(java.nio.charset.Charset.forName("windows-1252"))),
          "/");
      ArtifactContent first = artifacts.get(disk, "/", "ansi.txt", WITH_CONTENT).content().orElseThrow();
      ArtifactContent cached = artifacts.get(disk, "/", "ansi.txt", WITH_CONTENT).content().orElseThrow();
      assertThat(first).isEqualTo(new ArtifactContent(ArtifactContent.TEXT, text, false, "windows-1252", false));
      assertThat(cached).isEqualTo(first);
    }
  }

  @Test
  void identicalBytesUnderAnotherNameReuseTheCachedText() {
    try (DiskStore store = DiskStore.inMemory()) {
      String disk = store.disks().create().id();
      Artifacts artifacts = store.disks().artifacts();
      byte[] pdf = Documents.pdf("Shared bytes");
      artifacts.upsert(disk, FileUpload.of("a.pdf", pdf), "/");
      artifacts.upsert(disk, FileUpload.of("copy.pdf", pdf), "/other/");
      long before = TikaRuntime.parseCount();
      assertThat(artifacts.get(disk, "/", "a.pdf", WITH_CONTENT).content()).isPresent();
      assertThat(artifacts.get(disk, "/other/", "copy.pdf", WITH_CONTENT).content()).isPresent();
      assertThat(TikaRuntime.parseCount() - before).isEqualTo(1);
    }
  }

  @Test
  void extractionOnUpsertParsesOnceBeforeTheFirstGet() {
    DiskStoreConfig config =
        DiskStoreConfig.builder()
            .directory(directory)
            .backend(new InMemoryBlobBackend())
            .extractContentOnUpsert(true)
            .build();
    try (DiskStore store = DiskStore.open(config)) {
      String disk = store.disks().create().id();
      Artifacts artifacts = store.disks().artifacts();
      long before = TikaRuntime.parseCount();
      artifacts.upsert(disk, FileUpload.of("deck.pptx", Documents.pptx("Eager")), "/");
      assertThat(TikaRuntime.parseCount() - before).isEqualTo(1);
      assertThat(artifacts.get(disk, "/", "deck.pptx", WITH_CONTENT).content().orElseThrow().raw())
          .isEqualTo("Eager");
      assertThat(TikaRuntime.parseCount() - before).isEqualTo(1);
    }
  }

  @Test
  void reasonsForMissingContentAreSurfaced() {
    try (DiskStore store = DiskStore.inMemory()) {
      String disk = store.disks().create().id();
      Artifacts artifacts = store.disks().artifacts();
      artifacts.upsert(disk, FileUpload.of("secret.pdf", Documents.encryptedPdf("x")), "/");
      artifacts.upsert(disk, FileUpload.of("broken.pdf", "%PDF-1.4\ngarbage".getBytes(UTF_8)), "/");
      artifacts.upsert(disk, FileUpload.of("bomb.docx", Documents.docxBomb(50_000_000)), "/");
      artifacts.upsert(disk, FileUpload.of("photo.png",
          Documents.withPrefix(Documents.bytes(0x89, 'P', 'N', 'G', 13, 10, 26, 10), 64, 1)), "/");
      Map<String, ContentUnavailable> expected =
          Map.of(
              "secret.pdf", ContentUnavailable.ENCRYPTED,
              "broken.pdf", ContentUnavailable.CORRUPT,
              "bomb.docx", ContentUnavailable.TOO_LARGE,
              "photo.png", ContentUnavailable.UNSUPPORTED);
      for (var e : expected.entrySet()) {
        // Twice: the second answer comes from the cache and must say the same.
        for (int i = 0; i < 2; i++) {
          ArtifactResult result = artifacts.get(disk, "/", e.getKey(), WITH_CONTENT);
          assertThat(result.content()).as(e.getKey()).isEmpty();
          assertThat(result.contentUnavailable()).as(e.getKey()).hasValue(e.getValue());
        }
      }
    }
  }

  @Test
  void explicitWiringWithTheLocalBackendKeepsTheCacheAcrossReopening() {
    DiskStoreConfig config =
        DiskStoreConfig.builder()
            .directory(directory)
            .backend(LocalBlobBackend.at(directory.resolve("blobs")))
            .contentParser(TikaContentParser.builder().build())
            .contentTypeDetector(new TikaContentTypeDetector())
            .maxContentChars(40)
            .build();
    String disk;
    String text;
    try (DiskStore store = DiskStore.open(config)) {
      disk = store.disks().create().id();
      Artifacts artifacts = store.disks().artifacts();
      artifacts.upsert(disk, FileUpload.of("minutes.odt",
          Documents.odt("Minutes", "A paragraph that is longer than forty characters.")), "/");
      ArtifactContent content =
          artifacts.get(disk, "/", "minutes.odt", WITH_CONTENT).content().orElseThrow();
      assertThat(content.type()).isEqualTo(ArtifactContent.DOCUMENT);
      assertThat(content.truncated()).isTrue();
      assertThat(content.raw()).hasSizeLessThanOrEqualTo(40).startsWith("Minutes\nA paragraph");
      text = content.raw();
    }
    long before = TikaRuntime.parseCount();
    try (DiskStore store = DiskStore.open(config)) {
      ArtifactContent content =
          store.disks().artifacts().get(disk, "/", "minutes.odt", WITH_CONTENT).content()
              .orElseThrow();
      assertThat(content.raw()).isEqualTo(text);
      assertThat(TikaRuntime.parseCount()).isEqualTo(before);
    }
  }

  static double median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
  }
}
