package dev.diskstore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.ArtifactContent;
import dev.diskstore.StorageException;
import dev.diskstore.spi.ContentParser.ContentOpener;
import dev.diskstore.spi.ContentParser.Request;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BuiltinContentParserTest {

  private static final int MAX = 1 << 20;

  private final BuiltinContentParser parser = BuiltinContentParser.INSTANCE;

  /** Every stream handed out by {@link #request}; all must be closed after each test. */
  private final List<TrackedStream> opened = new ArrayList<>();

  @AfterEach
  void everyOpenedStreamIsClosed() {
    assertThat(opened).allSatisfy(stream -> assertThat(stream.closed).isTrue());
  }

  // --- Kinds ------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0} ({1}) -> {2}")
  @CsvSource({
    "test.json, application/json, json",
    "analysis.ipynb, application/x-ipynb+json, json",
    "blob.dat, application/json, json",
    "data.json, text/plain, json",
    "test.csv, text/csv, csv",
    "data.tsv, text/tab-separated-values, csv",
    "export.csv, application/vnd.ms-excel, csv",
    "rows, text/csv, csv",
    "test.go, text/x-go, code",
    "script.py, text/x-python, code",
    "App.tsx, text/x-typescript, code",
    "lib.rs, text/x-rust, code",
    "build.sh, text/x-shellscript, code",
    "schema.sql, application/sql, code",
    "Dockerfile, text/x-dockerfile, code",
    "deploy, text/x-shellscript, code",
    "snippet.bin, application/javascript, code",
    "test.md, text/markdown, text",
    "test.txt, text/plain, text",
    "NOTES.MD, text/markdown, text",
    "config.yaml, application/yaml, text",
    "Cargo.toml, application/toml, text",
    "pom.xml, application/xml, text",
    "index.html, text/html, text",
    "style.css, text/css, text",
    "settings.ini, text/x-ini, text",
    "events.jsonl, application/x-ndjson, text",
    "logo.svg, image/svg+xml, text",
    "feed.atom, application/atom+xml, text",
    "README, text/plain, text",
    "notes.weird, 'text/plain; charset=utf-8', text",
    "photo.png, text/plain, text"
  })
  void returnsRawTextOfEachKind(String filename, String contentType, String kind) {
    String text = kind.equals("json") ? "{\"a\": [1, 2]}\n" : "line one\nline, two\n";
    Optional<ArtifactContent> content = parse(filename, contentType, utf8(text), MAX);
    assertThat(content).contains(new ArtifactContent(kind, text, false));
  }

  @ParameterizedTest(name = "{0} ({1}) -> no content")
  @CsvSource({
    "image.png, image/png",
    "binary.exe, application/octet-stream",
    "report.pdf, application/pdf",
    "archive.zip, application/zip",
    "report.docx, application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "song.mp3, audio/mpeg",
    "blob, application/octet-stream",
    "weird, not-a-type",
    "weird, ''"
  })
  void binaryTypesGiveNoContentWithoutOpening(String filename, String contentType) {
    Request request =
        new Request(
            filename,
            contentType,
            3,
            MAX,
            () -> {
              throw new AssertionError("must not open " + filename);
            });
    assertThat(parser.extract(request)).isEmpty();
  }

  @Test
  void raggedCsvIsReturnedRaw() {
    String csv = "a,b,c\n1,2\n\"unterminated,4\n";
    assertThat(parse("data.csv", "text/csv", utf8(csv), MAX))
        .contains(new ArtifactContent("csv", csv, false));
  }

  // --- JSON -------------------------------------------------------------------------------------

  @Test
  void jsonIsNotReserialised() {
    String json = "{ \"b\" : 1,\n  \"a\":[ 1.50 ,2e3 ] }";
    assertThat(parse("x.json", "application/json", utf8(json), MAX))
        .contains(new ArtifactContent("json", json, false));
  }

  @ParameterizedTest(name = "invalid JSON {0}")
  @ValueSource(
      strings = {"{bad", "{} {}", "[1,]", "{\"a\":1} trailing", "// comment\n{}", "NaN", "   "})
  void invalidJsonIsReturnedAsText(String json) {
    assertThat(parse("x.json", "application/json", utf8(json), MAX))
        .contains(new ArtifactContent("text", json, false));
  }

  @Test
  void scalarsAndDeepNestingAreValidJson() {
    assertThat(parse("n.json", "application/json", utf8(" 42 "), MAX).orElseThrow().type())
        .isEqualTo("json");
    String deep = "[".repeat(5000) + "]".repeat(5000);
    assertThat(parse("deep.json", "application/json", utf8(deep), MAX).orElseThrow().type())
        .isEqualTo("json");
  }

  @Test
  void truncatedJsonStaysJsonWithoutValidation() {
    String json = "{\"items\": [1, 2, 3, 4, 5]}";
    assertThat(parse("x.json", "application/json", utf8(json), 10))
        .contains(new ArtifactContent("json", json.substring(0, 10), true));
  }

  @Test
  void emptyJsonFileIsEmptyText() {
    assertThat(parse("x.json", "application/json", new byte[0], MAX))
        .contains(new ArtifactContent("text", "", false));
  }

  // --- Empty files, BOM, invalid UTF-8 ---------------------------------------------------------

  @Test
  void emptyFileWithTextExtensionIsEmptyText() {
    assertThat(parse("empty.txt", "text/plain", new byte[0], MAX))
        .contains(new ArtifactContent("text", "", false));
    assertThat(parse("empty.py", "text/x-python", new byte[0], MAX))
        .contains(new ArtifactContent("code", "", false));
  }

  @Test
  void byteOrderMarkIsDropped() {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    assertThat(parse("a.txt", "text/plain", concat(bom, utf8("h\u00e9")), MAX))
        .contains(new ArtifactContent("text", "h\u00e9", false));
    assertThat(parse("a.txt", "text/plain", bom, MAX))
        .contains(new ArtifactContent("text", "", false));
    // The BOM does not count towards maxChars.
    assertThat(parse("a.txt", "text/plain", concat(bom, utf8("hi")), 2))
        .contains(new ArtifactContent("text", "hi", false));
    // Only a leading BOM is dropped.
    assertThat(parse("a.txt", "text/plain", concat(utf8("a"), bom), MAX))
        .contains(new ArtifactContent("text", "a\ufeff", false));
  }

  @Test
  void byteOrderMarkSplitAcrossReadsIsDropped() {
    byte[] data = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8("{\"a\":1}"));
    Optional<ArtifactContent> content =
        parser.extract(
            new Request("a.json", "application/json", data.length, MAX, oneByteAtATime(data)));
    assertThat(content).contains(new ArtifactContent("json", "{\"a\":1}", false));
  }

  // --- Other encodings -------------------------------------------------------------------------

  private static final java.nio.charset.Charset CP1252 =
      java.nio.charset.Charset.forName("windows-1252");

  @Test
  void latin1TextIsReadAsWindows1252() {
    byte[] latin1 = "caf\u00e9 na\u00efve".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(parse("latin1.txt", "text/plain", latin1, MAX))
        .contains(new ArtifactContent("text", "caf\u00e9 na\u00efve", false, "windows-1252", false));
  }

  @Test
  void windows1252CurlyQuotesAndEuroAreRead() {
    String text = "\u201cQuoted\u201d \u2013 it\u2019s 5 \u20ac\r\n";
    assertThat(parse("ansi.txt", "text/plain", text.getBytes(CP1252), MAX))
        .contains(new ArtifactContent("text", text, false, "windows-1252", false));
  }

  @Test
  void bytesUndefinedInWindows1252AreReplacedAndMarkedLossy() {
    // 0x81 has no character in Windows-1252.
    byte[] data = concat(utf8("a caf"), bytes(0xE9, 0x81), utf8(" with one odd byte in it"));
    assertThat(parse("odd.txt", "text/plain", data, MAX))
        .contains(
            new ArtifactContent(
                "text", "a caf\u00e9\ufffd with one odd byte in it", false, "windows-1252", true));
  }

  @Test
  void utf16WithByteOrderMarkIsDecodedWithoutTheMark() {
    String text = "h\u00e9llo \u20ac \uD83D\uDE80\n";
    byte[] le = concat(bytes(0xFF, 0xFE), text.getBytes(StandardCharsets.UTF_16LE));
    byte[] be = concat(bytes(0xFE, 0xFF), text.getBytes(StandardCharsets.UTF_16BE));
    assertThat(parse("le.txt", "text/plain", le, MAX))
        .contains(new ArtifactContent("text", text, false, "UTF-16LE", false));
    assertThat(parse("be.txt", "text/plain", be, MAX))
        .contains(new ArtifactContent("text", text, false, "UTF-16BE", false));
    // JSON in UTF-16 is still JSON
    byte[] json = concat(bytes(0xFF, 0xFE), "{\"a\": 1}".getBytes(StandardCharsets.UTF_16LE));
    assertThat(parse("a.json", "application/json", json, MAX))
        .contains(new ArtifactContent("json", "{\"a\": 1}", false, "UTF-16LE", false));
  }

  @Test
  void utf32WithByteOrderMarkIsDecoded() {
    java.nio.charset.Charset utf32le = java.nio.charset.Charset.forName("UTF-32LE");
    java.nio.charset.Charset utf32be = java.nio.charset.Charset.forName("UTF-32BE");
    String text = "z\u00fcrich";
    assertThat(parse("a.txt", "text/plain", concat(bytes(0xFF, 0xFE, 0, 0), text.getBytes(utf32le)), MAX))
        .contains(new ArtifactContent("text", text, false, "UTF-32LE", false));
    assertThat(parse("a.txt", "text/plain", concat(bytes(0, 0, 0xFE, 0xFF), text.getBytes(utf32be)), MAX))
        .contains(new ArtifactContent("text", text, false, "UTF-32BE", false));
  }

  @Test
  void utf16CutInsideACharacterIsLossyNotLost() {
    byte[] data = concat(bytes(0xFF, 0xFE), "ok".getBytes(StandardCharsets.UTF_16LE), bytes('x'));
    assertThat(parse("odd.txt", "text/plain", data, MAX))
        .contains(new ArtifactContent("text", "ok\ufffd", false, "UTF-16LE", true));
  }

  @Test
  void utf16CountsCharactersAgainstMaxChars() {
    byte[] data = concat(bytes(0xFE, 0xFF), "abcdef".getBytes(StandardCharsets.UTF_16BE));
    assertThat(parse("a.txt", "text/plain", data, 3))
        .contains(new ArtifactContent("text", "abc", true, "UTF-16BE", false));
  }

  @Test
  void binaryContentStaysUnsupportedWhateverItsName() {
    assertThat(parse("notes.txt", "text/plain", bytes(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D), MAX))
        .isEmpty();
    byte[] random = new byte[4096];
    new java.util.Random(7).nextBytes(random);
    assertThat(parse("random.txt", "text/plain", random, MAX)).isEmpty();
    // no NUL, but mostly control characters
    byte[] controls = new byte[1000];
    for (int i = 0; i < controls.length; i++) {
      controls[i] = (byte) (1 + i % 8);
    }
    assertThat(parse("controls.txt", "text/plain", controls, MAX)).isEmpty();
    // random bytes behind a UTF-16 mark decode to lone surrogates: U+FFFD everywhere
    assertThat(parse("fake.txt", "text/plain", concat(bytes(0xFF, 0xFE), random), MAX)).isEmpty();
  }

  @Test
  void invalidUtf8LateInALargeFileIsReadAsWindows1252() {
    byte[] data = concat(utf8("a".repeat(100_000)), bytes(0xC0, 0x80));
    assertThat(parse("late.txt", "text/plain", data, MAX))
        .contains(new ArtifactContent("text", "a".repeat(100_000) + "\u00c0\u20ac", false, "windows-1252", false));
  }

  @Test
  void utf8WithAStrayByteStaysUtf8WithOneReplacement() {
    String good = "Gr\u00fc\u00dfe aus K\u00f6ln! ";
    byte[] data = concat(utf8(good), bytes(0xE9), utf8(good));
    assertThat(parse("mostly.txt", "text/plain", data, MAX))
        .contains(new ArtifactContent("text", good + "\ufffd" + good, false, "UTF-8", true));
    // cut inside the last character
    byte[] cut = concat(utf8(good), bytes(0xE2, 0x82));
    assertThat(parse("cut.txt", "text/plain", cut, MAX))
        .contains(new ArtifactContent("text", good + "\ufffd", false, "UTF-8", true));
  }

  @Test
  void aLegacyCharsetGuesserDecidesTextThatIsNeitherMarkedNorUtf8() {
    java.nio.charset.Charset shiftJis = java.nio.charset.Charset.forName("Shift_JIS");
    String text = "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8";
    List<Integer> sampleSizes = new ArrayList<>();
    BuiltinContentParser guessing =
        new BuiltinContentParser(
            sample -> {
              sampleSizes.add(sample.length);
              return Optional.of(shiftJis);
            });
    byte[] data = text.getBytes(shiftJis);
    assertThat(guessing.extract(new Request("jp.txt", "text/plain", data.length, MAX, () -> new ByteArrayInputStream(data))))
        .contains(new ArtifactContent("text", text, false, "Shift_JIS", false));
    assertThat(sampleSizes).containsExactly(data.length);
    // UTF-8 and marked text never ask it
    guessing.extract(new Request("u.txt", "text/plain", 2, MAX, () -> new ByteArrayInputStream(utf8("\u00e9"))));
    assertThat(sampleSizes).hasSize(1);
  }

  @Test
  void bytesAfterTheCutAreNotChecked() {
    assertThat(parse("a.txt", "text/plain", concat(utf8("abcd"), bytes(0xFF)), 3))
        .contains(new ArtifactContent("text", "abc", true));
  }

  // --- Truncation -------------------------------------------------------------------------------

  @Test
  void cutsAtMaxChars() {
    assertThat(parse("a.txt", "text/plain", utf8("abcdef"), 3))
        .contains(new ArtifactContent("text", "abc", true));
    assertThat(parse("a.txt", "text/plain", utf8("abcdef"), 6))
        .contains(new ArtifactContent("text", "abcdef", false));
    assertThat(parse("a.txt", "text/plain", utf8("abcdef"), 0))
        .contains(new ArtifactContent("text", "", true));
    assertThat(parse("a.txt", "text/plain", new byte[0], 0))
        .contains(new ArtifactContent("text", "", false));
  }

  @Test
  void countsCharactersNotBytes() {
    String text = "\u00e9\u20ac\u00e9\u20ac"; // 4 chars, 10 bytes
    assertThat(parse("a.txt", "text/plain", utf8(text), 4))
        .contains(new ArtifactContent("text", text, false));
    assertThat(parse("a.txt", "text/plain", utf8(text), 3))
        .contains(new ArtifactContent("text", "\u00e9\u20ac\u00e9", true));
  }

  @Test
  void neverSplitsASurrogatePair() {
    String text = "ab\ud83d\ude00cd"; // a, b, U+1F600 as two chars, c, d: 6 chars
    assertThat(parse("a.txt", "text/plain", utf8(text), 3))
        .contains(new ArtifactContent("text", "ab", true));
    assertThat(parse("a.txt", "text/plain", utf8(text), 4))
        .contains(new ArtifactContent("text", "ab\ud83d\ude00", true));
    assertThat(parse("a.txt", "text/plain", utf8(text), 5))
        .contains(new ArtifactContent("text", "ab\ud83d\ude00c", true));
    assertThat(parse("a.txt", "text/plain", utf8(text), 6))
        .contains(new ArtifactContent("text", text, false));
    assertThat(parse("a.txt", "text/plain", utf8("\ud83d\ude00"), 1))
        .contains(new ArtifactContent("text", "", true));
  }

  @Test
  void decodesMultiByteCharactersAcrossBufferBoundaries() {
    String text = "a\u00e9\u20ac\ud83d\ude00".repeat(9000); // ~90 KB, boundaries fall mid-character
    byte[] data = utf8(text);
    assertThat(parse("a.txt", "text/plain", data, MAX))
        .contains(new ArtifactContent("text", text, false));
    Optional<ArtifactContent> slow =
        parser.extract(new Request("a.txt", "text/plain", data.length, MAX, oneByteAtATime(data)));
    assertThat(slow).contains(new ArtifactContent("text", text, false));
  }

  @Test
  void wrongSizeHintStillReadsEverything() {
    String text = "x".repeat(50_000);
    TrackedStream stream = track(new ByteArrayInputStream(utf8(text)));
    Optional<ArtifactContent> content =
        parser.extract(new Request("a.txt", "text/plain", 0, MAX, () -> stream));
    assertThat(content).contains(new ArtifactContent("text", text, false));
  }

  @Test
  void largeStreamIsReadOnlyAsFarAsNeeded() {
    GeneratedStream stream = new GeneratedStream(50L * 1024 * 1024);
    opened.add(stream);
    Optional<ArtifactContent> content =
        parser.extract(new Request("big.log", "text/plain", stream.size, 1000, () -> stream));
    assertThat(content).isPresent();
    assertThat(content.get().type()).isEqualTo("text");
    assertThat(content.get().raw()).hasSize(1000).startsWith("line 0000000\n");
    assertThat(content.get().truncated()).isTrue();
    assertThat(stream.consumed).isLessThan(1024 * 1024);
    assertThat(stream.closed).isTrue();
  }

  @Test
  void largeJsonStreamIsTruncatedJson() {
    GeneratedStream stream = new GeneratedStream(50L * 1024 * 1024);
    opened.add(stream);
    Optional<ArtifactContent> content =
        parser.extract(new Request("big.json", "application/json", stream.size, 1000, () -> stream));
    assertThat(content.orElseThrow().type()).isEqualTo("json");
    assertThat(content.get().truncated()).isTrue();
    assertThat(stream.consumed).isLessThan(1024 * 1024);
  }

  // --- Streams and failures ---------------------------------------------------------------------

  @Test
  void closesTheStreamOnEveryOutcome() {
    parse("ok.txt", "text/plain", utf8("hello"), MAX);
    parse("cut.txt", "text/plain", utf8("hello"), 2);
    parse("bad.txt", "text/plain", bytes(0xFF), MAX); // strict UTF-8, sample, Windows-1252
    parse("bad.json", "application/json", utf8("{"), MAX);
    assertThat(opened).hasSize(6).allSatisfy(stream -> assertThat(stream.closed).isTrue());
  }

  @Test
  void readFailureBecomesStorageExceptionAndClosesTheStream() {
    IOException failure = new IOException("disk on fire");
    TrackedStream stream =
        track(
            new InputStream() {
              @Override
              public int read() throws IOException {
                throw failure;
              }
            });
    Request request = new Request("a.txt", "text/plain", 10, MAX, () -> stream);
    assertThatThrownBy(() -> parser.extract(request))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("a.txt")
        .hasCause(failure);
    assertThat(stream.closed).isTrue();
  }

  @Test
  void storageExceptionFromOpenerPropagatesUnchanged() {
    StorageException failure = new StorageException("backend down", true, null);
    Request request =
        new Request(
            "a.txt",
            "text/plain",
            10,
            MAX,
            () -> {
              throw failure;
            });
    assertThatThrownBy(() -> parser.extract(request)).isSameAs(failure);
  }

  // ---------------------------------------------------------------------------------------------

  private Optional<ArtifactContent> parse(
      String filename, String contentType, byte[] data, int maxChars) {
    return parser.extract(
        new Request(
            filename,
            contentType,
            data.length,
            maxChars,
            () -> track(new ByteArrayInputStream(data))));
  }

  private TrackedStream track(InputStream delegate) {
    TrackedStream stream = new TrackedStream(delegate);
    opened.add(stream);
    return stream;
  }

  /** Opens a stream that returns at most one byte per read call. */
  private ContentOpener oneByteAtATime(byte[] data) {
    return () ->
        track(
            new ByteArrayInputStream(data) {
              @Override
              public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
              }
            });
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(int... values) {
    byte[] result = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      result[i] = (byte) values[i];
    }
    return result;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** Records whether it was closed. */
  private static class TrackedStream extends InputStream {
    private final InputStream delegate;
    boolean closed;

    TrackedStream(InputStream delegate) {
      this.delegate = delegate;
    }

    @Override
    public int read() throws IOException {
      return delegate.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return delegate.read(b, off, len);
    }

    @Override
    public void close() throws IOException {
      closed = true;
      delegate.close();
    }
  }

  /**
   * Produces {@code size} bytes of ASCII lines ("line 0000000\n", ...) on demand, counting what is
   * consumed, without ever holding them in memory.
   */
  private static final class GeneratedStream extends TrackedStream {
    private static final int LINE = 13;
    final long size;
    long consumed;

    GeneratedStream(long size) {
      super(InputStream.nullInputStream());
      this.size = size;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (consumed >= size) {
        return -1;
      }
      int count = (int) Math.min(len, size - consumed);
      for (int i = 0; i < count; i++) {
        b[off + i] = byteAt(consumed + i);
      }
      consumed += count;
      return count;
    }

    private static byte byteAt(long position) {
      long line = position / LINE;
      int column = (int) (position % LINE);
      String text = String.format(Locale.ROOT, "line %07d\n", line % 10_000_000);
      return (byte) text.charAt(column);
    }
  }
}
