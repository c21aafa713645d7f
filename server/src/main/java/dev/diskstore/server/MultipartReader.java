package dev.diskstore.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.io.Content;
import org.jspecify.annotations.Nullable;

/**
 * Reads a {@code multipart/form-data} body in one pass, pulling from the request stream, with
 * Jetty's {@link MultiPart.Parser} doing the parsing: small fields are collected (bounded), the
 * file part is handed out as an {@link InputStream} that reads straight from the socket.
 *
 * <p><b>Memory.</b> One 64 KiB read buffer; the parser's content events are slices of it, and the
 * buffer is refilled only once they have all been consumed. Nothing is spooled to disk.
 *
 * <p><b>Fields after the file.</b> When the file part's stream reaches the end of the part, it
 * reads ahead to the end of the body before reporting end of stream: a {@code file_path}, {@code
 * meta} or second {@code file} part after the file makes the stream fail (so that the store,
 * which commits only after a clean end of stream, stores nothing) and {@link #misplacedPart()}
 * names it. Other trailing parts are skipped (at most {@link #MAX_TRAILING_BYTES}).
 *
 * <p>Not thread-safe: one request thread uses it.
 */
final class MultipartReader {
  static final int MAX_TRAILING_BYTES = 1024 * 1024;
  private static final int BUFFER_BYTES = 64 * 1024;

  /** Headers of a part: lower-cased names. */
  record PartHeaders(Map<String, String> headers) {
    @Nullable String name() {
      return ContentDisposition.param(headers.get("content-disposition"), "name");
    }

    @Nullable String filename() {
      return ContentDisposition.param(headers.get("content-disposition"), "filename");
    }
  }

  private sealed interface Event permits Begin, Data, End, Done {}

  private record Begin(PartHeaders headers) implements Event {}

  private record Data(ByteBuffer bytes) implements Event {}

  private record End() implements Event {}

  private record Done() implements Event {}

  private final InputStream raw;
  private final MultiPart.Parser parser;
  private final byte[] buffer = new byte[BUFFER_BYTES];
  private final ArrayDeque<Event> events = new ArrayDeque<>();
  private @Nullable Map<String, String> pending;
  private @Nullable Throwable failure;
  private boolean complete;
  private boolean rawEnded;
  private @Nullable String misplaced;

  MultipartReader(InputStream raw, String boundary) {
    this.raw = raw;
    this.parser =
        new MultiPart.Parser(
            boundary,
            new MultiPart.Parser.Listener() {
              @Override
              public void onPartBegin() {
                pending = new LinkedHashMap<>();
              }

              @Override
              public void onPartHeader(String name, String value) {
                if (pending != null) {
                  pending.put(name.toLowerCase(Locale.ROOT), value);
                }
              }

              @Override
              public void onPartHeaders() {
                events.add(new Begin(new PartHeaders(pending == null ? Map.of() : pending)));
                pending = null;
              }

              @Override
              public void onPartContent(Content.Chunk chunk) {
                ByteBuffer bytes = chunk.getByteBuffer();
                if (bytes.hasRemaining()) {
                  events.add(new Data(bytes.slice()));
                }
              }

              @Override
              public void onPartEnd() {
                events.add(new End());
              }

              @Override
              public void onComplete() {
                complete = true;
                events.add(new Done());
              }

              @Override
              public void onFailure(Throwable t) {
                failure = t;
              }
            });
  }

  /** The boundary of a {@code multipart/form-data} content type, if it is one. */
  static @Nullable String boundary(@Nullable String contentType) {
    if (contentType == null
        || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      return null;
    }
    String boundary = MultiPart.extractBoundary(contentType);
    return boundary == null || boundary.isEmpty() ? null : boundary;
  }

  /** The name of a part that came after the file although it must come before, if any. */
  @Nullable String misplacedPart() {
    return misplaced;
  }

  /** The headers of the next part, or null at the end of the body; skips unread content. */
  @Nullable PartHeaders nextPart() throws IOException {
    while (true) {
      Event e = next();
      if (e instanceof Begin b) {
        return b.headers();
      }
      if (e instanceof Done) {
        return null;
      }
    }
  }

  /** The rest of the current part's content, as UTF-8 text of at most {@code maxBytes}. */
  String readField(String name, int maxBytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      Event e = next();
      if (e instanceof Data d) {
        if (out.size() + d.bytes().remaining() > maxBytes) {
          throw new FieldTooLarge(name, maxBytes);
        }
        byte[] chunk = new byte[d.bytes().remaining()];
        d.bytes().get(chunk);
        out.write(chunk);
      } else if (e instanceof End) {
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
      } else {
        throw new IOException("the multipart body ended inside the part " + name);
      }
    }
  }

  /** A field larger than allowed. */
  static final class FieldTooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    FieldTooLarge(String name, int max) {
      super("the multipart field " + name + " is larger than " + max + " bytes");
    }
  }

  /** The current part's content; see the class comment for what happens at its end. */
  InputStream partStream() {
    return new InputStream() {
      private final byte[] one = new byte[1];
      private boolean ended;

      @Override
      public int read() throws IOException {
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (ended) {
          return -1;
        }
        if (len == 0) {
          return 0;
        }
        while (true) {
          Event e = peek();
          if (e instanceof Data d) {
            int n = Math.min(len, d.bytes().remaining());
            d.bytes().get(b, off, n);
            if (!d.bytes().hasRemaining()) {
              events.poll();
            }
            return n;
          }
          events.poll();
          if (e instanceof End) {
            readToEnd();
            ended = true;
            return -1;
          }
          throw new IOException("the multipart body ended inside the file part");
        }
      }
    };
  }

  /** After the file: the rest of the body must hold no field the upload needed before it. */
  private void readToEnd() throws IOException {
    long skipped = 0;
    while (true) {
      Event e = next();
      if (e instanceof Done) {
        return;
      }
      if (e instanceof Begin b) {
        String name = b.headers().name();
        if ("file_path".equals(name) || "meta".equals(name) || "file".equals(name)) {
          misplaced = name;
          throw new IOException("the multipart part " + name + " comes after the file part");
        }
      } else if (e instanceof Data d) {
        skipped += d.bytes().remaining();
        if (skipped > MAX_TRAILING_BYTES) {
          throw new IOException(
              "more than " + MAX_TRAILING_BYTES + " bytes of parts follow the file part");
        }
      }
    }
  }

  /**
   * Reads what follows the closing boundary (an epilogue, usually a CRLF), at most 64 KiB, so that
   * the connection can serve the next request; a longer epilogue is left to Jetty, which then
   * closes the connection.
   */
  void drainEpilogue() {
    try {
      long left = 64 * 1024;
      int n;
      while (left > 0 && (n = raw.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0) {
        left -= n;
      }
    } catch (IOException e) {
      // the upload is stored; a client that went away after its body is not an error
    }
  }

  private Event next() throws IOException {
    Event e = peek();
    events.poll();
    return e;
  }

  private Event peek() throws IOException {
    while (events.isEmpty()) {
      if (failure != null) {
        throw new IOException("malformed multipart body: " + failure.getMessage(), failure);
      }
      if (complete) {
        return new Done();
      }
      if (rawEnded) {
        throw new IOException("the multipart body ended before its closing boundary");
      }
      int n = raw.read(buffer);
      if (n < 0) {
        rawEnded = true;
        parser.parse(Content.Chunk.EOF);
      } else if (n > 0) {
        parser.parse(Content.Chunk.from(ByteBuffer.wrap(buffer, 0, n), false));
      }
    }
    if (failure != null && events.isEmpty()) {
      throw new IOException("malformed multipart body: " + failure.getMessage(), failure);
    }
    return events.peek();
  }
}
