package dev.diskstore.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Helpers of full-text search: one document per artifact, written by {@link TextIndexer} after a
 * commit queued it ({@link dev.diskstore.spi.index.IndexSession.TextRows#enqueue}). The body is the
 * text of text files (their first
 * {@link UploadStream#INDEX_BYTES} bytes) or the extracted text of documents once a cacheable
 * parser has extracted it.
 */
final class TextIndex {
  private TextIndex() {}

  /**
   * Strict UTF-8 decoding of a file or, when not {@code complete}, of its prefix (where a
   * multi-byte sequence cut at the end is dropped). Null when the bytes are not text (invalid UTF-8
   * or a NUL character).
   */
  static @Nullable String decodeTextPrefix(byte[] bytes, boolean complete) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CoderResult result = decoder.decode(in, out, complete);
    if (result.isError() || in.remaining() > (complete ? 0 : 3)) {
      return null;
    }
    out.flip();
    String text = out.toString();
    if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
      text = text.substring(1);
    }
    return text.indexOf('\0') >= 0 ? null : text;
  }

  /**
   * The terms of a user's full-text query: every word or "quoted phrase", stripped, that has a
   * letter or digit (at most 64), all of which must occur. Empty when the query has no word. The
   * index turns them into its own query syntax, quoting each ({@link
   * dev.diskstore.spi.index.IndexSession.TextRows#search}).
   */
  static List<String> terms(String query) {
    List<String> terms = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean inQuotes = false;
    for (int i = 0; i < query.length(); i++) {
      char ch = query.charAt(i);
      if (ch == '"') {
        addTerm(terms, current);
        inQuotes = !inQuotes;
      } else if (!inQuotes && Character.isWhitespace(ch)) {
        addTerm(terms, current);
      } else {
        current.append(ch);
      }
    }
    addTerm(terms, current);
    return terms;
  }

  private static void addTerm(List<String> terms, StringBuilder term) {
    String t = term.toString().replace("\0", "").strip();
    term.setLength(0);
    if (t.isEmpty() || t.codePoints().noneMatch(Character::isLetterOrDigit) || terms.size() >= 64) {
      return;
    }
    terms.add(t);
  }
}
