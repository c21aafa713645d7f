package dev.diskstore.tika;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.spi.BuiltinContent;
import dev.diskstore.tika.TikaContentTypeDetector.Detection;
import dev.diskstore.tika.TikaContentTypeDetector.Source;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link TikaContentTypeDetector} on real files (name + bytes), with the rule that decided each.
 * Writes the detection table (with what the built-in detector and Tika alone say) to {@code
 * target/detection-table.md}.
 */
class TikaContentTypeDetectorTest {

  private static final TikaContentTypeDetector DETECTOR = new TikaContentTypeDetector();
  private static final Pattern MEDIA_TYPE =
      Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*");
  private static final Map<String, String> TABLE = new TreeMap<>();

  private static final String DOCX =
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  private static final String XLSX =
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  private static final String PPTX =
      "application/vnd.openxmlformats-officedocument.presentationml.presentation";

  private static byte[] text(String s) {
    return s.getBytes(UTF_8);
  }

  private static Arguments file(
      String name, String bytesDescription, Supplier<byte[]> bytes, String type, Source source) {
    return Arguments.of(name, bytesDescription, bytes, type, source);
  }

  static Stream<Arguments> files() {
    byte[] png = Documents.withPrefix(Documents.bytes(0x89, 'P', 'N', 'G', 13, 10, 26, 10), 64, 1);
    byte[] jpeg = Documents.withPrefix(Documents.bytes(0xFF, 0xD8, 0xFF, 0xE0), 64, 2);
    byte[] mp3 = Documents.withPrefix(Documents.bytes('I', 'D', '3', 3, 0, 0), 64, 3);
    byte[] sqlite = Documents.withPrefix(text("SQLite format 3\0"), 100, 4);
    byte[] wasm = Documents.bytes(0, 'a', 's', 'm', 1, 0, 0, 0);
    String py = "#!/usr/bin/env python3\nimport sys\nprint(sys.argv)\n";
    String sh = "#!/bin/sh\necho hi\n";
    return Stream.of(
        // Documents
        file("report.pdf", "PDF", () -> Documents.pdf("x"), "application/pdf", Source.BUILTIN),
        file("notes.docx", "DOCX", () -> Documents.docx("x"), DOCX, Source.BUILTIN),
        file("budget.xlsx", "XLSX", () -> Documents.xlsx("s", List.of(List.of("x"))), XLSX,
            Source.BUILTIN),
        file("deck.pptx", "PPTX", () -> Documents.pptx("x"), PPTX, Source.BUILTIN),
        file("minutes.odt", "ODT", () -> Documents.odt("x"),
            "application/vnd.oasis.opendocument.text", Source.BUILTIN),
        file("book.epub", "EPUB", () -> Documents.epub("t", "h", "x"), "application/epub+zip",
            Source.BUILTIN),
        file("letter.rtf", "RTF", () -> Documents.rtf("b", "x"), "application/rtf",
            Source.BUILTIN),
        file("page.html", "HTML", () -> text("<!doctype html><p>x</p>"), "text/html",
            Source.BUILTIN),
        file("old.xls", "XLS (OLE2)", () -> Documents.xls("s", List.of(List.of("x"))),
            "application/vnd.ms-excel", Source.BUILTIN),
        file("old.ppt", "PPT (OLE2)", () -> Documents.ppt("x"), "application/vnd.ms-powerpoint",
            Source.BUILTIN),
        // Text, data and code: Tika alone gets several of these wrong
        file("notes.md", "Markdown", () -> text("# Title\n\ntext\n"), "text/markdown",
            Source.BUILTIN),
        file("data.json", "JSON", () -> text("{\"a\": [1, 2]}\n"), "application/json",
            Source.BUILTIN),
        file("table.csv", "CSV", () -> text("a,b\n1,2\n"), "text/csv", Source.BUILTIN),
        file("Main.java", "Java", () -> text("class Main {}\n"), "text/x-java", Source.BUILTIN),
        file("tool.py", "Python with env python3 shebang", () -> text(py), "text/x-python",
            Source.BUILTIN),
        file("lib.rs", "Rust", () -> text("fn main() {}\n"), "text/x-rust", Source.BUILTIN),
        file("app.ts", "TypeScript", () -> text("export const x = 1;\n"), "text/x-typescript",
            Source.BUILTIN),
        file("view.tsx", "TSX", () -> text("export const V = () => <div/>;\n"),
            "text/x-typescript", Source.BUILTIN),
        file("Cargo.toml", "TOML", () -> text("[package]\nname = \"x\"\n"), "application/toml",
            Source.BUILTIN),
        file("events.jsonl", "JSON Lines", () -> text("{\"a\":1}\n{\"a\":2}\n"),
            "application/x-ndjson", Source.BUILTIN),
        file("analysis.ipynb", "notebook JSON", () -> text("{\"cells\": []}\n"),
            "application/x-ipynb+json", Source.BUILTIN),
        file("config.yaml", "YAML", () -> text("a: 1\n"), "application/yaml", Source.BUILTIN),
        file("run", "shell script, no extension", () -> text(sh), "text/x-shellscript",
            Source.BUILTIN),
        file("Dockerfile", "Dockerfile", () -> text("FROM alpine\n"), "text/x-dockerfile",
            Source.BUILTIN),
        file("LICENSE", "text, no extension", () -> text("MIT License\n"), "text/plain",
            Source.BUILTIN),
        file("icon.svg", "SVG", () -> text("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            "image/svg+xml", Source.BUILTIN),
        // Binary formats by magic number
        file("photo.png", "PNG", () -> png, "image/png", Source.BUILTIN),
        file("photo.jpg", "JPEG", () -> jpeg, "image/jpeg", Source.BUILTIN),
        file("IMG_0001", "PNG, no extension", () -> png, "image/png", Source.BUILTIN),
        file("notes.txt", "PNG named .txt", () -> png, "image/png", Source.BUILTIN),
        file("song.mp3", "MP3 with ID3", () -> mp3, "audio/mpeg", Source.BUILTIN),
        file("archive.zip", "ZIP", () -> Documents.zip("a.txt", "x"), "application/zip",
            Source.BUILTIN),
        file("logs.gz", "gzip", () -> Documents.gzip(text("x")), "application/gzip",
            Source.BUILTIN),
        file("app.db", "SQLite", () -> sqlite, "application/vnd.sqlite3", Source.BUILTIN),
        file("module.wasm", "WebAssembly", () -> wasm, "application/wasm", Source.BUILTIN),
        file("download", "PDF, no extension", () -> Documents.pdf("x"), "application/pdf",
            Source.BUILTIN),
        // Override table (code and config the built-in table lacks)
        file("main.tf", "Terraform", () -> text("resource \"x\" \"y\" {}\n"), "text/x-hcl",
            Source.OVERRIDE),
        file("solve.jl", "Julia (Tika: Common Lisp)", () -> text("println(1)\n"),
            "text/x-julia", Source.OVERRIDE),
        file("CMakeLists.txt", "CMake", () -> text("project(x)\n"), "text/x-cmake",
            Source.OVERRIDE),
        file("Jenkinsfile", "Groovy pipeline", () -> text("pipeline {}\n"), "text/x-groovy",
            Source.OVERRIDE),
        file("styles.scss", "SCSS", () -> text("$c: red;\n"), "text/x-scss", Source.OVERRIDE),
        file(".env", "dotenv", () -> text("KEY=value\n"), "text/x-dotenv", Source.OVERRIDE),
        file("main.tf", "PNG named .tf", () -> png, "image/png", Source.BUILTIN),
        // JSON without a name
        file("payload", "JSON, no extension", () -> text("{\"ok\": true}"), "application/json",
            Source.SNIFF),
        file("response.body", "JSON array, unknown extension", () -> text("[1, 2, 3]\n"),
            "application/json", Source.SNIFF),
        // Tika: names and bytes the built-in detector does not know
        file("model.f90", "Fortran", () -> text("program x\nend program x\n"),
            "text/x-fortran", Source.TIKA),
        file("message.eml", "e-mail", () -> text(
                "From: a@example.com\nTo: b@example.com\nSubject: Hi\n\nBody\n"),
            "message/rfc822", Source.TIKA),
        file("feed.rss", "RSS", () -> text(
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel></channel></rss>"),
            "application/rss+xml", Source.TIKA),
        file("macros.xlsm", "XLSX bytes named .xlsm", () -> Documents.xlsx("s",
                List.of(List.of("x"))),
            XLSX, Source.TIKA),
        file("attachment.bin", "DOCX bytes, unknown extension", () -> Documents.docx("x"),
            DOCX, Source.TIKA),
        file("attachment", "XLS (OLE2), no extension", () -> Documents.xls("s",
                List.of(List.of("x"))),
            "application/vnd.ms-excel", Source.TIKA),
        file("blob", "random bytes, no extension", () -> Documents.withPrefix(new byte[0], 256, 9),
            "application/octet-stream", Source.BUILTIN),
        file("empty.weird", "empty", () -> new byte[0], "text/plain", Source.BUILTIN));
  }

  @ParameterizedTest(name = "{0} ({1}) -> {3} [{4}]")
  @MethodSource("files")
  void detectsByNameAndBytes(
      String name, String description, Supplier<byte[]> bytes, String type, Source source)
      throws IOException {
    byte[] head = Documents.head(bytes.get(), 8192);
    Detection detection = DETECTOR.detectWithSource(name, head, null);
    assertThat(detection).isEqualTo(new Detection(type, source));
    assertThat(DETECTOR.detect(name, head, null)).isEqualTo(type).matches(MEDIA_TYPE);
    TABLE.put(
        name + " " + description,
        "| `" + name + "` | " + description + " | `" + type + "` | " + source.name().toLowerCase()
            + " | `" + BuiltinContent.detector().detect(name, head, null) + "` | `"
            + TikaRuntime.detect(name, head) + "` |");
  }

  @AfterAll
  static void writeTable() throws IOException {
    if (TABLE.isEmpty()) {
      return;
    }
    List<String> lines = new ArrayList<>();
    lines.add("| file | bytes | detected | decided by | built-in alone | Tika alone |");
    lines.add("|---|---|---|---|---|---|");
    lines.addAll(TABLE.values());
    Path out = Path.of("target", "detection-table.md");
    Files.createDirectories(out.getParent());
    Files.write(out, lines, UTF_8);
    lines.forEach(System.out::println);
  }

  @Nested
  @DisplayName("Override table")
  class Overrides {

    static Stream<Arguments> entries() {
      List<Arguments> all = new ArrayList<>();
      CodeAndConfigTypes.extensions()
          .forEach((ext, entry) -> all.add(Arguments.of("file." + ext, entry.mediaType())));
      CodeAndConfigTypes.names()
          .forEach((name, entry) -> all.add(Arguments.of(name, entry.mediaType())));
      return all.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("entries")
    void everyEntryIsDetectedForText(String filename, String type) {
      byte[] head = text("x = 1\n");
      assertThat(DETECTOR.detectWithSource(filename, head, null))
          .isEqualTo(new Detection(type, Source.OVERRIDE));
      assertThat(DETECTOR.detectWithSource(filename.toUpperCase(), head, null).mediaType())
          .isEqualTo(type);
      // Binary bytes under the same name are not code.
      byte[] binary = Documents.withPrefix(new byte[] {0, 1, 2, 3}, 64, 5);
      assertThat(DETECTOR.detect(filename, binary, null)).isNotEqualTo(type);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void everyEntryIsSomethingTheBuiltInTablesDoNotAlreadyDecide(String filename, String type) {
      // Either the built-in detector does not know the name, or (CMakeLists.txt) only as plain text.
      String builtin = BuiltinProbes.builtinTypeOfName(filename);
      assertThat(builtin == null || builtin.equals("text/plain")).as(builtin).isTrue();
    }
  }

  @Nested
  @DisplayName("Declared content types")
  class Declared {

    @ParameterizedTest(name = "{0} declared {2} -> {3}")
    @CsvSource({
      // trusted when the bytes do not contradict it
      "payload.dat, text, application/vnd.diskstore.test+json, application/vnd.diskstore.test+json",
      "notes.md, text, text/x-markdown, text/x-markdown",
      "data.csv, text, 'text/csv; charset=utf-8', text/csv",
      "page, text, TEXT/HTML, text/html",
      "bundle.apk, zip, application/vnd.android.package-archive, "
          + "application/vnd.android.package-archive",
      "notes.docx, docx, " + DOCX + ", " + DOCX,
      "blob.bin, random, application/x-custom-binary, application/x-custom-binary",
      "empty.png, empty, image/png, image/png",
      // contradicted by the bytes: detection wins
      "data.csv, text, application/vnd.ms-excel, text/csv",
      "app.ts, text, video/mp2t, text/x-typescript",
      "notes.txt, text, application/pdf, text/plain",
      // ... also when the name says the same as the contradicted declaration
      "report.pdf, text, application/pdf, text/plain",
      "scan.png, text, image/png, text/plain",
      "letter.docx, text, " + DOCX + ", text/plain",
      "notes.md, png, text/markdown, image/png",
      "report.pdf, pdf, text/html, application/pdf",
      "photo.jpg, png, image/jpeg, image/png",
      "photo.png, png, application/json, image/png",
      // malformed or generic: ignored
      "notes.md, text, not a type, text/markdown",
      "notes.md, text, application/octet-stream, text/markdown",
      "notes.md, text, binary/octet-stream, text/markdown",
      "notes.md, text, text/plain, text/markdown"
    })
    void declaredTypePolicy(String filename, String bytes, String declared, String expected) {
      byte[] content = switch (bytes) {
        case "text" -> text("a,b\n1,2\n");
        case "zip" -> Documents.zip("AndroidManifest.xml", "<manifest/>");
        case "docx" -> Documents.docx("x");
        case "pdf" -> Documents.pdf("x");
        case "png" -> Documents.withPrefix(Documents.bytes(0x89, 'P', 'N', 'G', 13, 10, 26, 10),
            64, 1);
        case "random" -> Documents.withPrefix(new byte[] {1, 2, 3}, 256, 3);
        case "empty" -> new byte[0];
        default -> throw new IllegalArgumentException(bytes);
      };
      assertThat(DETECTOR.detect(filename, Documents.head(content, 8192), declared))
          .isEqualTo(expected);
    }

    @Test
    void binaryOnlyTypes() {
      assertThat(TikaContentTypeDetector.isBinaryOnly("image/png")).isTrue();
      assertThat(TikaContentTypeDetector.isBinaryOnly("image/svg+xml")).isFalse();
      assertThat(TikaContentTypeDetector.isBinaryOnly("application/vnd.ms-excel")).isTrue();
      assertThat(TikaContentTypeDetector.isBinaryOnly(XLSX)).isTrue();
      assertThat(TikaContentTypeDetector.isBinaryOnly("application/rtf")).isFalse();
      assertThat(TikaContentTypeDetector.isBinaryOnly("text/csv")).isFalse();
    }
  }

  @Test
  void jsonSniffAcceptsOnlyJson() {
    assertThat(BuiltinProbes.looksLikeJson(text("  {\"a\": {\"b\": [1, 2]}}  \n"))).isTrue();
    assertThat(BuiltinProbes.looksLikeJson(text("\uFEFF[1]"))).isTrue();
    assertThat(BuiltinProbes.looksLikeJson(text("{\"a\": 1} {\"a\": 2}"))).isFalse();
    assertThat(BuiltinProbes.looksLikeJson(text("{\"a\": "))).isFalse();
    assertThat(BuiltinProbes.looksLikeJson(text("{not json}"))).isFalse();
    assertThat(BuiltinProbes.looksLikeJson(text("42"))).isFalse();
    assertThat(BuiltinProbes.looksLikeJson(text("[1, 2, 3" + ", 4".repeat(3000))))
        .as("a valid start that fills the 8 KiB head window")
        .isTrue();
  }

  @Test
  void tikaAloneGetsTheseWrongAndTheDetectorDoesNot() throws IOException {
    // The quirks of tika-core 3.3.1's MIME database that the built-in table fixes.
    Map<String, String> cases = new TreeMap<>();
    cases.put("lib.rs", "text/x-rust");
    cases.put("app.ts", "text/x-typescript");
    cases.put("view.tsx", "text/x-typescript");
    cases.put("Cargo.toml", "application/toml");
    cases.put("events.jsonl", "application/x-ndjson");
    cases.put("analysis.ipynb", "application/x-ipynb+json");
    for (var c : cases.entrySet()) {
      byte[] head = text("x\n");
      assertThat(DETECTOR.detect(c.getKey(), head, null)).isEqualTo(c.getValue());
      assertThat(TikaRuntime.detect(c.getKey(), head)).as(c.getKey()).isNotEqualTo(c.getValue());
    }
    byte[] py = text("#!/usr/bin/env python3\nprint(1)\n");
    assertThat(TikaRuntime.detect("tool.py", py)).isEqualTo("application/x-sh");
    assertThat(DETECTOR.detect("tool.py", py, null)).isEqualTo("text/x-python");
    byte[] json = text("{\"a\": 1}");
    assertThat(TikaRuntime.detect("payload", json)).isEqualTo("text/plain");
    assertThat(DETECTOR.detect("payload", json, null)).isEqualTo("application/json");
  }
}
