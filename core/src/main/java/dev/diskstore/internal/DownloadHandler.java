package dev.diskstore.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.diskstore.ByteRange;
import dev.diskstore.CorruptContentException;
import dev.diskstore.StorageException;
import dev.diskstore.spi.BlobNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * Serves download URLs over Jetty core: checks the signed target ({@link UrlServer#check}), looks
 * the artifact up, and sends its bytes, whole or one range of them, without ever answering 200 or
 * 206 with bytes that are not the recorded ones.
 *
 * <p><b>Responses.</b> 200 (or 206 for a satisfiable single {@code Range}, see {@link
 * DownloadRange}) with {@code Content-Type}, {@code Content-Length}, {@code Content-Disposition:
 * attachment}, {@code X-Content-Type-Options: nosniff}, {@code Cache-Control: private,
 * max-age=<seconds left>}, {@code Accept-Ranges: bytes} and {@code ETag: "<etag>"} (plus {@code
 * Content-Range} on 206); 416 with {@code Content-Range: bytes *}{@code /<size>}; the refusals of
 * {@link UrlServer#check}; 404 when the artifact is gone or holds other bytes (another SHA-256 than
 * the signed one; a metadata-only change does not matter); 500 when the index or
 * the blob fails, or a small file's bytes are damaged. {@code HEAD} answers what {@code GET} would,
 * without a body and without opening the blob. Every response closes its connection.
 *
 * <p><b>Integrity.</b> A whole file of at most {@value #SMALL_FILE_BYTES} bytes is read completely
 * through the resolver's checked stream (size and SHA-256) before the status line goes out, so
 * damaged bytes give a 500. A larger file, or a range, is streamed with its {@code Content-Length},
 * but the last buffer is held back until the stream has reported its end (one more read returning
 * -1, which is where the checked stream verifies): if the bytes turn out damaged, or the blob ends
 * early, the connection is cut without them and the client sees a short body, never a complete one
 * with wrong bytes.
 *
 * <p><b>Replaced while opening.</b> When the blob disappears between the lookup and the open
 * ({@link BlobNotFoundException}: the artifact was replaced or deleted and its old blob collected),
 * the artifact is looked up again: other bytes or no artifact give the 404 the URL would get now;
 * only a blob still missing for the same bytes is a 500. (A blob that is still there when opened
 * holds the signed bytes, whatever happened to the artifact since: it is served.)
 *
 * <p><b>Threads.</b> Jetty calls {@link #handle} on a pool thread once a request head is complete;
 * the handler blocks that thread while it reads the blob and writes (Jetty's idle timeout bounds a
 * write to a client that stopped reading). Logs name the disk, path and filename, never the query
 * string, which is a bearer token. Thread-safe and stateless beyond its collaborators.
 */
final class DownloadHandler extends Handler.Abstract {
  private static final System.Logger LOG = new LazyLogger(UrlServer.class.getName());

  /** Whole files up to this size are verified before their status line is sent. */
  static final int SMALL_FILE_BYTES = 1024 * 1024;

  private static final int COPY_BUFFER_BYTES = 64 * 1024;

  private static final String REPLACED =
      "the artifact's bytes were replaced, moved or deleted since this link was issued";

  private final UrlServer signer;
  private final UrlResolver resolver;
  private final DownloadHeadDeadline headDeadline;

  DownloadHandler(UrlServer signer, UrlResolver resolver, DownloadHeadDeadline headDeadline) {
    super(InvocationType.BLOCKING);
    this.signer = signer;
    this.resolver = resolver;
    this.headDeadline = headDeadline;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    headDeadline.headReceived(request.getConnectionMetaData().getConnection());
    String rawPath = request.getHttpURI().getPath();
    // One request per connection: a download URL is fetched once, and the head deadline
    // (DownloadHeadDeadline) then covers every request the server reads.
    response.getHeaders().put(HttpHeader.CONNECTION, "close");
    try {
      serve(request, response);
      callback.succeeded();
    } catch (IOException e) {
      // Almost always the client going away or timing out mid-download.
      LOG.log(Level.DEBUG, "download request for " + rawPath + " ended early", e);
      callback.failed(e);
    } catch (CorruptContentException e) {
      LOG.log(Level.WARNING, "download of " + rawPath + " refused or cut: " + e.getMessage());
      fail(request, response, callback, e, "the stored bytes of this file are damaged");
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "download request for " + rawPath + " failed", e);
      fail(request, response, callback, e, "internal error while serving this download");
    }
    return true;
  }

  /**
   * Answers 500 if nothing was sent yet; otherwise fails the callback, which makes Jetty abort the
   * connection: the client sees a body shorter than its {@code Content-Length}.
   */
  private static void fail(
      Request request, Response response, Callback callback, Throwable failure, String message) {
    if (response.isCommitted()) {
      callback.failed(failure);
      return;
    }
    try {
      response.reset();
      respond(request, response, 500, message);
      callback.succeeded();
    } catch (IOException | RuntimeException e) {
      e.addSuppressed(failure);
      callback.failed(e);
    }
  }

  private void serve(Request request, Response response) throws IOException {
    String method = request.getMethod();
    UrlServer.Verdict verdict =
        signer.check(method, request.getHttpURI().getPath(), request.getHttpURI().getQuery());
    if (verdict instanceof UrlServer.Refused refused) {
      if (refused.status() == 405) {
        response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
      }
      respond(request, response, refused.status(), refused.message());
      return;
    }
    UrlServer.Granted granted = (UrlServer.Granted) verdict;
    Optional<UrlResolver.Served> found = lookUp(granted);
    if (found.isEmpty()) {
      respond(request, response, 404, "the artifact no longer exists");
      return;
    }
    UrlResolver.Served served = found.get();
    if (!served.sha256().equals(granted.sha256())) {
      respond(request, response, 404, REPLACED);
      return;
    }
    long size = served.sizeBytes();
    HttpFields headers = request.getHeaders();
    DownloadRange range =
        DownloadRange.of(
            headers.get(HttpHeader.RANGE), headers.get(HttpHeader.IF_RANGE), served.etag(), size);
    if (range instanceof DownloadRange.Unsatisfiable) {
      response.getHeaders().put(HttpHeader.ACCEPT_RANGES, DownloadRange.UNIT);
      response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes */" + size);
      respond(
          request,
          response,
          416,
          "the requested range is not within the file's " + size + " bytes");
      return;
    }
    DownloadRange.@Nullable Part part = range instanceof DownloadRange.Part p ? p : null;
    if (method.equals("HEAD")) {
      downloadHeaders(response, served, granted, part);
      Content.Sink.write(response, true, ByteBuffer.allocate(0));
      return;
    }
    ByteRange bytes = part == null ? ByteRange.from(0) : ByteRange.of(part.first(), part.length());
    Optional<InputStream> opened = open(served, granted, bytes);
    if (opened.isEmpty()) {
      respond(request, response, 404, REPLACED);
      return;
    }
    try (InputStream in = opened.get()) {
      if (part == null && size <= SMALL_FILE_BYTES) {
        byte[] body = readVerified(in, (int) size, granted);
        downloadHeaders(response, served, granted, null);
        Content.Sink.write(response, true, ByteBuffer.wrap(body));
      } else {
        downloadHeaders(response, served, granted, part);
        stream(in, response, part == null ? size : part.length(), granted);
      }
    }
  }

  private Optional<UrlResolver.Served> lookUp(UrlServer.Granted granted) {
    return resolver.resolve(
        granted.diskId(), granted.path(), granted.filename(), granted.version());
  }

  /**
   * Opens the bytes; empty when the blob vanished because the artifact was replaced or deleted
   * after the lookup (the URL's version no longer exists: a 404, as a moment later).
   */
  private Optional<InputStream> open(
      UrlResolver.Served served, UrlServer.Granted granted, ByteRange bytes) {
    try {
      return Optional.of(served.open(bytes));
    } catch (BlobNotFoundException e) {
      Optional<UrlResolver.Served> now = lookUp(granted);
      if (now.isEmpty() || !now.get().sha256().equals(granted.sha256())) {
        LOG.log(
            Level.DEBUG,
            "download of {0}{1} on disk {2}: replaced while opening; answering 404",
            granted.path(),
            granted.filename(),
            granted.diskId());
        return Optional.empty();
      }
      throw e; // the same bytes have no blob: a real fault
    }
  }

  /**
   * All {@code size} bytes, and the end of the stream: the read that returns -1 is where the
   * checked stream compares size and hash, throwing {@link CorruptContentException}.
   */
  private static byte[] readVerified(InputStream in, int size, UrlServer.Granted granted) {
    try {
      byte[] body = in.readNBytes(size);
      if (body.length < size || in.read() != -1) {
        throw new StorageException(
            "the blob of " + describe(granted) + " does not have its recorded " + size + " bytes",
            false,
            null);
      }
      return body;
    } catch (IOException e) {
      throw new StorageException("reading the blob of " + describe(granted) + " failed", e);
    }
  }

  /**
   * Writes exactly {@code length} bytes, holding each buffer back until the next read succeeded,
   * and the last one until the stream reported its end; throws (so that the connection is cut)
   * before the last buffer when the stream fails, ends early or has more bytes.
   */
  private static void stream(
      InputStream in, Response response, long length, UrlServer.Granted granted)
      throws IOException {
    byte[] held = new byte[COPY_BUFFER_BYTES];
    byte[] next = new byte[COPY_BUFFER_BYTES];
    long remaining = length;
    int heldLength = read(in, held, granted);
    while (true) {
      if (heldLength < 0) {
        throw cut(granted, "ended " + remaining + " bytes before the " + length + " to send");
      }
      if (heldLength > remaining) {
        throw cut(granted, "has more than the " + length + " bytes to send");
      }
      remaining -= heldLength;
      int nextLength = read(in, next, granted);
      if (remaining == 0 && nextLength >= 0) { // checked before the held bytes complete the body
        throw cut(granted, "has more than the " + length + " bytes to send");
      }
      boolean last = nextLength < 0 && remaining == 0;
      Content.Sink.write(response, last, ByteBuffer.wrap(held, 0, heldLength));
      if (last) {
        return;
      }
      byte[] swap = held;
      held = next;
      next = swap;
      heldLength = nextLength;
    }
  }

  private static StorageException cut(UrlServer.Granted granted, String problem) {
    return new StorageException(
        "the blob of " + describe(granted) + " " + problem + "; the download was cut", false, null);
  }

  /** Reads from the blob; an {@link IOException} here is the blob's fault, not the client's. */
  private static int read(InputStream in, byte[] buffer, UrlServer.Granted granted) {
    try {
      int n;
      do {
        n = in.read(buffer, 0, buffer.length);
      } while (n == 0);
      return n;
    } catch (IOException e) {
      throw new StorageException("reading the blob of " + describe(granted) + " failed", e);
    }
  }

  private static String describe(UrlServer.Granted granted) {
    return granted.path() + granted.filename() + " on disk " + granted.diskId();
  }

  private static void downloadHeaders(
      Response response,
      UrlResolver.Served served,
      UrlServer.Granted granted,
      DownloadRange.@Nullable Part part) {
    HttpFields.Mutable headers = response.getHeaders();
    long size = served.sizeBytes();
    response.setStatus(part == null ? 200 : 206);
    headers.put(HttpHeader.CONNECTION, "close");
    headers.put(HttpHeader.CONTENT_TYPE, UrlServer.safeContentType(served.contentType()));
    headers.put(HttpHeader.CONTENT_DISPOSITION, UrlServer.contentDisposition(granted.filename()));
    headers.put("X-Content-Type-Options", "nosniff");
    headers.put(HttpHeader.CACHE_CONTROL, "private, max-age=" + granted.maxAgeSeconds());
    headers.put(HttpHeader.ACCEPT_RANGES, DownloadRange.UNIT);
    String etag = DownloadRange.quoted(served.etag());
    if (!etag.isEmpty()) {
      headers.put(HttpHeader.ETAG, etag);
    }
    if (part != null) {
      headers.put(HttpHeader.CONTENT_RANGE, part.contentRange(size));
    }
    headers.put(HttpHeader.CONTENT_LENGTH, part == null ? size : part.length());
  }

  /** A short plain-text answer (errors and refusals); HEAD gets its headers only. */
  static void respond(Request request, Response response, int status, String message)
      throws IOException {
    byte[] body = (message + "\n").getBytes(UTF_8);
    HttpFields.Mutable headers = response.getHeaders();
    response.setStatus(status);
    headers.put(HttpHeader.CONNECTION, "close");
    headers.put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    headers.put("X-Content-Type-Options", "nosniff");
    headers.put(HttpHeader.CACHE_CONTROL, "no-store");
    headers.put(HttpHeader.CONTENT_LENGTH, body.length);
    boolean head = request.getMethod().equals("HEAD");
    Content.Sink.write(response, true, head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body));
  }
}
