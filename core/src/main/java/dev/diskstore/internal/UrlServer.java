package dev.diskstore.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.diskstore.InvalidPathException;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.StorageException;
import dev.diskstore.StoreClosedException;
import dev.diskstore.spi.PublicUrlRequest;
import dev.diskstore.spi.PublicUrlSigner;
import java.io.ByteArrayOutputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.URI;
import java.nio.channels.ServerSocketChannel;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The store's built-in download-URL server: signs expiring URLs for artifacts and serves them over
 * plain HTTP/1.1 (Jetty 12 core, see {@link DownloadHttpServer}). Used when the blob backend has no
 * {@link PublicUrlSigner} of its own (the local-directory and in-memory backends).
 *
 * <p><b>Contract.</b> {@link #sign} returns
 * {@code http://<host>:<port>/v1/<disk>/<path segments>/<filename>?exp=<epoch s>&sha256=<hex>&sig=<hex>}
 * ({@code &version=<n>} before {@code &sig} for a URL of an earlier version of the artifact,
 * which answers 404 once that version is no longer kept), where every path segment and query value
 * is percent-encoded UTF-8 (RFC 3986 unreserved characters
 * kept). {@code GET} and {@code HEAD} on such a URL answer:
 *
 * <ul>
 *   <li>200 with the bytes, {@code Content-Type}, {@code Content-Length}, {@code Content-Disposition:
 *       attachment} (ASCII {@code filename} fallback plus RFC 5987 {@code filename*}), {@code
 *       X-Content-Type-Options: nosniff}, {@code Cache-Control: private, max-age=<seconds left>},
 *       {@code Accept-Ranges: bytes} and {@code ETag: "<etag>"};
 *   <li>206 with {@code Content-Range} for a single byte range ({@code Range: bytes=a-b}, {@code
 *       a-}, {@code -n}; honoured only if an {@code If-Range} carries the current {@code ETag});
 *       416 with {@code Content-Range: bytes *}{@code /<size>} when it starts beyond the file; see
 *       {@link DownloadRange};
 *   <li>400 when the path has a malformed percent-encoding or invalid UTF-8, or the request is not
 *       valid HTTP/1.x;
 *   <li>403 when {@code exp}, {@code sha256} or {@code sig} is missing or malformed, the signature
 *       does not match, or the URL has expired ({@code now >= exp} by the clock); also for URLs of
 *       the earlier format that named the artifact's etag ({@code &etag=}, before content-bound
 *       URLs), which are refused rather than reinterpreted;
 *   <li>404 when the disk or artifact no longer exists at the signed disk, path and filename, or
 *       its bytes are no longer the signed ones (different SHA-256: the artifact was re-uploaded with
 *       other bytes, moved away or deleted since the URL was issued, also when that happens while
 *       the download starts), and for any path outside {@code /v1/};
 *   <li>405 with {@code Allow: GET, HEAD} for other methods; 500 when the resolver or the blob fails
 *       before the response headers went out, or a whole file of at most 1 MiB does not match its
 *       recorded size and SHA-256. A larger file, or a range, whose bytes turn out damaged or short
 *       while streaming is cut before its last bytes: no response is ever complete with bytes other
 *       than the recorded ones (see {@link DownloadHandler}).
 * </ul>
 *
 * <p><b>Security model.</b> The server listens on the bind address given by the store, loopback by
 * default, so only local processes can reach it. Every URL carries an HMAC-SHA256 over the version
 * tag {@code v2}, disk id, directory path, filename, the SHA-256 of the bytes and the expiry (each
 * field length-prefixed, so no two field tuples share an encoding), keyed with the per-store secret;
 * it is compared in constant time ({@link MessageDigest#isEqual}). A URL therefore grants read access
 * to exactly one content of one artifact (disk, path, filename) until its expiry: editing any part of
 * it breaks the signature.
 *
 * <p><b>What ends a URL.</b> A URL is bound to the bytes it was issued for, like an S3 presigned
 * URL, which names the object holding them: a metadata-only update ({@code update}, or an upsert of
 * the same bytes) keeps it serving those bytes; a re-upload with other bytes, a move (the name no
 * longer holds them) or a delete makes it answer 404, never other bytes. A re-upload of identical
 * bytes keeps it working: it serves exactly what it was issued for. The {@code ETag} response
 * header is still the artifact's etag (what {@code If-Match} takes), so a range resumed across a
 * metadata update with {@code If-Range} gets the whole file again, never mixed bytes. The server
 * does not authenticate clients and does not use TLS; URLs are bearer tokens.
 *
 * <p><b>Resources.</b> The HTTP server is started lazily, exactly once, by the first successful
 * {@link #sign} call; before that no port is bound, no thread exists and no Jetty class is loaded.
 * That call binds the port and returns; Jetty starts on a daemon thread meanwhile (see {@link
 * #start()}).
 * Idle and half-sent connections hold no thread; request heads must be complete within 5 s of the
 * connection, at most 2,048 connections are open, requests run on at most {@value #MAX_THREADS}
 * daemon threads named {@code diskstore-url-server-N} (see {@link DownloadLimits}). Bodies are
 * streamed (a file of at most 1 MiB is buffered whole to be verified before it is sent), and every
 * response closes its connection. No JVM-wide setting is changed (see {@link DownloadHttpServer}
 * for the one SLF4J detail). Logs never contain the query string, which is a bearer token.
 *
 * <p><b>Thread-safety and ownership.</b> All methods are thread-safe. The owner (the store) closes
 * this server; {@link #close()} stops listening immediately, cuts open connections and is idempotent.
 * The server does not own the {@link UrlResolver}; it closes every stream it opens from it.
 */
public final class UrlServer implements PublicUrlSigner, AutoCloseable {
  private static final System.Logger LOG = new LazyLogger(UrlServer.class.getName());

  /** Upper bound on the server's pool threads (acceptor and selector included). */
  static final int MAX_THREADS = DownloadLimits.DEFAULT_MAX_THREADS;

  /** Shortest accepted secret: 128 bits. */
  static final int MIN_SECRET_BYTES = 16;

  private static final String PREFIX = "/v1/";
  /** v1 signed the artifact's etag; v2 signs the SHA-256 of the bytes. */
  private static final String VERSION_TAG = "v2";
  private static final String MAC_ALGORITHM = "HmacSHA256";
  private static final int SIGNATURE_HEX_LENGTH = 64;
  private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();

  private final InetAddress bindAddress;
  private final int port;
  private final SecretKeySpec key;
  private final Clock clock;
  private final UrlResolver resolver;
  private final DownloadLimits limits;

  /** Guards the fields below: start happens once, close wins over a later start. */
  private final Object lock = new Object();

  /** The HTTP server, starting or started; null before the first sign, after close or a failure. */
  private @Nullable CompletableFuture<DownloadHttpServer> server;

  private boolean closed;

  /** Where the running server answers ({@code http://host:port}); null when not running. */
  private volatile @Nullable URI base;

  /**
   * Creates a server that is not yet listening.
   *
   * @param bindAddress the address to listen on; use a loopback address unless other hosts must
   *     download. URLs name this address, or {@code 127.0.0.1} when it is a wildcard address
   * @param port the port, or 0 for an ephemeral one
   * @param secret the per-store HMAC key, at least {@value #MIN_SECRET_BYTES} bytes; copied
   * @param clock decides when a URL has expired
   * @param resolver looks up the current version of an artifact; not closed by this server
   * @throws IllegalArgumentException if the port is out of range or the secret too short
   */
  public UrlServer(
      InetAddress bindAddress, int port, byte[] secret, Clock clock, UrlResolver resolver) {
    this(bindAddress, port, secret, clock, resolver, DownloadLimits.DEFAULT);
  }

  /** As above, with other resource bounds (tests). */
  UrlServer(
      InetAddress bindAddress,
      int port,
      byte[] secret,
      Clock clock,
      UrlResolver resolver,
      DownloadLimits limits) {
    this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(secret, "secret");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.limits = Objects.requireNonNull(limits, "limits");
    if (port < 0 || port > 0xFFFF) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "secret must have at least " + MIN_SECRET_BYTES + " bytes, got " + secret.length);
    }
    this.port = port;
    this.key = new SecretKeySpec(secret, MAC_ALGORITHM);
    newMac(); // fail fast if the key is unusable
  }

  /**
   * Signs a download URL for {@code request}, starting the server on first use.
   *
   * <p>{@code request.path()} must be normalised ({@code /} or {@code /a/b/}); the expiry is rounded
   * down to whole seconds.
   *
   * @throws StoreClosedException after {@link #close()}
   * @throws StorageException if the server cannot bind its address
   * @throws InvalidPathException if the path is not in normalised form or the filename is empty
   * @throws InvalidRequestException if the disk id is empty
   */
  @Override
  public URI sign(PublicUrlRequest request) {
    Objects.requireNonNull(request, "request");
    if (request.diskId().isEmpty()) {
      throw new InvalidRequestException("diskId must not be empty");
    }
    if (request.filename().isEmpty()) {
      throw new InvalidPathException(request.filename(), "filename must not be empty");
    }
    List<String> segments = directorySegments(request.path());
    URI running = ensureStarted();
    long exp = request.expiresAt().getEpochSecond();
    byte[] sig =
        signature(request.diskId(), request.path(), request.filename(), request.sha256(), exp,
            request.version());

    StringBuilder url = new StringBuilder(running.toString()).append(PREFIX);
    url.append(percentEncode(request.diskId())).append('/');
    for (String segment : segments) {
      url.append(percentEncode(segment)).append('/');
    }
    url.append(percentEncode(request.filename()));
    url.append("?exp=").append(exp);
    url.append("&sha256=").append(percentEncode(request.sha256()));
    if (request.version().isPresent()) {
      url.append("&version=").append(request.version().getAsLong());
    }
    url.append("&sig=").append(HexFormat.of().formatHex(sig));
    return URI.create(url.toString());
  }

  /** {@code http://host:port} while the server is running; empty before the first sign and after close. */
  public Optional<URI> baseUri() {
    return Optional.ofNullable(base);
  }

  /**
   * Stops the server (no grace period) and its threads; waits for a start in progress first.
   * Idempotent; later signs fail.
   */
  @Override
  public void close() {
    CompletableFuture<DownloadHttpServer> stopping;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      base = null;
      stopping = server;
      server = null;
    }
    if (stopping != null) {
      started(stopping).ifPresent(DownloadHttpServer::stop);
    }
  }

  /** The HTTP server once started (tests); empty before the first sign and after close. */
  Optional<DownloadHttpServer> httpServer() {
    CompletableFuture<DownloadHttpServer> current;
    synchronized (lock) {
      current = server;
    }
    return current == null ? Optional.empty() : started(current);
  }

  /** Waits for a start to finish; empty if it failed. */
  private static Optional<DownloadHttpServer> started(CompletableFuture<DownloadHttpServer> start) {
    try {
      return Optional.of(start.join());
    } catch (CompletionException | CancellationException e) {
      return Optional.empty();
    }
  }

  private URI ensureStarted() {
    URI running = base;
    if (running != null) {
      return running;
    }
    synchronized (lock) {
      if (closed) {
        throw new StoreClosedException();
      }
      if (base == null) {
        start();
      }
      return Objects.requireNonNull(base);
    }
  }

  /**
   * Binds the port now, so that the URL can name it, and starts the HTTP server on a daemon thread:
   * loading and starting Jetty takes much longer than signing (about 0.2 s in a fresh JVM), and a
   * download that arrives meanwhile waits in the accept backlog. Called under {@link #lock}.
   *
   * @throws StorageException if the address cannot be bound
   */
  private void start() {
    ServerSocketChannel channel = DownloadHttpServer.bind(bindAddress, port);
    String host = bindAddress.isAnyLocalAddress() ? "127.0.0.1" : hostLiteral(bindAddress);
    URI bound = URI.create("http://" + host + ":" + channel.socket().getLocalPort());
    CompletableFuture<DownloadHttpServer> starting = new CompletableFuture<>();
    Thread starter =
        new Thread(
            () -> {
              try {
                starting.complete(DownloadHttpServer.start(channel, limits, this, resolver));
              } catch (RuntimeException | Error e) {
                starting.completeExceptionally(e);
                startFailed(starting, e);
              }
            },
            "diskstore-url-server-start");
    starter.setDaemon(true);
    try {
      starter.start();
    } catch (RuntimeException | OutOfMemoryError e) { // no thread to be had
      try {
        channel.close();
      } catch (java.io.IOException closing) {
        e.addSuppressed(closing);
      }
      throw new StorageException("cannot start the download URL server: " + e, false, e);
    }
    // the starter waits for the lock (held by our caller) before it can report a failure
    server = starting;
    base = bound;
    LOG.log(Level.DEBUG, "download URL server starting on {0}", base);
  }

  /**
   * The server bound its port but did not start (its threads could not be created, say): the port
   * is closed again, so URLs signed meanwhile are refused rather than left waiting; the next sign
   * starts a new server.
   */
  private void startFailed(CompletableFuture<DownloadHttpServer> failed, Throwable failure) {
    LOG.log(
        Level.WARNING,
        "the download URL server could not start; URLs signed until now do not work,"
            + " the next one starts a new server",
        failure);
    synchronized (lock) {
      if (server == failed) {
        server = null;
        base = null;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Checking a request

  /** What a request may have: the signed, unexpired bytes of an artifact, or a refusal. */
  sealed interface Verdict permits Granted, Refused {}

  /**
   * The artifact and the bytes (their SHA-256) a valid, unexpired URL names; {@code maxAgeSeconds}
   * is what remains of its validity (at least 1).
   */
  record Granted(String diskId, String path, String filename, String sha256, long maxAgeSeconds,
      java.util.OptionalLong version)
      implements Verdict {
    Granted(String diskId, String path, String filename, String sha256, long maxAgeSeconds) {
      this(diskId, path, filename, sha256, maxAgeSeconds, java.util.OptionalLong.empty());
    }
  }

  /** The answer to a request that may not have anything: status and a plain message. */
  record Refused(int status, String message) implements Verdict {}

  /**
   * Checks a request's method, raw (still percent-encoded) path and raw query against the URL
   * format, the signature and the clock. Does not look the artifact up.
   */
  Verdict check(String method, @Nullable String rawPath, @Nullable String rawQuery) {
    if (rawPath == null || !rawPath.startsWith(PREFIX)) {
      return new Refused(404, "not found");
    }
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return new Refused(405, "method not allowed; use GET or HEAD");
    }
    List<String> segments = new ArrayList<>();
    for (String rawSegment : rawPath.substring(PREFIX.length()).split("/", -1)) {
      Optional<String> segment = percentDecode(rawSegment);
      if (segment.isEmpty()) {
        return new Refused(400, "malformed percent-encoding in the URL path");
      }
      segments.add(segment.get());
    }
    List<String> directories = segments.subList(1, Math.max(1, segments.size() - 1));
    if (segments.size() < 2
        || segments.contains("")
        || directories.stream().anyMatch(segment -> segment.indexOf('/') >= 0)) {
      // A decoded "/" inside a directory segment would be a second spelling of a signed URL.
      return new Refused(404, "not found");
    }
    String diskId = segments.get(0);
    String filename = segments.get(segments.size() - 1);
    StringBuilder pathBuilder = new StringBuilder("/");
    for (String segment : directories) {
      pathBuilder.append(segment).append('/');
    }
    String path = pathBuilder.toString();

    if (SignedParams.isEarlierFormat(rawQuery)) {
      return new Refused(403, "this download link has an outdated format; request a new one");
    }
    Optional<SignedParams> parsed = SignedParams.parse(rawQuery);
    if (parsed.isEmpty()) {
      return new Refused(403, "missing or malformed exp, sha256 or sig parameter");
    }
    SignedParams params = parsed.get();
    byte[] expected =
        signature(diskId, path, filename, params.sha256(), params.exp(), params.version());
    if (!MessageDigest.isEqual(expected, params.sig())) {
      return new Refused(403, "invalid signature");
    }
    Instant now = clock.instant();
    if (!now.isBefore(Instant.ofEpochSecond(params.exp()))) {
      return new Refused(403, "this download link has expired");
    }
    long remaining = Math.max(1, params.exp() - now.getEpochSecond());
    return new Granted(diskId, path, filename, params.sha256(), remaining, params.version());
  }

  /** The exp, sha256 and sig query parameters of a download URL. */
  private record SignedParams(
      long exp, String sha256, byte[] sig, java.util.OptionalLong version) {
    /**
     * Whether the query is of the format before URLs were bound to content: {@code etag} and no
     * {@code sha256}. Such a URL's signature covers another tuple, so it can never verify; it is
     * named for a clear refusal.
     */
    static boolean isEarlierFormat(@Nullable String rawQuery) {
      if (rawQuery == null) {
        return false;
      }
      boolean etag = false;
      for (String pair : rawQuery.split("&", -1)) {
        if (pair.startsWith("sha256=")) {
          return false;
        }
        etag |= pair.startsWith("etag=");
      }
      return etag;
    }

    /** Empty when a parameter is missing, repeated or malformed; other parameters are ignored. */
    static Optional<SignedParams> parse(@Nullable String rawQuery) {
      if (rawQuery == null) {
        return Optional.empty();
      }
      Map<String, String> values = new HashMap<>();
      for (String pair : rawQuery.split("&", -1)) {
        int eq = pair.indexOf('=');
        if (eq < 0) {
          continue;
        }
        String name = pair.substring(0, eq);
        if (!name.equals("exp") && !name.equals("sha256") && !name.equals("sig")
            && !name.equals("version")) {
          continue;
        }
        Optional<String> value = percentDecode(pair.substring(eq + 1));
        if (value.isEmpty() || values.put(name, value.get()) != null) {
          return Optional.empty();
        }
      }
      String exp = values.get("exp");
      String sha256 = values.get("sha256");
      String sig = values.get("sig");
      if (exp == null || sha256 == null || sig == null) {
        return Optional.empty();
      }
      if (exp.isEmpty() || exp.length() > 18 || !exp.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return Optional.empty();
      }
      if (sig.length() != SIGNATURE_HEX_LENGTH || !sig.chars().allMatch(UrlServer::isHexDigit)) {
        return Optional.empty();
      }
      String version = values.get("version");
      if (version != null && (version.isEmpty() || version.length() > 18
          || !version.chars().allMatch(c -> c >= '0' && c <= '9'))) {
        return Optional.empty();
      }
      return Optional.of(
          new SignedParams(Long.parseLong(exp), sha256, HexFormat.of().parseHex(sig),
              version == null
                  ? java.util.OptionalLong.empty()
                  : java.util.OptionalLong.of(Long.parseLong(version))));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Signing and encoding

  /**
   * The HMAC of a URL's fields; a URL of an earlier version ({@code version} present) also covers
   * the word {@code version} and the number, so that the field tuples of the two kinds never share
   * an encoding (every field is length-prefixed, and the tuples differ in length).
   */
  private byte[] signature(String diskId, String path, String filename, String sha256, long exp,
      java.util.OptionalLong version) {
    Mac mac = newMac();
    String[] fields =
        version.isEmpty()
            ? new String[] {VERSION_TAG, diskId, path, filename, sha256, Long.toString(exp)}
            : new String[] {VERSION_TAG, diskId, path, filename, sha256, Long.toString(exp),
                "version", Long.toString(version.getAsLong())};
    for (String field : fields) {
      byte[] bytes = field.getBytes(UTF_8);
      mac.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
      mac.update(bytes);
    }
    return mac.doFinal();
  }

  /** A fresh MAC: {@link Mac} instances are not thread-safe. */
  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(MAC_ALGORITHM);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      // HmacSHA256 is mandatory in every Java platform; reaching this is a broken JDK.
      throw new IllegalStateException(MAC_ALGORITHM + " unavailable", e);
    }
  }

  /** The segments of a normalised directory path ({@code /} or {@code /a/b/}). */
  private static List<String> directorySegments(String path) {
    if (!path.startsWith("/") || !path.endsWith("/")) {
      throw new InvalidPathException(path, "expected a normalised path starting and ending with /");
    }
    if (path.length() == 1) {
      return List.of();
    }
    List<String> segments = List.of(path.substring(1, path.length() - 1).split("/", -1));
    if (segments.contains("")) {
      throw new InvalidPathException(path, "expected a normalised path without empty segments");
    }
    return segments;
  }

  /** UTF-8 percent-encoding keeping only RFC 3986 unreserved characters. */
  static String percentEncode(String text) {
    byte[] bytes = text.getBytes(UTF_8);
    StringBuilder out = new StringBuilder(bytes.length + 16);
    for (byte b : bytes) {
      int c = b & 0xFF;
      if (isUnreserved(c)) {
        out.append((char) c);
      } else {
        out.append('%').append(UPPER_HEX[c >> 4]).append(UPPER_HEX[c & 0xF]);
      }
    }
    return out.toString();
  }

  /**
   * Decodes {@code %XX} escapes as UTF-8; other characters stand for themselves (including {@code
   * +}). Empty when an escape is truncated or not hex, or the bytes are not valid UTF-8.
   */
  static Optional<String> percentDecode(String raw) {
    if (raw.indexOf('%') < 0) {
      return Optional.of(raw);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); ) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          return Optional.empty();
        }
        int high = Character.digit(raw.charAt(i + 1), 16);
        int low = Character.digit(raw.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return Optional.empty();
        }
        bytes.write((high << 4) | low);
        i += 3;
      } else if (c < 0x80) {
        bytes.write(c);
        i++;
      } else {
        // java.net.URI lets raw non-ASCII through; take it as the character it is.
        int codePoint = raw.codePointAt(i);
        bytes.writeBytes(Character.toString(codePoint).getBytes(UTF_8));
        i += Character.charCount(codePoint);
      }
    }
    try {
      return Optional.of(UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes.toByteArray())).toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  /**
   * {@code attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>} (RFC 6266,
   * RFC 5987). The fallback replaces quotes, backslashes and anything outside printable ASCII with
   * {@code _}.
   */
  static String contentDisposition(String filename) {
    StringBuilder fallback = new StringBuilder(filename.length());
    filename
        .codePoints()
        .forEach(
            c -> {
              boolean plain = c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
              fallback.append(plain ? (char) c : '_');
            });
    return "attachment; filename=\""
        + fallback
        + "\"; filename*=UTF-8''"
        + percentEncode(filename);
  }

  /** The stored media type if it is a plain header value, else a neutral one. */
  static String safeContentType(String contentType) {
    boolean plain =
        !contentType.isEmpty() && contentType.chars().allMatch(c -> c >= 0x20 && c < 0x7F);
    return plain ? contentType : "application/octet-stream";
  }

  /** The address as a URI host: IPv6 literals in brackets. */
  static String hostLiteral(InetAddress address) {
    String literal = address.getHostAddress();
    return address instanceof java.net.Inet6Address ? "[" + literal + "]" : literal;
  }

  private static boolean isUnreserved(int c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~';
  }

  private static boolean isHexDigit(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
