package dev.diskstore.internal;

import dev.diskstore.spi.ContentTypeDetector;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The core's media-type detector: magic numbers, then a filename table, then a text/binary sniff.
 * It has no dependencies (the Tika-based detector lives in the content-parsers module).
 *
 * <p>Decision order for {@link #detect}:
 *
 * <ol>
 *   <li>A declared type wins unless the bytes clearly contradict it ({@link #bytesContradict}:
 *       text under a declared PDF, PNG, JPEG, GIF or ZIP-based type lacking its magic number, or
 *       a binary magic number under a declared text type); then detection decides. The engine
 *       passes {@code null} for generic ones; this class also ignores {@code
 *       application/octet-stream} and values that are not of the form {@code type/subtype}.
 *   <li>Magic numbers of binary formats in the head win over the name, so PNG bytes named {@code
 *       notes.txt} are {@code image/png}. Covered: PDF, PNG, JPEG, GIF, WebP, TIFF, ZIP (the
 *       extension, or an uncompressed leading {@code mimetype} entry as written by ODF and EPUB,
 *       picks the OOXML/ODF/EPUB/JAR subtype; otherwise {@code application/zip}), gzip, 7z, xz,
 *       zstd, RAR, tar, SQLite, WAV, AVI, MP3 with an ID3 tag, FLAC, Ogg, the MP4/QuickTime/HEIF
 *       family, Matroska/WebM, MPEG transport streams named {@code .ts}, WebAssembly, and native
 *       executables (ELF, Mach-O, PE, which map to {@code application/octet-stream}).
 *   <li>The filename: a few well-known names ({@code Dockerfile}, {@code Makefile}, shell rc
 *       files), then the extension table (case-insensitive, last extension only: {@code
 *       a.tar.gz} is gzip). A known code extension wins over a shebang. The same contradiction
 *       rule applies to the name: text named {@code report.pdf} is not a PDF (it goes on to the
 *       sniff below).
 *   <li>Unknown or missing extension: an empty head is {@code text/plain} (an empty file is
 *       trivially valid text, and it keeps "create an empty note, write it later" flows readable).
 *       A head that is valid UTF-8 without NUL bytes is text: a shebang names the language,
 *       {@code <?xml} gives {@code application/xml}, an HTML doctype or {@code <html} gives {@code
 *       text/html}, anything else {@code text/plain}. Any other head is {@code
 *       application/octet-stream}.
 * </ol>
 *
 * <p>The result is always a bare, lower-case base type without parameters (no {@code charset}).
 * Because the head may be cut at 8 KiB inside a multi-byte character, an incomplete UTF-8 sequence
 * at its very end is accepted.
 *
 * <p>Stateless and thread-safe; {@link #INSTANCE} may be shared.
 */
public final class BuiltinContentTypeDetector implements ContentTypeDetector {

  /** A shared instance; the class has no state. */
  public static final BuiltinContentTypeDetector INSTANCE = new BuiltinContentTypeDetector();

  static final String OCTET_STREAM = "application/octet-stream";
  static final String TEXT_PLAIN = "text/plain";

  private static final String DOCX =
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  private static final String XLSX =
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  private static final String PPTX =
      "application/vnd.openxmlformats-officedocument.presentationml.presentation";

  /** Lower-case extension (without the dot) to media type. */
  private static final Map<String, String> BY_EXTENSION = buildExtensionTable();

  /** Extensions of ZIP-based formats whose table type beats plain {@code application/zip}. */
  private static final Set<String> ZIP_BASED_EXTENSIONS =
      Set.of("docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "jar");

  /** Lower-case whole filenames that carry no useful extension. */
  private static final Map<String, String> BY_NAME =
      Map.of(
          "dockerfile", "text/x-dockerfile",
          "containerfile", "text/x-dockerfile",
          "makefile", "text/x-makefile",
          "gnumakefile", "text/x-makefile",
          ".bashrc", "text/x-shellscript",
          ".bash_profile", "text/x-shellscript",
          ".bash_aliases", "text/x-shellscript",
          ".zshrc", "text/x-shellscript",
          ".zprofile", "text/x-shellscript",
          ".profile", "text/x-shellscript");

  /** Interpreter named by a shebang (version suffix removed) to media type. */
  private static final Map<String, String> BY_INTERPRETER =
      Map.ofEntries(
          Map.entry("python", "text/x-python"),
          Map.entry("pypy", "text/x-python"),
          Map.entry("sh", "text/x-shellscript"),
          Map.entry("bash", "text/x-shellscript"),
          Map.entry("zsh", "text/x-shellscript"),
          Map.entry("dash", "text/x-shellscript"),
          Map.entry("ksh", "text/x-shellscript"),
          Map.entry("ash", "text/x-shellscript"),
          Map.entry("node", "text/javascript"),
          Map.entry("nodejs", "text/javascript"),
          Map.entry("deno", "text/javascript"),
          Map.entry("bun", "text/javascript"),
          Map.entry("ts-node", "text/x-typescript"),
          Map.entry("tsx", "text/x-typescript"),
          Map.entry("ruby", "text/x-ruby"),
          Map.entry("perl", "text/x-perl"),
          Map.entry("php", "text/x-php"),
          Map.entry("lua", "text/x-lua"),
          Map.entry("rscript", "text/x-r"));

  private static final Pattern MEDIA_TYPE =
      Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*");
  private static final Pattern VERSION_SUFFIX = Pattern.compile("[0-9.]+$");

  /** Creates a detector; prefer {@link #INSTANCE}. */
  public BuiltinContentTypeDetector() {}

  @Override
  public String detect(String filename, byte[] head, @Nullable String declaredType) {
    Objects.requireNonNull(filename, "filename");
    Objects.requireNonNull(head, "head");
    String extension = extension(filename);
    if (declaredType != null) {
      String declared = baseType(declaredType);
      if (!declared.equals(OCTET_STREAM)
          && MEDIA_TYPE.matcher(declared).matches()
          && !bytesContradict(declared, head, extension)) {
        return declared;
      }
    }
    String magic = detectMagic(head, extension);
    if (magic != null) {
      return magic;
    }
    Optional<String> byName = typeForFilename(filename);
    if (byName.isPresent() && !bytesContradict(byName.get(), head, extension)) {
      return byName.get();
    }
    return sniffUnknown(head);
  }

  /**
   * Whether the head clearly contradicts {@code type} (a declared type, or the type a filename
   * implies). Deliberately narrow, so that a declaration is overruled only on proof:
   *
   * <ul>
   *   <li>{@code type} is a format whose files always start with a magic number this class knows
   *       ({@link #magicBoundType}: PDF, PNG, JPEG, GIF, ZIP and the ZIP-based OOXML, OpenDocument,
   *       EPUB and JAR types), the head lacks it, and the head is text (well-formed UTF-8 without
   *       NUL bytes; {@link #isUtf8Text});
   *   <li>{@code type} is textual (what {@link BuiltinContentParser#kindOfType} reads as text,
   *       JSON, CSV or code) and the head starts with the magic number of a binary format.
   * </ul>
   *
   * An empty head contradicts nothing. Binary bytes without the declared format's magic number
   * (a damaged or unusual file, text in a legacy encoding) are not proof either.
   */
  static boolean bytesContradict(String type, byte[] head, String extension) {
    if (head.length == 0) {
      return false;
    }
    Boolean hasMagic = magicBoundType(type, head);
    if (hasMagic != null) {
      return !hasMagic && isUtf8Text(head);
    }
    return BuiltinContentParser.kindOfType(type) != null && detectMagic(head, extension) != null;
  }

  /**
   * For a format whose files always start with a known magic number: whether {@code head} starts
   * with it. Null for any other type.
   */
  private static @Nullable Boolean magicBoundType(String type, byte[] head) {
    switch (type) {
      case "application/pdf":
        return startsWith(head, 0, "%PDF-");
      case "image/png":
        return startsWith(head, 0, 0x89, 'P', 'N', 'G');
      case "image/jpeg":
        return startsWith(head, 0, 0xFF, 0xD8, 0xFF);
      case "image/gif":
        return startsWith(head, 0, "GIF8");
      case "application/zip":
      case "application/x-zip-compressed":
      case "application/epub+zip":
      case "application/java-archive":
      case DOCX:
      case XLSX:
      case PPTX:
      case "application/vnd.oasis.opendocument.text":
      case "application/vnd.oasis.opendocument.spreadsheet":
      case "application/vnd.oasis.opendocument.presentation":
        return startsWith(head, 0, 'P', 'K', 0x03, 0x04)
            || startsWith(head, 0, 'P', 'K', 0x05, 0x06)
            || startsWith(head, 0, 'P', 'K', 0x07, 0x08);
      default:
        return null;
    }
  }

  /**
   * The media type the filename alone implies: a well-known name, else the extension table.
   * Shared with {@link BuiltinContentParser} so that both agree on what a name means.
   */
  static Optional<String> typeForFilename(String filename) {
    String byName = BY_NAME.get(filename.toLowerCase(Locale.ROOT));
    if (byName != null) {
      return Optional.of(byName);
    }
    return Optional.ofNullable(BY_EXTENSION.get(extension(filename)));
  }

  /** The lower-case base type of a media type: parameters and surrounding blanks removed. */
  static String baseType(String mediaType) {
    int semicolon = mediaType.indexOf(';');
    String base = semicolon >= 0 ? mediaType.substring(0, semicolon) : mediaType;
    return base.strip().toLowerCase(Locale.ROOT);
  }

  /** The lower-case last extension without the dot, or "" (also for dot files like ".env"). */
  static String extension(String filename) {
    int dot = filename.lastIndexOf('.');
    if (dot <= 0 || dot == filename.length() - 1) {
      return "";
    }
    return filename.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  // ---------------------------------------------------------------------------------------------
  // Magic numbers

  private static @Nullable String detectMagic(byte[] head, String extension) {
    if (startsWith(head, 0, "%PDF-")) {
      return "application/pdf";
    }
    if (startsWith(head, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
      return "image/png";
    }
    if (startsWith(head, 0, 0xFF, 0xD8, 0xFF)) {
      return "image/jpeg";
    }
    if (startsWith(head, 0, "GIF87a") || startsWith(head, 0, "GIF89a")) {
      return "image/gif";
    }
    if (startsWith(head, 0, "RIFF") && head.length >= 12) {
      if (startsWith(head, 8, "WEBP")) {
        return "image/webp";
      }
      if (startsWith(head, 8, "WAVE")) {
        return "audio/wav";
      }
      if (startsWith(head, 8, "AVI ")) {
        return "video/x-msvideo";
      }
    }
    if (startsWith(head, 0, 'I', 'I', 0x2A, 0x00) || startsWith(head, 0, 'M', 'M', 0x00, 0x2A)) {
      return "image/tiff";
    }
    if (startsWith(head, 0, 'P', 'K', 0x03, 0x04)
        || startsWith(head, 0, 'P', 'K', 0x05, 0x06)
        || startsWith(head, 0, 'P', 'K', 0x07, 0x08)) {
      return zipSubtype(head, extension);
    }
    if (startsWith(head, 0, 0x1F, 0x8B)) {
      return "application/gzip";
    }
    if (startsWith(head, 0, '7', 'z', 0xBC, 0xAF, 0x27, 0x1C)) {
      return "application/x-7z-compressed";
    }
    if (startsWith(head, 0, 0xFD, '7', 'z', 'X', 'Z', 0x00)) {
      return "application/x-xz";
    }
    if (startsWith(head, 0, 0x28, 0xB5, 0x2F, 0xFD)) {
      return "application/zstd";
    }
    if (startsWith(head, 0, 'R', 'a', 'r', '!', 0x1A, 0x07)) {
      return "application/vnd.rar";
    }
    if (startsWith(head, 257, "ustar")) {
      return "application/x-tar";
    }
    if (startsWith(head, 0, "SQLite format 3\0")) {
      return "application/vnd.sqlite3";
    }
    // ID3v2 tag: "ID3", major version 2-4, revision 0. The two binary bytes keep text out.
    if (startsWith(head, 0, "ID3") && head.length >= 5 && head[3] >= 2 && head[3] <= 4
        && head[4] == 0) {
      return "audio/mpeg";
    }
    if (startsWith(head, 0, "fLaC")) {
      return "audio/flac";
    }
    if (startsWith(head, 0, "OggS", "\0")) {
      return mediaTypeByExtension(extension, "audio/ogg");
    }
    if (startsWith(head, 4, "ftyp") && head.length >= 12) {
      return isoMediaSubtype(head, extension);
    }
    if (startsWith(head, 0, 0x1A, 0x45, 0xDF, 0xA3)) {
      return indexOf(head, "webm", 64) >= 0 ? "video/webm" : "video/x-matroska";
    }
    // ".ts" is both TypeScript and MPEG transport stream (sync byte 0x47 every 188 bytes).
    if ((extension.equals("ts") || extension.equals("m2ts"))
        && startsWith(head, 0, 0x47)
        && (head.length <= 188 || (head[188] & 0xFF) == 0x47)
        && !isUtf8Text(head)) {
      return "video/mp2t";
    }
    if (startsWith(head, 0, 0x00, 'a', 's', 'm')) {
      return "application/wasm";
    }
    if (isExecutable(head)) {
      return OCTET_STREAM;
    }
    if (startsWith(head, 0, 0xCA, 0xFE, 0xBA, 0xBE)) {
      // Java class files and universal Mach-O binaries share this magic.
      return extension.equals("class") ? "application/java-vm" : OCTET_STREAM;
    }
    return null;
  }

  private static String zipSubtype(byte[] head, String extension) {
    String byExtension = BY_EXTENSION.get(extension);
    if (byExtension != null && ZIP_BASED_EXTENSIONS.contains(extension)) {
      return byExtension;
    }
    // ODF and EPUB store an uncompressed "mimetype" entry first whose data is the media type.
    if (head.length >= 30 && le16(head, 8) == 0) {
      int nameLength = le16(head, 26);
      int extraLength = le16(head, 28);
      long dataLength = le32(head, 18);
      int dataStart = 30 + nameLength + extraLength;
      if (nameLength == 8
          && startsWith(head, 30, "mimetype")
          && dataLength > 0
          && dataLength <= 100
          && dataStart + dataLength <= head.length) {
        String declared =
            new String(head, dataStart, (int) dataLength, StandardCharsets.US_ASCII)
                .toLowerCase(Locale.ROOT);
        if (MEDIA_TYPE.matcher(declared).matches()) {
          return declared;
        }
      }
    }
    return "application/zip";
  }

  /** ISO base media files (MP4, QuickTime, HEIF, AVIF): the major brand at offset 8 decides. */
  private static String isoMediaSubtype(byte[] head, String extension) {
    String brand = new String(head, 8, 4, StandardCharsets.ISO_8859_1);
    return switch (brand) {
      case "avif", "avis" -> "image/avif";
      case "heic", "heix", "heim", "heis", "mif1", "msf1" -> "image/heic";
      case "qt  " -> "video/quicktime";
      case "M4A ", "M4B " -> "audio/mp4";
      default -> mediaTypeByExtension(extension, "video/mp4");
    };
  }

  /** For containers shared by audio and video: the extension's type if it is one of those. */
  private static String mediaTypeByExtension(String extension, String fallback) {
    String byExtension = BY_EXTENSION.get(extension);
    if (byExtension != null
        && (byExtension.startsWith("audio/") || byExtension.startsWith("video/"))) {
      return byExtension;
    }
    return fallback;
  }

  private static boolean isExecutable(byte[] head) {
    if (startsWith(head, 0, 0x7F, 'E', 'L', 'F')) {
      return true;
    }
    if (startsWith(head, 0, 0xFE, 0xED, 0xFA, 0xCE)
        || startsWith(head, 0, 0xFE, 0xED, 0xFA, 0xCF)
        || startsWith(head, 0, 0xCE, 0xFA, 0xED, 0xFE)
        || startsWith(head, 0, 0xCF, 0xFA, 0xED, 0xFE)) {
      return true;
    }
    // "MZ" alone is too weak (plain text may start with it): require the PE signature it points to.
    if (startsWith(head, 0, "MZ") && head.length >= 0x40) {
      long peOffset = le32(head, 0x3C);
      return peOffset >= 0x40
          && peOffset <= head.length - 4
          && startsWith(head, (int) peOffset, 'P', 'E', 0x00, 0x00);
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // Unknown names: text or binary

  private static String sniffUnknown(byte[] head) {
    if (head.length == 0) {
      return TEXT_PLAIN;
    }
    if (!isUtf8Text(head)) {
      return OCTET_STREAM;
    }
    int start = startsWith(head, 0, 0xEF, 0xBB, 0xBF) ? 3 : 0;
    if (startsWith(head, start, "#!")) {
      String byInterpreter = shebangType(head, start + 2);
      return byInterpreter != null ? byInterpreter : TEXT_PLAIN;
    }
    while (start < head.length && isAsciiWhitespace(head[start])) {
      start++;
    }
    String prefix =
        new String(head, start, Math.min(head.length - start, 16), StandardCharsets.ISO_8859_1)
            .toLowerCase(Locale.ROOT);
    if (prefix.startsWith("<?xml")) {
      return "application/xml";
    }
    if (prefix.startsWith("<!doctype html") || prefix.startsWith("<html")) {
      return "text/html";
    }
    return TEXT_PLAIN;
  }

  /** The type named by a shebang line starting at {@code from} (just after "#!"), or null. */
  private static @Nullable String shebangType(byte[] head, int from) {
    int end = from;
    while (end < head.length && head[end] != '\n' && head[end] != '\r') {
      end++;
    }
    String line = new String(head, from, end - from, StandardCharsets.UTF_8).strip();
    String[] words = line.split("[ \t]+");
    if (words.length == 0 || words[0].isEmpty()) {
      return null;
    }
    String program = lastPathSegment(words[0]);
    int next = 1;
    if (program.equals("env")) {
      // "#!/usr/bin/env -S python3 -u", "#!/usr/bin/env FOO=1 node": skip options and assignments.
      while (next < words.length && (words[next].startsWith("-") || words[next].contains("="))) {
        next++;
      }
      if (next >= words.length) {
        return null;
      }
      program = lastPathSegment(words[next]);
    }
    String interpreter =
        VERSION_SUFFIX.matcher(program.toLowerCase(Locale.ROOT)).replaceFirst("");
    return BY_INTERPRETER.get(interpreter);
  }

  private static String lastPathSegment(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /**
   * Whether {@code head} is well-formed UTF-8 (no overlongs, surrogates or code points above
   * U+10FFFF) without NUL bytes. An incomplete but so far valid sequence at the very end is
   * accepted, because the head may have been cut inside a character.
   */
  static boolean isUtf8Text(byte[] head) {
    int i = 0;
    while (i < head.length) {
      int b = head[i] & 0xFF;
      if (b == 0) {
        return false;
      }
      if (b < 0x80) {
        i++;
        continue;
      }
      int length;
      int min2 = 0x80; // allowed range of the second byte, which rules out overlongs and surrogates
      int max2 = 0xBF;
      if (b >= 0xC2 && b <= 0xDF) {
        length = 2;
      } else if (b >= 0xE0 && b <= 0xEF) {
        length = 3;
        if (b == 0xE0) {
          min2 = 0xA0;
        } else if (b == 0xED) {
          max2 = 0x9F;
        }
      } else if (b >= 0xF0 && b <= 0xF4) {
        length = 4;
        if (b == 0xF0) {
          min2 = 0x90;
        } else if (b == 0xF4) {
          max2 = 0x8F;
        }
      } else {
        return false;
      }
      for (int k = 1; k < length; k++) {
        if (i + k >= head.length) {
          return true; // cut inside the last character: everything before it was valid
        }
        int c = head[i + k] & 0xFF;
        int lo = k == 1 ? min2 : 0x80;
        int hi = k == 1 ? max2 : 0xBF;
        if (c < lo || c > hi) {
          return false;
        }
      }
      i += length;
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Byte helpers

  private static boolean startsWith(byte[] data, int offset, int... expected) {
    if (offset < 0 || offset + expected.length > data.length) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      if ((data[offset + i] & 0xFF) != expected[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean startsWith(byte[] data, int offset, String ascii) {
    if (offset < 0 || offset + ascii.length() > data.length) {
      return false;
    }
    for (int i = 0; i < ascii.length(); i++) {
      if ((data[offset + i] & 0xFF) != ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean startsWith(byte[] data, int offset, String ascii, String more) {
    return startsWith(data, offset, ascii) && startsWith(data, offset + ascii.length(), more);
  }

  private static int indexOf(byte[] data, String ascii, int limit) {
    int end = Math.min(data.length, limit) - ascii.length();
    for (int i = 0; i <= end; i++) {
      if (startsWith(data, i, ascii)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isAsciiWhitespace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f';
  }

  private static int le16(byte[] data, int offset) {
    return (data[offset] & 0xFF) | (data[offset + 1] & 0xFF) << 8;
  }

  private static long le32(byte[] data, int offset) {
    return (data[offset] & 0xFFL)
        | (data[offset + 1] & 0xFFL) << 8
        | (data[offset + 2] & 0xFFL) << 16
        | (data[offset + 3] & 0xFFL) << 24;
  }

  // ---------------------------------------------------------------------------------------------
  // The extension table

  private static Map<String, String> buildExtensionTable() {
    Map<String, String> table = new HashMap<>();
    // Prose and markup
    put(table, "text/markdown", "md", "markdown");
    put(table, TEXT_PLAIN, "txt", "text", "log");
    put(table, "text/x-rst", "rst");
    put(table, "text/x-tex", "tex");
    put(table, "text/html", "html", "htm");
    put(table, "application/xhtml+xml", "xhtml");
    put(table, "text/css", "css");
    put(table, "application/xml", "xml");
    put(table, "image/svg+xml", "svg");
    put(table, "text/x-diff", "diff", "patch");
    put(table, "text/vtt", "vtt");
    put(table, "text/calendar", "ics");
    put(table, "application/rtf", "rtf");
    // Data and configuration
    put(table, "application/json", "json");
    put(table, "application/x-ndjson", "jsonl", "ndjson");
    put(table, "application/geo+json", "geojson");
    put(table, "application/x-ipynb+json", "ipynb");
    put(table, "text/csv", "csv");
    put(table, "text/tab-separated-values", "tsv");
    put(table, "application/yaml", "yaml", "yml");
    put(table, "application/toml", "toml");
    put(table, "text/x-ini", "ini", "cfg", "conf");
    put(table, "text/x-java-properties", "properties");
    // Code
    put(table, "text/x-python", "py", "pyw", "pyi");
    put(table, "text/javascript", "js", "mjs", "cjs");
    put(table, "text/jsx", "jsx");
    put(table, "text/x-typescript", "ts", "mts", "cts", "tsx");
    put(table, "text/x-java", "java");
    put(table, "text/x-kotlin", "kt", "kts");
    put(table, "text/x-scala", "scala", "sc");
    put(table, "text/x-groovy", "groovy", "gradle");
    put(table, "text/x-c", "c", "h");
    put(table, "text/x-c++", "cpp", "hpp", "cc", "cxx", "hh", "hxx");
    put(table, "text/x-csharp", "cs");
    put(table, "text/x-go", "go");
    put(table, "text/x-rust", "rs");
    put(table, "text/x-ruby", "rb");
    put(table, "text/x-php", "php");
    put(table, "text/x-swift", "swift");
    put(table, "text/x-shellscript", "sh", "bash", "zsh", "ksh");
    put(table, "text/x-powershell", "ps1", "psm1");
    put(table, "text/x-msdos-batch", "bat", "cmd");
    put(table, "application/sql", "sql");
    put(table, "text/x-r", "r");
    put(table, "text/x-perl", "pl", "pm");
    put(table, "text/x-lua", "lua");
    put(table, "text/x-dart", "dart");
    put(table, "text/x-haskell", "hs");
    put(table, "text/x-elixir", "ex", "exs");
    put(table, "text/x-erlang", "erl");
    put(table, "text/x-clojure", "clj", "cljs");
    put(table, "text/x-zig", "zig");
    put(table, "text/x-protobuf", "proto");
    put(table, "application/graphql", "graphql", "gql");
    put(table, "text/x-vue", "vue");
    put(table, "text/x-svelte", "svelte");
    put(table, "text/x-dockerfile", "dockerfile");
    put(table, "text/x-makefile", "mk");
    put(table, "text/x-cmake", "cmake");
    // Documents
    put(table, "application/pdf", "pdf");
    put(table, DOCX, "docx");
    put(table, XLSX, "xlsx");
    put(table, PPTX, "pptx");
    put(table, "application/msword", "doc");
    put(table, "application/vnd.ms-excel", "xls");
    put(table, "application/vnd.ms-powerpoint", "ppt");
    put(table, "application/vnd.oasis.opendocument.text", "odt");
    put(table, "application/vnd.oasis.opendocument.spreadsheet", "ods");
    put(table, "application/vnd.oasis.opendocument.presentation", "odp");
    put(table, "application/epub+zip", "epub");
    // Images
    put(table, "image/png", "png");
    put(table, "image/jpeg", "jpg", "jpeg");
    put(table, "image/gif", "gif");
    put(table, "image/webp", "webp");
    put(table, "image/bmp", "bmp");
    put(table, "image/tiff", "tif", "tiff");
    put(table, "image/avif", "avif");
    put(table, "image/heic", "heic");
    put(table, "image/vnd.microsoft.icon", "ico");
    // Audio and video
    put(table, "audio/mpeg", "mp3");
    put(table, "audio/mp4", "m4a");
    put(table, "audio/wav", "wav");
    put(table, "audio/ogg", "ogg", "oga", "opus");
    put(table, "audio/flac", "flac");
    put(table, "audio/aac", "aac");
    put(table, "video/mp4", "mp4", "m4v");
    put(table, "video/quicktime", "mov");
    put(table, "video/webm", "webm");
    put(table, "video/x-matroska", "mkv");
    put(table, "video/x-msvideo", "avi");
    put(table, "video/ogg", "ogv");
    put(table, "video/mp2t", "m2ts");
    // Archives and other binaries
    put(table, "application/zip", "zip");
    put(table, "application/gzip", "gz", "tgz");
    put(table, "application/x-tar", "tar");
    put(table, "application/x-7z-compressed", "7z");
    put(table, "application/x-bzip2", "bz2");
    put(table, "application/x-xz", "xz");
    put(table, "application/zstd", "zst");
    put(table, "application/vnd.rar", "rar");
    put(table, "application/java-archive", "jar");
    put(table, "application/java-vm", "class");
    put(table, "application/wasm", "wasm");
    put(table, "application/vnd.sqlite3", "sqlite", "sqlite3");
    put(table, "application/vnd.apache.parquet", "parquet");
    put(table, "font/ttf", "ttf");
    put(table, "font/otf", "otf");
    put(table, "font/woff", "woff");
    put(table, "font/woff2", "woff2");
    return Map.copyOf(table);
  }

  private static void put(Map<String, String> table, String mediaType, String... extensions) {
    for (String extension : extensions) {
      String previous = table.put(extension, mediaType);
      if (previous != null) {
        throw new IllegalStateException("duplicate extension " + extension);
      }
    }
  }

  /** The extension table, for tests and documentation. */
  static Map<String, String> extensionTable() {
    return BY_EXTENSION;
  }
}
