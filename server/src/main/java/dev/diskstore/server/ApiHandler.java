package dev.diskstore.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diskstore.Artifact;
import dev.diskstore.ArtifactListing;
import dev.diskstore.ArtifactNotFoundException;
import dev.diskstore.ArtifactPage;
import dev.diskstore.ArtifactResult;
import dev.diskstore.ArtifactStream;
import dev.diskstore.ArtifactVersionPage;
import dev.diskstore.ByteRange;
import dev.diskstore.Disk;
import dev.diskstore.DiskListRequest;
import dev.diskstore.DiskNotFoundException;
import dev.diskstore.DiskPage;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreException;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import dev.diskstore.GrepOptions;
import dev.diskstore.GrepResult;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.Precondition;
import dev.diskstore.PreconditionFailedException;
import dev.diskstore.Query;
import dev.diskstore.QueryOptions;
import dev.diskstore.StorageException;
import dev.diskstore.StoreClosedException;
import dev.diskstore.UploadTooLargeException;
import dev.diskstore.TextHit;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.jspecify.annotations.Nullable;

/**
 * The Acontext {@code /api/v1} disk routes over a {@link DiskStore}, on Jetty 12 core: routing,
 * authentication, the project check, parameters, the JSON envelope and the mapping of DiskStore
 * exceptions to statuses. {@link #ROUTES} is the one list of routes (the OpenAPI test compares it
 * with the checked-in document).
 *
 * <p><b>Project isolation.</b> Every disk-scoped route first reads the disk ({@code
 * disks().find(id)}) and answers 404 "disk not found", exactly as for a missing disk, unless its
 * {@code projectId} is the caller's. The check and the operation that follows are two store calls,
 * not one transaction, and that is safe: disk ids are random UUIDs that are never reused and a
 * disk's project never changes, so the only thing that can happen in between is that the disk is
 * deleted, and then the operation fails with the store's own {@code DiskNotFoundException}, also a
 * 404.
 *
 * <p><b>Threads.</b> Jetty calls {@link #handle} on a pool thread once a request head is complete;
 * the handler blocks that thread while it reads the body and calls the store. Stateless beyond its
 * collaborators; thread-safe.
 */
final class ApiHandler extends Handler.Abstract {
  private static final System.Logger LOG = System.getLogger(DiskStoreServer.class.getName());

  static final String JSON = "application/json; charset=utf-8";

  /** Bytes of a JSON request body (PUT meta, move, query, create disk). */
  static final int MAX_JSON_BODY_BYTES = 1024 * 1024;

  /** Bytes of the {@code file_path} field of an upload. */
  static final int MAX_FILE_PATH_BYTES = 8 * 1024;

  /** Bytes of the {@code meta} field of an upload (the store's own limit is usually lower). */
  static final int MAX_META_FIELD_BYTES = 1024 * 1024;

  private static final int COPY_BUFFER_BYTES = 64 * 1024;

  /**
   * The Content-Security-Policy of stored bytes ({@code /download}, {@code /material}): a document
   * made of them gets an opaque origin, no script, plugin or form, and loads nothing.
   */
  static final String STORED_BYTES_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'";

  /** A route under the prefix; {@code {disk_id}} and {@code {token}} match one path segment. */
  record Route(String method, String template, boolean authenticated) {
    List<String> segments() {
      return List.of(template.substring(1).split("/", -1));
    }
  }

  /** Every route the server dispatches, relative to the prefix. */
  static final List<Route> ROUTES =
      List.of(
          new Route("GET", "/ping", false),
          new Route("GET", "/openapi.json", false),
          new Route("POST", "/disk", true),
          new Route("GET", "/disk", true),
          new Route("DELETE", "/disk/{disk_id}", true),
          new Route("POST", "/disk/{disk_id}/artifact", true),
          new Route("GET", "/disk/{disk_id}/artifact", true),
          new Route("PUT", "/disk/{disk_id}/artifact", true),
          new Route("DELETE", "/disk/{disk_id}/artifact", true),
          new Route("GET", "/disk/{disk_id}/artifact/ls", true),
          new Route("GET", "/disk/{disk_id}/artifact/grep", true),
          new Route("GET", "/disk/{disk_id}/artifact/glob", true),
          new Route("GET", "/disk/{disk_id}/artifact/download", true),
          new Route("POST", "/disk/{disk_id}/artifact/move", true),
          new Route("GET", "/disk/{disk_id}/artifact/search", true),
          new Route("POST", "/disk/{disk_id}/artifact/query", true),
          new Route("GET", "/disk/{disk_id}/artifact/versions", true),
          new Route("POST", "/disk/{disk_id}/artifact/restore", true),
          new Route("GET", "/material/{token}", false));

  private final DiskStore store;
  private final String prefix;
  private final Projects projects;
  private final @Nullable MaterialUrlSigner material;
  private final byte[] openApi;
  private final HeadDeadline headDeadline;

  ApiHandler(
      DiskStore store,
      String prefix,
      Projects projects,
      @Nullable MaterialUrlSigner material,
      byte[] openApi,
      HeadDeadline headDeadline) {
    super(InvocationType.BLOCKING);
    this.headDeadline = headDeadline;
    this.store = store;
    this.prefix = prefix;
    this.projects = projects;
    this.material = material;
    this.openApi = openApi;
  }

  /** One request being answered. */
  private record Call(
      Request request,
      Response response,
      Route route,
      List<String> segments,
      String project,
      Fields query) {
    @Nullable String param(String name) {
      Fields.Field f = query.get(name);
      return f == null ? null : f.getValue();
    }

    String diskId() {
      return segments.get(1);
    }
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    headDeadline.headReceived(request.getConnectionMetaData().getConnection());
    try {
      dispatch(request, response, callback);
    } catch (Throwable e) {
      int status = statusOf(e);
      String message = messageOf(e, status);
      if (status >= 500) {
        LOG.log(Level.WARNING, request.getMethod() + " " + routeName(request) + " failed", e);
      }
      if (response.isCommitted()) {
        callback.failed(e); // aborts the connection: the client sees a short body
      } else {
        try {
          response.reset();
          if (e instanceof PreconditionFailedException p && p.currentEtag() != null) {
            response.getHeaders().put(HttpHeader.ETAG, HttpRange.quoted(p.currentEtag()));
          }
          if (hasBody(request)) {
            // The body may be partly unread (an upload refused before or while reading it):
            // say so, or a client would reuse a connection the server is about to close.
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
          }
          if (e instanceof ApiError a) {
            a.headers().forEach((name, value) -> response.getHeaders().put(name, value));
            if (status == 405) {
              response.getHeaders().put(HttpHeader.ALLOW, allowed(request));
            }
          }
          writeJson(response, status, WireJson.error(status, message), callback);
        } catch (RuntimeException again) {
          again.addSuppressed(e);
          callback.failed(again);
        }
      }
    }
    return true;
  }

  /**
   * Refuses a request that changes something when a browser says it comes from another site: an
   * {@code Origin} header naming another host than the one the request was sent to (or {@code
   * null}), or {@code Sec-Fetch-Site: cross-site}. A page on any web site may make a browser send
   * "simple" cross-site {@code POST}s (a form, an upload) without asking; on a server with tokens
   * they carry no {@code Authorization} and are refused anyway, but a server without tokens (the
   * loopback default) would otherwise act on them. The SDKs, the CLI and other programs send no
   * {@code Origin}; the web view sends its own origin, which is the host it talks to. Reads are not
   * affected: a cross-site page cannot read the answers (no CORS headers are ever sent).
   */
  private static void refuseCrossSiteWrites(Request request) {
    String method = request.getMethod();
    if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
      return;
    }
    HttpFields h = request.getHeaders();
    if ("cross-site".equalsIgnoreCase(h.get("Sec-Fetch-Site"))) {
      throw new ApiError(403, "cross-site request refused (Sec-Fetch-Site: cross-site)");
    }
    String origin = h.get(HttpHeader.ORIGIN);
    if (origin == null) {
      return;
    }
    String originAuthority = authorityOf(origin);
    String host = h.get(HttpHeader.HOST);
    String forwarded = h.get("X-Forwarded-Host");
    boolean same = originAuthority != null
        && (originAuthority.equalsIgnoreCase(withDefaultPort(host, origin))
            || originAuthority.equalsIgnoreCase(withDefaultPort(forwarded, origin)));
    if (!same) {
      throw new ApiError(403, "cross-origin request refused: Origin " + origin
          + " is not this server (" + host + ")");
    }
  }

  /** {@code host:port} of an origin such as {@code http://127.0.0.1:8080}; null if malformed. */
  private static @Nullable String authorityOf(String origin) {
    try {
      java.net.URI uri = java.net.URI.create(origin.trim());
      if (uri.getHost() == null || uri.getScheme() == null) {
        return null;
      }
      int port = uri.getPort() != -1 ? uri.getPort() : defaultPort(uri.getScheme());
      return uri.getHost() + ":" + port;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** A {@code Host} value with the origin scheme's default port when it has none. */
  private static @Nullable String withDefaultPort(@Nullable String host, String origin) {
    if (host == null || host.isBlank()) {
      return null;
    }
    String h = host.trim();
    boolean hasPort = h.startsWith("[") ? h.contains("]:") : h.contains(":");
    if (hasPort) {
      return h;
    }
    String scheme = origin.trim().toLowerCase(java.util.Locale.ROOT).startsWith("https:")
        ? "https" : "http";
    return h + ":" + defaultPort(scheme);
  }

  private static int defaultPort(String scheme) {
    return scheme.equalsIgnoreCase("https") ? 443 : 80;
  }

  private static boolean hasBody(Request request) {
    HttpFields h = request.getHeaders();
    return h.contains(HttpHeader.TRANSFER_ENCODING) || h.getLongField(HttpHeader.CONTENT_LENGTH) > 0;
  }

  /** Path of a request without its query (which may carry a token), for logs. */
  private static String routeName(Request request) {
    return request.getHttpURI().getPath();
  }

  private void dispatch(Request request, Response response, Callback callback) throws Exception {
    String path = request.getHttpURI().getPath();
    if (path == null || !(path.equals(prefix) || path.startsWith(prefix + "/"))) {
      throw new ApiError(404, "no such route: " + path);
    }
    String rel = path.substring(prefix.length());
    List<String> segments = List.of((rel.isEmpty() ? "" : rel.substring(1)).split("/", -1));
    Route route = null;
    boolean pathMatched = false;
    for (Route r : ROUTES) {
      if (matches(r.segments(), segments)) {
        pathMatched = true;
        if (r.method().equals(request.getMethod())) {
          route = r;
          break;
        }
      }
    }
    if (route == null) {
      throw pathMatched
          ? new ApiError(405, "method " + request.getMethod() + " is not allowed on " + rel)
          : new ApiError(404, "no such route: " + rel);
    }
    refuseCrossSiteWrites(request);
    String project = "";
    if (route.authenticated()) {
      project =
          projects
              .authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION))
              .orElseThrow(() -> new ApiError(401, "Unauthorized"));
    }
    Fields query;
    try {
      query = Request.extractQueryParameters(request, UTF_8);
    } catch (RuntimeException e) {
      throw new ApiError(400, "the query string is not valid UTF-8 percent-encoding");
    }
    Call call = new Call(request, response, route, segments, project, query);
    switch (route.method() + " " + route.template()) {
      case "GET /ping" -> writeJson(response, 200, pong(), callback);
      case "GET /openapi.json" -> writeJson(response, 200, openApi, callback);
      case "POST /disk" -> created(call, callback, createDisk(call));
      case "GET /disk" -> ok(call, callback, listDisks(call));
      case "DELETE /disk/{disk_id}" -> deleteDisk(call, callback);
      case "POST /disk/{disk_id}/artifact" -> upsert(call, callback);
      case "GET /disk/{disk_id}/artifact" -> getArtifact(call, callback);
      case "PUT /disk/{disk_id}/artifact" -> updateArtifact(call, callback);
      case "DELETE /disk/{disk_id}/artifact" -> deleteArtifact(call, callback);
      case "GET /disk/{disk_id}/artifact/ls" -> ok(call, callback, ls(call));
      case "GET /disk/{disk_id}/artifact/grep" -> ok(call, callback, grep(call));
      case "GET /disk/{disk_id}/artifact/glob" -> ok(call, callback, glob(call));
      case "GET /disk/{disk_id}/artifact/download" -> download(call, callback);
      case "POST /disk/{disk_id}/artifact/move" -> move(call, callback);
      case "GET /disk/{disk_id}/artifact/search" -> ok(call, callback, fullText(call));
      case "POST /disk/{disk_id}/artifact/query" -> ok(call, callback, query(call));
      case "GET /disk/{disk_id}/artifact/versions" -> ok(call, callback, versions(call));
      case "POST /disk/{disk_id}/artifact/restore" -> restore(call, callback);
      case "GET /material/{token}" -> material(call, callback);
      default -> throw new IllegalStateException("route without a handler: " + route);
    }
  }

  private static boolean matches(List<String> template, List<String> segments) {
    if (template.size() != segments.size()) {
      return false;
    }
    for (int i = 0; i < template.size(); i++) {
      String t = template.get(i);
      String s = segments.get(i);
      if (t.startsWith("{") ? s.isEmpty() : !t.equals(s)) {
        return false;
      }
    }
    return true;
  }

  private String allowed(Request request) {
    String path = request.getHttpURI().getPath();
    String rel = path.substring(Math.min(prefix.length(), path.length()));
    List<String> segments = List.of((rel.isEmpty() ? "" : rel.substring(1)).split("/", -1));
    List<String> methods = new ArrayList<>();
    for (Route r : ROUTES) {
      if (matches(r.segments(), segments)) {
        methods.add(r.method());
      }
    }
    return String.join(", ", methods);
  }

  // ------------------------------------------------------------------ disks

  private static byte[] pong() {
    ObjectNode node = WireJson.MAPPER.createObjectNode();
    node.put("code", 0);
    node.put("msg", "pong");
    return WireJson.bytes(node);
  }

  private JsonNode createDisk(Call call) throws IOException {
    JsonNode body = readJson(call.request(), true);
    String user = null;
    if (body != null && body.hasNonNull("user")) {
      if (!body.get("user").isTextual()) {
        throw new ApiError(400, "user must be a string");
      }
      user = body.get("user").asText();
      if (user.isEmpty()) {
        user = null;
      }
    }
    return WireJson.disk(ProjectDisks.create(store, call.project(), user));
  }

  private JsonNode listDisks(Call call) {
    DiskListRequest.Builder b = DiskListRequest.builder();
    String limit = call.param("limit");
    if (limit != null) {
      b.limit(intParam("limit", limit));
    }
    String cursor = call.param("cursor");
    if (cursor != null && !cursor.isEmpty()) {
      b.cursor(cursor);
    }
    String timeDesc = call.param("time_desc");
    if (timeDesc != null) {
      b.timeDesc(boolParam("time_desc", timeDesc));
    }
    String user = call.param("user");
    if (user != null && !user.isEmpty()) {
      b.user(user);
    }
    DiskPage page = ProjectDisks.list(store, call.project(), b);
    ObjectNode node = WireJson.MAPPER.createObjectNode();
    ArrayNode items = node.putArray("items");
    for (Disk d : page.items()) {
      items.add(WireJson.disk(d));
    }
    node.put("has_more", page.hasMore());
    page.nextCursor().ifPresent(c -> node.put("next_cursor", c));
    return node;
  }

  private void deleteDisk(Call call, Callback callback) {
    requireDisk(call);
    store.disks().delete(call.diskId());
    writeJson(call.response(), 200, WireJson.success(null), callback);
  }

  /** The caller's disk, or a 404 that says the same as for a disk that does not exist. */
  private Disk requireDisk(Call call) {
    String id = call.diskId();
    Optional<Disk> disk = Optional.empty();
    if (id.length() <= 64 && id.chars().allMatch(c -> c < 128 && c != '%')) {
      disk = store.disks().find(id);
    }
    if (disk.isEmpty() || !disk.get().projectId().equals(call.project())) {
      throw new DiskNotFoundException(id);
    }
    return disk.get();
  }

  // ------------------------------------------------------------------ artifacts

  private void upsert(Call call, Callback callback) throws IOException {
    requireDisk(call);
    Request request = call.request();
    String boundary = MultipartReader.boundary(request.getHeaders().get(HttpHeader.CONTENT_TYPE));
    if (boundary == null) {
      throw new ApiError(400, "file is required: send a multipart/form-data body with a file part");
    }
    MultipartReader reader = new MultipartReader(Request.asInputStream(request), boundary);
    String filePath = null;
    String metaText = null;
    MultipartReader.PartHeaders file = null;
    try {
      for (MultipartReader.PartHeaders part = reader.nextPart();
          part != null;
          part = reader.nextPart()) {
        String name = part.name();
        if ("file".equals(name)) {
          file = part;
          break;
        } else if ("file_path".equals(name)) {
          filePath = reader.readField("file_path", MAX_FILE_PATH_BYTES);
        } else if ("meta".equals(name)) {
          metaText = reader.readField("meta", MAX_META_FIELD_BYTES);
        }
        // other parts are skipped, as Acontext ignores unknown form fields
      }
    } catch (MultipartReader.FieldTooLarge e) {
      throw new ApiError(413, e.getMessage());
    } catch (IOException e) {
      throw new ApiError(400, e.getMessage());
    }
    if (file == null) {
      throw new ApiError(400, "file is required: the multipart body has no part named file");
    }
    String filename = file.filename();
    if (filename == null || filename.isEmpty()) {
      throw new ApiError(400, "the file part has no filename");
    }
    Map<String, Object> meta = metaText == null || metaText.isEmpty() ? null : metaObject(metaText);
    String dir = uploadDirectory(filePath, filename);
    Precondition condition = precondition(request, true);
    Artifact artifact;
    try {
      artifact =
          store
              .disks()
              .artifacts()
              .upsert(
                  call.diskId(), FileUpload.of(filename, reader.partStream()), dir, meta, condition);
    } catch (DiskStoreException e) {
      if (reader.misplacedPart() != null) {
        throw new ApiError(
            400,
            "the multipart part "
                + reader.misplacedPart()
                + " comes after the file part; send file_path and meta before file (nothing was"
                + " stored)");
      }
      if (e instanceof StorageException && e.getCause() instanceof IOException io) {
        throw new ApiError(400, "the upload body could not be read: " + io.getMessage());
      }
      throw e;
    }
    reader.drainEpilogue();
    call.response().getHeaders().put(HttpHeader.ETAG, HttpRange.quoted(artifact.etag()));
    created(call, callback, WireJson.artifact(artifact));
  }

  /**
   * The directory of an upload's {@code file_path}. Acontext drops its last component ({@code
   * /docs} is stored at {@code /}), while the SDKs document {@code file_path} as the directory.
   * Here it is the directory ({@code /docs} is {@code /docs/}), except when its last component is
   * the uploaded file's name ({@code /test/test.txt} with {@code test.txt} is {@code /test/}, as
   * Acontext's own handler test expects).
   */
  static String uploadDirectory(@Nullable String filePath, String filename) {
    if (filePath == null || filePath.isEmpty()) {
      return "/";
    }
    if (filePath.endsWith("/" + filename)) {
      return filePath.substring(0, filePath.length() - filename.length());
    }
    if (filePath.equals(filename)) {
      return "/";
    }
    return filePath;
  }

  private static Map<String, Object> metaObject(String text) {
    JsonNode node;
    try {
      node = WireJson.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ApiError(400, "invalid meta JSON format: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new ApiError(400, "invalid meta JSON format: meta must be a JSON object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = WireJson.MAPPER.convertValue(node, Map.class);
    return map;
  }

  /** {@code <dir>/<name>} split into directory and filename. */
  private record FullPath(String dir, String name) {}

  private static FullPath fullPath(@Nullable String filePath, String param) {
    if (filePath == null || filePath.isEmpty()) {
      throw new ApiError(400, param + " is required (<directory>/<filename>)");
    }
    int slash = filePath.lastIndexOf('/');
    String dir = slash < 0 ? "/" : filePath.substring(0, slash + 1);
    String name = filePath.substring(slash + 1);
    if (name.isEmpty()) {
      throw new ApiError(
          400, param + " must name a file (<directory>/<filename>), not a directory: " + filePath);
    }
    return new FullPath(dir, name);
  }

  private void getArtifact(Call call, Callback callback) {
    requireDisk(call);
    FullPath fp = fullPath(call.param("file_path"), "file_path");
    GetOptions.Builder options = GetOptions.builder().withPublicUrl(true).withContent(true);
    String withUrl = call.param("with_public_url");
    if (withUrl != null) {
      options.withPublicUrl(boolParam("with_public_url", withUrl));
    }
    String withContent = call.param("with_content");
    if (withContent != null) {
      options.withContent(boolParam("with_content", withContent));
    }
    String expire = call.param("expire");
    if (expire != null) {
      options.expireSeconds(intParam("expire", expire));
    }
    versionParam(call).ifPresent(options::version);
    ArtifactResult result =
        store.disks().artifacts().get(call.diskId(), fp.dir(), fp.name(), options.build());
    ObjectNode data = WireJson.MAPPER.createObjectNode();
    data.set("artifact", WireJson.artifact(result.artifact()));
    result.publicUrl().ifPresent(u -> data.put("public_url", u.toString()));
    result
        .content()
        .ifPresent(
            c -> {
              ObjectNode content = data.putObject("content");
              content.put("type", c.type());
              content.put("raw", c.raw());
              if (c.truncated()) {
                content.put("truncated", true);
              }
              // extensions: the encoding the text was decoded from, and whether bytes invalid
              // in it were replaced (U+FFFD)
              content.put("charset", c.charset());
              if (c.lossy()) {
                content.put("lossy", true);
              }
            });
    // extension: why there is no content although it was asked for (unsupported, encrypted, ...)
    result.contentUnavailable().ifPresent(u -> data.put("content_unavailable", u.wireName()));
    call.response().getHeaders().put(HttpHeader.ETAG, HttpRange.quoted(result.artifact().etag()));
    ok(call, callback, data);
  }

  private void updateArtifact(Call call, Callback callback) throws IOException {
    requireDisk(call);
    JsonNode body = readJson(call.request(), false);
    if (body == null || !body.isObject()) {
      throw new ApiError(400, "a JSON object {\"file_path\", \"meta\"} is required");
    }
    FullPath fp = fullPath(text(body, "file_path"), "file_path");
    JsonNode metaNode = body.get("meta");
    Map<String, Object> meta;
    if (metaNode == null || metaNode.isNull()) {
      throw new ApiError(400, "meta is required (a JSON object encoded as a string)");
    } else if (metaNode.isTextual()) {
      meta = metaObject(metaNode.asText());
    } else if (metaNode.isObject()) {
      meta = metaObject(metaNode.toString()); // lenient: an object is taken as is
    } else {
      throw new ApiError(400, "meta must be a JSON object encoded as a string");
    }
    Artifact artifact =
        store
            .disks()
            .artifacts()
            .update(call.diskId(), fp.dir(), fp.name(), meta, precondition(call.request(), false));
    ObjectNode data = WireJson.MAPPER.createObjectNode();
    data.set("artifact", WireJson.artifact(artifact));
    call.response().getHeaders().put(HttpHeader.ETAG, HttpRange.quoted(artifact.etag()));
    ok(call, callback, data);
  }

  private void deleteArtifact(Call call, Callback callback) {
    requireDisk(call);
    FullPath fp = fullPath(call.param("file_path"), "file_path");
    store
        .disks()
        .artifacts()
        .delete(call.diskId(), fp.dir(), fp.name(), precondition(call.request(), false));
    writeJson(call.response(), 200, WireJson.success(null), callback);
  }

  private JsonNode ls(Call call) {
    requireDisk(call);
    String param = call.param("path");
    String path = param == null || param.isEmpty() ? "/" : param;
    String limit = call.param("limit");
    String cursor = call.param("cursor");
    boolean paged = (limit != null && !limit.isEmpty()) || (cursor != null && !cursor.isEmpty());
    ArtifactListing listing =
        paged
            ? store
                .disks()
                .artifacts()
                .list(
                    call.diskId(),
                    path,
                    boundedInt("limit", limit, 1, 1000, 100),
                    cursor == null || cursor.isEmpty() ? null : cursor)
            : store.disks().artifacts().list(call.diskId(), path);
    ObjectNode data = WireJson.MAPPER.createObjectNode();
    data.set("artifacts", WireJson.artifacts(listing.artifacts()));
    ArrayNode dirs = data.putArray("directories");
    listing.directories().forEach(dirs::add);
    if (paged) {
      // extension: one page, directories first, then files (Artifacts.list with a limit)
      data.put("has_more", listing.hasMore());
      listing.nextCursor().ifPresent(c -> data.put("next_cursor", c));
    }
    return data;
  }

  private JsonNode grep(Call call) {
    requireDisk(call);
    String query = requiredParam(call, "query");
    int limit = limitParam(call);
    String lines = call.param("matches_per_file");
    boolean withLines = lines != null && !lines.isEmpty();
    int perFile = withLines ? boundedInt("matches_per_file", lines, 1, 100, 1) : 1;
    GrepResult result =
        store
            .search()
            .grep(
                call.diskId(),
                query,
                GrepOptions.builder().caseInsensitive(true).maxFiles(limit)
                    .maxMatchesPerFile(perFile).build());
    ArrayNode files = WireJson.MAPPER.createArrayNode();
    for (GrepResult.FileMatches f : result.files()) {
      ObjectNode artifact = WireJson.artifact(f.artifact());
      if (withLines) {
        // extension: the matching lines, beside the artifact's own fields
        ArrayNode matches = artifact.putArray("matches");
        for (GrepResult.LineMatch m : f.matches()) {
          ObjectNode line = matches.addObject();
          line.put("line_number", m.lineNumber());
          line.put("line", m.line());
        }
        artifact.put("more_matches", f.moreMatches());
      }
      files.add(artifact);
    }
    return files;
  }

  private JsonNode glob(Call call) {
    requireDisk(call);
    String query = requiredParam(call, "query");
    return WireJson.artifacts(store.search().glob(call.diskId(), query, limitParam(call)));
  }

  private JsonNode fullText(Call call) {
    requireDisk(call);
    String query = requiredParam(call, "query");
    ArrayNode hits = WireJson.MAPPER.createArrayNode();
    for (TextHit hit : store.search().fullText(call.diskId(), query, limitParam(call))) {
      ObjectNode h = hits.addObject();
      h.set("artifact", WireJson.artifact(hit.artifact()));
      h.put("score", hit.score());
      h.put("snippet", hit.snippet());
    }
    return hits;
  }

  private JsonNode query(Call call) throws IOException {
    requireDisk(call);
    JsonNode body = readJson(call.request(), false);
    if (body == null || !body.isObject()) {
      throw new ApiError(400, "a JSON object {\"query\", \"limit\"?, \"cursor\"?} is required");
    }
    Query query = body.has("query") ? QueryJson.parse(body.get("query")) : Query.all();
    QueryOptions.Builder options = QueryOptions.builder();
    if (body.hasNonNull("limit")) {
      if (!body.get("limit").canConvertToInt()) {
        throw new ApiError(400, "limit must be an integer");
      }
      options.limit(body.get("limit").asInt());
    }
    if (body.hasNonNull("cursor")) {
      options.cursor(body.get("cursor").asText());
    }
    ArtifactPage page = store.search().query(call.diskId(), query, options.build());
    ObjectNode data = WireJson.MAPPER.createObjectNode();
    data.set("items", WireJson.artifacts(page.items()));
    data.put("has_more", page.hasMore());
    page.nextCursor().ifPresent(c -> data.put("next_cursor", c));
    return data;
  }

  /** Extension: an artifact's versions, newest first, a page at a time. */
  private JsonNode versions(Call call) {
    requireDisk(call);
    FullPath fp = fullPath(call.param("file_path"), "file_path");
    String cursor = call.param("cursor");
    ArtifactVersionPage page =
        store
            .disks()
            .artifacts()
            .versions(
                call.diskId(),
                fp.dir(),
                fp.name(),
                boundedInt("limit", call.param("limit"), 1, 1000, 100),
                cursor == null || cursor.isEmpty() ? null : cursor);
    ObjectNode data = WireJson.MAPPER.createObjectNode();
    ArrayNode items = data.putArray("items");
    page.items().forEach(v -> items.add(WireJson.version(v)));
    data.put("has_more", page.hasMore());
    page.nextCursor().ifPresent(c -> data.put("next_cursor", c));
    return data;
  }

  /** Extension: makes an earlier version current again (also an undelete). */
  private void restore(Call call, Callback callback) throws IOException {
    requireDisk(call);
    JsonNode body = readJson(call.request(), false);
    if (body == null || !body.isObject()) {
      throw new ApiError(400, "a JSON object {\"file_path\", \"version\"} is required");
    }
    FullPath fp = fullPath(text(body, "file_path"), "file_path");
    JsonNode version = body.get("version");
    if (version == null || !version.canConvertToLong() || !version.isIntegralNumber()
        || version.asLong() < 0) {
      throw new ApiError(400, "version is required: a version number (>= 0) from .../versions");
    }
    Artifact restored =
        store
            .disks()
            .artifacts()
            .restore(
                call.diskId(),
                fp.dir(),
                fp.name(),
                version.asLong(),
                precondition(call.request(), true));
    ObjectNode data = WireJson.MAPPER.createObjectNode();
    data.set("artifact", WireJson.artifact(restored));
    call.response().getHeaders().put(HttpHeader.ETAG, HttpRange.quoted(restored.etag()));
    ok(call, callback, data);
  }

  private void move(Call call, Callback callback) throws IOException {
    requireDisk(call);
    JsonNode body = readJson(call.request(), false);
    if (body == null || !body.isObject()) {
      throw new ApiError(400, "a JSON object {\"from_path\", \"to_path\", \"overwrite\"?} is required");
    }
    FullPath from = fullPath(text(body, "from_path"), "from_path");
    FullPath to = fullPath(text(body, "to_path"), "to_path");
    boolean overwrite = body.path("overwrite").asBoolean(false);
    Precondition condition = precondition(call.request(), false);
    Artifact moved =
        store
            .disks()
            .artifacts()
            .move(call.diskId(), from.dir(), from.name(), to.dir(), to.name(), condition, overwrite);
    ObjectNode data = WireJson.MAPPER.createObjectNode();
    data.set("artifact", WireJson.artifact(moved));
    call.response().getHeaders().put(HttpHeader.ETAG, HttpRange.quoted(moved.etag()));
    ok(call, callback, data);
  }

  // ------------------------------------------------------------------ bytes

  private void download(Call call, Callback callback) throws IOException {
    requireDisk(call);
    FullPath fp = fullPath(call.param("file_path"), "file_path");
    GetOptions read =
        versionParam(call).map(v -> GetOptions.builder().version(v).build()).orElse(GetOptions.NONE);
    serveBytes(call, callback, call.diskId(), fp.dir(), fp.name(), null, read);
  }

  private void material(Call call, Callback callback) throws IOException {
    MaterialUrlSigner signer = material;
    if (signer == null) {
      throw new ApiError(404, "this server issues no material URLs");
    }
    MaterialUrlSigner.Grant grant;
    try {
      grant = signer.verify(call.segments().get(1));
    } catch (MaterialUrlSigner.Refusal e) {
      throw new ApiError(403, e.getMessage());
    }
    call.response()
        .getHeaders()
        .put(HttpHeader.CACHE_CONTROL, "private, max-age=" + signer.secondsLeft(grant));
    try {
      serveBytes(
          call, callback, grant.diskId(), grant.path(), grant.filename(), grant.sha256(),
          GetOptions.NONE);
    } catch (ArtifactNotFoundException | DiskNotFoundException e) {
      throw new ApiError(404, "the artifact no longer exists");
    }
  }

  /**
   * Sends an artifact's bytes, whole or one range; with {@code requiredSha256}, only those bytes
   * (404 when the artifact now holds others; its metadata does not matter). The range is decided on the artifact's metadata and then opened; should the
   * artifact change in between, the opened stream names another version and the decision is made
   * again (at most three times).
   */
  private void serveBytes(
      Call call,
      Callback callback,
      String diskId,
      String dir,
      String name,
      @Nullable String requiredSha256,
      GetOptions read)
      throws IOException {
    HttpFields headers = call.request().getHeaders();
    // Without a Range header the whole file is sent: one open gives the bytes and the metadata
    // of the version being read (no separate lookup, nothing to re-decide).
    boolean whole = headers.get(HttpHeader.RANGE) == null;
    for (int attempt = 0; ; attempt++) {
      ArtifactStream opened =
          whole ? store.disks().artifacts().open(diskId, dir, name, ByteRange.from(0), read) : null;
      Artifact artifact =
          opened != null
              ? opened.artifact()
              : store.disks().artifacts().get(diskId, dir, name, read).artifact();
      if (requiredSha256 != null && !artifact.sha256().equals(requiredSha256)) {
        if (opened != null) {
          opened.close();
        }
        throw new ApiError(
            404, "the artifact's bytes were replaced, moved or deleted since this link was issued");
      }
      long size = artifact.sizeBytes();
      HttpRange range =
          HttpRange.of(
              headers.get(HttpHeader.RANGE), headers.get(HttpHeader.IF_RANGE), artifact.etag(),
              size);
      Response response = call.response();
      if (range instanceof HttpRange.Unsatisfiable) {
        throw new ApiError(416, "the requested range is not within the file's " + size + " bytes")
            .header("Content-Range", "bytes */" + size)
            .header("Accept-Ranges", "bytes");
      }
      HttpRange.Part part = range instanceof HttpRange.Part p ? p : null;
      ByteRange bytes = part == null ? ByteRange.from(0) : ByteRange.of(part.first(), part.length());
      ArtifactStream in =
          opened != null ? opened : store.disks().artifacts().open(diskId, dir, name, bytes, read);
      try {
        if (!in.artifact().etag().equals(artifact.etag())) {
          if (attempt < 2) {
            continue; // changed between the lookup and the open: decide again
          }
          throw new StorageException(
              "the artifact keeps changing while it is being opened", true, null);
        }
        HttpFields.Mutable out = response.getHeaders();
        response.setStatus(part == null ? 200 : 206);
        out.put(HttpHeader.CONTENT_TYPE, artifact.contentType());
        // Stored bytes never run in the server's origin: an attachment (downloaded, not shown),
        // never sniffed into another type, and sandboxed (an opaque origin, no script) should a
        // browser render it anyway.
        out.put("X-Content-Type-Options", "nosniff");
        out.put(HttpHeader.CONTENT_DISPOSITION, contentDisposition(name));
        out.put("Content-Security-Policy", STORED_BYTES_CSP);
        out.put(HttpHeader.ACCEPT_RANGES, "bytes");
        out.put(HttpHeader.ETAG, HttpRange.quoted(artifact.etag()));
        if (part != null) {
          out.put(HttpHeader.CONTENT_RANGE, part.contentRange(size));
        }
        out.put(HttpHeader.CONTENT_LENGTH, part == null ? size : part.length());
        OutputStream body = Content.Sink.asOutputStream(response);
        byte[] buffer = new byte[COPY_BUFFER_BYTES];
        int n;
        while ((n = in.read(buffer)) >= 0) {
          body.write(buffer, 0, n);
        }
        body.close();
        callback.succeeded();
        return;
      } finally {
        in.close();
      }
    }
  }

  /** {@code attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>}. */
  static String contentDisposition(String filename) {
    StringBuilder ascii = new StringBuilder();
    for (int i = 0; i < filename.length(); i++) {
      char c = filename.charAt(i);
      ascii.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '_');
    }
    String encoded = URLEncoder.encode(filename, UTF_8).replace("+", "%20");
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
  }

  // ------------------------------------------------------------------ parameters

  /** {@code If-Match: "etag"} and (on upserts) {@code If-None-Match: *}. */
  private static Precondition precondition(Request request, boolean upsert) {
    HttpFields headers = request.getHeaders();
    String ifMatch = headers.get(HttpHeader.IF_MATCH);
    String ifNoneMatch = headers.get(HttpHeader.IF_NONE_MATCH);
    if (ifMatch != null && ifNoneMatch != null) {
      throw new ApiError(400, "send If-Match or If-None-Match, not both");
    }
    if (ifNoneMatch != null) {
      if (!upsert || !ifNoneMatch.trim().equals("*")) {
        throw new ApiError(
            400, "If-None-Match is supported as \"*\" on uploads only (create, never replace)");
      }
      return Precondition.ifNoneMatch();
    }
    if (ifMatch != null) {
      String etag = ifMatch.trim();
      if (etag.startsWith("W/")) {
        etag = etag.substring(2);
      }
      if (etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")) {
        etag = etag.substring(1, etag.length() - 1);
      }
      if (etag.isEmpty() || etag.equals("*") || etag.contains(",")) {
        throw new ApiError(400, "If-Match takes one etag: " + ifMatch);
      }
      return Precondition.ifMatch(etag);
    }
    return Precondition.none();
  }

  private static @Nullable JsonNode readJson(Request request, boolean optional) throws IOException {
    InputStream in = Request.asInputStream(request);
    byte[] body = in.readNBytes(MAX_JSON_BODY_BYTES + 1);
    if (body.length > MAX_JSON_BODY_BYTES) {
      throw new ApiError(413, "the JSON body is larger than " + MAX_JSON_BODY_BYTES + " bytes");
    }
    if (body.length == 0 || new String(body, UTF_8).isBlank()) {
      if (optional) {
        return null;
      }
      throw new ApiError(400, "a JSON body is required");
    }
    try {
      return WireJson.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new ApiError(400, "the body is not valid JSON: " + e.getOriginalMessage());
    }
  }

  private static @Nullable String text(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new ApiError(400, field + " must be a string");
    }
    return n.asText();
  }

  private static String requiredParam(Call call, String name) {
    String v = call.param(name);
    if (v == null || v.isEmpty()) {
      throw new ApiError(400, name + " is required");
    }
    return v;
  }

  /** Extension: the {@code version} query parameter of get and download (empty: the current). */
  private static Optional<Long> versionParam(Call call) {
    String v = call.param("version");
    if (v == null || v.isEmpty()) {
      return Optional.empty();
    }
    long version;
    try {
      version = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new ApiError(400, "version must be a version number, was \"" + v + "\"");
    }
    if (version < 0) {
      throw new ApiError(400, "version must be >= 0, was " + version);
    }
    return Optional.of(version);
  }

  /** An optional integer parameter within {@code [min, max]}, {@code fallback} when absent. */
  private static int boundedInt(String name, @Nullable String value, int min, int max, int fallback) {
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    int n = intParam(name, value);
    if (n < min || n > max) {
      throw new ApiError(400, name + " must be between " + min + " and " + max + ", was " + n);
    }
    return n;
  }

  /** {@code limit} of grep, glob and search: 1-1000, default 100 (as the SDKs send). */
  private static int limitParam(Call call) {
    String v = call.param("limit");
    if (v == null || v.isEmpty()) {
      return 100;
    }
    int limit = intParam("limit", v);
    if (limit < 1 || limit > 1000) {
      throw new ApiError(400, "limit must be between 1 and 1000, was " + limit);
    }
    return limit;
  }

  private static int intParam(String name, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new ApiError(400, name + " must be an integer, was \"" + value + "\"");
    }
  }

  /** Booleans as Go's {@code strconv.ParseBool} (Acontext's binding) reads them. */
  private static boolean boolParam(String name, String value) {
    switch (value) {
      case "1", "t", "T", "TRUE", "true", "True":
        return true;
      case "0", "f", "F", "FALSE", "false", "False":
        return false;
      default:
        throw new ApiError(400, name + " must be true or false, was \"" + value + "\"");
    }
  }

  // ------------------------------------------------------------------ answers

  private static void ok(Call call, Callback callback, JsonNode data) {
    writeJson(call.response(), 200, WireJson.success(data), callback);
  }

  private static void created(Call call, Callback callback, JsonNode data) {
    writeJson(call.response(), 201, WireJson.success(data), callback);
  }

  static void writeJson(Response response, int status, byte[] body, Callback callback) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  /** The HTTP status of a failure. */
  static int statusOf(Throwable e) {
    if (e instanceof ApiError a) {
      return a.status();
    }
    if (e instanceof DiskNotFoundException || e instanceof ArtifactNotFoundException) {
      return 404;
    }
    if (e instanceof PreconditionFailedException) {
      return 412;
    }
    if (e instanceof UploadTooLargeException) {
      return 413;
    }
    if (e instanceof InvalidRequestException) {
      return 400;
    }
    if (e instanceof StoreClosedException) {
      return 503;
    }
    return 500;
  }

  /** What the client is told: the store's message for its own mistakes, never internals. */
  private static String messageOf(Throwable e, int status) {
    if (e instanceof ApiError || (status < 500 && e instanceof DiskStoreException)) {
      String m = e.getMessage();
      return m == null ? "bad request" : m;
    }
    if (e instanceof StoreClosedException) {
      return "the store is closed";
    }
    if (e instanceof StorageException s && s.isRetryable()) {
      return "storage error (retryable); try again";
    }
    return status == 500 ? "internal storage error" : "error";
  }

  @Override
  public String toString() {
    return "ApiHandler[" + prefix + "]";
  }
}
