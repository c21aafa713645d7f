package dev.diskstore.tika;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.ArtifactContent;
import dev.diskstore.ContentUnavailable;
import dev.diskstore.StorageException;
import dev.diskstore.spi.BuiltinContent;
import dev.diskstore.spi.ContentParser;
import dev.diskstore.spi.ContentParser.Parsed;
import dev.diskstore.spi.ContentParser.Request;
import dev.diskstore.spi.ContentParser.Result;
import dev.diskstore.spi.ContentParser.Unavailable;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.poi.openxml4j.opc.OPCPackage;
import org.apache.poi.poifs.crypt.EncryptionInfo;
import org.apache.poi.poifs.crypt.EncryptionMode;
import org.apache.poi.poifs.crypt.Encryptor;
import org.apache.poi.poifs.filesystem.POIFSFileSystem;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link TikaContentParser} on real documents built by the tests. */
class TikaContentParserTest {

  private static final int MAX_CHARS = 1_048_576;
  private static final TikaContentParser PARSER = new TikaContentParser();
  private static final TikaContentTypeDetector DETECTOR = new TikaContentTypeDetector();

  /** Parses as the store would: the content type is what the detector stores for the file. */
  static Result parse(ContentParser parser, String filename, byte[] bytes, int maxChars) {
    String type = DETECTOR.detect(filename, Documents.head(bytes, 8192), null);
    return parser.parse(
        new Request(filename, type, bytes.length, maxChars, () -> new ByteArrayInputStream(bytes)));
  }

  static ArtifactContent document(String filename, byte[] bytes) {
    Result result = parse(PARSER, filename, bytes, MAX_CHARS);
    assertThat(result).as(filename).isInstanceOf(Parsed.class);
    ArtifactContent content = ((Parsed) result).content();
    assertThat(content.type()).as(filename).isEqualTo(ArtifactContent.DOCUMENT);
    assertThat(content.truncated()).as(filename).isFalse();
    return content;
  }

  static ContentUnavailable unavailable(ContentParser parser, String filename, byte[] bytes) {
    Result result = parse(parser, filename, bytes, MAX_CHARS);
    assertThat(result).as(filename).isInstanceOf(Unavailable.class);
    return ((Unavailable) result).reason();
  }

  @Nested
  @DisplayName("Documents become text")
  class Extraction {

    @Test
    void pdf() {
      byte[] pdf =
          Documents.pdf(
              List.of(
                  List.of("Quarterly report", "Revenue grew 12% to 4.2 million."),
                  List.of("Page two: outlook")));
      assertThat(document("report.pdf", pdf).raw())
          .isEqualTo("Quarterly report\nRevenue grew 12% to 4.2 million.\n\nPage two: outlook");
    }

    @Test
    void docx() {
      byte[] docx = Documents.docx("Meeting notes", "Decision: ship on Friday.", "Owner: Ana");
      assertThat(document("notes.docx", docx).raw())
          .isEqualTo("Meeting notes\nDecision: ship on Friday.\nOwner: Ana");
    }

    @Test
    void xlsx() {
      byte[] xlsx =
          Documents.xlsx(
              "Budget", List.of(List.of("Item", "Cost"), List.of("Coffee", 12.5),
                  List.of("Rent", 900)));
      assertThat(document("budget.xlsx", xlsx).raw())
          .isEqualTo("Budget\n\tItem\tCost\n\tCoffee\t12.5\n\tRent\t900");
    }

    @Test
    void pptx() {
      byte[] pptx = Documents.pptx("Roadmap 2025", "Launch in March");
      assertThat(document("deck.pptx", pptx).raw()).isEqualTo("Roadmap 2025\n\nLaunch in March");
    }

    @Test
    void odt() {
      byte[] odt = Documents.odt("Minutes", "First point.", "Second point.");
      assertThat(document("minutes.odt", odt).raw())
          .isEqualTo("Minutes\nFirst point.\nSecond point.");
    }

    @Test
    void rtf() {
      assertThat(document("letter.rtf", Documents.rtf("RTF", "Kind regards")).raw())
          .isEqualTo("Hello from RTF.\nKind regards");
    }

    @Test
    void epub() {
      byte[] epub = Documents.epub("A Book", "Chapter One", "It was a dark and stormy night.");
      assertThat(document("book.epub", epub).raw())
          .isEqualTo("Chapter One\nIt was a dark and stormy night.");
    }

    @Test
    void htmlBecomesCleanTextWithoutTagsScriptsOrStyles() {
      String html =
          "<!doctype html><html><head><title>Status</title>"
              + "<style>p { color: red }</style><script>var secret = 42;</script></head>"
              + "<body><h1>Build status</h1><p>All <b>green</b> &amp; <i>fast</i>.</p>"
              + "<ul><li>one</li><li>two</li></ul></body></html>";
      String raw = document("status.html", html.getBytes(UTF_8)).raw();
      // Tika indents list items with a tab.
      assertThat(raw).isEqualTo("Build status\nAll green & fast.\n\tone\n\ttwo");
      assertThat(raw).doesNotContain("<", "secret", "color");
    }

    @Test
    void htmlWithoutHtmlExtensionIsDetectedAndCleaned() {
      byte[] html = "<!DOCTYPE html><html><body><p>Hi <em>there</em></p></body></html>"
          .getBytes(UTF_8);
      assertThat(document("page", html).raw()).isEqualTo("Hi there");
    }

    @Test
    void legacyOfficeFormats() {
      assertThat(document("old.xls", Documents.xls("Sheet", List.of(List.of("A", 1)))).raw())
          .isEqualTo("Sheet\n\tA\t1");
      assertThat(document("old.ppt", Documents.ppt("Legacy slide")).raw())
          .isEqualTo("Legacy slide");
    }

    @Test
    void emptyHtmlIsAnEmptyDocument() {
      assertThat(document("empty.html", new byte[0]).raw()).isEmpty();
    }
  }

  @Nested
  @DisplayName("Text, JSON, CSV and code stay with the built-in parser")
  class Delegation {

    static Stream<Arguments> textFiles() {
      byte[] utf16 = {(byte) 0xff, (byte) 0xfe, 'o', 0, 'k', 0, '\n', 0};
      return Stream.of(
          Arguments.of("notes.md", "# Title\n\nSome *text* \u00fcn\u00efc\u00f6d\u00e9.\n"
              .getBytes(UTF_8)),
          Arguments.of("notes.txt", "plain\n".getBytes(UTF_8)),
          Arguments.of("data.json", "{\n  \"b\" : 1,   \"a\": [true, null, 2.50]\n}\n"
              .getBytes(UTF_8)),
          Arguments.of("broken.json", "{\"a\": ".getBytes(UTF_8)),
          Arguments.of("table.csv", "name,age\nalice,30\nbob,25,extra\n".getBytes(UTF_8)),
          Arguments.of("script.py", "#!/bin/sh\nprint('hi')\n".getBytes(UTF_8)),
          Arguments.of("app.ts", "export const x: number = 1;\n".getBytes(UTF_8)),
          Arguments.of("lib.rs", "fn main() {}\n".getBytes(UTF_8)),
          Arguments.of("Cargo.toml", "[package]\nname = \"x\"\n".getBytes(UTF_8)),
          Arguments.of("events.jsonl", "{\"a\":1}\n{\"a\":2}\n".getBytes(UTF_8)),
          Arguments.of("config.yaml", "a: 1\n".getBytes(UTF_8)),
          Arguments.of("feed.xml", "<?xml version=\"1.0\"?><a>1</a>".getBytes(UTF_8)),
          Arguments.of("icon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>".getBytes(UTF_8)),
          Arguments.of("marked.txt", utf16),
          Arguments.of("empty.txt", new byte[0]),
          Arguments.of("Dockerfile", "FROM alpine\n".getBytes(UTF_8)),
          Arguments.of("LICENSE", "MIT License\n".getBytes(UTF_8)),
          Arguments.of("random.bin", Documents.withPrefix(new byte[0], 300, 7)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("textFiles")
    void sameResultAsTheBuiltInParser(String filename, byte[] bytes) {
      for (int maxChars : new int[] {MAX_CHARS, 5}) {
        Result expected = parse(BuiltinContent.parser(), filename, bytes, maxChars);
        Result actual = parse(PARSER, filename, bytes, maxChars);
        if (expected instanceof Unavailable u) {
          assertThat(actual).isInstanceOf(Unavailable.class);
          assertThat(((Unavailable) actual).reason()).isEqualTo(u.reason());
        } else {
          assertThat(actual).as("%s, maxChars %d", filename, maxChars).isEqualTo(expected);
        }
      }
    }

    @Test
    void jsonStaysRawJsonAndCsvStaysRawCsv() {
      String json = "{\n  \"b\" : 1,   \"a\": [true, null, 2.50]\n}\n";
      String csv = "name,\"quoted, comma\"\nalice,30\nbob\n";
      assertThat(parse(PARSER, "data.json", json.getBytes(UTF_8), MAX_CHARS))
          .isEqualTo(new Parsed(new ArtifactContent(ArtifactContent.JSON, json, false)));
      assertThat(parse(PARSER, "table.csv", csv.getBytes(UTF_8), MAX_CHARS))
          .isEqualTo(new Parsed(new ArtifactContent(ArtifactContent.CSV, csv, false)));
    }

    static Stream<Arguments> overrides() {
      List<Arguments> all = new ArrayList<>();
      CodeAndConfigTypes.extensions()
          .forEach((ext, entry) -> all.add(Arguments.of("file." + ext, entry)));
      CodeAndConfigTypes.names().forEach((name, entry) -> all.add(Arguments.of(name, entry)));
      return all.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("overrides")
    void overrideTableEntriesAreReadAsTheirKind(String filename, CodeAndConfigTypes.Entry entry) {
      String text = entry.kind().equals(ArtifactContent.JSON) ? "{\"a\": 1}\n" : "x = 1\n";
      Result result = parse(PARSER, filename, text.getBytes(UTF_8), MAX_CHARS);
      assertThat(result).isEqualTo(new Parsed(new ArtifactContent(entry.kind(), text, false)));
      // A store opened without this module still reads the stored type as text.
      assertThat(BuiltinProbes.builtinReadsAsText("x", entry.mediaType())).isTrue();
    }
  }

  @Nested
  @DisplayName("Bounds")
  class Bounds {

    @Test
    void longDocumentsAreTruncatedAtMaxChars() {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        lines.add("Line " + i + " of a long document with quite a few words on it.");
      }
      byte[] pdf = Documents.pdf(List.of(lines));
      byte[] docx = Documents.docx(lines.toArray(String[]::new));
      for (var file : Map.of("long.pdf", pdf, "long.docx", docx).entrySet()) {
        ArtifactContent full = document(file.getKey(), file.getValue());
        assertThat(full.raw().length()).isGreaterThan(1000);

        Result cut = parse(PARSER, file.getKey(), file.getValue(), 200);
        ArtifactContent content = ((Parsed) cut).content();
        assertThat(content.type()).isEqualTo(ArtifactContent.DOCUMENT);
        assertThat(content.truncated()).isTrue();
        assertThat(content.raw().length()).isLessThanOrEqualTo(200).isGreaterThan(150);
        assertThat(full.raw()).startsWith(content.raw());
      }
    }

    @Test
    void textThatFitsExactlyIsNotTruncated() {
      byte[] html = "<html><body><p>0123456789</p></body></html>".getBytes(UTF_8);
      ArtifactContent content = ((Parsed) parse(PARSER, "a.html", html, 11)).content();
      assertThat(content.raw()).isEqualTo("0123456789");
      assertThat(content.truncated()).isFalse();
      assertThat(((Parsed) parse(PARSER, "a.html", html, 5)).content())
          .isEqualTo(new ArtifactContent(ArtifactContent.DOCUMENT, "01234", true));
      assertThat(((Parsed) parse(PARSER, "a.html", html, 0)).content())
          .isEqualTo(new ArtifactContent(ArtifactContent.DOCUMENT, "", true));
    }

    @Test
    void inputLargerThanTheLimitIsTooLargeWithoutBeingRead() {
      TikaContentParser small = TikaContentParser.builder().maxInputBytes(1000).build();
      byte[] pdf = Documents.pdf(List.of(List.of("x".repeat(50))));
      AtomicInteger opened = new AtomicInteger();
      Result result =
          small.parse(
              new Request("big.pdf", "application/pdf", 5000, MAX_CHARS,
                  () -> {
                    opened.incrementAndGet();
                    return new ByteArrayInputStream(pdf);
                  }));
      assertThat(result).isInstanceOf(Unavailable.class);
      assertThat(((Unavailable) result).reason()).isEqualTo(ContentUnavailable.TOO_LARGE);
      assertThat(opened).hasValue(0);
    }

    @Test
    void inputLongerThanItsRecordedSizeIsStoppedAtTheLimit() {
      TikaContentParser small = TikaContentParser.builder().maxInputBytes(1000).build();
      byte[] docx = Documents.docx("x".repeat(5000));
      // The request claims a small size; the stream delivers more: the guard stops at the limit.
      Result result =
          small.parse(
              new Request("lying.docx", "application/msword", 10, MAX_CHARS,
                  () -> new ByteArrayInputStream(docx)));
      assertThat(((Unavailable) result).reason()).isEqualTo(ContentUnavailable.TOO_LARGE);
    }

    @Test
    void embeddedDocumentsAreParsedUpToTheLimit() {
      byte[] xlsx =
          Documents.xlsxWithEmbedded("Outer cell", Documents.docx("Inner text"), "inner.docx");
      assertThat(document("outer.xlsx", xlsx).raw())
          .isEqualTo("Outer\n\tOuter cell\n\nInner text");
      TikaContentParser none = TikaContentParser.builder().maxEmbeddedDocuments(0).build();
      assertThat(((Parsed) parse(none, "outer.xlsx", xlsx, MAX_CHARS)).content().raw())
          .isEqualTo("Outer\n\tOuter cell");
    }

    @Test
    void zipBombDocxIsTooLarge() {
      // 300 MB of text in one run, deflated to about 300 KB (about 1000:1).
      byte[] bomb = Documents.docxBomb(300_000_000);
      assertThat(bomb.length).isLessThan(400_000);
      long start = System.nanoTime();
      assertThat(unavailable(PARSER, "bomb.docx", bomb)).isEqualTo(ContentUnavailable.TOO_LARGE);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void zipBombOdtIsTooLarge() {
      assertThat(unavailable(PARSER, "bomb.odt", Documents.odtBomb(20_000_000)))
          .isEqualTo(ContentUnavailable.TOO_LARGE);
    }

    @Test
    void tikasSecureContentHandlerStopsOutputOutOfProportionToTheInput() {
      // 900,000 characters from about 1.6 KB: under the package check's 1 MiB grace, so this is
      // Tika's own check (output characters per input byte), here from 10,000 characters on.
      byte[] odt = Documents.odtBomb(900_000);
      assertThat(document("fine.odt", odt).raw()).hasSize(900_000);
      TikaContentParser strict =
          TikaContentParser.builder().zipBombThresholdChars(10_000).maxCompressionRatio(100).build();
      Result result = parse(strict, "bomb.odt", odt, MAX_CHARS);
      assertThat(((Unavailable) result).reason()).isEqualTo(ContentUnavailable.TOO_LARGE);
      assertThat(((Unavailable) result).detail()).contains("zip bomb");
    }

    @Test
    void slowParseTimesOutAndItsStreamIsClosed() throws Exception {
      TikaContentParser quick =
          TikaContentParser.builder().parseTimeout(Duration.ofMillis(300)).build();
      byte[] html = ("<html><body>" + "<p>slow</p>".repeat(2000) + "</body></html>")
          .getBytes(UTF_8);
      SlowStream stream = new SlowStream(html);
      long start = System.nanoTime();
      Result result =
          quick.parse(new Request("slow.html", "text/html", html.length, MAX_CHARS, () -> stream));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(result).isInstanceOf(Unavailable.class);
      assertThat(((Unavailable) result).reason()).isEqualTo(ContentUnavailable.TIMEOUT);
      assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(300))
          .isLessThan(Duration.ofSeconds(5));
      assertThat(stream.closed).isTrue();
      // The abandoned parse stops at its next read instead of reading the rest.
      assertThat(stream.finished.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(stream.bytesRead.get()).isLessThan(html.length);
    }
  }

  @Nested
  @DisplayName("Failures")
  class Failures {

    @Test
    void encryptedPdfIsEncrypted() {
      byte[] pdf = Documents.encryptedPdf("Top secret");
      assertThat(unavailable(PARSER, "secret.pdf", pdf)).isEqualTo(ContentUnavailable.ENCRYPTED);
    }

    @Test
    void passwordProtectedDocxIsEncrypted() throws Exception {
      byte[] docx = Documents.docx("Top secret");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (POIFSFileSystem fs = new POIFSFileSystem()) {
        EncryptionInfo info = new EncryptionInfo(EncryptionMode.agile);
        Encryptor encryptor = info.getEncryptor();
        encryptor.confirmPassword("password");
        try (OPCPackage opc = OPCPackage.open(new ByteArrayInputStream(docx));
            OutputStream os = encryptor.getDataStream(fs)) {
          opc.save(os);
        }
        fs.writeFilesystem(out);
      }
      assertThat(unavailable(PARSER, "secret.docx", out.toByteArray()))
          .isEqualTo(ContentUnavailable.ENCRYPTED);
    }

    @Test
    void corruptDocumentsAreCorrupt() {
      assertThat(unavailable(PARSER, "broken.pdf", "%PDF-1.7\nnot really a pdf\n".getBytes(UTF_8)))
          .isEqualTo(ContentUnavailable.CORRUPT);
      byte[] docx = Documents.docx("Hello", "World");
      assertThat(unavailable(PARSER, "cut.docx", Documents.head(docx, docx.length / 2)))
          .isEqualTo(ContentUnavailable.CORRUPT);
      byte[] pdf = Documents.pdf("Hello");
      assertThat(unavailable(PARSER, "cut.pdf", Documents.head(pdf, 200)))
          .isEqualTo(ContentUnavailable.CORRUPT);
    }

    @Test
    void binariesAndArchivesAreUnsupportedWithoutReadingThem() {
      Map<String, String> types =
          Map.of(
              "photo.png", "image/png",
              "clip.mp4", "video/mp4",
              "bundle.zip", "application/zip",
              "data.bin", "application/octet-stream",
              "font.woff2", "font/woff2");
      for (var type : types.entrySet()) {
        Result result =
            PARSER.parse(
                new Request(type.getKey(), type.getValue(), 10, MAX_CHARS,
                    () -> {
                      throw new AssertionError("opened " + type.getKey());
                    }));
        assertThat(((Unavailable) result).reason()).isEqualTo(ContentUnavailable.UNSUPPORTED);
      }
    }

    @Test
    void formatsWithoutAnExtractorAreUnsupported() {
      // Types Tika recognises from the bytes but has no parser for in the bundled modules.
      Map<String, byte[]> files =
          Map.of(
              "hello.gz.part", Documents.gzip("hello".getBytes(UTF_8)),
              "movie.swf.part", Documents.withPrefix("FWS".getBytes(UTF_8), 200, 3));
      for (var file : files.entrySet()) {
        byte[] bytes = file.getValue();
        Result result =
            PARSER.parse(
                new Request(file.getKey(), "application/x-unknown-part", bytes.length, MAX_CHARS,
                    () -> new ByteArrayInputStream(bytes)));
        assertThat(result).as(file.getKey()).isInstanceOf(Unavailable.class);
        assertThat(((Unavailable) result).reason()).isEqualTo(ContentUnavailable.UNSUPPORTED);
      }
    }

    @Test
    void storageFailureFromTheOpenerPropagates() {
      StorageException failure = new StorageException("backend down", true, null);
      assertThatThrownBy(
              () -> PARSER.parse(
                  new Request("a.pdf", "application/pdf", 100, MAX_CHARS,
                      () -> {
                        throw failure;
                      })))
          .isSameAs(failure);
    }

    @Test
    void readFailureMidStreamIsAStorageFailure() {
      byte[] pdf = Documents.pdf("Hello");
      assertThatThrownBy(
              () -> PARSER.parse(
                  new Request("a.pdf", "application/pdf", pdf.length, MAX_CHARS,
                      () -> new FailingStream(pdf, 100))))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("a.pdf");
    }
  }

  @Nested
  @DisplayName("Identity, caching and concurrency")
  class Identity {

    @Test
    void idIsVersionedAndCacheable() throws IOException {
      assertThat(PARSER.isCacheable()).isTrue();
      assertThat(PARSER.id()).isEqualTo("tika-" + tikaVersionOnClassPath() + "/2");
      assertThat(TikaContentParser.builder().build().id()).isEqualTo(PARSER.id());
      assertThat(TikaContentParser.builder().parseTimeout(Duration.ofSeconds(5)).build().id())
          .startsWith(PARSER.id() + ";")
          .contains("timeout=5000ms");
    }

    @Test
    void builderRejectsBadLimits() {
      assertThatThrownBy(() -> TikaContentParser.builder().parseTimeout(Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> TikaContentParser.builder().maxInputBytes(0))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> TikaContentParser.builder().maxCompressionRatio(0))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> TikaContentParser.builder().maxEmbeddedDocuments(-1))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentParsesAreIndependent() throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
          int n = i;
          results.add(
              pool.submit(
                  () -> {
                    byte[] bytes = switch (n % 4) {
                      case 0 -> Documents.pdf("PDF number " + n);
                      case 1 -> Documents.docx("DOCX number " + n);
                      case 2 -> Documents.odt("ODT number " + n);
                      default -> ("<p>HTML number " + n + "</p>").getBytes(UTF_8);
                    };
                    String name = switch (n % 4) {
                      case 0 -> "f.pdf";
                      case 1 -> "f.docx";
                      case 2 -> "f.odt";
                      default -> "f.html";
                    };
                    return ((Parsed) parse(PARSER, name, bytes, MAX_CHARS)).content().raw();
                  }));
        }
        for (int i = 0; i < results.size(); i++) {
          assertThat(results.get(i).get(60, TimeUnit.SECONDS)).endsWith("number " + i);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  private static String tikaVersionOnClassPath() throws IOException {
    try (InputStream in =
        TikaContentParserTest.class.getResourceAsStream(
            "/META-INF/maven/org.apache.tika/tika-core/pom.properties")) {
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    }
  }

  /** Delivers 16 bytes per read, 100 ms apart; records close and the end of the reading. */
  private static final class SlowStream extends InputStream {
    private final byte[] data;
    private int position;
    volatile boolean closed;
    final AtomicInteger bytesRead = new AtomicInteger();
    final CountDownLatch finished = new CountDownLatch(1);

    SlowStream(byte[] data) {
      this.data = data;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        if (closed) {
          throw new IOException("closed");
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted");
        }
        if (position >= data.length) {
          return -1;
        }
        int n = Math.min(Math.min(len, 16), data.length - position);
        System.arraycopy(data, position, b, off, n);
        position += n;
        bytesRead.addAndGet(n);
        return n;
      } catch (IOException e) {
        finished.countDown();
        throw e;
      }
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** Delivers {@code failAfter} bytes, then fails like a broken connection. */
  private static final class FailingStream extends InputStream {
    private final byte[] data;
    private final int failAfter;
    private int position;

    FailingStream(byte[] data, int failAfter) {
      this.data = data;
      this.failAfter = failAfter;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (position >= failAfter) {
        throw new IOException("connection reset");
      }
      int n = Math.min(len, failAfter - position);
      System.arraycopy(data, position, b, off, n);
      position += n;
      return n;
    }
  }

  @Nested
  @DisplayName("Text in legacy encodings is decoded with Tika's charset detection")
  class LegacyEncodings {

    private ArtifactContent text(String filename, byte[] bytes) {
      Result result = parse(PARSER, filename, bytes, MAX_CHARS);
      assertThat(result).as(filename).isInstanceOf(Parsed.class);
      return ((Parsed) result).content();
    }

    @Test
    void latin1() {
      String text = "Le caf\u00e9 na\u00eff du gar\u00e7on \u00e0 c\u00f4t\u00e9 de l'h\u00f4tel.\n";
      ArtifactContent content = text("latin1.txt", text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      assertThat(content.raw()).isEqualTo(text);
      assertThat(content.charset()).isEqualTo("windows-1252"); // ISO-8859-1 read as its superset
      assertThat(content.lossy()).isFalse();
    }

    @Test
    void windows1252WithCurlyQuotesAndEuro() {
      String text =
          "\u201cIt\u2019s only 5 \u20ac,\u201d she said \u2013 and the caf\u00e9 agreed.\r\n";
      ArtifactContent content =
          text("ansi.txt", text.getBytes(java.nio.charset.Charset.forName("windows-1252")));
      assertThat(content.raw()).isEqualTo(text);
      assertThat(content.charset()).isEqualTo("windows-1252");
      assertThat(content.lossy()).isFalse();
    }

    @Test
    void shiftJis() {
      java.nio.charset.Charset sjis = java.nio.charset.Charset.forName("Shift_JIS");
      String text =
          "\u3053\u308c\u306f\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3067\u3059\u3002"
              .repeat(8) + "\n";
      ArtifactContent content = text("jp.txt", text.getBytes(sjis));
      assertThat(content.raw()).isEqualTo(text);
      assertThat(content.charset()).isEqualTo("Shift_JIS");
    }

    @Test
    void gb18030() {
      java.nio.charset.Charset gb = java.nio.charset.Charset.forName("GB18030");
      String text = "\u8fd9\u662f\u4e00\u4e2a\u4e2d\u6587\u6587\u672c\u6587\u4ef6\u3002".repeat(8) + "\n";
      ArtifactContent content = text("zh.txt", text.getBytes(gb));
      assertThat(content.raw()).isEqualTo(text);
      assertThat(content.charset()).isEqualTo("GB18030");
    }

    @Test
    void byteOrderMarksDecideWithoutDetection() {
      String text = "Gr\u00fc\u00dfe \u20ac\n";
      byte[] le = Documents.concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, text.getBytes(java.nio.charset.StandardCharsets.UTF_16LE));
      byte[] be = Documents.concat(new byte[] {(byte) 0xFE, (byte) 0xFF}, text.getBytes(java.nio.charset.StandardCharsets.UTF_16BE));
      byte[] utf8 = Documents.concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, text.getBytes(UTF_8));
      assertThat(text("le.txt", le)).isEqualTo(new ArtifactContent(ArtifactContent.TEXT, text, false, "UTF-16LE", false));
      assertThat(text("be.txt", be)).isEqualTo(new ArtifactContent(ArtifactContent.TEXT, text, false, "UTF-16BE", false));
      assertThat(text("bom.txt", utf8)).isEqualTo(new ArtifactContent(ArtifactContent.TEXT, text, false));
    }

    @Test
    void binaryUnderATextNameStaysUnsupported() {
      assertThat(unavailable(PARSER, "random.txt", Documents.withPrefix(new byte[0], 4096, 11)))
          .isEqualTo(ContentUnavailable.UNSUPPORTED);
    }

    @Test
    void mostlyUtf8WithAStrayByteIsUtf8WithAReplacement() {
      String good = "Gr\u00fc\u00dfe aus K\u00f6ln, sch\u00f6ne Gr\u00fc\u00dfe! ".repeat(6);
      byte[] bytes = Documents.concat(good.getBytes(UTF_8), new byte[] {(byte) 0xFF, '\n'});
      ArtifactContent content = text("mostly.txt", bytes);
      assertThat(content.charset()).isEqualTo("UTF-8");
      assertThat(content.lossy()).isTrue();
      assertThat(content.raw()).isEqualTo(good + "\ufffd\n");
    }

    @Test
    void theGuessNeverThrows() {
      for (byte[] sample :
          List.of(new byte[0], new byte[] {(byte) 0xE9}, Documents.withPrefix(new byte[0], 512, 3))) {
        assertThat(TikaCharsets.guess(sample)).isNotNull();
      }
    }
  }
}
