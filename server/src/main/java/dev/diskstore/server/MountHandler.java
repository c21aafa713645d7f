package dev.diskstore.server;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A handler mounted with {@link DiskStoreServer.Builder#mount}: requests to its path (or below it)
 * are authenticated like the API's and handed to it with the caller's project in {@link
 * DiskStoreServer#PROJECT_ATTRIBUTE}; a request without a valid bearer token gets the API's 401.
 * Requests to other paths are declined ({@code false}), so the next handler of the sequence gets
 * them. Thread-safe; the wrapped handler is started and stopped with the server.
 */
final class MountHandler extends Handler.Wrapper {
  private final String path;
  private final Projects projects;
  private final HeadDeadline headDeadline;

  MountHandler(String path, Handler handler, Projects projects, HeadDeadline headDeadline) {
    super(handler);
    this.path = path;
    this.projects = projects;
    this.headDeadline = headDeadline;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String requested = request.getHttpURI().getPath();
    if (requested == null || !(requested.equals(path) || requested.startsWith(path + "/"))) {
      return false;
    }
    headDeadline.headReceived(request.getConnectionMetaData().getConnection());
    String project =
        projects.authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION)).orElse(null);
    if (project == null) {
      response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      ApiHandler.writeJson(response, 401, WireJson.error(401, "Unauthorized"), callback);
      return true;
    }
    request.setAttribute(DiskStoreServer.PROJECT_ATTRIBUTE, project);
    Handler next = getHandler();
    if (next == null || !next.handle(request, response, callback)) {
      ApiHandler.writeJson(
          response, 404, WireJson.error(404, "no such route: " + requested), callback);
    }
    return true;
  }
}
