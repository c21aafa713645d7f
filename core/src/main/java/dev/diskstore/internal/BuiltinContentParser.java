package dev.diskstore.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.diskstore.ArtifactContent;
import dev.diskstore.ContentUnavailable;
import dev.diskstore.StorageException;
import dev.diskstore.spi.ContentParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The core's content parser: returns the raw text of text, JSON, CSV and code files.
 *
 * <p><b>Which files.</b> The kind comes from the filename first (the same name table as {@link
 * BuiltinContentTypeDetector}, so {@code data.csv} uploaded as {@code application/vnd.ms-excel} is
 * still CSV) and, when the name says nothing textual, from the stored content type:
 *
 * <ul>
 *   <li>{@code json}: {@code application/json}, {@code text/json} and any {@code +json} type
 *       ({@code .json}, {@code .ipynb}, {@code .geojson});
 *   <li>{@code csv}: {@code text/csv}, {@code application/csv}, {@code
 *       text/tab-separated-values} ({@code .csv}, {@code .tsv});
 *   <li>{@code code}: programming, shell, build and query languages ({@code text/x-python}, {@code
 *       text/javascript}, {@code application/sql}, ...);
 *   <li>{@code text}: any other {@code text/*}, XML and {@code +xml} types (including SVG), YAML,
 *       TOML and JSON Lines ({@code application/x-ndjson}).
 * </ul>
 *
 * Everything else (PDF, images, archives, {@code application/octet-stream}) yields {@link
 * Optional#empty()} without opening the content.
 *
 * <p><b>Encodings.</b> A byte order mark decides the encoding (UTF-8, UTF-16BE/LE, UTF-32BE/LE)
 * and is dropped; without one the bytes are decoded as strict UTF-8 while streaming. When that
 * fails (invalid UTF-8 in the part that is read), the file is read again: with a byte order mark,
 * in its encoding with each invalid sequence replaced by U+FFFD ({@link ArtifactContent#lossy()});
 * without one, unless its first {@value #SAMPLE_BYTES} bytes hold a NUL byte, as UTF-8 with
 * replacements when those bytes are mostly UTF-8 ({@link #isMostlyUtf8}), else in the legacy
 * encoding the constructor's guesser picks (Windows-1252 by default: the superset of ISO-8859-1
 * that Western "ANSI" text uses; its five undefined bytes become U+FFFD), named in {@link
 * ArtifactContent#charset()}. Decoded text that looks binary (a NUL, more than 1 in 20 characters
 * being control characters, or more than 1 + 1 in 100 being U+FFFD; see {@link #looksBinary})
 * yields {@link Optional#empty()}: a binary file named {@code .txt} has no content, never garbage
 * text. At most {@code maxChars} characters are
 * decoded, so memory and bytes read are bounded by {@code maxChars} plus an 8 KiB buffer whatever
 * the file's size. When more text follows, exactly {@code maxChars} characters are returned with
 * {@code truncated = true}, or one fewer if the cut would split a surrogate pair. Bytes after the
 * cut are not read, so they are not checked.
 *
 * <p>JSON and CSV are returned raw, never re-serialised. CSV is not validated (ragged rows are
 * fine). A complete JSON text is checked with a streaming parser: if it is not exactly one valid
 * JSON value, it is returned as {@code text} instead of {@code json}; a truncated one is not
 * checked and stays {@code json}. An empty file is {@code text} with {@code raw = ""}.
 *
 * <p><b>Errors.</b> Bad content never throws. A failure to open or read the bytes is a storage
 * failure: a {@link StorageException} from the opener propagates as is, and an {@link IOException}
 * from the stream becomes a {@link StorageException}.
 *
 * <p><b>Resources.</b> {@link #parse} opens one stream per call for UTF-8 and marked text, and
 * for other text up to three, one after another (the strict pass, the {@value #SAMPLE_BYTES}-byte
 * sample, the lenient pass); it always closes each before opening the next. The sample is the
 * only memory beyond the bounds above.
 *
 * <p>Thread-safe if its legacy-charset guesser is (the default one is); {@link #INSTANCE} may be
 * shared.
 */
public final class BuiltinContentParser implements ContentParser {

  /** A shared instance; the class has no state. */
  public static final BuiltinContentParser INSTANCE = new BuiltinContentParser();

  private static final int BUFFER_BYTES = 8192;

  /** How many leading bytes a legacy-charset guess sees. */
  static final int SAMPLE_BYTES = 64 * 1024;

  private static final char REPLACEMENT = '\uFFFD';

  private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");
  private static final int MIN_CHAR_CAPACITY = 1024;

  private static final Set<String> JSON_TYPES = Set.of("application/json", "text/json");

  private static final Set<String> CSV_TYPES =
      Set.of(
          "text/csv",
          "application/csv",
          "text/x-csv",
          "text/comma-separated-values",
          "text/tab-separated-values");

  private static final Set<String> CODE_TYPES =
      Set.of(
          "text/x-python",
          "application/x-python",
          "text/x-script.python",
          "text/javascript",
          "application/javascript",
          "application/x-javascript",
          "application/ecmascript",
          "text/ecmascript",
          "text/jsx",
          "text/x-typescript",
          "text/typescript",
          "application/typescript",
          "text/x-java",
          "text/x-java-source",
          "text/x-kotlin",
          "text/x-scala",
          "text/x-groovy",
          "text/x-c",
          "text/x-csrc",
          "text/x-chdr",
          "text/x-c++",
          "text/x-c++src",
          "text/x-c++hdr",
          "text/x-csharp",
          "text/x-go",
          "text/x-rust",
          "text/x-ruby",
          "application/x-ruby",
          "text/x-php",
          "application/x-php",
          "application/x-httpd-php",
          "text/x-swift",
          "text/x-shellscript",
          "text/x-sh",
          "application/x-sh",
          "application/x-shellscript",
          "text/x-powershell",
          "text/x-msdos-batch",
          "application/sql",
          "text/x-sql",
          "text/x-r",
          "text/x-perl",
          "application/x-perl",
          "text/x-lua",
          "text/x-dart",
          "text/x-haskell",
          "text/x-elixir",
          "text/x-erlang",
          "text/x-clojure",
          "text/x-zig",
          "text/x-protobuf",
          "application/graphql",
          "text/x-vue",
          "text/x-svelte",
          "text/x-dockerfile",
          "text/x-makefile",
          "text/x-cmake");

  private static final Set<String> OTHER_TEXT_TYPES =
      Set.of(
          "application/xml",
          "application/yaml",
          "application/x-yaml",
          "application/toml",
          "application/x-toml",
          "application/x-ndjson",
          "application/jsonl",
          "application/x-jsonlines");

  /** Picks the encoding of text without a byte order mark that is not UTF-8; empty: Windows-1252. */
  private final Function<byte[], Optional<Charset>> legacyCharset;

  /** Creates a parser that reads legacy text as Windows-1252; prefer {@link #INSTANCE}. */
  public BuiltinContentParser() {
    this(sample -> Optional.empty());
  }

  /**
   * Creates a parser that asks {@code legacyCharset} for the encoding of text that has no byte
   * order mark and is not valid UTF-8. It gets up to the first {@value #SAMPLE_BYTES} bytes of
   * such a file (never one with a NUL byte) and returns the charset to decode it with, or empty
   * for Windows-1252. It must be thread-safe and must not throw.
   */
  public BuiltinContentParser(Function<byte[], Optional<Charset>> legacyCharset) {
    this.legacyCharset = Objects.requireNonNull(legacyCharset, "legacyCharset");
  }

  @Override
  public Result parse(Request request) {
    return extract(request)
        .<Result>map(Parsed::new)
        .orElseGet(
            () -> new Unavailable(
                ContentUnavailable.UNSUPPORTED,
                "not a text, JSON, CSV or code file, or its bytes look binary"));
  }

  /** The text of a text, JSON, CSV or code file, or empty. */
  Optional<ArtifactContent> extract(Request request) {
    Objects.requireNonNull(request, "request");
    String kind = kindOf(request.filename(), request.contentType());
    if (kind == null) {
      return Optional.empty();
    }
    Optional<DecodedText> decoded = decode(request);
    if (decoded.isEmpty()) {
      return Optional.empty();
    }
    DecodedText text = decoded.get();
    if (kind.equals(ArtifactContent.JSON) && !text.truncated() && !isSingleJsonValue(text.raw())) {
      kind = ArtifactContent.TEXT;
    }
    return Optional.of(
        new ArtifactContent(kind, text.raw(), text.truncated(), text.charset(), text.lossy()));
  }

  /**
   * The content kind ({@code text}, {@code json}, {@code csv}, {@code code}) for a filename and
   * stored media type, or null when this parser does not handle the file.
   */
  static @Nullable String kindOf(String filename, String contentType) {
    String byName =
        BuiltinContentTypeDetector.typeForFilename(filename)
            .map(BuiltinContentParser::kindOfType)
            .orElse(null);
    if (byName != null) {
      return byName;
    }
    return kindOfType(BuiltinContentTypeDetector.baseType(contentType));
  }

  /** The content kind of a bare lower-case media type, or null when it is not textual. */
  static @Nullable String kindOfType(String type) {
    if (JSON_TYPES.contains(type) || type.endsWith("+json")) {
      return ArtifactContent.JSON;
    }
    if (CSV_TYPES.contains(type)) {
      return ArtifactContent.CSV;
    }
    if (CODE_TYPES.contains(type)) {
      return ArtifactContent.CODE;
    }
    if (type.startsWith("text/") || type.endsWith("+xml") || OTHER_TEXT_TYPES.contains(type)) {
      return ArtifactContent.TEXT;
    }
    return null;
  }

  private record DecodedText(String raw, boolean truncated, String charset, boolean lossy) {}

  /** One decoding pass: the text, or null when a strict pass met invalid bytes. */
  private record Pass(@Nullable DecodedText text, boolean hadByteOrderMark) {}

  /**
   * The text of the content: by its byte order mark, else as strict UTF-8, else (when it does not
   * look binary) in the legacy encoding {@link #legacyCharset} picks, replacing what does not
   * decode. Empty when the content looks binary.
   */
  private Optional<DecodedText> decode(Request request) {
    Pass strict = decodePass(request, null, true);
    if (strict.text() != null) {
      return Optional.of(strict.text()).filter(text -> !looksBinary(text.raw()));
    }
    Optional<DecodedText> lenient;
    if (strict.hadByteOrderMark()) {
      lenient = Optional.ofNullable(decodePass(request, null, false).text());
    } else {
      byte[] sample = sample(request);
      if (indexOfNul(sample) >= 0) {
        return Optional.empty(); // binary (or BOM-less UTF-16/32, which no guess reads well)
      }
      Charset legacy =
          isMostlyUtf8(sample)
              ? StandardCharsets.UTF_8
              : legacyCharset.apply(sample).orElse(WINDOWS_1252);
      lenient = Optional.ofNullable(decodePass(request, legacy, false).text());
    }
    return lenient.filter(text -> !looksBinary(text.raw()));
  }

  /**
   * Streams the content through a decoder. With {@code legacy == null} the charset is the byte
   * order mark's (which is skipped) or UTF-8; otherwise it is {@code legacy} and the bytes are taken
   * as they are. A strict pass gives up at the first invalid byte sequence; a lenient one replaces
   * each by U+FFFD and marks the text lossy.
   */
  private static Pass decodePass(Request request, @Nullable Charset legacy, boolean strict) {
    int maxChars = request.maxChars();
    try (InputStream in = request.opener().open()) {
      ByteBuffer bytes = ByteBuffer.allocate(BUFFER_BYTES);
      bytes.flip(); // start empty, in read mode
      boolean endOfInput = false;
      while (!endOfInput && bytes.remaining() < 4) {
        endOfInput = fill(in, bytes);
      }
      Charset charset = legacy;
      boolean bom = false;
      if (charset == null) {
        charset = byteOrderMark(bytes);
        bom = charset != null;
        if (charset == null) {
          charset = StandardCharsets.UTF_8;
        }
      }
      CharsetDecoder decoder =
          charset
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT);
      // No supported encoding has more chars than bytes, so a known small size needs no regrowth.
      long sizeHint = Math.max(request.sizeBytes(), MIN_CHAR_CAPACITY);
      CharBuffer chars = CharBuffer.allocate((int) Math.min(maxChars, sizeHint));
      boolean lossy = false;
      while (true) {
        // At the end of input the decoder reports a truncated last sequence as malformed.
        CoderResult result = decoder.decode(bytes, chars, endOfInput);
        if (result.isError()) {
          if (strict) {
            return new Pass(null, bom);
          }
          if (!chars.hasRemaining()) {
            if (chars.capacity() < maxChars) {
              chars = grow(chars, maxChars);
              continue;
            }
            return new Pass(text(chars, true, charset, lossy), bom);
          }
          bytes.position(bytes.position() + result.length());
          chars.put(REPLACEMENT);
          lossy = true;
          continue;
        }
        if (result.isOverflow()) {
          if (chars.capacity() < maxChars) {
            chars = grow(chars, maxChars);
            continue;
          }
          // Input remains but the output is full (or has one slot left and the next character
          // is a surrogate pair, which the decoder never splits): more text follows.
          return new Pass(text(chars, true, charset, lossy), bom);
        }
        if (endOfInput) {
          break;
        }
        endOfInput = fill(in, bytes);
      }
      // None of these decoders buffers anything, so flush only confirms the end.
      if (decoder.flush(chars).isError() && strict) {
        return new Pass(null, bom);
      }
      return new Pass(text(chars, false, charset, lossy), bom);
    } catch (IOException e) {
      throw readFailure(request, e);
    } catch (UncheckedIOException e) {
      throw readFailure(request, e.getCause());
    }
  }

  private static DecodedText text(
      CharBuffer chars, boolean truncated, Charset charset, boolean lossy) {
    return new DecodedText(chars.flip().toString(), truncated, charset.name(), lossy);
  }

  /** Up to {@value #SAMPLE_BYTES} leading bytes, for the legacy-charset guess. */
  private static byte[] sample(Request request) {
    try (InputStream in = request.opener().open()) {
      return in.readNBytes(SAMPLE_BYTES);
    } catch (IOException e) {
      throw readFailure(request, e);
    } catch (UncheckedIOException e) {
      throw readFailure(request, e.getCause());
    }
  }

  /**
   * Whether {@code sample} reads as UTF-8 with a few stray bytes rather than as a legacy encoding:
   * it has at least as many well-formed multi-byte UTF-8 sequences as bytes that fit none. Text in
   * a single-byte encoding almost never has well-formed sequences (an accented letter followed by
   * an ASCII one never is), so a file of UTF-8 with one Latin-1 byte pasted in, or cut inside a
   * character, is read as UTF-8 with one U+FFFD instead of as Windows-1252 mojibake.
   */
  static boolean isMostlyUtf8(byte[] sample) {
    int wellFormed = 0;
    int stray = 0;
    int i = 0;
    while (i < sample.length) {
      int b = sample[i] & 0xFF;
      int length = b < 0x80 ? 1 : b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3
          : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
      if (length == 1) {
        i++;
        continue;
      }
      boolean complete = length > 0 && i + length <= sample.length;
      for (int k = 1; complete && k < length; k++) {
        complete = (sample[i + k] & 0xC0) == 0x80;
      }
      if (complete) {
        wellFormed++;
        i += length;
      } else {
        if (length == 0 || i + length <= sample.length) {
          stray++; // a sequence cut by the end of the sample is no evidence either way
        }
        i++;
      }
    }
    return wellFormed > 0 && wellFormed >= stray;
  }

  private static int indexOfNul(byte[] bytes) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Whether decoded text is really binary: it has a NUL, more than 1 in 20 of its characters are C0
   * controls other than tab, line feed, vertical tab, form feed, carriage return and escape, or
   * more than 1 + 1 in 100 are U+FFFD (random bytes behind a UTF-16 mark decode to about 3%; a
   * real file cut inside its last character has one).
   */
  static boolean looksBinary(String text) {
    int controls = 0;
    int replaced = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0) {
        return true;
      }
      if (c == REPLACEMENT) {
        replaced++;
      } else if (c < 0x20 && c != '\t' && c != '\n' && c != 0x0B && c != '\f' && c != '\r'
          && c != 0x1B) {
        controls++;
      }
    }
    return controls * 20L > text.length() || replaced > 1 + text.length() / 100;
  }

  /**
   * The charset a byte order mark at the start of {@code bytes} names, consuming the mark; null
   * (and nothing consumed) without one. UTF-32LE is checked before UTF-16LE, whose mark it
   * starts with.
   */
  private static @Nullable Charset byteOrderMark(ByteBuffer bytes) {
    int at = bytes.position();
    int n = bytes.remaining();
    int b0 = n > 0 ? bytes.get(at) & 0xFF : -1;
    int b1 = n > 1 ? bytes.get(at + 1) & 0xFF : -1;
    int b2 = n > 2 ? bytes.get(at + 2) & 0xFF : -1;
    int b3 = n > 3 ? bytes.get(at + 3) & 0xFF : -1;
    Charset charset = null;
    int length = 0;
    if (b0 == 0xEF && b1 == 0xBB && b2 == 0xBF) {
      charset = StandardCharsets.UTF_8;
      length = 3;
    } else if (b0 == 0x00 && b1 == 0x00 && b2 == 0xFE && b3 == 0xFF) {
      charset = Charset.forName("UTF-32BE");
      length = 4;
    } else if (b0 == 0xFF && b1 == 0xFE && b2 == 0x00 && b3 == 0x00) {
      charset = Charset.forName("UTF-32LE");
      length = 4;
    } else if (b0 == 0xFE && b1 == 0xFF) {
      charset = StandardCharsets.UTF_16BE;
      length = 2;
    } else if (b0 == 0xFF && b1 == 0xFE) {
      charset = StandardCharsets.UTF_16LE;
      length = 2;
    }
    bytes.position(at + length);
    return charset;
  }

  /**
   * Compacts {@code bytes} and reads once into its free space; returns true at the end of the
   * stream. Leaves {@code bytes} in read mode.
   */
  private static boolean fill(InputStream in, ByteBuffer bytes) throws IOException {
    bytes.compact();
    try {
      int read = 0;
      while (read == 0 && bytes.hasRemaining()) {
        read = in.read(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
      }
      if (read < 0) {
        return true;
      }
      bytes.position(bytes.position() + read);
      return false;
    } finally {
      bytes.flip();
    }
  }

  private static CharBuffer grow(CharBuffer chars, int maxChars) {
    int capacity = (int) Math.min(maxChars, Math.max(MIN_CHAR_CAPACITY, 2L * chars.capacity()));
    CharBuffer bigger = CharBuffer.allocate(capacity);
    chars.flip();
    bigger.put(chars);
    return bigger;
  }

  /** Whether {@code text} is exactly one JSON value, optionally surrounded by whitespace. */
  private static boolean isSingleJsonValue(String text) {
    try (JsonParser parser = Json.FACTORY.createParser(text)) {
      if (parser.nextToken() == null) {
        return false;
      }
      parser.skipChildren();
      return parser.nextToken() == null;
    } catch (IOException e) {
      // Parsing a String does no I/O: every failure here (a JacksonException) is bad JSON.
      return false;
    }
  }

  /**
   * The JSON factory, built on first use by the JVM's class initialisation (lazy and thread-safe):
   * text, Markdown, CSV and code never load Jackson's parser classes (about 15 ms on a cold JVM).
   * Thread-safe once configured. The input is already bounded by {@code maxChars}, so Jackson's
   * default length and depth limits would only turn valid documents into "text".
   */
  private static final class Json {
    private Json() {}

    static final JsonFactory FACTORY =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(Integer.MAX_VALUE)
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE)
                    .build())
            .build();
  }

  private static StorageException readFailure(Request request, @Nullable Throwable cause) {
    if (cause instanceof StorageException storage) {
      return storage;
    }
    return new StorageException(
        "failed to read the content of '" + request.filename() + "': " + cause, false, cause);
  }
}
