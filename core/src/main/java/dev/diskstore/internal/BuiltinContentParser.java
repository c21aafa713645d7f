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
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
 * <p><b>How.</b> The bytes are decoded as strict UTF-8 while streaming; invalid UTF-8 anywhere in
 * the part that is read yields {@link Optional#empty()} (a binary file named {@code .txt} has no
 * content). A leading UTF-8 byte order mark is dropped. At most {@code maxChars} characters are
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
 * <p><b>Resources.</b> {@link #parse} opens at most one stream per call and always closes it.
 *
 * <p>Stateless and thread-safe; {@link #INSTANCE} may be shared.
 */
public final class BuiltinContentParser implements ContentParser {

  /** A shared instance; the class has no state. */
  public static final BuiltinContentParser INSTANCE = new BuiltinContentParser();

  private static final int BUFFER_BYTES = 8192;
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

  /** Creates a parser; prefer {@link #INSTANCE}. */
  public BuiltinContentParser() {}

  @Override
  public Result parse(Request request) {
    return extract(request)
        .<Result>map(Parsed::new)
        .orElseGet(
            () -> new Unavailable(
                ContentUnavailable.UNSUPPORTED,
                "not a text, JSON, CSV or code file, or not valid UTF-8"));
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
    return Optional.of(new ArtifactContent(kind, text.raw(), text.truncated()));
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

  private record DecodedText(String raw, boolean truncated) {}

  /** Streams the content through a strict UTF-8 decoder; empty when the bytes are not UTF-8. */
  private static Optional<DecodedText> decode(Request request) {
    int maxChars = request.maxChars();
    try (InputStream in = request.opener().open()) {
      CharsetDecoder decoder =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT);
      ByteBuffer bytes = ByteBuffer.allocate(BUFFER_BYTES);
      bytes.flip(); // start empty, in read mode
      // UTF-8 text never has more chars than bytes, so a known small size needs no regrowth.
      long sizeHint = Math.max(request.sizeBytes(), MIN_CHAR_CAPACITY);
      CharBuffer chars = CharBuffer.allocate((int) Math.min(maxChars, sizeHint));

      boolean endOfInput = false;
      while (!endOfInput && bytes.remaining() < 3) {
        endOfInput = fill(in, bytes);
      }
      skipByteOrderMark(bytes);
      while (true) {
        CoderResult result = decoder.decode(bytes, chars, endOfInput);
        if (result.isError()) {
          return Optional.empty();
        }
        if (result.isOverflow()) {
          if (chars.capacity() < maxChars) {
            chars = grow(chars, maxChars);
            continue;
          }
          // Input remains but the output is full (or has one slot left and the next character
          // is a surrogate pair, which the decoder never splits): more text follows.
          return Optional.of(new DecodedText(chars.flip().toString(), true));
        }
        if (endOfInput) {
          break;
        }
        endOfInput = fill(in, bytes);
      }
      // A UTF-8 decoder buffers nothing, so flush only confirms the end.
      if (decoder.flush(chars).isError()) {
        return Optional.empty();
      }
      return Optional.of(new DecodedText(chars.flip().toString(), false));
    } catch (IOException e) {
      throw readFailure(request, e);
    } catch (UncheckedIOException e) {
      throw readFailure(request, e.getCause());
    }
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

  /** Drops a leading EF BB BF from the buffered bytes. */
  private static void skipByteOrderMark(ByteBuffer bytes) {
    int at = bytes.position();
    if (bytes.remaining() >= 3
        && (bytes.get(at) & 0xFF) == 0xEF
        && (bytes.get(at + 1) & 0xFF) == 0xBB
        && (bytes.get(at + 2) & 0xFF) == 0xBF) {
      bytes.position(at + 3);
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
