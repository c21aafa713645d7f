package dev.diskstore.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.ArtifactContent;
import dev.diskstore.ArtifactResult;
import dev.diskstore.ContentUnavailable;
import dev.diskstore.Disk;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import dev.diskstore.memory.InMemoryBlobBackend;
import dev.diskstore.spi.ContentParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Results of cacheable parsers are kept in the index per content and reused. */
class ContentCacheTest {
  @TempDir Path dir;

  /** A real, if simple, cacheable parser: upper-cases text, refuses files named *.bin. */
  static final class UpperCaseParser implements ContentParser {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public Result parse(Request request) {
      calls.incrementAndGet();
      if (request.filename().endsWith(".bin")) {
        return new Unavailable(ContentUnavailable.ENCRYPTED, "pretend it is encrypted");
      }
      try (InputStream in = request.opener().open()) {
        String text = new String(in.readAllBytes(), UTF_8).toUpperCase(java.util.Locale.ROOT);
        return new Parsed(new ArtifactContent(ArtifactContent.DOCUMENT, text, false));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public boolean isCacheable() {
      return true;
    }
  }

  private DiskStore open(UpperCaseParser parser, boolean onUpsert) {
    return DiskStore.open(
        DiskStoreConfig.builder()
            .directory(dir)
            .backend(new InMemoryBlobBackend())
            .contentParser(parser)
            .extractContentOnUpsert(onUpsert)
            // without history a deleted artifact's bytes (and their cached content) go at once;
            // with it they stay referenced by the version, and so does the cache
            .history(dev.diskstore.History.off())
            .build());
  }

  @Test
  void parsesOncePerContentAndReusesTheResult() {
    UpperCaseParser parser = new UpperCaseParser();
    try (DiskStore store = open(parser, false)) {
      Disk disk = store.disks().create();
      var artifacts = store.disks().artifacts();
      artifacts.upsert(disk.id(), FileUpload.of("a.doc", "hello".getBytes(UTF_8), "application/x-doc"));
      assertThat(parser.calls).hasValue(0);
      GetOptions content = GetOptions.builder().withContent(true).build();
      ArtifactResult first = artifacts.get(disk.id(), "/", "a.doc", content);
      ArtifactResult second = artifacts.get(disk.id(), "/", "a.doc", content);
      assertThat(first.content()).contains(new ArtifactContent("document", "HELLO", false));
      assertThat(second.content()).isEqualTo(first.content());
      assertThat(parser.calls).hasValue(1);
      // the same bytes under another name and the same type share the cached result
      artifacts.upsert(disk.id(), FileUpload.of("b.doc", "hello".getBytes(UTF_8), "application/x-doc"));
      assertThat(artifacts.get(disk.id(), "/", "b.doc", content).content()).isEqualTo(first.content());
      assertThat(parser.calls).hasValue(1);
      // new bytes are parsed again
      artifacts.upsert(disk.id(), FileUpload.of("a.doc", "bye".getBytes(UTF_8), "application/x-doc"));
      assertThat(artifacts.get(disk.id(), "/", "a.doc", content).content().orElseThrow().raw())
          .isEqualTo("BYE");
      assertThat(parser.calls).hasValue(2);
    }
  }

  @Test
  void reasonsAreReportedAndCachedToo() {
    UpperCaseParser parser = new UpperCaseParser();
    try (DiskStore store = open(parser, true)) {
      Disk disk = store.disks().create();
      var artifacts = store.disks().artifacts();
      artifacts.upsert(disk.id(), FileUpload.of("x.bin", new byte[] {1, 2}));
      assertThat(parser.calls).hasValue(1); // extracted on upsert
      ArtifactResult result =
          artifacts.get(disk.id(), "/", "x.bin", GetOptions.builder().withContent(true).build());
      assertThat(result.content()).isEmpty();
      assertThat(result.contentUnavailable()).contains(ContentUnavailable.ENCRYPTED);
      assertThat(parser.calls).hasValue(1);
      // without withContent, no reason is reported
      assertThat(artifacts.get(disk.id(), "/", "x.bin").contentUnavailable()).isEmpty();
      // the cache goes with the blob: after delete + re-upload it is parsed afresh
      artifacts.delete(disk.id(), "/", "x.bin");
      artifacts.upsert(disk.id(), FileUpload.of("x.bin", new byte[] {1, 2}));
      assertThat(parser.calls).hasValue(2);
      assertThat(store.maintenance().verify().isClean()).isTrue();
    }
  }
}
