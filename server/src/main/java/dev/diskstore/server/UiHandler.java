package dev.diskstore.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * The web view's static files at {@code /ui/} ({@link DiskStoreServer.Builder#webUi}): the page,
 * its style sheet and ES modules from {@code ui/} beside this class, and three pinned WebJars from
 * the class path (marked, DOMPurify, highlight.js) under {@code /ui/vendor/}. Nothing here reads
 * the store: the page calls the API with the bearer token the user enters, so it sees what that
 * token sees and nothing more. Files need no token (they hold no data).
 *
 * <p><b>Headers.</b> Every answer carries a strict Content-Security-Policy ({@link #CSP}: scripts
 * and styles from this origin only, no inline script, no plugins, no framing), {@code
 * X-Content-Type-Options: nosniff}, {@code X-Frame-Options: DENY} and {@code Referrer-Policy:
 * no-referrer}; files carry a strong {@code ETag} (SHA-256 of the bytes) and {@code Cache-Control:
 * no-cache}, so a browser revalidates and gets {@code 304} until the jar changes.
 *
 * <p><b>What is served.</b> Only {@code GET} and {@code HEAD}; a path is a file of {@code ui/}
 * (segments of {@code [A-Za-z0-9_-]} and dots, none starting with a dot; the types below) or a
 * vendor file of the fixed table in {@link #vendor}; anything else is 404. highlight.js's WebJar
 * holds its core only as a CommonJS file; {@code /ui/vendor/highlight/core.js} serves it wrapped
 * as an ES module (a {@code module} object before, an {@code export default} after, the bytes
 * between unchanged).
 *
 * <p>Thread-safe; files are read from the class path once and kept (misses are not).
 */
final class UiHandler extends Handler.Abstract {
  /** The path the web view is served at. */
  static final String PATH = "/ui";

  /** The policy of the web view's documents. */
  static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:;"
          + " connect-src 'self'; object-src 'none'; frame-src 'none'; base-uri 'none';"
          + " form-action 'self'; frame-ancestors 'none'";

  private static final String RESOURCES = "ui/";
  private static final String WEBJARS = "META-INF/resources/webjars/";
  private static final Pattern SAFE_PATH =
      Pattern.compile("([A-Za-z0-9_-][A-Za-z0-9._-]*/)*[A-Za-z0-9_-][A-Za-z0-9._-]*");
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "mjs", "text/javascript; charset=utf-8",
          "svg", "image/svg+xml",
          "png", "image/png",
          "ico", "image/x-icon");

  /** A file ready to send. */
  private record Asset(byte[] bytes, String contentType, String etag) {}

  private final String apiPrefix;
  private final HeadDeadline headDeadline;
  /** Files found so far (misses are not kept: the table is bounded by the files there are). */
  private final Map<String, Asset> cache = new ConcurrentHashMap<>();

  UiHandler(String apiPrefix, HeadDeadline headDeadline) {
    super(InvocationType.BLOCKING);
    this.apiPrefix = apiPrefix;
    this.headDeadline = headDeadline;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = request.getHttpURI().getPath();
    if (path == null || !(path.equals(PATH) || path.startsWith(PATH + "/"))) {
      return false;
    }
    headDeadline.headReceived(request.getConnectionMetaData().getConnection());
    HttpFields.Mutable headers = response.getHeaders();
    headers.put("Content-Security-Policy", CSP);
    headers.put("X-Content-Type-Options", "nosniff");
    headers.put("X-Frame-Options", "DENY");
    headers.put("Referrer-Policy", "no-referrer");
    headers.put("Cross-Origin-Opener-Policy", "same-origin");
    String method = request.getMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      headers.put(HttpHeader.ALLOW, "GET, HEAD");
      ApiHandler.writeJson(
          response, 405, WireJson.error(405, "method " + method + " is not allowed on " + path),
          callback);
      return true;
    }
    if (path.equals(PATH)) {
      String query = request.getHttpURI().getQuery();
      response.setStatus(308);
      headers.put(HttpHeader.LOCATION, PATH + "/" + (query == null ? "" : "?" + query));
      headers.put(HttpHeader.CONTENT_LENGTH, 0);
      callback.succeeded();
      return true;
    }
    String rel = path.substring(PATH.length() + 1);
    String name = rel.isEmpty() ? "index.html" : rel;
    Optional<Asset> asset = Optional.ofNullable(cache.get(name));
    if (asset.isEmpty()) {
      asset = load(name);
      asset.ifPresent(a -> cache.putIfAbsent(name, a));
    }
    if (asset.isEmpty()) {
      ApiHandler.writeJson(response, 404, WireJson.error(404, "no such file: " + path), callback);
      return true;
    }
    Asset a = asset.get();
    headers.put(HttpHeader.ETAG, a.etag());
    headers.put(HttpHeader.CACHE_CONTROL, "no-cache");
    String ifNoneMatch = request.getHeaders().get(HttpHeader.IF_NONE_MATCH);
    if (ifNoneMatch != null && matches(ifNoneMatch, a.etag())) {
      response.setStatus(304);
      callback.succeeded();
      return true;
    }
    response.setStatus(200);
    headers.put(HttpHeader.CONTENT_TYPE, a.contentType());
    headers.put(HttpHeader.CONTENT_LENGTH, a.bytes().length);
    if (method.equals("HEAD")) {
      callback.succeeded();
    } else {
      response.write(true, ByteBuffer.wrap(a.bytes()), callback);
    }
    return true;
  }

  private static boolean matches(String ifNoneMatch, String etag) {
    for (String candidate : ifNoneMatch.split(",")) {
      String c = candidate.trim();
      if (c.equals("*") || c.equals(etag) || c.equals("W/" + etag)) {
        return true;
      }
    }
    return false;
  }

  /** The file at {@code rel} (relative to {@code /ui/}), or empty when there is none. */
  private Optional<Asset> load(String rel) {
    if (!SAFE_PATH.matcher(rel).matches()) {
      return Optional.empty();
    }
    int dot = rel.lastIndexOf('.');
    // a name with a known extension: never a directory (which a class loader may list)
    String type = dot > rel.lastIndexOf('/') ? TYPES.get(rel.substring(dot + 1)) : null;
    if (type == null) {
      return Optional.empty();
    }
    byte[] bytes;
    if (rel.startsWith("vendor/")) {
      bytes = vendor(rel.substring("vendor/".length()));
    } else {
      bytes = read(UiHandler.class, RESOURCES + rel);
      if (bytes != null && rel.equals("index.html")) {
        // the page learns where the API is from a meta tag (no inline script)
        bytes = new String(bytes, UTF_8).replace("%API_PREFIX%", htmlAttribute(apiPrefix))
            .getBytes(UTF_8);
      }
    }
    return bytes == null ? Optional.empty() : Optional.of(new Asset(bytes, type, etag(bytes)));
  }

  /**
   * The vendor files: the pinned WebJars' browser builds, found by the version their {@code
   * pom.properties} names (so a version bump in the pom needs no change here).
   */
  private static byte @Nullable [] vendor(String name) {
    switch (name) {
      case "marked.esm.js":
        return webjar("marked", "lib/marked.esm.js");
      case "purify.es.mjs":
        return webjar("dompurify", "dist/purify.es.mjs");
      case "highlight/github.css":
        return webjar("highlight.js", "styles/github.css");
      case "highlight/core.js":
        byte[] commonJs = webjar("highlight.js", "lib/core.js");
        if (commonJs == null) {
          return null;
        }
        String module =
            "// highlight.js core (CommonJS) as an ES module, wrapped by the DiskStore server\n"
                + "const module = { exports: {} };\n"
                + new String(commonJs, UTF_8)
                + "\nexport default module.exports;\n";
        return module.getBytes(UTF_8);
      default:
        if (name.startsWith("highlight/languages/") && name.indexOf('/', 20) < 0) {
          return webjar("highlight.js", "es/languages/" + name.substring(20));
        }
        return null;
    }
  }

  private static byte @Nullable [] webjar(String artifact, String file) {
    byte[] pom = read(null, "META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties");
    if (pom == null) {
      return null;
    }
    Properties properties = new Properties();
    try {
      properties.load(new java.io.ByteArrayInputStream(pom));
    } catch (IOException e) {
      return null;
    }
    String version = properties.getProperty("version");
    return version == null ? null : read(null, WEBJARS + artifact + "/" + version + "/" + file);
  }

  /** A class-path resource, relative to {@code base} or absolute when it is null. */
  private static byte @Nullable [] read(
      @Nullable Class<?> base, String name) {
    try (InputStream in =
        base != null
            ? base.getResourceAsStream(name)
            : UiHandler.class.getClassLoader().getResourceAsStream(name)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      return null;
    }
  }

  private static String etag(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String htmlAttribute(String s) {
    return s.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
  }

  @Override
  public String toString() {
    return "UiHandler[" + PATH + "/]";
  }
}
