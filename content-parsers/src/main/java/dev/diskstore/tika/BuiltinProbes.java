package dev.diskstore.tika;

import dev.diskstore.spi.BuiltinContent;
import dev.diskstore.spi.ContentParser;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Questions put to the core's built-in detector and parser, so that this module agrees with them
 * by construction instead of copying their tables. No I/O, no Tika; stateless and thread-safe.
 */
final class BuiltinProbes {
  private BuiltinProbes() {}

  static final String OCTET_STREAM = "application/octet-stream";

  /**
   * A head that matches no magic number and is not text: the built-in detector falls back to the
   * filename, and to {@code application/octet-stream} when it does not know the name.
   */
  private static final byte[] NOT_TEXT = {0};

  private static final ContentParser.ContentOpener EMPTY = InputStream::nullInputStream;

  /**
   * Whether the built-in parser handles a file of this name and stored media type (as text, JSON,
   * CSV or code). Asks the parser itself with an empty body: for such files it returns empty
   * content, for any other it returns "unsupported" without opening the content.
   */
  static boolean builtinReadsAsText(String filename, String contentType) {
    ContentParser.Request probe = new ContentParser.Request(filename, contentType, 0, 0, EMPTY);
    return BuiltinContent.parser().parse(probe) instanceof ContentParser.Parsed;
  }

  /** Whether the built-in parser handles a file of this name whatever its stored type. */
  static boolean builtinReadsNameAsText(String filename) {
    return builtinReadsAsText(filename, OCTET_STREAM);
  }

  /**
   * The media type the built-in detector gives the filename alone, or null if it does not know the
   * name.
   */
  static @Nullable String builtinTypeOfName(String filename) {
    String type = BuiltinContent.detector().detect(filename, NOT_TEXT, null);
    return type.equals(OCTET_STREAM) ? null : type;
  }

  /**
   * Whether {@code head} is JSON: one complete JSON object or array (surrounded by whitespace), or,
   * when the head fills the detector's 8 KiB window and may be cut, a valid beginning of one.
   */
  static boolean looksLikeJson(byte[] head) {
    int i = 0;
    if (head.length >= 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB
        && (head[2] & 0xFF) == 0xBF) {
      i = 3;
    }
    while (i < head.length && Character.isWhitespace(head[i])) {
      i++;
    }
    if (i >= head.length || (head[i] != '{' && head[i] != '[')) {
      return false;
    }
    try (JsonParser parser = Json.FACTORY.createParser(head, i, head.length - i)) {
      parser.nextToken();
      parser.skipChildren();
      return parser.nextToken() == null;
    } catch (JsonEOFException e) {
      return head.length >= HEAD_WINDOW;
    } catch (IOException e) {
      return false;
    }
  }

  /** The size of the head the core passes to detectors (a shorter head is the whole file). */
  static final int HEAD_WINDOW = 8 * 1024;

  /**
   * The JSON factory, built on first use by the JVM's class initialisation (lazy and thread-safe):
   * the other probes run on every upsert, and most files never need Jackson's parser classes
   * (about 15 ms to load on a cold JVM).
   */
  private static final class Json {
    private Json() {}

    static final JsonFactory FACTORY =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(Integer.MAX_VALUE).build())
            .build();
  }

  /**
   * Whether {@code head} looks like text: well-formed UTF-8 without NUL bytes. An incomplete
   * sequence at the very end is accepted, because the head may be cut inside a character (the
   * same rule as the built-in detector).
   */
  static boolean isText(byte[] head) {
    for (byte b : head) {
      if (b == 0) {
        return false;
      }
    }
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    // endOfInput=false: a sequence cut at the end is "underflow", not an error.
    return !decoder
        .decode(ByteBuffer.wrap(head), CharBuffer.allocate(head.length), false)
        .isError();
  }
}
