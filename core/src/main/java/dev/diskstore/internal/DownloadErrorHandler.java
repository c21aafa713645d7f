package dev.diskstore.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Answers the requests Jetty refuses before they reach {@link DownloadHandler} (unparseable request
 * lines, oversized heads, smuggling attempts) in the same plain form as the handler's own errors:
 * {@code text/plain}, {@code nosniff}, {@code no-store}, a one-line body naming the status and
 * nothing of the request (Jetty's default page echoes the URI, whose query is a bearer token).
 *
 * <p>An HTTP version this server does not speak (HTTP/0.9, {@code HTTP/2.0} on the HTTP/1.1 port)
 * is answered 400, not Jetty's 505: it is the client's request that is wrong, and no request to
 * this server is a 5xx unless the server itself failed. Stateless and thread-safe.
 */
final class DownloadErrorHandler implements Request.Handler {

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int status = response.getStatus();
    if (request.getAttribute(ErrorHandler.ERROR_EXCEPTION) instanceof HttpException refused) {
      status = refused.getCode();
    }
    if (status == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505) {
      status = HttpStatus.BAD_REQUEST_400;
    }
    if (status < 400) {
      status = HttpStatus.INTERNAL_SERVER_ERROR_500;
    }
    response.setStatus(status);
    byte[] body = (status + " " + HttpStatus.getMessage(status) + "\n").getBytes(UTF_8);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put(HttpHeader.CONNECTION, "close");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    boolean head = "HEAD".equals(request.getMethod());
    response.write(true, head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body), callback);
    return true;
  }
}
