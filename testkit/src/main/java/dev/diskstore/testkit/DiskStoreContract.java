package dev.diskstore.testkit;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_16BE;
import static java.nio.charset.StandardCharsets.UTF_16LE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactContent;
import dev.diskstore.ArtifactInfo;
import dev.diskstore.ArtifactListing;
import dev.diskstore.ArtifactNotFoundException;
import dev.diskstore.ArtifactPath;
import dev.diskstore.ArtifactResult;
import dev.diskstore.ArtifactStream;
import dev.diskstore.Artifacts;
import dev.diskstore.AsyncDiskStore;
import dev.diskstore.ByteRange;
import dev.diskstore.Disk;
import dev.diskstore.DiskListRequest;
import dev.diskstore.DiskNotFoundException;
import dev.diskstore.DiskPage;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.DiskStoreException;
import dev.diskstore.ArtifactPage;
import dev.diskstore.ArtifactVersion;
import dev.diskstore.ArtifactVersionPage;
import dev.diskstore.History;
import dev.diskstore.VersionNotFoundException;
import dev.diskstore.Disks;
import dev.diskstore.FileUpload;
import dev.diskstore.GcReport;
import dev.diskstore.GetOptions;
import dev.diskstore.InvalidCursorException;
import dev.diskstore.InvalidMetadataException;
import dev.diskstore.InvalidPathException;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.Maintenance;
import dev.diskstore.Precondition;
import dev.diskstore.PreconditionFailedException;
import dev.diskstore.StoreClosedException;
import dev.diskstore.VerifyReport;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behavioural contract of the whole {@link DiskStore} API, which every backend and store
 * configuration must pass.
 *
 * <p>Use it by extending it with a few lines:
 *
 * <pre>{@code
 * class LocalDiskStoreTest extends DiskStoreContract {
 *   @Override
 *   protected DiskStore openStore(Path directory) {
 *     return DiskStore.local(directory);
 *   }
 * }
 * }</pre>
 *
 * <p>Before each test the suite calls {@link #openStore(Path)} with a fresh, empty temporary
 * directory and closes the store after the test. Configurations whose data does not survive
 * {@link DiskStore#close()} override {@link #isPersistent()} to return {@code false}; the tests
 * that close and reopen the store are then skipped through an assumption. Configurations whose
 * backend signs its own download URLs (an S3 presigned URL) override {@link
 * #usesBuiltInUrlServer()} to return {@code false}; the checks that only hold for the built-in URL
 * server are then skipped.
 *
 * <p>The suite drives the store only through the public API, uses real threads and a real HTTP
 * client, and keeps its data small (except for the few tests named after a size), so one
 * configuration runs in seconds. Every test is self-contained: it creates the disks it needs.
 */
@Timeout(value = 60, unit = SECONDS)
public abstract class DiskStoreContract {
  private static final long FUTURE_TIMEOUT_SECONDS = 30;
  private static final String QUICKSTART_PLAN =
      "# Sprint Plan\n\n## Goals\n- Complete user authentication\n- Fix critical bugs";

  private Path storeDirectory;
  private DiskStore store;

  /** For a store configuration's suite, which implements {@link #openStore(Path)}. */
  protected DiskStoreContract() {}

  /**
   * Opens the store under test. Called before every test with a fresh empty directory, and again
   * with the same directory by the tests that reopen a persistent store.
   *
   * @param directory a fresh temporary directory (in-memory configurations may ignore it)
   */
  protected abstract DiskStore openStore(Path directory) throws Exception;

  /**
   * Opens the store under test with {@code tuning} applied to its configuration: the same backend
   * and index as {@link #openStore(Path)}, for the tests of settings (history retention, the
   * clock). The test closes the store.
   *
   * @param directory a fresh temporary directory (in-memory configurations may ignore it)
   */
  protected abstract DiskStore openStore(
      Path directory, UnaryOperator<DiskStoreConfig.Builder> tuning) throws Exception;

  /**
   * Whether data survives {@link DiskStore#close()} when {@link #openStore(Path)} is called again
   * with the same directory. Default {@code true}.
   */
  protected boolean isPersistent() {
    return true;
  }

  /**
   * Whether download URLs come from the store's built-in loopback URL server (default {@code
   * true}). Return {@code false} when the backend signs URLs that its medium serves itself
   * ({@link dev.diskstore.spi.BlobBackend#publicUrlSigner()}, e.g. S3 presigned URLs). The generic
   * URL checks still run (the exact bytes and headers are served, a URL for another file or an
   * expired URL is refused with 403, a URL keeps serving its bytes across a metadata update and a
   * re-upload of identical bytes, and stops serving bytes that were replaced and deleted); those
   * that depend on the built-in server's design are skipped or relaxed: its query parameters
   * ({@code exp}, {@code sha256}, {@code sig}), exactly 404 for a URL whose bytes were replaced,
   * 404 after a move (a presigned URL names the stored object, which a move keeps), and the server
   * stopping with the store.
   */
  protected boolean usesBuiltInUrlServer() {
    return true;
  }

  @BeforeEach
  final void openStoreForTest(@TempDir Path directory) throws Exception {
    storeDirectory = directory;
    store = openStore(directory);
    assertThat(store).as("openStore(%s)", directory).isNotNull();
  }

  @AfterEach
  final void closeStoreAfterTest() {
    if (store != null) {
      store.close();
    }
  }

  /** The store of the running test. */
  protected final DiskStore store() {
    return store;
  }

  /** The directory given to {@link #openStore(Path)} for the running test. */
  protected final Path storeDirectory() {
    return storeDirectory;
  }

  /** Closes the store and opens it again on the same directory. */
  protected final DiskStore reopen() throws Exception {
    store.close();
    store = null;
    store = openStore(storeDirectory);
    return store;
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------------

  private Artifacts artifacts() {
    return store.disks().artifacts();
  }

  private String newDiskId() {
    return store.disks().create().id();
  }

  private Artifact upsertText(String diskId, String path, String filename, String text) {
    return artifacts().upsert(diskId, FileUpload.ofText(filename, text), path);
  }

  private byte[] readAll(String diskId, String path, String filename) {
    try (InputStream in = artifacts().open(diskId, path, filename)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new AssertionError("reading " + path + filename + " failed: " + e, e);
    }
  }

  private byte[] readRange(String diskId, String path, String filename, ByteRange range) {
    try (InputStream in = artifacts().open(diskId, path, filename, range)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new AssertionError("reading " + path + filename + " failed: " + e, e);
    }
  }

  /**
   * Deletes the artifact's earlier versions and collects garbage, so that bytes only its history
   * kept are gone from the backend.
   */
  private void forgetHistory(String diskId, String path, String filename) {
    artifacts().deleteVersions(diskId, path, filename);
    store.maintenance().collectGarbage();
  }

  private void assertVerifyClean() {
    VerifyReport report = store.maintenance().verify();
    assertThat(report.problems()).as("verify() problems").isEmpty();
    assertThat(report.isClean()).isTrue();
  }

  private void assertDeepVerifyClean() {
    VerifyReport report = store.maintenance().verify(true);
    assertThat(report.problems()).as("verify(deep) problems").isEmpty();
    assertThat(report.isClean()).isTrue();
  }

  private static byte[] utf8(String text) {
    return text.getBytes(UTF_8);
  }

  private static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] concatBytes(byte[] first, byte[] second) {
    byte[] joined = java.util.Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, joined, first.length, second.length);
    return joined;
  }

  private static byte[] randomBytes(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static List<String> ids(List<Disk> disks) {
    return disks.stream().map(Disk::id).toList();
  }

  private static List<String> filenames(ArtifactListing listing) {
    return listing.artifacts().stream().map(Artifact::filename).collect(Collectors.toList());
  }

  private static List<String> diskIds(List<Disk> disks) {
    return disks.stream().map(Disk::id).collect(Collectors.toList());
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * A JSON value with every number replaced by an equal, canonical {@link BigDecimal}, so that
   * values compare by JSON meaning rather than by Java number type ({@code 5} vs {@code 5L}).
   */
  private static Object canonicalJson(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(k, canonicalJson(v)));
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(v -> copy.add(canonicalJson(v)));
      return copy;
    }
    if (value instanceof Number number) {
      return new BigDecimal(number.toString()).stripTrailingZeros();
    }
    return value;
  }

  private static void assertSameJson(Map<String, ?> actual, Map<String, ?> expected) {
    assertThat(canonicalJson(actual)).isEqualTo(canonicalJson(expected));
  }

  /** JSON-shaped metadata using every kind of value. */
  private static Map<String, Object> richMeta() {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("deep", List.of(Map.of("x", 1), List.of(), Map.of()));
    nested.put("nothing", null);
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("string", "value");
    meta.put("unicode", "h\u00e9llo \uD83C\uDF0D \u05E9\u05DC\u05D5\u05DD");
    meta.put("int", 42);
    meta.put("negative", -7);
    meta.put("long", 9_007_199_254_740_993L);
    meta.put("bigint", new BigInteger("123456789012345678901234567890"));
    meta.put("double", 2.5);
    meta.put("true", true);
    meta.put("false", false);
    meta.put("null", null);
    meta.put("list", List.of(1, "two", 3.25, false, List.of("nested")));
    meta.put("map", nested);
    meta.put("emptyMap", Map.of());
    meta.put("emptyList", List.of());
    meta.put("emptyString", "");
    return meta;
  }

  /** A directory path ("/s.../s.../") of exactly {@code bytes} UTF-8 bytes. */
  private static String directoryPathOfBytes(int bytes) {
    StringBuilder path = new StringBuilder("/");
    while (path.length() + 100 <= bytes) {
      path.append("s".repeat(99)).append('/');
    }
    int rest = bytes - path.length();
    if (rest == 1) {
      throw new IllegalArgumentException("cannot build a path of " + bytes + " bytes");
    }
    if (rest > 1) {
      path.append("t".repeat(rest - 1)).append('/');
    }
    String result = path.toString();
    if (result.getBytes(UTF_8).length != bytes) {
      throw new AssertionError("built a path of " + result.length() + " bytes, wanted " + bytes);
    }
    return result;
  }

  static Stream<Arguments> invalidDirectoryPaths() {
    return Stream.of(
        arguments(".", "a lone dot segment"),
        arguments("..", "a lone dot-dot segment"),
        arguments("a/../b", "a dot-dot segment inside"),
        arguments("/reports/../secrets/", "a dot-dot segment between slashes"),
        arguments("a/./b", "a dot segment inside"),
        arguments("/a/..", "a trailing dot-dot segment"),
        arguments("../etc", "a leading dot-dot segment"),
        arguments("/a\u0000b/", "NUL"),
        arguments("/a\nb/", "a line feed"),
        arguments("/a\tb/", "a tab"),
        arguments("/a\rb/", "a carriage return"),
        arguments("/a\u007fb/", "DEL (0x7f)"),
        arguments("/a\u0085b/", "a C1 control (0x85)"),
        arguments("/a\u009fb/", "a C1 control (0x9f)"),
        arguments("/a\\b/", "a backslash"),
        arguments("/" + "x".repeat(256) + "/", "a segment of 256 ASCII bytes"),
        arguments("/ok/" + "\u00e9".repeat(128) + "/", "a segment of 256 UTF-8 bytes (128 chars)"),
        arguments("/" + "\u20ac".repeat(86), "a segment of 258 UTF-8 bytes (86 chars)"),
        arguments(directoryPathOfBytes(4097), "a path of 4097 bytes"));
  }

  static Stream<Arguments> invalidFilenames() {
    return Stream.of(
        arguments("", "an empty filename"),
        arguments("a/b", "a slash"),
        arguments("/", "only a slash"),
        arguments("dir/", "a trailing slash"),
        arguments("..", "dot-dot"),
        arguments(".", "dot"),
        arguments("a\u0000.txt", "NUL"),
        arguments("a\n.txt", "a line feed"),
        arguments("a\t.txt", "a tab"),
        arguments("a\u007f.txt", "DEL (0x7f)"),
        arguments("a\u0080.txt", "a C1 control (0x80)"),
        arguments("back\\slash.txt", "a backslash"),
        arguments("x".repeat(256), "256 ASCII bytes"),
        arguments("\u00e9".repeat(128), "256 UTF-8 bytes (128 chars)"),
        arguments("\u65e5".repeat(86), "258 UTF-8 bytes (86 chars)"));
  }

  /**
   * Names that look like other names: rejected for new artifacts (upsert, move destination) with
   * the code point in the message.
   */
  static Stream<Arguments> lookAlikeNames() {
    return Stream.of(
        arguments("report\u202Efdp.exe", "U+202E", "a right-to-left override (shows as report.exe.pdf)"),
        arguments("report\u200B.pdf", "U+200B", "a zero-width space"),
        arguments("\uFEFFreport.pdf", "U+FEFF", "a byte order mark"),
        arguments("re\u00ADport.pdf", "U+00AD", "a soft hyphen"),
        arguments("report\u2066.pdf", "U+2066", "a bidirectional isolate"),
        arguments("rep\u200Dort.pdf", "U+200D", "a zero-width joiner between Latin letters"),
        arguments("report" + new String(Character.toChars(0xE0041)) + ".pdf", "U+E0041",
            "a tag character (invisible ASCII)"),
        arguments("\u3164", "U+3164", "a Hangul filler"),
        arguments(" ", "only whitespace", "a single space"),
        arguments("   ", "only whitespace", "only spaces"),
        arguments("\u00A0\u3000", "only whitespace", "only non-breaking and ideographic spaces"),
        arguments(" report.pdf", "U+0020 SPACE at the start", "a leading space"),
        arguments("report.pdf ", "U+0020 SPACE at the end", "a trailing space"),
        arguments("report.pdf\u00A0", "U+00A0 NO-BREAK SPACE at the end", "a trailing no-break space"));
  }

  /** A stream of known bytes that hides its length and hands them out in odd-sized chunks. */
  private static final class TrickleInputStream extends InputStream {
    private final byte[] data;
    private int position;
    private volatile boolean closed;

    TrickleInputStream(byte[] data) {
      this.data = data;
    }

    @Override
    public int read() {
      return position < data.length ? data[position++] & 0xff : -1;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      if (length == 0) {
        return 0;
      }
      if (position >= data.length) {
        return -1;
      }
      int n = Math.min(Math.min(length, 8191), data.length - position);
      System.arraycopy(data, position, buffer, offset, n);
      position += n;
      return n;
    }

    @Override
    public int available() {
      return 0;
    }

    @Override
    public void close() {
      closed = true;
    }

    boolean isClosed() {
      return closed;
    }

    boolean isExhausted() {
      return position >= data.length;
    }
  }

  /** A stream that yields {@code prefix} and then fails with an {@link IOException}. */
  private static final class FailingInputStream extends InputStream {
    private final byte[] prefix;
    private int position;

    FailingInputStream(byte[] prefix) {
      this.prefix = prefix;
    }

    @Override
    public int read() throws IOException {
      if (position < prefix.length) {
        return prefix[position++] & 0xff;
      }
      throw new IOException("simulated read failure after " + position + " bytes");
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      if (position >= prefix.length) {
        throw new IOException("simulated read failure after " + position + " bytes");
      }
      int n = Math.min(length, prefix.length - position);
      System.arraycopy(prefix, position, buffer, offset, n);
      position += n;
      return n;
    }
  }

  private static HttpResponse<byte[]> download(HttpClient http, URI uri)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build();
    return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  private static HttpClient newHttpClient() {
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** {@code uri} with query parameter {@code name} replaced by {@code change(value)}. */
  private static URI withQueryParameter(URI uri, String name, UnaryOperator<String> change) {
    String query = uri.getRawQuery();
    assertThat(query).as("query of %s", uri).isNotNull();
    String[] parts = query.split("&");
    boolean found = false;
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].startsWith(name + "=")) {
        parts[i] = name + "=" + change.apply(parts[i].substring(name.length() + 1));
        found = true;
      }
    }
    assertThat(found).as("URL %s has a query parameter %s", uri, name).isTrue();
    String text = uri.toString();
    return URI.create(text.substring(0, text.indexOf('?') + 1) + String.join("&", parts));
  }

  private static String mediaType(HttpResponse<?> response) {
    String header = response.headers().firstValue("Content-Type").orElse("");
    return header.split(";", 2)[0].trim();
  }

  private static Throwable unwrapCompletion(Throwable thrown) {
    Throwable t = thrown;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  // ---------------------------------------------------------------------------------------------
  // The Acontext quickstart, end to end
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Quickstart")
  class Quickstart {

    @Test
    void quickstartFlowEndToEnd() {
      store.ping();

      Disk disk = store.disks().create();
      assertThat(disk.id()).isNotBlank();
      assertThat(disk.projectId()).isEqualTo(store.projectId());
      assertThat(disk.user()).isNull();
      assertThat(disk.updatedAt()).isEqualTo(disk.createdAt());

      byte[] content = utf8(QUICKSTART_PLAN);
      Map<String, Object> meta =
          Map.of("department", "engineering", "author", "alice", "version", "1.0");
      Artifact artifact =
          artifacts()
              .upsert(
                  disk.id(), FileUpload.of("sprint-plan.md", content), "/documents/2024/", meta);
      assertThat(artifact.diskId()).isEqualTo(disk.id());
      assertThat(artifact.filename()).isEqualTo("sprint-plan.md");
      assertThat(artifact.path()).isEqualTo("/documents/2024/");
      assertThat(artifact.fullPath()).isEqualTo("/documents/2024/sprint-plan.md");
      assertThat(artifact.userMeta()).isEqualTo(meta);
      assertThat(artifact.meta())
          .containsOnlyKeys("department", "author", "version", ArtifactInfo.KEY)
          .containsEntry("author", "alice");
      assertThat(artifact.contentType()).isEqualTo("text/markdown");
      assertThat(artifact.sizeBytes()).isEqualTo(content.length);
      assertThat(artifact.sha256()).isEqualTo(sha256Hex(content));

      ArtifactResult result =
          artifacts()
              .get(disk.id(), "/documents/2024/", "sprint-plan.md", GetOptions.urlAndContent());
      assertThat(result.publicUrl()).isPresent();
      assertThat(result.artifact().etag()).isEqualTo(artifact.etag());
      assertThat(result.artifact().meta()).containsEntry("department", "engineering");
      assertThat(result.content())
          .hasValue(new ArtifactContent(ArtifactContent.TEXT, QUICKSTART_PLAN, false));
      assertThat(result.content().orElseThrow().raw().substring(0, 13)).isEqualTo("# Sprint Plan");

      ArtifactListing listing = artifacts().list(disk.id(), "/documents/2024/");
      assertThat(filenames(listing)).containsExactly("sprint-plan.md");
      assertThat(listing.artifacts().get(0).meta().get("author")).isEqualTo("alice");
      assertThat(listing.directories()).isEmpty();
      assertThat(listing.hasMore()).isFalse();
      assertThat(artifacts().list(disk.id(), "/").directories()).containsExactly("documents");
      assertThat(artifacts().list(disk.id(), "/").artifacts()).isEmpty();
      assertThat(artifacts().list(disk.id(), "/documents/").directories()).containsExactly("2024");

      Map<String, Object> updatedMeta =
          Map.of(
              "department", "engineering",
              "author", "alice",
              "version", "1.1",
              "reviewed", true,
              "reviewed_by", "bob");
      Artifact updated =
          artifacts().update(disk.id(), "/documents/2024/", "sprint-plan.md", updatedMeta);
      assertThat(updated.userMeta()).isEqualTo(updatedMeta);
      assertThat(updated.meta()).containsEntry("reviewed", true).containsKey(ArtifactInfo.KEY);
      assertThat(updated.etag()).isNotEqualTo(artifact.etag());
      assertThat(
              artifacts().get(disk.id(), "/documents/2024/", "sprint-plan.md").artifact().meta())
          .containsEntry("version", "1.1")
          .containsEntry("reviewed_by", "bob");

      artifacts().delete(disk.id(), "/documents/2024/", "sprint-plan.md");
      assertThat(artifacts().find(disk.id(), "/documents/2024/", "sprint-plan.md")).isEmpty();
      assertThat(artifacts().list(disk.id(), "/documents/2024/").artifacts()).isEmpty();

      store.disks().delete(disk.id());
      assertThat(store.disks().find(disk.id())).isEmpty();
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> store.disks().get(disk.id()));
      assertVerifyClean();
    }

    @Test
    void completeExampleFromTheQuickstart() {
      Disk disk = store.disks().create();
      Map<String, Object> meta = Map.of("date", "2024-01-15", "attendees", 5);
      Artifact artifact =
          artifacts()
              .upsert(
                  disk.id(),
                  FileUpload.of("notes.md", utf8("# Meeting Notes\nDiscussed Q4 goals.")),
                  "/meetings/",
                  meta);
      assertThat(artifact.filename()).isEqualTo("notes.md");

      ArtifactResult result =
          artifacts()
              .get(
                  disk.id(),
                  "/meetings/",
                  "notes.md",
                  GetOptions.builder().withPublicUrl(true).build());
      assertThat(result.publicUrl()).isPresent();
      assertThat(result.content()).isEmpty();
      assertSameJson(result.artifact().userMeta(), meta);

      assertThat(artifacts().list(disk.id(), "/meetings/").artifacts()).hasSize(1);

      Map<String, Object> newMeta =
          Map.of("date", "2024-01-15", "attendees", 5, "status", "completed");
      artifacts().update(disk.id(), "/meetings/", "notes.md", newMeta);
      assertSameJson(
          artifacts().get(disk.id(), "/meetings/", "notes.md").artifact().userMeta(), newMeta);

      artifacts().delete(disk.id(), "/meetings/", "notes.md");
      store.disks().delete(disk.id());
      assertThat(store.disks().find(disk.id())).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Paths
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Paths")
  class Paths {

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(
        strings = {
          "/documents/2024",
          "documents/2024/",
          "/documents/2024/",
          "//documents//2024//",
          "documents/2024",
          "///documents/2024"
        })
    void equivalentFormsNameTheSameDirectory(String form) {
      String disk = newDiskId();
      Artifact original = upsertText(disk, "/documents/2024/", "plan.md", "v1");

      ArtifactResult viaForm = artifacts().get(disk, form, "plan.md");
      assertThat(viaForm.artifact().path()).isEqualTo("/documents/2024/");
      assertThat(viaForm.artifact().etag()).isEqualTo(original.etag());

      Artifact replaced = upsertText(disk, form, "plan.md", "v2");
      assertThat(replaced.path()).isEqualTo("/documents/2024/");
      assertThat(replaced.createdAt()).isEqualTo(original.createdAt());
      assertThat(filenames(artifacts().list(disk, form))).containsExactly("plan.md");
      assertThat(artifacts().list(disk, "/").directories()).containsExactly("documents");
      assertThat(artifacts().list(disk, "documents").directories()).containsExactly("2024");
      assertThat(readAll(disk, "/documents/2024/", "plan.md")).isEqualTo(utf8("v2"));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {"", "/", "//"})
    void rootForms(String root) {
      String disk = newDiskId();
      Artifact artifact = artifacts().upsert(disk, FileUpload.ofText("root.txt", "r"), root);
      assertThat(artifact.path()).isEqualTo("/");
      assertThat(artifact.fullPath()).isEqualTo("/root.txt");
      assertThat(artifacts().get(disk, "/", "root.txt").artifact().etag())
          .isEqualTo(artifact.etag());
      assertThat(artifacts().get(disk, "", "root.txt").artifact().etag())
          .isEqualTo(artifact.etag());
      ArtifactListing listing = artifacts().list(disk, root);
      assertThat(filenames(listing)).containsExactly("root.txt");
      assertThat(listing.directories()).isEmpty();
    }

    @Test
    void upsertWithoutPathGoesToRoot() {
      String disk = newDiskId();
      Artifact artifact = artifacts().upsert(disk, FileUpload.ofText("top.txt", "t"));
      assertThat(artifact.path()).isEqualTo("/");
      assertThat(filenames(artifacts().list(disk, ""))).containsExactly("top.txt");
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("dev.diskstore.testkit.DiskStoreContract#invalidDirectoryPaths")
    void invalidDirectoryPathsAreRejected(String bad, String description) {
      String disk = newDiskId();
      assertThatExceptionOfType(InvalidPathException.class)
          .as(description)
          .isThrownBy(() -> artifacts().upsert(disk, FileUpload.ofText("f.txt", "x"), bad))
          .satisfies(e -> assertThat(e.input()).isEqualTo(bad));
      assertThatExceptionOfType(InvalidPathException.class)
          .isThrownBy(() -> artifacts().find(disk, bad, "f.txt"));
      assertThatExceptionOfType(InvalidPathException.class)
          .isThrownBy(() -> artifacts().list(disk, bad));
      ArtifactListing root = artifacts().list(disk, "/");
      assertThat(root.artifacts()).isEmpty();
      assertThat(root.directories()).isEmpty();
      assertVerifyClean();
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("dev.diskstore.testkit.DiskStoreContract#invalidFilenames")
    void invalidFilenamesAreRejected(String bad, String description) {
      String disk = newDiskId();
      assertThatExceptionOfType(InvalidPathException.class)
          .as(description)
          .isThrownBy(() -> artifacts().upsert(disk, FileUpload.ofText(bad, "x"), "/docs/"))
          .satisfies(e -> assertThat(e.input()).isEqualTo(bad));
      assertThatExceptionOfType(InvalidPathException.class)
          .isThrownBy(() -> artifacts().find(disk, "/docs/", bad));
      assertThatExceptionOfType(InvalidPathException.class)
          .isThrownBy(() -> artifacts().get(disk, "/docs/", bad));
      assertThatExceptionOfType(InvalidPathException.class)
          .isThrownBy(() -> artifacts().delete(disk, "/docs/", bad));
      assertThat(artifacts().list(disk, "/").directories()).isEmpty();
      assertThat(artifacts().list(disk, "/docs/").artifacts()).isEmpty();
      assertVerifyClean();
    }

    @Test
    void errorMessageNamesTheBadInput() {
      String disk = newDiskId();
      assertThatThrownBy(
              () ->
                  artifacts()
                      .upsert(disk, FileUpload.ofText("ok.txt", "x"), "/reports/../secrets/"))
          .isInstanceOf(InvalidPathException.class)
          .hasMessageContaining("/reports/../secrets/");
      assertThatThrownBy(
              () -> artifacts().upsert(disk, FileUpload.ofText("bad\\name.txt", "x"), "/"))
          .isInstanceOf(InvalidPathException.class)
          .hasMessageContaining("bad\\name.txt");
      assertThatThrownBy(() -> artifacts().get(disk, "/a/./b/", "x.txt"))
          .isInstanceOf(InvalidPathException.class)
          .hasMessageContaining("/a/./b/");
    }

    @Test
    void segmentsOf255BytesAreAccepted() {
      String disk = newDiskId();
      String asciiDir = "d".repeat(255);
      String utf8Dir = "\u20ac".repeat(85);
      String asciiName = "n".repeat(251) + ".txt";
      String utf8Name = "\u00e9".repeat(127) + "x";
      assertThat(utf8Dir.getBytes(UTF_8)).hasSize(255);
      assertThat(utf8Name.getBytes(UTF_8)).hasSize(255);

      String path = "/" + asciiDir + "/" + utf8Dir + "/";
      Artifact deep = upsertText(disk, path, asciiName, "deep");
      assertThat(deep.path()).isEqualTo(path);
      assertThat(deep.filename()).isEqualTo(asciiName);
      Artifact top = upsertText(disk, "/", utf8Name, "top");
      assertThat(top.filename()).isEqualTo(utf8Name);

      assertThat(readAll(disk, path, asciiName)).isEqualTo(utf8("deep"));
      assertThat(readAll(disk, "/", utf8Name)).isEqualTo(utf8("top"));
      ArtifactListing root = artifacts().list(disk, "/");
      assertThat(root.directories()).containsExactly(asciiDir);
      assertThat(filenames(root)).containsExactly(utf8Name);
      assertThat(artifacts().list(disk, "/" + asciiDir).directories()).containsExactly(utf8Dir);
    }

    @Test
    void longPathsBelowTheLimitAreAccepted() {
      String disk = newDiskId();
      String path = directoryPathOfBytes(4001);
      Artifact artifact = upsertText(disk, path, "f.txt", "far down");
      assertThat(artifact.path()).isEqualTo(path);
      assertThat(readAll(disk, path, "f.txt")).isEqualTo(utf8("far down"));
      assertThat(filenames(artifacts().list(disk, path))).containsExactly("f.txt");
    }

    @Test
    void unicodeIsNfcNormalised() {
      String disk = newDiskId();
      String nfcName = "\u00e9t\u00e9.txt";
      String nfdName = Normalizer.normalize(nfcName, Normalizer.Form.NFD);
      String nfcDir = "/caf\u00e9/";
      String nfdDir = Normalizer.normalize(nfcDir, Normalizer.Form.NFD);
      assertThat(nfdName).isNotEqualTo(nfcName);
      assertThat(nfdDir).isNotEqualTo(nfcDir);

      Artifact created = upsertText(disk, nfdDir, nfdName, "v1");
      assertThat(created.filename()).isEqualTo(nfcName);
      assertThat(created.path()).isEqualTo(nfcDir);
      assertThat(artifacts().get(disk, nfcDir, nfcName).artifact().etag())
          .isEqualTo(created.etag());
      assertThat(artifacts().find(disk, nfdDir, nfdName)).isPresent();

      upsertText(disk, nfcDir, nfcName, "v2");
      assertThat(filenames(artifacts().list(disk, nfdDir))).containsExactly(nfcName);
      assertThat(artifacts().list(disk, "/").directories()).containsExactly("caf\u00e9");
      assertThat(readAll(disk, nfdDir, nfdName)).isEqualTo(utf8("v2"));
    }

    @Test
    void namesAreCaseSensitive() {
      String disk = newDiskId();
      upsertText(disk, "/Docs/", "A.txt", "upper");
      upsertText(disk, "/Docs/", "a.txt", "lower");
      upsertText(disk, "/docs/", "a.txt", "other dir");

      assertThat(filenames(artifacts().list(disk, "/Docs/"))).containsExactly("A.txt", "a.txt");
      assertThat(readAll(disk, "/Docs/", "A.txt")).isEqualTo(utf8("upper"));
      assertThat(readAll(disk, "/Docs/", "a.txt")).isEqualTo(utf8("lower"));
      assertThat(readAll(disk, "/docs/", "a.txt")).isEqualTo(utf8("other dir"));
      assertThat(artifacts().find(disk, "/Docs/", "A.TXT")).isEmpty();
      assertThat(artifacts().find(disk, "/DOCS/", "a.txt")).isEmpty();
      assertThat(artifacts().list(disk, "/").directories()).containsExactly("Docs", "docs");
    }

    @Test
    void unicodeEmojiAndRightToLeftNamesWork() {
      String disk = newDiskId();
      String japanese = "\u65e5\u672c\u8a9e";
      String hebrew = "\u05e2\u05d1\u05e8\u05d9\u05ea";
      String party = "\uD83C\uDF89 party";
      String dir = "/" + japanese + "/" + hebrew + "/" + party + "/";
      String name = "\uD83D\uDCC4 r\u00e9sum\u00e9 \u2713 (final).txt";
      String arabic = "\u062a\u0642\u0631\u064a\u0631-report.md";

      Artifact artifact = upsertText(disk, dir, name, "emoji");
      assertThat(artifact.path()).isEqualTo(dir);
      assertThat(artifact.filename()).isEqualTo(name);
      upsertText(disk, dir, arabic, "rtl");

      assertThat(readAll(disk, dir, name)).isEqualTo(utf8("emoji"));
      assertThat(readAll(disk, dir, arabic)).isEqualTo(utf8("rtl"));
      assertThat(artifacts().list(disk, "/").directories()).containsExactly(japanese);
      assertThat(artifacts().list(disk, "/" + japanese).directories()).containsExactly(hebrew);
      assertThat(artifacts().list(disk, "/" + japanese + "/" + hebrew + "/").directories())
          .containsExactly(party);
      assertThat(filenames(artifacts().list(disk, dir))).containsExactlyInAnyOrder(name, arabic);
    }

    @ParameterizedTest(name = "[{index}] {2}")
    @MethodSource("dev.diskstore.testkit.DiskStoreContract#lookAlikeNames")
    void lookAlikeNamesAreRejectedForNewArtifacts(String bad, String codePoint, String description) {
      String disk = newDiskId();
      upsertText(disk, "/docs/", "report.pdf", "the real one");
      assertThatExceptionOfType(InvalidPathException.class)
          .as(description)
          .isThrownBy(() -> artifacts().upsert(disk, FileUpload.ofText(bad, "x"), "/docs/"))
          .satisfies(e -> assertThat(e.input()).isEqualTo(bad))
          .withMessageContaining(codePoint);
      assertThatExceptionOfType(InvalidPathException.class)
          .as(description)
          .isThrownBy(() -> artifacts().upsert(disk, FileUpload.ofText("f.txt", "x"), "/" + bad + "/"))
          .withMessageContaining(codePoint);
      assertThatExceptionOfType(InvalidPathException.class)
          .as("move to %s", description)
          .isThrownBy(() -> artifacts().move(disk, "/docs/", "report.pdf", "/docs/", bad))
          .withMessageContaining(codePoint);
      assertThatExceptionOfType(InvalidPathException.class)
          .isThrownBy(() -> artifacts().move(disk, "/docs/", "report.pdf", "/" + bad + "/", "r.pdf"))
          .withMessageContaining(codePoint);
      // Lookups accept the name (an older version may have stored it) and find nothing.
      assertThat(artifacts().find(disk, "/docs/", bad)).isEmpty();
      assertThatExceptionOfType(ArtifactNotFoundException.class)
          .isThrownBy(() -> artifacts().delete(disk, "/docs/", bad));
      assertThat(filenames(artifacts().list(disk, "/docs/"))).containsExactly("report.pdf");
      assertThat(artifacts().list(disk, "/").directories()).containsExactly("docs");
      assertVerifyClean();
    }

    @Test
    void leadingOrTrailingWhitespaceIsRejectedNotTrimmed() {
      String disk = newDiskId();
      upsertText(disk, "/", "a.txt", "a");
      assertThatThrownBy(() -> artifacts().upsert(disk, FileUpload.ofText(" a.txt", "x"), "/"))
          .isInstanceOf(InvalidPathException.class)
          .hasMessageContaining("U+0020 SPACE at the start of segment");
      assertThatThrownBy(() -> artifacts().upsert(disk, FileUpload.ofText("a.txt ", "x"), "/"))
          .isInstanceOf(InvalidPathException.class)
          .hasMessageContaining("U+0020 SPACE at the end of segment");
      assertThatThrownBy(() -> artifacts().upsert(disk, FileUpload.ofText("a.txt", "x"), "/ docs/"))
          .isInstanceOf(InvalidPathException.class)
          .hasMessageContaining("at the start of segment");
      assertThat(artifacts().find(disk, "/", " a.txt")).isEmpty();
      assertThat(readAll(disk, "/", "a.txt")).isEqualTo(utf8("a"));
    }

    @Test
    void visibleJoinersAndInnerSpacesAreKept() {
      String disk = newDiskId();
      String technologist = "\uD83D\uDC69\u200D\uD83D\uDCBB notes.md";    // emoji ZWJ sequence
      String persian = "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645"; // ZWNJ inside a word
      Artifact emoji = upsertText(disk, "/" + persian + "/", technologist, "zwj");
      assertThat(emoji.filename()).isEqualTo(technologist);
      assertThat(emoji.path()).isEqualTo("/" + persian + "/");
      Artifact spaced = upsertText(disk, "/my docs/", "meeting  notes.md", "spaces");
      assertThat(spaced.fullPath()).isEqualTo("/my docs/meeting  notes.md");
      assertThat(readAll(disk, "/" + persian + "/", technologist)).isEqualTo(utf8("zwj"));
      assertThat(artifacts().list(disk, "/").directories()).containsExactly("my docs", persian);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Upsert
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Upsert")
  class Upsert {

    @Test
    void reUploadKeepsCreatedAtAndMovesUpdatedAtAndEtag() {
      String disk = newDiskId();
      Artifact first =
          artifacts()
              .upsert(disk, FileUpload.ofText("doc.txt", "first"), "/d/", Map.of("k", "v"));
      pause(20);
      Artifact second = artifacts().upsert(disk, FileUpload.ofText("doc.txt", "second!"), "/d/");

      assertThat(second.createdAt()).isEqualTo(first.createdAt());
      assertThat(second.updatedAt()).isAfter(first.updatedAt());
      assertThat(second.info().lastModified()).isAfter(first.info().lastModified());
      assertThat(second.etag()).isNotEqualTo(first.etag());
      assertThat(second.sha256()).isEqualTo(sha256Hex(utf8("second!")));
      assertThat(second.sizeBytes()).isEqualTo(7);
      assertThat(readAll(disk, "/d/", "doc.txt")).isEqualTo(utf8("second!"));
      assertThat(artifacts().list(disk, "/d/").artifacts()).hasSize(1);
    }

    @Test
    void nullMetaKeepsUserMeta() {
      String disk = newDiskId();
      artifacts().upsert(disk, FileUpload.ofText("m.txt", "1"), "/", Map.of("keep", "me"));
      Artifact again = artifacts().upsert(disk, FileUpload.ofText("m.txt", "2"), "/", null);
      assertThat(again.userMeta()).isEqualTo(Map.of("keep", "me"));
      assertThat(artifacts().get(disk, "/", "m.txt").artifact().userMeta())
          .isEqualTo(Map.of("keep", "me"));
    }

    @Test
    void mapReplacesUserMeta() {
      String disk = newDiskId();
      artifacts()
          .upsert(disk, FileUpload.ofText("m.txt", "1"), "/", Map.of("old", "x", "both", 1));
      Artifact again =
          artifacts().upsert(disk, FileUpload.ofText("m.txt", "2"), "/", Map.of("new", "y"));
      assertThat(again.userMeta()).isEqualTo(Map.of("new", "y"));
      assertThat(artifacts().get(disk, "/", "m.txt").artifact().userMeta())
          .isEqualTo(Map.of("new", "y"));
    }

    @Test
    void emptyMapClearsUserMeta() {
      String disk = newDiskId();
      artifacts().upsert(disk, FileUpload.ofText("m.txt", "1"), "/", Map.of("old", "x"));
      Artifact again = artifacts().upsert(disk, FileUpload.ofText("m.txt", "2"), "/", Map.of());
      assertThat(again.userMeta()).isEmpty();
      assertThat(again.meta()).containsOnlyKeys(ArtifactInfo.KEY);
      assertThat(artifacts().get(disk, "/", "m.txt").artifact().userMeta()).isEmpty();
    }

    @Test
    void newArtifactWithNullMetaHasEmptyUserMeta() {
      String disk = newDiskId();
      Artifact artifact = artifacts().upsert(disk, FileUpload.ofText("m.txt", "1"), "/", null);
      assertThat(artifact.userMeta()).isEmpty();
      assertThat(artifact.meta()).containsOnlyKeys(ArtifactInfo.KEY);
    }

    @Test
    void reservedMetaKeyIsRejected() {
      String disk = newDiskId();
      assertThatExceptionOfType(InvalidMetadataException.class)
          .isThrownBy(
              () ->
                  artifacts()
                      .upsert(
                          disk,
                          FileUpload.ofText("r.txt", "x"),
                          "/",
                          Map.of(ArtifactInfo.KEY, Map.of("size_bytes", 1))));
      assertThat(artifacts().find(disk, "/", "r.txt")).isEmpty();
      assertVerifyClean();
    }

    @Test
    void nonJsonMetaValuesAreRejected() {
      String disk = newDiskId();
      List<Map<String, ?>> bad =
          List.of(
              Map.of("object", new Object()),
              Map.of("nested", List.of(1, new StringBuilder("not json"))),
              Map.of("deep", Map.of("when", Instant.EPOCH)),
              Map.of("keys", Map.of(1, "non-string key")),
              Map.of("nan", Double.NaN),
              Map.of("infinity", Double.POSITIVE_INFINITY));
      for (Map<String, ?> meta : bad) {
        assertThatExceptionOfType(InvalidMetadataException.class)
            .as("meta %s", meta)
            .isThrownBy(
                () -> artifacts().upsert(disk, FileUpload.ofText("j.txt", "x"), "/", meta));
      }
      assertThat(artifacts().find(disk, "/", "j.txt")).isEmpty();
      assertVerifyClean();
    }

    @Test
    void metaLargerThan64KiBIsRejected() {
      String disk = newDiskId();
      Map<String, Object> huge = Map.of("blob", "x".repeat(70_000));
      assertThatExceptionOfType(InvalidMetadataException.class)
          .isThrownBy(() -> artifacts().upsert(disk, FileUpload.ofText("big.txt", "x"), "/", huge));
      assertThat(artifacts().find(disk, "/", "big.txt")).isEmpty();

      Map<String, Object> large = Map.of("blob", "y".repeat(60_000));
      Artifact accepted =
          artifacts().upsert(disk, FileUpload.ofText("big.txt", "x"), "/", large);
      assertThat(accepted.userMeta()).isEqualTo(large);
      assertThat(artifacts().get(disk, "/", "big.txt").artifact().userMeta()).isEqualTo(large);
      assertVerifyClean();
    }

    @Test
    void nestedJsonMetaRoundTrips() throws Exception {
      String disk = newDiskId();
      Map<String, Object> meta = richMeta();
      Artifact artifact =
          artifacts().upsert(disk, FileUpload.ofText("rich.json", "{}"), "/meta/", meta);
      assertSameJson(artifact.userMeta(), meta);
      assertThat(artifact.userMeta()).containsKeys("null").containsEntry("null", null);
      assertSameJson(artifacts().get(disk, "/meta/", "rich.json").artifact().userMeta(), meta);
      assertSameJson(artifacts().list(disk, "/meta/").artifacts().get(0).userMeta(), meta);
      assertThat(artifacts().get(disk, "/meta/", "rich.json").artifact().userMeta())
          .containsEntry("string", "value")
          .containsEntry("true", true)
          .containsEntry("false", false)
          .containsEntry("null", null)
          .containsEntry("emptyString", "");

      if (isPersistent()) {
        reopen();
        assertSameJson(
            store.disks().artifacts().get(disk, "/meta/", "rich.json").artifact().userMeta(),
            meta);
      }
    }

    @Test
    void returnedMetaIsImmutable() {
      String disk = newDiskId();
      Artifact artifact =
          artifacts().upsert(disk, FileUpload.ofText("i.txt", "x"), "/", Map.of("k", "v"));
      assertThatThrownBy(() -> artifact.userMeta().put("other", "x"))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> artifact.meta().put("other", "x"))
          .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void uploadFromBytes() {
      String disk = newDiskId();
      byte[] bytes = randomBytes(1000, 1);
      Artifact artifact = artifacts().upsert(disk, FileUpload.of("data.bin", bytes), "/");
      assertThat(artifact.sizeBytes()).isEqualTo(1000);
      assertThat(readAll(disk, "/", "data.bin")).isEqualTo(bytes);
    }

    @Test
    void uploadFromBytesWithContentType() {
      String disk = newDiskId();
      Artifact artifact =
          artifacts().upsert(disk, FileUpload.of("doc.txt", utf8("data"), "text/plain"), "/");
      assertThat(artifact.contentType()).isEqualTo("text/plain");
      assertThat(readAll(disk, "/", "doc.txt")).isEqualTo(utf8("data"));
    }

    @Test
    void uploadFromInputStreamDoesNotCloseTheCallersStream() {
      String disk = newDiskId();
      byte[] bytes = randomBytes(50_000, 2);
      TrickleInputStream stream = new TrickleInputStream(bytes);
      Artifact artifact = artifacts().upsert(disk, FileUpload.of("stream.bin", stream), "/s/");
      assertThat(stream.isClosed()).as("caller's stream closed by upsert").isFalse();
      assertThat(stream.isExhausted()).as("stream read to its end").isTrue();
      assertThat(artifact.sizeBytes()).isEqualTo(bytes.length);
      assertThat(artifact.sha256()).isEqualTo(sha256Hex(bytes));
      assertThat(readAll(disk, "/s/", "stream.bin")).isEqualTo(bytes);
    }

    @Test
    void uploadFromPath(@TempDir Path temp) throws IOException {
      String disk = newDiskId();
      Path file = temp.resolve("report.csv");
      Files.write(file, utf8("a,b\n1,2\n"));
      Artifact byName = artifacts().upsert(disk, FileUpload.of(file), "/files/");
      assertThat(byName.filename()).isEqualTo("report.csv");
      assertThat(readAll(disk, "/files/", "report.csv")).isEqualTo(utf8("a,b\n1,2\n"));

      Artifact renamed =
          artifacts().upsert(disk, FileUpload.of("renamed.csv", file, null), "/files/");
      assertThat(renamed.filename()).isEqualTo("renamed.csv");
      assertThat(renamed.sha256()).isEqualTo(byName.sha256());
      assertThat(filenames(artifacts().list(disk, "/files/")))
          .containsExactly("renamed.csv", "report.csv");
    }

    @Test
    void byteUploadsAreRepeatable() {
      String disk = newDiskId();
      FileUpload upload = FileUpload.ofText("same.txt", "repeat");
      artifacts().upsert(disk, upload, "/one/");
      artifacts().upsert(disk, upload, "/two/");
      assertThat(readAll(disk, "/one/", "same.txt")).isEqualTo(utf8("repeat"));
      assertThat(readAll(disk, "/two/", "same.txt")).isEqualTo(utf8("repeat"));
    }

    @Test
    void consumedStreamUploadCannotBeReused() {
      String disk = newDiskId();
      FileUpload upload = FileUpload.of("once.bin", new TrickleInputStream(utf8("once")));
      Artifact first = artifacts().upsert(disk, upload, "/");
      assertThatExceptionOfType(DiskStoreException.class)
          .isThrownBy(() -> artifacts().upsert(disk, upload, "/"));
      ArtifactResult current = artifacts().get(disk, "/", "once.bin");
      assertThat(current.artifact().etag()).isEqualTo(first.etag());
      assertThat(readAll(disk, "/", "once.bin")).isEqualTo(utf8("once"));
    }

    @Test
    void emptyFile() {
      String disk = newDiskId();
      Artifact artifact = artifacts().upsert(disk, FileUpload.of("empty.txt", new byte[0]), "/");
      assertThat(artifact.sizeBytes()).isZero();
      assertThat(artifact.sha256())
          .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
      assertThat(readAll(disk, "/", "empty.txt")).isEmpty();
      assertThat(artifacts().get(disk, "/", "empty.txt").artifact().sizeBytes()).isZero();
      assertVerifyClean();
    }

    @Test
    void threeMebibyteStreamOfUnknownLengthReadsBackIdentically() {
      String disk = newDiskId();
      byte[] bytes = randomBytes(3 * 1024 * 1024, 3);
      FileUpload upload = FileUpload.of("big.bin", new TrickleInputStream(bytes));
      assertThat(upload.knownLength()).isEmpty();
      Artifact artifact = artifacts().upsert(disk, upload, "/big/");
      assertThat(artifact.sizeBytes()).isEqualTo(bytes.length);
      assertThat(artifact.sha256()).isEqualTo(sha256Hex(bytes));
      assertThat(readAll(disk, "/big/", "big.bin")).isEqualTo(bytes);
      assertDeepVerifyClean();
    }

    @Test
    void specificDeclaredContentTypeIsUsed() {
      String disk = newDiskId();
      Artifact artifact =
          artifacts()
              .upsert(
                  disk,
                  FileUpload.of("payload.dat", utf8("{}"), "application/vnd.diskstore.test+json"),
                  "/");
      assertThat(artifact.contentType()).isEqualTo("application/vnd.diskstore.test+json");
      assertThat(artifacts().get(disk, "/", "payload.dat").artifact().contentType())
          .isEqualTo("application/vnd.diskstore.test+json");
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {"application/octet-stream", "binary/octet-stream", "", "  "})
    void unspecificDeclaredContentTypeIsIgnored(String declared) {
      String disk = newDiskId();
      Artifact artifact =
          artifacts().upsert(disk, FileUpload.of("notes.md", utf8("# hi\n"), declared), "/");
      assertThat(artifact.contentType()).isEqualTo("text/markdown");
    }

    @Test
    void contentTypeIsDetectedFromNameAndBytes() {
      String disk = newDiskId();
      assertThat(artifacts().upsert(disk, FileUpload.of("a.md", utf8("# x"))).contentType())
          .isEqualTo("text/markdown");
      assertThat(artifacts().upsert(disk, FileUpload.of("image.png", pngBytes())).contentType())
          .isEqualTo("image/png");
    }

    @Test
    void infoDescribesTheBytes() {
      String disk = newDiskId();
      byte[] bytes = utf8("some bytes to hash");
      Artifact artifact = artifacts().upsert(disk, FileUpload.of("h.txt", bytes), "/x/");
      ArtifactInfo info = artifact.info();
      assertThat(info.sizeBytes()).isEqualTo(bytes.length);
      assertThat(info.sha256()).isEqualTo(sha256Hex(bytes)).matches("[0-9a-f]{64}");
      assertThat(info.etag()).isNotBlank();
      assertThat(info.contentType()).isNotBlank();
      assertThat(info.lastModified()).isNotNull();
      assertThat(artifact.etag()).isEqualTo(info.etag());
      assertThat(artifact.sha256()).isEqualTo(info.sha256());

      Map<String, Object> meta = artifacts().get(disk, "/x/", "h.txt").artifact().meta();
      assertThat(meta).containsKey(ArtifactInfo.KEY);
      assertThat(meta.get(ArtifactInfo.KEY)).isInstanceOf(Map.class);
      @SuppressWarnings("unchecked")
      Map<String, Object> system = (Map<String, Object>) meta.get(ArtifactInfo.KEY);
      assertThat(system)
          .containsOnlyKeys("size_bytes", "content_type", "last_modified", "sha256", "etag");
      assertThat(((Number) system.get("size_bytes")).longValue()).isEqualTo(bytes.length);
      assertThat(system.get("content_type")).isEqualTo(info.contentType());
      assertThat(system.get("sha256")).isEqualTo(sha256Hex(bytes));
      assertThat(system.get("etag")).isEqualTo(info.etag());
      assertThat(Instant.parse((String) system.get("last_modified")))
          .isEqualTo(info.lastModified());
    }

    @Test
    void upsertIntoMissingDiskFails() {
      String missing = UUID.randomUUID().toString();
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> artifacts().upsert(missing, FileUpload.ofText("a.txt", "x"), "/"))
          .satisfies(e -> assertThat(e.diskId()).isEqualTo(missing));
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> artifacts().upsert("not-a-uuid", FileUpload.ofText("a.txt", "x")));
      assertVerifyClean();
    }

    @Test
    void streamFailingMidwayLeavesThePreviousVersionIntact() {
      String disk = newDiskId();
      byte[] v1 = randomBytes(10_000, 4);
      Artifact previous =
          artifacts().upsert(disk, FileUpload.of("data.bin", v1), "/f/", Map.of("v", "1"));

      FailingInputStream failing = new FailingInputStream(randomBytes(64 * 1024, 5));
      assertThatExceptionOfType(DiskStoreException.class)
          .isThrownBy(
              () ->
                  artifacts()
                      .upsert(
                          disk, FileUpload.of("data.bin", failing), "/f/", Map.of("v", "2")));

      ArtifactResult current = artifacts().get(disk, "/f/", "data.bin");
      assertThat(current.artifact().etag()).isEqualTo(previous.etag());
      assertThat(current.artifact().sha256()).isEqualTo(previous.sha256());
      assertThat(current.artifact().userMeta()).isEqualTo(Map.of("v", "1"));
      assertThat(readAll(disk, "/f/", "data.bin")).isEqualTo(v1);

      FailingInputStream failingNew = new FailingInputStream(randomBytes(1000, 6));
      assertThatExceptionOfType(DiskStoreException.class)
          .isThrownBy(() -> artifacts().upsert(disk, FileUpload.of("new.bin", failingNew), "/f/"));
      assertThat(artifacts().find(disk, "/f/", "new.bin")).isEmpty();
      assertThat(filenames(artifacts().list(disk, "/f/"))).containsExactly("data.bin");
      assertVerifyClean();
    }
  }

  private static byte[] pngBytes() {
    byte[] header = {
      (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'
    };
    byte[] rest = randomBytes(200, 99);
    byte[] png = new byte[header.length + rest.length];
    System.arraycopy(header, 0, png, 0, header.length);
    System.arraycopy(rest, 0, png, header.length, rest.length);
    png[20] = (byte) 0xff;
    png[21] = (byte) 0xfe;
    return png;
  }

  // ---------------------------------------------------------------------------------------------
  // Deduplication
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Dedup")
  class Dedup {

    @Test
    void identicalBytesShareTheHashAcrossDisks() {
      String diskA = newDiskId();
      String diskB = newDiskId();
      byte[] bytes = randomBytes(20_000, 10);
      Artifact a = artifacts().upsert(diskA, FileUpload.of("a.bin", bytes), "/x/");
      Artifact b = artifacts().upsert(diskB, FileUpload.of("b.bin", bytes), "/y/");
      Artifact c = artifacts().upsert(diskA, FileUpload.of("c.bin", bytes), "/z/");
      assertThat(a.sha256()).isEqualTo(sha256Hex(bytes));
      assertThat(b.sha256()).isEqualTo(a.sha256());
      assertThat(c.sha256()).isEqualTo(a.sha256());
      assertThat(a.etag()).isNotEqualTo(b.etag());
      assertDeepVerifyClean();
    }

    @Test
    void deletingOneCopyLeavesTheOtherReadable() {
      String diskA = newDiskId();
      String diskB = newDiskId();
      byte[] bytes = randomBytes(20_000, 11);
      artifacts().upsert(diskA, FileUpload.of("a.bin", bytes), "/");
      artifacts().upsert(diskB, FileUpload.of("b.bin", bytes), "/");

      artifacts().delete(diskA, "/", "a.bin");
      assertThat(readAll(diskB, "/", "b.bin")).isEqualTo(bytes);
      store.maintenance().collectGarbage();
      assertThat(readAll(diskB, "/", "b.bin")).isEqualTo(bytes);
      assertDeepVerifyClean();

      artifacts().delete(diskB, "/", "b.bin");
      store.maintenance().collectGarbage();
      assertVerifyClean();
    }

    @Test
    void replacingOneCopyLeavesTheOtherReadable() {
      String disk = newDiskId();
      byte[] shared = randomBytes(5_000, 12);
      artifacts().upsert(disk, FileUpload.of("one.bin", shared), "/");
      artifacts().upsert(disk, FileUpload.of("two.bin", shared), "/");
      artifacts().upsert(disk, FileUpload.of("one.bin", randomBytes(5_000, 13)), "/");
      store.maintenance().collectGarbage();
      assertThat(readAll(disk, "/", "two.bin")).isEqualTo(shared);
      assertDeepVerifyClean();
    }

    @Test
    void deletingADiskKeepsBytesSharedWithAnotherDisk() {
      String diskA = newDiskId();
      String diskB = newDiskId();
      byte[] bytes = randomBytes(8_000, 14);
      artifacts().upsert(diskA, FileUpload.of("a.bin", bytes), "/");
      artifacts().upsert(diskB, FileUpload.of("b.bin", bytes), "/");
      store.disks().delete(diskA);
      store.maintenance().collectGarbage();
      assertThat(readAll(diskB, "/", "b.bin")).isEqualTo(bytes);
      assertDeepVerifyClean();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // get / find
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Get")
  class Get {

    @Test
    void getMissingArtifactNamesEverythingAndSuggestsList() {
      String disk = newDiskId();
      upsertText(disk, "/docs/", "present.txt", "x");
      assertThatExceptionOfType(ArtifactNotFoundException.class)
          .isThrownBy(() -> artifacts().get(disk, "docs", "absent.txt"))
          .satisfies(
              e -> {
                assertThat(e.getMessage())
                    .contains(disk)
                    .contains("/docs/")
                    .contains("absent.txt")
                    .contains("list");
                assertThat(e.diskId()).isEqualTo(disk);
                assertThat(e.path()).isEqualTo("/docs/");
                assertThat(e.filename()).isEqualTo("absent.txt");
              });
    }

    @Test
    void findMissingArtifactIsEmpty() {
      String disk = newDiskId();
      assertThat(artifacts().find(disk, "/", "nothing.txt")).isEmpty();
      assertThat(artifacts().find(disk, "/", "nothing.txt", GetOptions.urlAndContent())).isEmpty();
      Artifact artifact = upsertText(disk, "/", "something.txt", "x");
      Optional<ArtifactResult> found = artifacts().find(disk, "/", "something.txt");
      assertThat(found).isPresent();
      assertThat(found.orElseThrow().artifact().etag()).isEqualTo(artifact.etag());
    }

    @Test
    void missingDiskThrowsForGetAndFind() {
      String missing = UUID.randomUUID().toString();
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> artifacts().get(missing, "/", "a.txt"));
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> artifacts().find(missing, "/", "a.txt"));
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> artifacts().find(missing, "/", "a.txt", GetOptions.urlAndContent()));
    }

    @Test
    void getReturnsExactlyWhatUpsertReturned() {
      String disk = newDiskId();
      Artifact upserted =
          artifacts()
              .upsert(disk, FileUpload.ofText("same.txt", "x"), "/p/", Map.of("author", "alice"));
      assertThat(artifacts().get(disk, "/p/", "same.txt").artifact()).isEqualTo(upserted);
      assertThat(artifacts().list(disk, "/p/").artifacts()).containsExactly(upserted);
      Artifact updated =
          artifacts().update(disk, "/p/", "same.txt", Map.of("author", "bob"));
      assertThat(artifacts().get(disk, "/p/", "same.txt").artifact()).isEqualTo(updated);
    }

    @Test
    void plainGetHasNeitherUrlNorContent() {
      String disk = newDiskId();
      upsertText(disk, "/", "plain.txt", "hello");
      ArtifactResult plain = artifacts().get(disk, "/", "plain.txt");
      assertThat(plain.publicUrl()).isEmpty();
      assertThat(plain.content()).isEmpty();
      ArtifactResult none = artifacts().get(disk, "/", "plain.txt", GetOptions.NONE);
      assertThat(none.publicUrl()).isEmpty();
      assertThat(none.content()).isEmpty();
    }

    @Test
    void optionsAreIndependent() {
      String disk = newDiskId();
      upsertText(disk, "/", "o.txt", "hello");
      ArtifactResult urlOnly =
          artifacts().get(disk, "/", "o.txt", GetOptions.builder().withPublicUrl(true).build());
      assertThat(urlOnly.publicUrl()).isPresent();
      assertThat(urlOnly.content()).isEmpty();
      ArtifactResult contentOnly =
          artifacts().get(disk, "/", "o.txt", GetOptions.builder().withContent(true).build());
      assertThat(contentOnly.publicUrl()).isEmpty();
      assertThat(contentOnly.content()).isPresent();
    }

    @Test
    void expireOutsideOneSecondToSevenDaysIsRejected() {
      assertThatExceptionOfType(InvalidRequestException.class)
          .isThrownBy(() -> GetOptions.builder().withPublicUrl(true).expireSeconds(0).build());
      assertThatExceptionOfType(InvalidRequestException.class)
          .isThrownBy(
              () -> GetOptions.builder().withPublicUrl(true).expire(Duration.ofDays(8)).build());
      assertThatExceptionOfType(InvalidRequestException.class)
          .isThrownBy(() -> GetOptions.builder().expire(Duration.ofMillis(999)).build());

      String disk = newDiskId();
      upsertText(disk, "/", "e.txt", "x");
      for (Duration ok : List.of(Duration.ofSeconds(1), Duration.ofDays(7))) {
        GetOptions options = GetOptions.builder().withPublicUrl(true).expire(ok).build();
        ArtifactResult result = artifacts().get(disk, "/", "e.txt", options);
        assertThat(result.publicUrl()).as("URL for expire %s", ok).isPresent();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Parsed content
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Content")
  class Content {
    private final GetOptions withContent = GetOptions.builder().withContent(true).build();

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource({
      "notes.md, text",
      "notes.txt, text",
      "data.json, json",
      "table.csv, csv",
      "script.py, code"
    })
    void textLikeFilesHaveParsedContent(String filename, String type) {
      Map<String, String> samples =
          Map.of(
              "notes.md", "# Title\n\nSome *text* with \u00fcn\u00efc\u00f6d\u00e9 \uD83D\uDE00.\n",
              "notes.txt", "plain text\nsecond line\n",
              "data.json", "{\n  \"b\" : 1,   \"a\": [true, null, 2.50]\n}\n",
              "table.csv", "name,age\nalice,30\nbob,25\n",
              "script.py", "def hello():\n    return 'hi'\n");
      String text = samples.get(filename);
      String disk = newDiskId();
      upsertText(disk, "/c/", filename, text);
      ArtifactResult result = artifacts().get(disk, "/c/", filename, withContent);
      assertThat(result.content()).hasValue(new ArtifactContent(type, text, false));
      assertThat(result.publicUrl()).isEmpty();
    }

    @Test
    void binaryFilesHaveNoContent() {
      String disk = newDiskId();
      artifacts().upsert(disk, FileUpload.of("image.png", pngBytes()), "/");
      artifacts().upsert(disk, FileUpload.of("random.bin", randomBytes(500, 20)), "/");
      assertThat(artifacts().get(disk, "/", "image.png", withContent).content()).isEmpty();
      assertThat(artifacts().get(disk, "/", "random.bin", withContent).content()).isEmpty();
    }

    private ArtifactContent contentOf(String disk, String filename, byte[] bytes) {
      artifacts().upsert(disk, FileUpload.of(filename, bytes), "/");
      return artifacts().get(disk, "/", filename, withContent).content().orElseThrow(
          () -> new AssertionError(filename + " has no content"));
    }

    @Test
    void legacyEncodedTextHasItsText() {
      // Acontext returns these as text (with U+FFFD); DiskStore decodes them.
      String disk = newDiskId();
      ArtifactContent latin1 =
          contentOf(disk, "latin1.txt", "caf\u00e9 na\u00efve\n".getBytes(ISO_8859_1));
      assertThat(latin1.raw()).isEqualTo("caf\u00e9 na\u00efve\n");
      assertThat(latin1.charset()).isNotEqualTo(ArtifactContent.UTF_8);
      assertThat(latin1.lossy()).isFalse();

      String ansi = "\u201cSmart quotes\u201d cost 5 \u20ac \u2013 don\u2019t they?\r\n";
      ArtifactContent cp1252 =
          contentOf(disk, "ansi.md", ansi.getBytes(Charset.forName("windows-1252")));
      assertThat(cp1252.type()).isEqualTo(ArtifactContent.TEXT);
      assertThat(cp1252.raw()).isEqualTo(ansi);
      assertThat(cp1252.charset()).isEqualTo("windows-1252");
      assertThat(cp1252.lossy()).isFalse();
    }

    @Test
    void byteOrderMarksDecideTheEncodingAndAreNotText() {
      String disk = newDiskId();
      String text = "Gr\u00fc\u00dfe \u20ac \u65e5\u672c \uD83D\uDE80\n";
      ArtifactContent le =
          contentOf(disk, "le.txt", concatBytes(new byte[] {(byte) 0xFF, (byte) 0xFE}, text.getBytes(UTF_16LE)));
      assertThat(le).isEqualTo(new ArtifactContent(ArtifactContent.TEXT, text, false, "UTF-16LE", false));
      ArtifactContent be =
          contentOf(disk, "be.txt", concatBytes(new byte[] {(byte) 0xFE, (byte) 0xFF}, text.getBytes(UTF_16BE)));
      assertThat(be).isEqualTo(new ArtifactContent(ArtifactContent.TEXT, text, false, "UTF-16BE", false));
      ArtifactContent utf8Bom =
          contentOf(
              disk, "bom.txt",
              concatBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(text)));
      assertThat(utf8Bom).isEqualTo(new ArtifactContent(ArtifactContent.TEXT, text, false));
    }

    @Test
    void binaryBytesUnderATextNameHaveNoContent() {
      String disk = newDiskId();
      artifacts().upsert(disk, FileUpload.of("random.txt", randomBytes(4096, 21)), "/");
      artifacts().upsert(disk, FileUpload.of("image.txt", pngBytes()), "/");
      assertThat(artifacts().get(disk, "/", "random.txt", withContent).content()).isEmpty();
      assertThat(artifacts().get(disk, "/", "random.txt", withContent).contentUnavailable())
          .isPresent();
      assertThat(artifacts().get(disk, "/", "image.txt", withContent).content()).isEmpty();
    }

    @Test
    void emptyTextFileHasEmptyContent() {
      String disk = newDiskId();
      artifacts().upsert(disk, FileUpload.of("empty.txt", new byte[0]), "/");
      assertThat(artifacts().get(disk, "/", "empty.txt", withContent).content())
          .hasValue(new ArtifactContent(ArtifactContent.TEXT, "", false));
    }

    @Test
    void contentLongerThanTheDefaultMaximumIsTruncated() {
      String disk = newDiskId();
      String text = "abcdefghij".repeat(150_000);
      upsertText(disk, "/", "long.txt", text);
      ArtifactContent content =
          artifacts().get(disk, "/", "long.txt", withContent).content().orElseThrow();
      assertThat(content.truncated()).isTrue();
      assertThat(content.raw()).hasSize(1_048_576);
      assertThat(text).startsWith(content.raw());
    }

    @Test
    void contentOfExactlyTheDefaultMaximumIsNotTruncated() {
      String disk = newDiskId();
      String text = "z".repeat(1_048_576);
      upsertText(disk, "/", "exact.txt", text);
      ArtifactContent content =
          artifacts().get(disk, "/", "exact.txt", withContent).content().orElseThrow();
      assertThat(content.truncated()).isFalse();
      assertThat(content.raw()).isEqualTo(text);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // open()
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Open")
  class Open {

    @Test
    void fullAndRangedReads() {
      String disk = newDiskId();
      byte[] bytes = utf8("0123456789abcdef");
      artifacts().upsert(disk, FileUpload.of("r.bin", bytes), "/r/");
      assertThat(readAll(disk, "/r/", "r.bin")).isEqualTo(bytes);
      assertThat(readRange(disk, "/r/", "r.bin", ByteRange.from(0))).isEqualTo(bytes);
      assertThat(readRange(disk, "/r/", "r.bin", ByteRange.of(2, 3))).isEqualTo(utf8("234"));
      assertThat(readRange(disk, "/r/", "r.bin", ByteRange.from(10))).isEqualTo(utf8("abcdef"));
      assertThat(readRange(disk, "/r/", "r.bin", ByteRange.of(14, 100))).isEqualTo(utf8("ef"));
      assertThat(readRange(disk, "/r/", "r.bin", ByteRange.of(0, 0))).isEmpty();
      assertThat(readRange(disk, "/r/", "r.bin", ByteRange.from(16))).isEmpty();
      assertThat(readRange(disk, "/r/", "r.bin", ByteRange.from(1000))).isEmpty();
    }

    @Test
    void rangedReadOfALargerFile() {
      String disk = newDiskId();
      byte[] bytes = randomBytes(300_000, 30);
      artifacts().upsert(disk, FileUpload.of("large.bin", bytes), "/");
      byte[] middle = readRange(disk, "/", "large.bin", ByteRange.of(123_456, 65_537));
      byte[] expected = new byte[65_537];
      System.arraycopy(bytes, 123_456, expected, 0, expected.length);
      assertThat(middle).isEqualTo(expected);
    }

    @Test
    void openMissingFails() {
      String disk = newDiskId();
      assertThatExceptionOfType(ArtifactNotFoundException.class)
          .isThrownBy(() -> artifacts().open(disk, "/", "missing.bin"));
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> artifacts().open(UUID.randomUUID().toString(), "/", "missing.bin"));
    }

    @Test
    void streamKeepsReadingTheVersionCurrentAtTheCall() throws IOException {
      String disk = newDiskId();
      byte[] v1 = randomBytes(200_000, 31);
      byte[] v2 = randomBytes(150_000, 32);
      artifacts().upsert(disk, FileUpload.of("moving.bin", v1), "/");
      try (InputStream in = artifacts().open(disk, "/", "moving.bin")) {
        byte[] head = in.readNBytes(1000);
        artifacts().upsert(disk, FileUpload.of("moving.bin", v2), "/");
        byte[] tail = in.readAllBytes();
        byte[] all = new byte[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        assertThat(all).isEqualTo(v1);
      }
      assertThat(readAll(disk, "/", "moving.bin")).isEqualTo(v2);
    }

    @Test
    void theStreamCarriesTheMetadataOfTheVersionItReads() throws IOException {
      String disk = newDiskId();
      byte[] v1 = randomBytes(50_000, 33);
      Artifact first =
          artifacts().upsert(disk, FileUpload.of("v.bin", v1), "/m/", Map.of("version", 1));
      try (ArtifactStream in = artifacts().open(disk, "/m/", "v.bin")) {
        artifacts().upsert(disk, FileUpload.of("v.bin", utf8("second")), "/m/", Map.of("version", 2));
        Artifact read = in.artifact();
        assertThat(read.info().etag()).isEqualTo(first.info().etag());
        assertThat(read.info().sha256()).isEqualTo(first.info().sha256());
        assertThat(read.info().sizeBytes()).isEqualTo(v1.length);
        assertThat(read.userMeta()).containsEntry("version", 1);
        assertThat(read.path()).isEqualTo("/m/");
        assertThat(read.filename()).isEqualTo("v.bin");
        assertThat(in.readAllBytes()).isEqualTo(v1);
      }
      try (ArtifactStream in = artifacts().open(disk, "/m/", "v.bin", ByteRange.of(1, 3))) {
        assertThat(in.artifact().userMeta()).containsEntry("version", 2);
        assertThat(in.artifact().info().sizeBytes()).as("the artifact's size, not the range's").isEqualTo(6);
        assertThat(in.readAllBytes()).isEqualTo(utf8("eco"));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Listing
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Listing")
  class Listing {

    private List<String> pageThrough(String disk, String path, int limit, List<Integer> sizes) {
      List<String> entries = new ArrayList<>();
      String cursor = null;
      do {
        ArtifactListing page = artifacts().list(disk, path, limit, cursor);
        int size = page.directories().size() + page.artifacts().size();
        assertThat(size).as("page size").isLessThanOrEqualTo(limit);
        sizes.add(size);
        page.directories().forEach(d -> entries.add("dir:" + d));
        page.artifacts().forEach(a -> entries.add("file:" + a.filename()));
        cursor = page.nextCursor().orElse(null);
        assertThat(sizes).as("pages").hasSizeLessThan(100);
      } while (cursor != null);
      return entries;
    }

    @Test
    void filesAndDirectoriesAreOrderedByName() {
      String disk = newDiskId();
      for (String name : List.of("b.txt", "a.txt", "C.txt", "a.txt.bak", "_x.txt")) {
        upsertText(disk, "/dir/", name, name);
      }
      upsertText(disk, "/dir/zeta/", "x.txt", "x");
      upsertText(disk, "/dir/alpha/", "x.txt", "x");
      upsertText(disk, "/dir/Beta/y/", "z.txt", "z");
      ArtifactListing listing = artifacts().list(disk, "/dir/");
      assertThat(filenames(listing))
          .containsExactly("C.txt", "_x.txt", "a.txt", "a.txt.bak", "b.txt");
      assertThat(listing.directories()).containsExactly("Beta", "alpha", "zeta");
      assertThat(listing.artifacts()).allSatisfy(a -> assertThat(a.path()).isEqualTo("/dir/"));
      assertThat(listing.nextCursor()).isEmpty();
    }

    @Test
    void orderIsByUtf8BytesNotUtf16() {
      String disk = newDiskId();
      String fullwidthA = "\uff21.txt";
      String grinning = "\uD83D\uDE00.txt";
      upsertText(disk, "/", grinning, "1");
      upsertText(disk, "/", fullwidthA, "2");
      upsertText(disk, "/", "z.txt", "3");
      upsertText(disk, "/\uD83D\uDE00/", "f.txt", "4");
      upsertText(disk, "/\uff21/", "f.txt", "5");
      ArtifactListing listing = artifacts().list(disk, "/");
      assertThat(filenames(listing)).containsExactly("z.txt", fullwidthA, grinning);
      assertThat(listing.directories()).containsExactly("\uff21", "\uD83D\uDE00");
    }

    @Test
    void nestedDirectoriesAppearOneLevelAtATime() {
      String disk = newDiskId();
      upsertText(disk, "/a/b/c/", "d.txt", "d");
      ArtifactListing root = artifacts().list(disk, "/");
      assertThat(root.directories()).containsExactly("a");
      assertThat(root.artifacts()).isEmpty();
      assertThat(artifacts().list(disk, "/a").directories()).containsExactly("b");
      assertThat(artifacts().list(disk, "/a").artifacts()).isEmpty();
      assertThat(artifacts().list(disk, "a/b/").directories()).containsExactly("c");
      ArtifactListing leaf = artifacts().list(disk, "/a/b/c/");
      assertThat(leaf.directories()).isEmpty();
      assertThat(filenames(leaf)).containsExactly("d.txt");
    }

    @Test
    void directoryDisappearsWhenItsLastFileIsDeleted() {
      String disk = newDiskId();
      upsertText(disk, "/a/b/", "one.txt", "1");
      upsertText(disk, "/a/", "two.txt", "2");
      upsertText(disk, "/keep/", "k.txt", "k");

      artifacts().delete(disk, "/a/", "two.txt");
      assertThat(artifacts().list(disk, "/").directories()).containsExactly("a", "keep");
      assertThat(artifacts().list(disk, "/a/").directories()).containsExactly("b");
      assertThat(artifacts().list(disk, "/a/").artifacts()).isEmpty();

      artifacts().delete(disk, "/a/b/", "one.txt");
      assertThat(artifacts().list(disk, "/").directories()).containsExactly("keep");
      ArtifactListing gone = artifacts().list(disk, "/a/");
      assertThat(gone.directories()).isEmpty();
      assertThat(gone.artifacts()).isEmpty();
      assertVerifyClean();
    }

    @Test
    void listingANonExistentDirectoryIsEmpty() {
      String disk = newDiskId();
      upsertText(disk, "/real/", "f.txt", "f");
      ArtifactListing listing = artifacts().list(disk, "/no/such/dir/");
      assertThat(listing.artifacts()).isEmpty();
      assertThat(listing.directories()).isEmpty();
      assertThat(listing.hasMore()).isFalse();
      assertThat(artifacts().list(disk, "/no/", 10, null).artifacts()).isEmpty();
      assertThat(artifacts().list(newDiskId(), "/").artifacts()).isEmpty();
    }

    @Test
    void listEntriesAreFullArtifacts() {
      String disk = newDiskId();
      Artifact artifact =
          artifacts()
              .upsert(disk, FileUpload.ofText("full.md", "# x"), "/l/", Map.of("author", "alice"));
      Artifact listed = artifacts().list(disk, "/l/").artifacts().get(0);
      assertThat(listed.etag()).isEqualTo(artifact.etag());
      assertThat(listed.sha256()).isEqualTo(artifact.sha256());
      assertThat(listed.contentType()).isEqualTo("text/markdown");
      assertThat(listed.userMeta()).isEqualTo(Map.of("author", "alice"));
      assertThat(listed.meta()).containsKey(ArtifactInfo.KEY);
      assertThat(listed.diskId()).isEqualTo(disk);
      assertThat(listed.createdAt()).isEqualTo(artifact.createdAt());
    }

    @Test
    void paginationConcatenatesToDirectoriesThenFiles() {
      String disk = newDiskId();
      for (String dir : List.of("d3", "d1", "d2")) {
        upsertText(disk, "/p/" + dir + "/", "inner.txt", dir);
      }
      for (String file : List.of("f4.txt", "f2.txt", "f5.txt", "f1.txt", "f3.txt")) {
        upsertText(disk, "/p/", file, file);
      }
      List<String> expected =
          List.of(
              "dir:d1", "dir:d2", "dir:d3",
              "file:f1.txt", "file:f2.txt", "file:f3.txt", "file:f4.txt", "file:f5.txt");

      List<Integer> sizes = new ArrayList<>();
      assertThat(pageThrough(disk, "/p/", 2, sizes)).containsExactlyElementsOf(expected);
      assertThat(sizes)
          .as("page sizes; no cursor after the last entry")
          .containsExactly(2, 2, 2, 2);

      List<Integer> ones = new ArrayList<>();
      assertThat(pageThrough(disk, "/p/", 1, ones)).containsExactlyElementsOf(expected);
      assertThat(ones).hasSize(8);

      List<Integer> threes = new ArrayList<>();
      assertThat(pageThrough(disk, "p", 3, threes)).containsExactlyElementsOf(expected);
      assertThat(threes).containsExactly(3, 3, 2);

      List<Integer> whole = new ArrayList<>();
      assertThat(pageThrough(disk, "/p/", 8, whole)).containsExactlyElementsOf(expected);
      assertThat(whole).containsExactly(8);
      assertThat(pageThrough(disk, "/p/", 10_000, new ArrayList<>()))
          .containsExactlyElementsOf(expected);

      ArtifactListing unpaged = artifacts().list(disk, "/p/");
      assertThat(unpaged.directories()).containsExactly("d1", "d2", "d3");
      assertThat(filenames(unpaged))
          .containsExactly("f1.txt", "f2.txt", "f3.txt", "f4.txt", "f5.txt");
    }

    @Test
    void paginationHasNoDuplicatesWhenEntriesAreAddedBetweenPages() {
      String disk = newDiskId();
      for (String file : List.of("b.txt", "d.txt", "f.txt", "h.txt")) {
        upsertText(disk, "/", file, file);
      }
      ArtifactListing first = artifacts().list(disk, "/", 2, null);
      assertThat(filenames(first)).containsExactly("b.txt", "d.txt");
      upsertText(disk, "/", "a.txt", "before the cursor");
      upsertText(disk, "/", "e.txt", "after the cursor");
      List<String> rest = new ArrayList<>();
      String cursor = first.nextCursor().orElseThrow();
      while (cursor != null) {
        ArtifactListing page = artifacts().list(disk, "/", 2, cursor);
        rest.addAll(filenames(page));
        cursor = page.nextCursor().orElse(null);
      }
      assertThat(rest).containsExactly("e.txt", "f.txt", "h.txt");
    }

    @Test
    void badCursorIsRejected() {
      String disk = newDiskId();
      for (int i = 0; i < 3; i++) {
        upsertText(disk, "/one/", "f" + i + ".txt", "x");
        upsertText(disk, "/two/", "f" + i + ".txt", "x");
      }
      assertThatExceptionOfType(InvalidCursorException.class)
          .isThrownBy(() -> artifacts().list(disk, "/one/", 2, "garbage"));
      assertThatExceptionOfType(InvalidCursorException.class)
          .isThrownBy(() -> artifacts().list(disk, "/one/", 2, "xyz=="));
      String cursor = artifacts().list(disk, "/one/", 2, null).nextCursor().orElseThrow();
      assertThatExceptionOfType(InvalidCursorException.class)
          .as("a cursor of another directory")
          .isThrownBy(() -> artifacts().list(disk, "/two/", 2, cursor));
      store.disks().create();
      store.disks().create();
      String diskCursor = store.disks().list(1, null, false, null).nextCursor().orElseThrow();
      assertThatExceptionOfType(InvalidCursorException.class)
          .as("a disk-listing cursor")
          .isThrownBy(() -> artifacts().list(disk, "/one/", 2, diskCursor));
      assertThat(filenames(artifacts().list(disk, "/one/", 2, cursor))).containsExactly("f2.txt");
    }

    @Test
    void limitOutsideOneToTenThousandIsRejected() {
      String disk = newDiskId();
      for (int limit : new int[] {0, -1, 10_001}) {
        assertThatExceptionOfType(InvalidRequestException.class)
            .as("limit %d", limit)
            .isThrownBy(() -> artifacts().list(disk, "/", limit, null));
      }
      assertThat(artifacts().list(disk, "/", 10_000, null).hasMore()).isFalse();
    }

    @Test
    void listingAMissingDiskFails() {
      String missing = UUID.randomUUID().toString();
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> artifacts().list(missing, "/"));
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> artifacts().list(missing, "/", 10, null));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // update()
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Metadata")
  class Metadata {

    @Test
    void updateReplacesUserMetaAndKeepsTheBytes() {
      String disk = newDiskId();
      byte[] bytes = utf8("unchanged bytes");
      Artifact original =
          artifacts()
              .upsert(disk, FileUpload.of("u.txt", bytes), "/docs/", Map.of("a", 1, "b", "x"));
      pause(20);
      Artifact updated = artifacts().update(disk, "docs", "u.txt", Map.of("c", true));

      assertThat(updated.userMeta()).isEqualTo(Map.of("c", true));
      assertThat(updated.path()).isEqualTo("/docs/");
      assertThat(updated.sha256()).isEqualTo(original.sha256());
      assertThat(updated.sizeBytes()).isEqualTo(original.sizeBytes());
      assertThat(updated.contentType()).isEqualTo(original.contentType());
      assertThat(updated.info().lastModified()).isEqualTo(original.info().lastModified());
      assertThat(updated.etag()).isNotEqualTo(original.etag());
      assertThat(updated.updatedAt()).isAfter(original.updatedAt());
      assertThat(updated.createdAt()).isEqualTo(original.createdAt());

      ArtifactResult current = artifacts().get(disk, "/docs/", "u.txt");
      assertThat(current.artifact().userMeta()).isEqualTo(Map.of("c", true));
      assertThat(current.artifact().etag()).isEqualTo(updated.etag());
      assertThat(current.artifact().info().lastModified())
          .isEqualTo(original.info().lastModified());
      assertThat(readAll(disk, "/docs/", "u.txt")).isEqualTo(bytes);
      assertVerifyClean();
    }

    @Test
    void updateWithEmptyMapClears() {
      String disk = newDiskId();
      artifacts().upsert(disk, FileUpload.ofText("u.txt", "x"), "/", Map.of("a", "b"));
      Artifact updated = artifacts().update(disk, "/", "u.txt", Map.of());
      assertThat(updated.userMeta()).isEmpty();
      assertThat(artifacts().get(disk, "/", "u.txt").artifact().userMeta()).isEmpty();
    }

    @Test
    void updateOfAMissingArtifactFails() {
      String disk = newDiskId();
      assertThatExceptionOfType(ArtifactNotFoundException.class)
          .isThrownBy(() -> artifacts().update(disk, "/", "nope.txt", Map.of("a", "b")));
      assertThat(artifacts().find(disk, "/", "nope.txt")).isEmpty();
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(
              () ->
                  artifacts().update(UUID.randomUUID().toString(), "/", "nope.txt", Map.of()));
    }

    @Test
    void updateRejectsBadMetaAndChangesNothing() {
      String disk = newDiskId();
      Artifact original =
          artifacts().upsert(disk, FileUpload.ofText("u.txt", "x"), "/", Map.of("a", "b"));
      assertThatExceptionOfType(InvalidMetadataException.class)
          .isThrownBy(
              () -> artifacts().update(disk, "/", "u.txt", Map.of(ArtifactInfo.KEY, "forged")));
      assertThatExceptionOfType(InvalidMetadataException.class)
          .isThrownBy(() -> artifacts().update(disk, "/", "u.txt", Map.of("o", new Object())));
      assertThatExceptionOfType(InvalidMetadataException.class)
          .isThrownBy(
              () -> artifacts().update(disk, "/", "u.txt", Map.of("big", "q".repeat(70_000))));
      Artifact current = artifacts().get(disk, "/", "u.txt").artifact();
      assertThat(current.etag()).isEqualTo(original.etag());
      assertThat(current.userMeta()).isEqualTo(Map.of("a", "b"));
    }

    @Test
    void updatedNestedMetaRoundTrips() {
      String disk = newDiskId();
      artifacts().upsert(disk, FileUpload.ofText("n.txt", "x"), "/");
      Map<String, Object> meta = richMeta();
      assertSameJson(artifacts().update(disk, "/", "n.txt", meta).userMeta(), meta);
      assertSameJson(artifacts().get(disk, "/", "n.txt").artifact().userMeta(), meta);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Conditional writes
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Conditional")
  class Conditional {

    @Test
    void ifMatchWithTheCurrentEtagSucceeds() {
      String disk = newDiskId();
      Artifact v1 = upsertText(disk, "/", "c.txt", "v1");
      Artifact v2 =
          artifacts()
              .upsert(
                  disk,
                  FileUpload.ofText("c.txt", "v2"),
                  "/",
                  null,
                  Precondition.ifMatch(v1.etag()));
      assertThat(v2.etag()).isNotEqualTo(v1.etag());
      assertThat(readAll(disk, "/", "c.txt")).isEqualTo(utf8("v2"));
    }

    @Test
    void ifMatchWithAStaleEtagFailsAndChangesNothing() {
      String disk = newDiskId();
      Artifact v1 = upsertText(disk, "/", "c.txt", "v1");
      Artifact v2 =
          artifacts().upsert(disk, FileUpload.ofText("c.txt", "v2"), "/", Map.of("m", "2"));
      assertThatExceptionOfType(PreconditionFailedException.class)
          .isThrownBy(
              () ->
                  artifacts()
                      .upsert(
                          disk,
                          FileUpload.ofText("c.txt", "v3"),
                          "/",
                          Map.of("m", "3"),
                          Precondition.ifMatch(v1.etag())))
          .satisfies(e -> assertThat(e.currentEtag()).isEqualTo(v2.etag()));
      Artifact current = artifacts().get(disk, "/", "c.txt").artifact();
      assertThat(current.etag()).isEqualTo(v2.etag());
      assertThat(current.userMeta()).isEqualTo(Map.of("m", "2"));
      assertThat(readAll(disk, "/", "c.txt")).isEqualTo(utf8("v2"));
      assertVerifyClean();
    }

    @Test
    void ifNoneMatchOnAnExistingArtifactFails() {
      String disk = newDiskId();
      Artifact existing = upsertText(disk, "/", "c.txt", "original");
      assertThatExceptionOfType(PreconditionFailedException.class)
          .isThrownBy(
              () ->
                  artifacts()
                      .upsert(
                          disk,
                          FileUpload.ofText("c.txt", "overwrite"),
                          "/",
                          null,
                          Precondition.ifNoneMatch()))
          .satisfies(e -> assertThat(e.currentEtag()).isEqualTo(existing.etag()));
      assertThat(readAll(disk, "/", "c.txt")).isEqualTo(utf8("original"));
      assertVerifyClean();
    }

    @Test
    void ifNoneMatchOnANewPathCreates() {
      String disk = newDiskId();
      Artifact created =
          artifacts()
              .upsert(
                  disk,
                  FileUpload.ofText("new.txt", "fresh"),
                  "/n/",
                  Map.of("k", "v"),
                  Precondition.ifNoneMatch());
      assertThat(created.userMeta()).isEqualTo(Map.of("k", "v"));
      assertThat(readAll(disk, "/n/", "new.txt")).isEqualTo(utf8("fresh"));
    }

    @Test
    void ifMatchOnAMissingArtifactFails() {
      String disk = newDiskId();
      assertThatExceptionOfType(PreconditionFailedException.class)
          .isThrownBy(
              () ->
                  artifacts()
                      .upsert(
                          disk,
                          FileUpload.ofText("ghost.txt", "x"),
                          "/",
                          null,
                          Precondition.ifMatch("some-etag")))
          .satisfies(e -> assertThat(e.currentEtag()).isNull());
      assertThat(artifacts().find(disk, "/", "ghost.txt")).isEmpty();
      assertThatExceptionOfType(PreconditionFailedException.class)
          .isThrownBy(
              () ->
                  artifacts()
                      .update(disk, "/", "ghost.txt", Map.of(), Precondition.ifMatch("some-etag")));
      assertThatExceptionOfType(PreconditionFailedException.class)
          .isThrownBy(
              () -> artifacts().delete(disk, "/", "ghost.txt", Precondition.ifMatch("some-etag")));
      assertVerifyClean();
    }

    @Test
    void updateWithAStaleEtagFails() {
      String disk = newDiskId();
      Artifact v1 =
          artifacts().upsert(disk, FileUpload.ofText("u.txt", "x"), "/", Map.of("n", "1"));
      Artifact v2 = artifacts().update(disk, "/", "u.txt", Map.of("n", "2"));
      assertThatExceptionOfType(PreconditionFailedException.class)
          .isThrownBy(
              () ->
                  artifacts()
                      .update(
                          disk, "/", "u.txt", Map.of("n", "3"), Precondition.ifMatch(v1.etag())))
          .satisfies(e -> assertThat(e.currentEtag()).isEqualTo(v2.etag()));
      assertThat(artifacts().get(disk, "/", "u.txt").artifact().userMeta())
          .isEqualTo(Map.of("n", "2"));
      Artifact v3 =
          artifacts().update(disk, "/", "u.txt", Map.of("n", "3"), Precondition.ifMatch(v2.etag()));
      assertThat(v3.userMeta()).isEqualTo(Map.of("n", "3"));
    }

    @Test
    void deleteWithAStaleEtagFails() {
      String disk = newDiskId();
      Artifact v1 = upsertText(disk, "/", "d.txt", "1");
      Artifact v2 = upsertText(disk, "/", "d.txt", "2");
      assertThatExceptionOfType(PreconditionFailedException.class)
          .isThrownBy(() -> artifacts().delete(disk, "/", "d.txt", Precondition.ifMatch(v1.etag())))
          .satisfies(e -> assertThat(e.currentEtag()).isEqualTo(v2.etag()));
      assertThat(readAll(disk, "/", "d.txt")).isEqualTo(utf8("2"));
      artifacts().delete(disk, "/", "d.txt", Precondition.ifMatch(v2.etag()));
      assertThat(artifacts().find(disk, "/", "d.txt")).isEmpty();
      assertVerifyClean();
    }

    @Test
    void preconditionAccessors() {
      assertThat(Precondition.none().isNone()).isTrue();
      assertThat(Precondition.ifMatch("e1").requiredEtag()).hasValue("e1");
      assertThat(Precondition.ifNoneMatch().requiresAbsent()).isTrue();
      assertThat(Precondition.ifNoneMatch().requiredEtag()).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Delete
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Delete")
  class Delete {

    @Test
    void deletedArtifactIsGone() {
      String disk = newDiskId();
      upsertText(disk, "/d/", "gone.txt", "bye");
      upsertText(disk, "/d/", "stays.txt", "hi");
      artifacts().delete(disk, "d", "gone.txt");
      assertThatExceptionOfType(ArtifactNotFoundException.class)
          .isThrownBy(() -> artifacts().get(disk, "/d/", "gone.txt"));
      assertThatExceptionOfType(ArtifactNotFoundException.class)
          .isThrownBy(() -> artifacts().open(disk, "/d/", "gone.txt"));
      assertThat(filenames(artifacts().list(disk, "/d/"))).containsExactly("stays.txt");
      assertVerifyClean();
    }

    @Test
    void deletingAMissingArtifactFails() {
      String disk = newDiskId();
      assertThatExceptionOfType(ArtifactNotFoundException.class)
          .isThrownBy(() -> artifacts().delete(disk, "/", "never.txt"))
          .satisfies(e -> assertThat(e.filename()).isEqualTo("never.txt"));
      upsertText(disk, "/", "once.txt", "x");
      artifacts().delete(disk, "/", "once.txt");
      assertThatExceptionOfType(ArtifactNotFoundException.class)
          .isThrownBy(() -> artifacts().delete(disk, "/", "once.txt"));
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> artifacts().delete(UUID.randomUUID().toString(), "/", "once.txt"));
    }

    @Test
    void recreatingADeletedArtifactStartsAfresh() {
      String disk = newDiskId();
      Artifact old =
          artifacts().upsert(disk, FileUpload.ofText("r.txt", "old"), "/", Map.of("k", "v"));
      artifacts().delete(disk, "/", "r.txt");
      pause(20);
      Artifact recreated = artifacts().upsert(disk, FileUpload.ofText("r.txt", "new"), "/");
      assertThat(recreated.createdAt()).isAfter(old.createdAt());
      assertThat(recreated.userMeta()).isEmpty();
      assertThat(recreated.etag()).isNotEqualTo(old.etag());
      assertThat(readAll(disk, "/", "r.txt")).isEqualTo(utf8("new"));
    }

    @Test
    void deletingADiskCascades() {
      String disk = newDiskId();
      String other = newDiskId();
      upsertText(disk, "/a/b/", "deep.txt", "deep");
      upsertText(disk, "/", "top.txt", "shared bytes");
      upsertText(other, "/", "other.txt", "shared bytes");

      store.disks().delete(disk);
      assertThat(store.disks().find(disk)).isEmpty();
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> store.disks().get(disk));
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> artifacts().get(disk, "/a/b/", "deep.txt"));
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> artifacts().find(disk, "/", "top.txt"));
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> artifacts().list(disk, "/"));
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> artifacts().upsert(disk, FileUpload.ofText("x.txt", "x")));
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> store.disks().delete(disk));
      assertThat(diskIds(store.disks().list(200, null, false, null).items()))
          .containsExactly(other);

      assertThat(readAll(other, "/", "other.txt")).isEqualTo(utf8("shared bytes"));
      store.maintenance().collectGarbage();
      assertThat(readAll(other, "/", "other.txt")).isEqualTo(utf8("shared bytes"));
      assertDeepVerifyClean();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Disks
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Disks")
  class DisksApi {

    @Test
    void createdDiskHasIdProjectAndTimestamps() {
      Instant before = Instant.now().minusSeconds(1);
      Disk disk = store.disks().create();
      Instant after = Instant.now().plusSeconds(1);
      assertThat(UUID.fromString(disk.id()).toString()).isEqualToIgnoringCase(disk.id());
      assertThat(disk.projectId()).isNotBlank().isEqualTo(store.projectId());
      assertThat(disk.user()).isNull();
      assertThat(disk.findUser()).isEmpty();
      assertThat(disk.createdAt()).isBetween(before, after);
      assertThat(disk.updatedAt()).isEqualTo(disk.createdAt());
      assertThat(store.disks().get(disk.id())).isEqualTo(disk);
      assertThat(store.disks().find(disk.id())).hasValue(disk);
    }

    @Test
    void createForUser() {
      Disk disk = store.disks().create("alice@example.com");
      assertThat(disk.user()).isEqualTo("alice@example.com");
      assertThat(disk.findUser()).hasValue("alice@example.com");
      assertThat(store.disks().get(disk.id()).user()).isEqualTo("alice@example.com");
      Disk nullUser = store.disks().create(null);
      assertThat(nullUser.user()).isNull();
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {"", "   ", "\t"})
    void blankUserMeansNoUserOnCreateAndNoFilterOnList(String blank) {
      // Acontext: POST /disk {"user": ""} creates a disk without user; GET /disk?user= lists all.
      Disk alice = store.disks().create("alice");
      Disk unowned = store.disks().create(blank);
      assertThat(unowned.user()).isNull();
      assertThat(store.disks().get(unowned.id()).user()).isNull();

      assertThat(ids(store.disks().list(10, null, false, blank).items()))
          .containsExactly(alice.id(), unowned.id());
      assertThat(ids(store.disks().list(DiskListRequest.builder().user(blank).build()).items()))
          .containsExactly(alice.id(), unowned.id());
      assertThat(DiskListRequest.builder().user(blank).build().user()).isEmpty();
      assertThat(ids(store.disks().list(10, null, false, "alice").items()))
          .containsExactly(alice.id());

      // a cursor from the unfiltered listing continues a blank-filtered one: they are one query
      DiskPage first = store.disks().list(1, null, false, null);
      assertThat(ids(store.disks().list(1, first.nextCursor().orElseThrow(), false, blank).items()))
          .containsExactly(unowned.id());
    }

    @Test
    void userWithControlCharactersOrTooLongIsRejected() {
      assertThatExceptionOfType(InvalidRequestException.class)
          .isThrownBy(() -> store.disks().create("al\nice"));
      assertThatExceptionOfType(InvalidRequestException.class)
          .isThrownBy(() -> store.disks().create("u".repeat(1025)));
      assertThat(store.disks().list().items()).isEmpty();
    }

    @Test
    void idsAreUnique() {
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < 20; i++) {
        ids.add(store.disks().create().id());
      }
      assertThat(ids).hasSize(20);
    }

    @Test
    void missingDisk() {
      String missing = UUID.randomUUID().toString();
      assertThat(store.disks().find(missing)).isEmpty();
      assertThat(store.disks().find("not-a-uuid")).isEmpty();
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> store.disks().get(missing))
          .satisfies(e -> assertThat(e.diskId()).isEqualTo(missing));
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> store.disks().get("not-a-uuid"));
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> store.disks().delete(missing));
    }

    @Test
    void deletedDiskDisappearsFromListing() {
      Disk a = store.disks().create();
      Disk b = store.disks().create();
      Disk c = store.disks().create();
      store.disks().delete(b.id());
      assertThat(diskIds(store.disks().list().items()))
          .containsExactlyInAnyOrder(a.id(), c.id());
    }

    @Test
    void projectIdIsStable() {
      String projectId = store.projectId();
      assertThat(projectId).isNotBlank();
      assertThat(store.projectId()).isEqualTo(projectId);
      assertThat(store.disks().create().projectId()).isEqualTo(projectId);
    }

    @Test
    void disksOfOtherProjectsKeepTheirProjectAndListApart() {
      Disk own = store.disks().create();
      Disk a1 = store.disks().createInProject("tenant-a", null);
      Disk a2 = store.disks().createInProject("tenant-a", "alice");
      Disk b = store.disks().createInProject("tenant.b:2", "alice");
      assertThat(a1.projectId()).isEqualTo("tenant-a");
      assertThat(store.disks().get(a2.id())).isEqualTo(a2);
      assertThat(store.disks().get(b.id()).projectId()).isEqualTo("tenant.b:2");
      assertThat(store.disks().createInProject(store.projectId(), null).projectId())
          .isEqualTo(store.projectId());

      assertThat(diskIds(store.disks().list(
              DiskListRequest.builder().projectId("tenant-a").build()).items()))
          .containsExactly(a1.id(), a2.id());
      assertThat(diskIds(store.disks().list(
              DiskListRequest.builder().projectId("tenant-a").user("alice").build()).items()))
          .containsExactly(a2.id());
      assertThat(diskIds(store.disks().list(
              DiskListRequest.builder().projectId(store.projectId()).build()).items()))
          .contains(own.id()).doesNotContain(a1.id(), a2.id(), b.id());
      assertThat(store.disks().list(
              DiskListRequest.builder().projectId("nobody").build()).items()).isEmpty();
      assertThat(diskIds(store.disks().list(DiskListRequest.builder().limit(200).build()).items()))
          .contains(own.id(), a1.id(), a2.id(), b.id());

      // a project's pages follow each other; a cursor is bound to its project
      DiskPage first = store.disks().list(
          DiskListRequest.builder().projectId("tenant-a").limit(1).timeDesc(true).build());
      assertThat(diskIds(first.items())).containsExactly(a2.id());
      DiskPage second = store.disks().list(DiskListRequest.builder().projectId("tenant-a")
          .limit(1).timeDesc(true).cursor(first.nextCursor().orElseThrow()).build());
      assertThat(diskIds(second.items())).containsExactly(a1.id());
      assertThatExceptionOfType(InvalidCursorException.class)
          .isThrownBy(() -> store.disks().list(DiskListRequest.builder().projectId("tenant.b:2")
              .limit(1).timeDesc(true).cursor(first.nextCursor().orElseThrow()).build()));
    }

    @Test
    void malformedProjectIdsAreRejectedAndNothingIsCreated() {
      for (String bad : new String[] {"", " ", "a/b", "a b", "é", "x".repeat(129), "a\nb"}) {
        assertThatExceptionOfType(InvalidRequestException.class)
            .as(bad)
            .isThrownBy(() -> store.disks().createInProject(bad, null))
            .withMessageContaining("projectId");
        assertThatExceptionOfType(InvalidRequestException.class)
            .isThrownBy(() -> store.disks().list(DiskListRequest.builder().projectId(bad).build()));
      }
      assertThatExceptionOfType(InvalidRequestException.class)
          .isThrownBy(() -> store.disks().createInProject("ok", "a\u0000b"));
      assertThat(store.disks().list().items()).isEmpty();
    }
  }

  @Nested
  @DisplayName("Disks/Pagination")
  class DiskPagination {

    private List<Disk> pageThrough(int limit, boolean timeDesc, String user, List<Integer> sizes) {
      List<Disk> all = new ArrayList<>();
      String cursor = null;
      do {
        DiskPage page = store.disks().list(limit, cursor, timeDesc, user);
        assertThat(page.items().size()).isLessThanOrEqualTo(limit);
        assertThat(page.hasMore()).isEqualTo(page.nextCursor().isPresent());
        sizes.add(page.items().size());
        all.addAll(page.items());
        cursor = page.nextCursor().orElse(null);
        assertThat(sizes).hasSizeLessThan(100);
      } while (cursor != null);
      return all;
    }

    private List<Disk> createDisks(int count, String user) {
      List<Disk> created = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        created.add(store.disks().create(user));
        pause(3);
      }
      return created;
    }

    @Test
    void ascendingAndDescendingPagesAreExactReverses() {
      List<Disk> created = createDisks(7, null);

      List<Integer> ascSizes = new ArrayList<>();
      List<Disk> ascending = pageThrough(3, false, null, ascSizes);
      assertThat(ascSizes).containsExactly(3, 3, 1);
      assertThat(diskIds(ascending)).containsExactlyElementsOf(diskIds(created));
      assertThat(ascending)
          .isSortedAccordingTo(Comparator.comparing(Disk::createdAt).thenComparing(Disk::id));

      List<Integer> descSizes = new ArrayList<>();
      List<Disk> descending = pageThrough(3, true, null, descSizes);
      assertThat(descSizes).containsExactly(3, 3, 1);
      List<String> reversed = new ArrayList<>(diskIds(ascending));
      Collections.reverse(reversed);
      assertThat(diskIds(descending)).containsExactlyElementsOf(reversed);

      DiskPage firstPage = store.disks().list(3, null, false, null);
      assertThat(firstPage.hasMore()).isTrue();
      assertThat(firstPage.nextCursor()).isPresent();
      DiskPage everything = store.disks().list(7, null, false, null);
      assertThat(everything.items()).hasSize(7);
      assertThat(everything.hasMore()).isFalse();
      assertThat(everything.nextCursor()).isEmpty();
    }

    @Test
    void defaultLimitIsTwenty() {
      List<Disk> created = createDisks(21, null);
      DiskPage first = store.disks().list();
      assertThat(first.items()).hasSize(20);
      assertThat(first.hasMore()).isTrue();
      assertThat(store.disks().list(DiskListRequest.firstPage()).items()).hasSize(20);
      DiskListRequest next =
          DiskListRequest.builder().cursor(first.nextCursor().orElseThrow()).build();
      DiskPage second = store.disks().list(next);
      assertThat(second.items()).hasSize(1);
      assertThat(second.hasMore()).isFalse();
      assertThat(second.items().get(0).id()).isEqualTo(created.get(20).id());
    }

    @Test
    void userFilter() {
      List<Disk> alice = createDisks(3, "alice");
      createDisks(2, "bob");
      createDisks(2, null);

      List<Integer> sizes = new ArrayList<>();
      List<Disk> alices = pageThrough(2, false, "alice", sizes);
      assertThat(diskIds(alices)).containsExactlyElementsOf(diskIds(alice));
      assertThat(alices).allSatisfy(d -> assertThat(d.user()).isEqualTo("alice"));
      assertThat(sizes).containsExactly(2, 1);

      assertThat(pageThrough(10, true, "bob", new ArrayList<>()))
          .hasSize(2)
          .allSatisfy(d -> assertThat(d.user()).isEqualTo("bob"));
      assertThat(pageThrough(10, false, "nobody", new ArrayList<>())).isEmpty();
      assertThat(pageThrough(3, false, null, new ArrayList<>())).hasSize(7);
    }

    @Test
    void limitOutsideOneToTwoHundredIsRejected() {
      for (int limit : new int[] {0, -1, 201}) {
        assertThatExceptionOfType(InvalidRequestException.class)
            .as("limit %d", limit)
            .isThrownBy(() -> store.disks().list(limit, null, false, null));
      }
      store.disks().create();
      assertThat(store.disks().list(200, null, false, null).items()).hasSize(1);
      assertThat(store.disks().list(1, null, true, null).items()).hasSize(1);
    }

    @Test
    void malformedOrForeignCursorsAreRejected() {
      createDisks(3, "alice");
      createDisks(2, null);
      assertThatExceptionOfType(InvalidCursorException.class)
          .isThrownBy(() -> store.disks().list(2, "xyz", false, null));
      assertThatExceptionOfType(InvalidCursorException.class)
          .isThrownBy(() -> store.disks().list(2, "", false, null));

      String ascCursor = store.disks().list(2, null, false, null).nextCursor().orElseThrow();
      assertThatExceptionOfType(InvalidCursorException.class)
          .as("ascending cursor used descending")
          .isThrownBy(() -> store.disks().list(2, ascCursor, true, null));
      assertThatExceptionOfType(InvalidCursorException.class)
          .as("all-users cursor used with a user filter")
          .isThrownBy(() -> store.disks().list(2, ascCursor, false, "alice"));

      String aliceCursor = store.disks().list(2, null, false, "alice").nextCursor().orElseThrow();
      assertThatExceptionOfType(InvalidCursorException.class)
          .as("alice's cursor used for bob")
          .isThrownBy(() -> store.disks().list(2, aliceCursor, false, "bob"));
      assertThatExceptionOfType(InvalidCursorException.class)
          .as("alice's cursor used without the filter")
          .isThrownBy(() -> store.disks().list(2, aliceCursor, false, null));

      String descCursor = store.disks().list(2, null, true, null).nextCursor().orElseThrow();
      assertThatExceptionOfType(InvalidCursorException.class)
          .isThrownBy(() -> store.disks().list(2, descCursor, false, null));

      assertThat(store.disks().list(2, aliceCursor, false, "alice").items()).hasSize(1);
      assertThat(store.disks().list(2, ascCursor, false, null).items()).hasSize(2);
    }

    @Test
    void disksCarryProjectAndUser() {
      createDisks(2, "carol");
      assertThat(store.disks().list().items())
          .hasSize(2)
          .allSatisfy(
              d -> {
                assertThat(d.projectId()).isEqualTo(store.projectId());
                assertThat(d.user()).isEqualTo("carol");
              });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Public URLs
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("PublicUrl")
  class PublicUrl {
    private final HttpClient http = newHttpClient();

    private URI urlOf(String disk, String path, String filename) {
      return artifacts()
          .get(disk, path, filename, GetOptions.builder().withPublicUrl(true).build())
          .publicUrl()
          .orElseThrow();
    }

    @Test
    void downloadServesExactBytesAndHeaders() throws Exception {
      String disk = newDiskId();
      byte[] bytes = randomBytes(100_000, 40);
      artifacts()
          .upsert(disk, FileUpload.of("archive.bin", bytes, "application/zip"), "/downloads/");
      URI url = urlOf(disk, "/downloads/", "archive.bin");
      assertThat(url.getScheme()).isIn("http", "https");

      HttpResponse<byte[]> response = download(http, url);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(bytes);
      assertThat(mediaType(response)).isEqualTo("application/zip");
      assertThat(response.headers().firstValue("Content-Disposition"))
          .hasValueSatisfying(
              h -> assertThat(h).containsIgnoringCase("attachment").contains("archive.bin"));

      HttpResponse<byte[]> again = download(http, url);
      assertThat(again.statusCode()).isEqualTo(200);
      assertThat(again.body()).isEqualTo(bytes);
    }

    @Test
    void detectedContentTypeIsServed() throws Exception {
      String disk = newDiskId();
      upsertText(disk, "/documents/2024/", "sprint-plan.md", QUICKSTART_PLAN);
      HttpResponse<byte[]> response =
          download(http, urlOf(disk, "/documents/2024/", "sprint-plan.md"));
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(mediaType(response)).isEqualTo("text/markdown");
      assertThat(new String(response.body(), UTF_8)).isEqualTo(QUICKSTART_PLAN);
    }

    @Test
    void unicodeAndReservedCharactersInPathAndFilename() throws Exception {
      String disk = newDiskId();
      String dir = "/my docs/r\u00e9sum\u00e9s & more/";
      String name = "na\u00efve plan #1? 100% \uD83D\uDE80.txt";
      byte[] bytes = utf8("unicode download");
      artifacts().upsert(disk, FileUpload.of(name, bytes), dir);
      HttpResponse<byte[]> response = download(http, urlOf(disk, dir, name));
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(bytes);
      String disposition = response.headers().firstValue("Content-Disposition").orElse("");
      Matcher m =
          Pattern.compile("filename\\*\\s*=\\s*UTF-8''([^;\\s]+)", Pattern.CASE_INSENSITIVE)
              .matcher(disposition);
      assertThat(m.find()).as("RFC 5987 filename* in %s", disposition).isTrue();
      assertThat(URLDecoder.decode(m.group(1).replace("+", "%2B"), UTF_8)).isEqualTo(name);
    }

    @Test
    void tamperedUrlsAreForbidden() throws Exception {
      String disk = newDiskId();
      upsertText(disk, "/t/", "a.txt", "secret a");
      upsertText(disk, "/t/", "b.txt", "secret b");
      URI url = urlOf(disk, "/t/", "a.txt");
      URI other = urlOf(disk, "/t/", "b.txt");

      String otherText = other.toString();
      URI swappedPath =
          URI.create(otherText.substring(0, otherText.indexOf('?')) + "?" + url.getRawQuery());
      assertThat(download(http, swappedPath).statusCode())
          .as("signature of a.txt used for b.txt")
          .isEqualTo(403);

      HttpResponse<byte[]> genuine = download(http, url);
      assertThat(genuine.statusCode()).isEqualTo(200);
      assertThat(genuine.body()).isEqualTo(utf8("secret a"));
    }

    @Test
    void builtInServerRejectsTamperedQueryParameters() throws Exception {
      assumeThat(usesBuiltInUrlServer())
          .as("the sig, exp and sha256 query parameters are the built-in URL server's")
          .isTrue();
      String disk = newDiskId();
      upsertText(disk, "/t/", "a.txt", "secret a");
      URI url = urlOf(disk, "/t/", "a.txt");

      URI badSig =
          withQueryParameter(
              url, "sig", s -> s.substring(0, s.length() - 1) + (s.endsWith("0") ? "1" : "0"));
      assertThat(download(http, badSig).statusCode()).as("tampered sig").isEqualTo(403);

      URI laterExpiry =
          withQueryParameter(url, "exp", e -> Long.toString(Long.parseLong(e) + 3600));
      assertThat(download(http, laterExpiry).statusCode()).as("tampered exp").isEqualTo(403);

      URI otherBytes = withQueryParameter(url, "sha256", e -> sha256Hex(utf8("secret b")));
      assertThat(download(http, otherBytes).statusCode()).as("tampered sha256").isEqualTo(403);
    }

    @Test
    void replacingTheArtifactInvalidatesOldUrls() throws Exception {
      String disk = newDiskId();
      upsertText(disk, "/", "v.txt", "version one");
      URI oldUrl = urlOf(disk, "/", "v.txt");
      assertThat(download(http, oldUrl).statusCode()).isEqualTo(200);

      upsertText(disk, "/", "v.txt", "version two");
      if (usesBuiltInUrlServer()) {
        assertThat(download(http, oldUrl).statusCode()).isEqualTo(404);
      } else {
        // A presigned URL names the stored object, which the history keeps; once the old version
        // is gone and collected, the medium refuses the URL (404, or 403 where it hides whether
        // an object exists).
        forgetHistory(disk, "/", "v.txt");
        assertThat(download(http, oldUrl).statusCode()).as("old URL after its bytes were replaced")
            .isIn(403, 404);
      }
      HttpResponse<byte[]> fresh = download(http, urlOf(disk, "/", "v.txt"));
      assertThat(fresh.statusCode()).isEqualTo(200);
      assertThat(fresh.body()).isEqualTo(utf8("version two"));
    }

    @Test
    void metadataUpdateKeepsTheUrlServingTheSameBytes() throws Exception {
      // A URL names the bytes it was issued for, on every backend: an S3 presigned URL names the
      // stored object, the built-in server the SHA-256; neither changes with the metadata.
      String disk = newDiskId();
      byte[] bytes = randomBytes(5_000, 41);
      artifacts().upsert(disk, FileUpload.of("m.bin", bytes), "/docs/", Map.of("v", 1));
      URI url = urlOf(disk, "/docs/", "m.bin");

      Artifact updated = artifacts().update(disk, "/docs/", "m.bin", Map.of("v", 2, "ok", true));
      assertThat(updated.sha256()).isEqualTo(sha256Hex(bytes));
      HttpResponse<byte[]> afterUpdate = download(http, url);
      assertThat(afterUpdate.statusCode()).as("URL after a metadata update").isEqualTo(200);
      assertThat(afterUpdate.body()).isEqualTo(bytes);

      // upsert with new metadata and the same bytes: the bytes did not change either
      artifacts().upsert(disk, FileUpload.of("m.bin", bytes), "/docs/", Map.of("v", 3));
      HttpResponse<byte[]> afterMetaUpsert = download(http, url);
      assertThat(afterMetaUpsert.statusCode()).isEqualTo(200);
      assertThat(afterMetaUpsert.body()).isEqualTo(bytes);

      HttpResponse<byte[]> fresh = download(http, urlOf(disk, "/docs/", "m.bin"));
      assertThat(fresh.statusCode()).isEqualTo(200);
      assertThat(fresh.body()).isEqualTo(bytes);
    }

    @Test
    void reUploadOfIdenticalBytesKeepsTheUrl() throws Exception {
      // Decided: the URL serves exactly the bytes it was issued for, so identical bytes keep it
      // (on S3 the artifact keeps its stored object, so the presigned URL works too).
      String disk = newDiskId();
      upsertText(disk, "/", "same.txt", "identical");
      URI url = urlOf(disk, "/", "same.txt");
      upsertText(disk, "/", "same.txt", "identical");
      HttpResponse<byte[]> response = download(http, url);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(utf8("identical"));
    }

    @Test
    void movingTheArtifactEndsTheUrlOrKeepsItsBytes() throws Exception {
      String disk = newDiskId();
      upsertText(disk, "/from/", "moved.txt", "moving bytes");
      URI url = urlOf(disk, "/from/", "moved.txt");
      artifacts().move(disk, "/from/", "moved.txt", "/to/", "moved.txt");
      HttpResponse<byte[]> stale = download(http, url);
      if (usesBuiltInUrlServer()) {
        // The URL names disk, path and filename with the bytes: nothing holds them there now.
        assertThat(stale.statusCode()).as("URL after a move").isEqualTo(404);
      } else if (stale.statusCode() == 200) {
        // A presigned URL names the stored object, which the move kept: it may serve it, but
        // only those bytes.
        assertThat(stale.body()).isEqualTo(utf8("moving bytes"));
      } else {
        assertThat(stale.statusCode()).isIn(403, 404);
      }
      // and nothing else appearing at the old name is ever served through it
      upsertText(disk, "/from/", "moved.txt", "other bytes");
      HttpResponse<byte[]> replaced = download(http, url);
      if (replaced.statusCode() == 200) {
        assertThat(usesBuiltInUrlServer()).as("built-in server after a move").isFalse();
        assertThat(replaced.body()).isEqualTo(utf8("moving bytes"));
      } else {
        assertThat(replaced.statusCode()).isIn(403, 404);
      }
    }

    @Test
    void deletedArtifactOrDiskIsNotFound() throws Exception {
      String disk = newDiskId();
      upsertText(disk, "/", "a.txt", "a");
      upsertText(disk, "/", "b.txt", "b");
      URI a = urlOf(disk, "/", "a.txt");
      URI b = urlOf(disk, "/", "b.txt");
      artifacts().delete(disk, "/", "a.txt");
      if (!usesBuiltInUrlServer()) {
        forgetHistory(disk, "/", "a.txt"); // the history keeps the object a presigned URL names
      }
      assertThat(download(http, a).statusCode()).isIn(403, 404);
      if (usesBuiltInUrlServer()) {
        assertThat(download(http, a).statusCode()).isEqualTo(404);
      }
      assertThat(download(http, b).statusCode()).isEqualTo(200);
      store.disks().delete(disk); // with its history: the bytes go at once
      assertThat(download(http, b).statusCode()).isIn(403, 404);
      if (usesBuiltInUrlServer()) {
        assertThat(download(http, b).statusCode()).isEqualTo(404);
      }
    }

    @Test
    void expiredUrlIsForbidden() throws Exception {
      String disk = newDiskId();
      upsertText(disk, "/", "short.txt", "short-lived");
      URI url =
          artifacts()
              .get(
                  disk,
                  "/",
                  "short.txt",
                  GetOptions.builder().withPublicUrl(true).expireSeconds(1).build())
              .publicUrl()
              .orElseThrow();
      pause(2100);
      assertThat(download(http, url).statusCode()).isEqualTo(403);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Persistence
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Persistence")
  class Persistence {

    @Test
    void everythingSurvivesCloseAndReopen() throws Exception {
      assumeThat(isPersistent()).as("configuration is persistent").isTrue();
      String projectId = store.projectId();
      Disk disk = store.disks().create("dora");
      Disk emptyDisk = store.disks().create();
      byte[] report = randomBytes(30_000, 50);
      Map<String, Object> meta = richMeta();
      Artifact a =
          artifacts()
              .upsert(disk.id(), FileUpload.of("report.bin", report), "/reports/2024/", meta);
      Artifact b = upsertText(disk.id(), "/", "root.md", "# root");
      Artifact gone = upsertText(disk.id(), "/tmp/", "gone.txt", "gone");
      artifacts().delete(disk.id(), "/tmp/", "gone.txt");

      reopen();

      assertThat(store.projectId()).isEqualTo(projectId);
      assertThat(store.disks().get(disk.id())).isEqualTo(disk);
      assertThat(store.disks().get(emptyDisk.id())).isEqualTo(emptyDisk);
      assertThat(diskIds(store.disks().list().items()))
          .containsExactlyInAnyOrder(disk.id(), emptyDisk.id());

      Artifact reread = artifacts().get(disk.id(), "/reports/2024/", "report.bin").artifact();
      assertThat(reread.etag()).isEqualTo(a.etag());
      assertThat(reread.sha256()).isEqualTo(sha256Hex(report));
      assertThat(reread.createdAt()).isEqualTo(a.createdAt());
      assertThat(reread.updatedAt()).isEqualTo(a.updatedAt());
      assertThat(reread.info()).isEqualTo(a.info());
      assertSameJson(reread.userMeta(), meta);
      assertThat(readAll(disk.id(), "/reports/2024/", "report.bin")).isEqualTo(report);
      assertThat(artifacts().get(disk.id(), "/", "root.md").artifact()).isEqualTo(b);
      assertThat(artifacts().find(disk.id(), "/tmp/", gone.filename())).isEmpty();
      ArtifactListing root = artifacts().list(disk.id(), "/");
      assertThat(root.directories()).containsExactly("reports");
      assertThat(filenames(root)).containsExactly("root.md");
      assertDeepVerifyClean();

      artifacts().update(disk.id(), "/", "root.md", Map.of("after", "reopen"));
      upsertText(disk.id(), "/new/", "n.txt", "new");
      artifacts().delete(disk.id(), "/reports/2024/", "report.bin");
      reopen();
      assertThat(artifacts().get(disk.id(), "/", "root.md").artifact().userMeta())
          .isEqualTo(Map.of("after", "reopen"));
      assertThat(readAll(disk.id(), "/new/", "n.txt")).isEqualTo(utf8("new"));
      assertThat(artifacts().find(disk.id(), "/reports/2024/", "report.bin")).isEmpty();
      assertThat(artifacts().list(disk.id(), "/").directories()).containsExactly("new");
      assertThat(store.maintenance().collectGarbage().total()).isZero();
      assertDeepVerifyClean();
    }

    @Test
    void twoStoresOnTheSameDirectoryShareData() throws Exception {
      assumeThat(isPersistent()).as("configuration is persistent").isTrue();
      try (DiskStore second = openStore(storeDirectory)) {
        assertThat(second.projectId()).isEqualTo(store.projectId());
        Disk disk = store.disks().create();
        upsertText(disk.id(), "/", "from-first.txt", "first");
        assertThat(second.disks().get(disk.id()).id()).isEqualTo(disk.id());
        try (InputStream in = second.disks().artifacts().open(disk.id(), "/", "from-first.txt")) {
          assertThat(in.readAllBytes()).isEqualTo(utf8("first"));
        }
        second.disks().artifacts().upsert(disk.id(), FileUpload.ofText("from-second.txt", "2"));
        assertThat(readAll(disk.id(), "/", "from-second.txt")).isEqualTo(utf8("2"));
        assertThat(filenames(artifacts().list(disk.id(), "/")))
            .containsExactly("from-first.txt", "from-second.txt");
        assertThat(second.maintenance().verify().problems()).isEmpty();
      }
      assertVerifyClean();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Async
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Null arguments")
  class NullArguments {

    private void assertNpe(String parameter, org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
      assertThatExceptionOfType(NullPointerException.class)
          .as(parameter)
          .isThrownBy(call)
          .withMessage(parameter);
    }

    @Test
    @SuppressWarnings("DataFlowIssue")
    void nonNullableParametersThrowNullPointerExceptionNamingTheParameter() {
      String disk = newDiskId();
      upsertText(disk, "/", "a.txt", "a");
      Artifacts a = artifacts();
      FileUpload up = FileUpload.ofText("b.txt", "b");
      assertNpe("diskId", () -> a.upsert(null, up, "/"));
      assertNpe("file", () -> a.upsert(disk, null, "/"));
      assertNpe("filePath", () -> a.upsert(disk, up, null));
      assertNpe("condition", () -> a.upsert(disk, up, "/", null, null));
      assertNpe("diskId", () -> a.get(null, "/", "a.txt"));
      assertNpe("filePath", () -> a.get(disk, null, "a.txt"));
      assertNpe("filename", () -> a.get(disk, "/", null));
      assertNpe("options", () -> a.get(disk, "/", "a.txt", null));
      assertNpe("filePath", () -> a.find(disk, null, "a.txt"));
      assertNpe("filename", () -> a.find(disk, "/", null));
      assertNpe("path", () -> a.list(disk, null));
      assertNpe("path", () -> a.list(disk, null, 10, null));
      assertNpe("filePath", () -> a.update(disk, null, "a.txt", Map.of()));
      assertNpe("filename", () -> a.update(disk, "/", null, Map.of()));
      assertNpe("meta", () -> a.update(disk, "/", "a.txt", null));
      assertNpe("filePath", () -> a.delete(disk, null, "a.txt"));
      assertNpe("filename", () -> a.delete(disk, "/", null));
      assertNpe("condition", () -> a.delete(disk, "/", "a.txt", null));
      assertNpe("fromPath", () -> a.move(disk, null, "a.txt", "/", "c.txt"));
      assertNpe("fromFilename", () -> a.move(disk, "/", null, "/", "c.txt"));
      assertNpe("toPath", () -> a.move(disk, "/", "a.txt", null, "c.txt"));
      assertNpe("toFilename", () -> a.move(disk, "/", "a.txt", "/", null));
      assertNpe("filePath", () -> a.open(disk, null, "a.txt"));
      assertNpe("filename", () -> a.open(disk, "/", null));
      assertNpe("range", () -> a.open(disk, "/", "a.txt", null));
      assertNpe("file", () -> a.get(disk, (ArtifactPath) null));
      assertNpe("from", () -> a.move(disk, null, ArtifactPath.of("/x")));
      assertNpe("to", () -> a.move(disk, ArtifactPath.of("/a.txt"), null));
      assertNpe("diskId", () -> store.disks().get(null));
      assertNpe("diskId", () -> store.disks().delete(null));
      assertNpe("request", () -> store.disks().list((DiskListRequest) null));
      assertNpe("diskId", () -> store.search().glob(null, "*", 10));
      assertNpe("pattern", () -> store.search().glob(disk, null, 10));
      assertNpe("regex", () -> store.search().grep(disk, null));
      assertNpe("options", () -> store.search().grep(disk, "a", null));
      assertNpe("query", () -> store.search().fullText(disk, null, 10));
      assertNpe("query", () -> store.search().query(disk, null));
      // nothing was written by any of them
      assertThat(filenames(a.list(disk, "/"))).containsExactly("a.txt");
    }
  }

  @Nested
  @DisplayName("Full paths (ArtifactPath)")
  class FullPaths {

    @Test
    void everyOverloadAddressesTheSameArtifactAsPathAndFilename() throws Exception {
      String disk = newDiskId();
      Artifact created = upsertText(disk, "/docs/", "a.md", "hello");
      ArtifactPath file = ArtifactPath.of("/docs/a.md");
      assertThat(ArtifactPath.of(created)).isEqualTo(file);

      assertThat(artifacts().get(disk, file).artifact()).isEqualTo(created);
      assertThat(artifacts().get(disk, ArtifactPath.of("docs//a.md"),
          GetOptions.builder().withContent(true).build()).content().orElseThrow().raw())
          .isEqualTo("hello");
      assertThat(artifacts().find(disk, file)).map(r -> r.artifact().etag())
          .contains(created.etag());
      assertThat(artifacts().find(disk, ArtifactPath.of("/docs/missing.md"), GetOptions.NONE))
          .isEmpty();
      try (ArtifactStream in = artifacts().open(disk, file)) {
        assertThat(in.readAllBytes()).isEqualTo(utf8("hello"));
      }
      try (ArtifactStream in = artifacts().open(disk, file, ByteRange.of(1, 3))) {
        assertThat(in.readAllBytes()).isEqualTo(utf8("ell"));
      }
      Artifact updated = artifacts().update(disk, file, Map.of("k", 1));
      assertThat(updated.userMeta()).isEqualTo(Map.of("k", 1));
      assertThatExceptionOfType(PreconditionFailedException.class)
          .isThrownBy(() -> artifacts().update(disk, file, Map.of(), Precondition.ifMatch(created.etag())));

      Artifact moved = artifacts().move(disk, file, ArtifactPath.of("/archive/2024/a.md"));
      assertThat(moved.fullPath()).isEqualTo("/archive/2024/a.md");
      assertThat(artifacts().find(disk, file)).isEmpty();
      upsertText(disk, "/docs/", "b.md", "other");
      Artifact back = artifacts().move(disk, ArtifactPath.of(moved), ArtifactPath.of("/docs/b.md"),
          Precondition.ifMatch(moved.etag()), true);
      assertThat(back.fullPath()).isEqualTo("/docs/b.md");
      assertThat(readAll(disk, "/docs/", "b.md")).isEqualTo(utf8("hello"));

      assertThatExceptionOfType(PreconditionFailedException.class)
          .isThrownBy(() -> artifacts().delete(disk, ArtifactPath.of("/docs/b.md"),
              Precondition.ifMatch(moved.etag())));
      artifacts().delete(disk, ArtifactPath.of("/docs/b.md"), Precondition.ifMatch(back.etag()));
      assertThatExceptionOfType(ArtifactNotFoundException.class)
          .isThrownBy(() -> artifacts().delete(disk, ArtifactPath.of("/docs/b.md")))
          .satisfies(e -> assertThat(e.getMessage()).contains("/docs/").contains("b.md"));
      assertThatExceptionOfType(ArtifactNotFoundException.class)
          .isThrownBy(() -> artifacts().get(disk, ArtifactPath.of("/docs/b.md")));
    }

    @Test
    void moveToALookAlikeFullPathIsRejected() {
      String disk = newDiskId();
      upsertText(disk, "/", "a.md", "x");
      assertThatExceptionOfType(InvalidPathException.class)
          .isThrownBy(() -> artifacts().move(disk, ArtifactPath.of("/a.md"),
              ArtifactPath.of("/docs/a.md ")))
          .withMessageContaining("U+0020 SPACE at the end");
      assertThat(artifacts().find(disk, ArtifactPath.of("a.md"))).isPresent();
    }

    @Test
    void asyncTwinsTakeFullPathsToo() throws Exception {
      String disk = newDiskId();
      Artifact created = upsertText(disk, "/docs/", "a.md", "hello");
      AsyncDiskStore.AsyncArtifacts files = store.async().disks().artifacts();
      ArtifactPath file = ArtifactPath.of("/docs/a.md");
      assertThat(files.get(disk, file).get(FUTURE_TIMEOUT_SECONDS, SECONDS).artifact())
          .isEqualTo(created);
      assertThat(files.get(disk, file, GetOptions.NONE).get(FUTURE_TIMEOUT_SECONDS, SECONDS)
          .artifact()).isEqualTo(created);
      assertThat(files.find(disk, file).get(FUTURE_TIMEOUT_SECONDS, SECONDS)).isPresent();
      assertThat(files.find(disk, ArtifactPath.of("/x.md"), GetOptions.NONE)
          .get(FUTURE_TIMEOUT_SECONDS, SECONDS)).isEmpty();
      try (ArtifactStream in = files.open(disk, file).get(FUTURE_TIMEOUT_SECONDS, SECONDS)) {
        assertThat(in.readAllBytes()).isEqualTo(utf8("hello"));
      }
      try (ArtifactStream in =
          files.open(disk, file, ByteRange.of(0, 2)).get(FUTURE_TIMEOUT_SECONDS, SECONDS)) {
        assertThat(in.readAllBytes()).isEqualTo(utf8("he"));
      }
      Artifact updated = files.update(disk, file, Map.of("v", 2)).get(FUTURE_TIMEOUT_SECONDS, SECONDS);
      Artifact again = files.update(disk, file, Map.of("v", 3), Precondition.ifMatch(updated.etag()))
          .get(FUTURE_TIMEOUT_SECONDS, SECONDS);
      Artifact moved = files.move(disk, file, ArtifactPath.of("/b.md"))
          .get(FUTURE_TIMEOUT_SECONDS, SECONDS);
      assertThat(moved.userMeta()).isEqualTo(Map.of("v", 3));
      Artifact movedBack = files.move(disk, ArtifactPath.of("/b.md"), file,
          Precondition.ifMatch(moved.etag()), false).get(FUTURE_TIMEOUT_SECONDS, SECONDS);
      assertThat(movedBack.createdAt()).isEqualTo(again.createdAt());
      files.delete(disk, file, Precondition.ifMatch(movedBack.etag()))
          .get(FUTURE_TIMEOUT_SECONDS, SECONDS);
      upsertText(disk, "/", "c.md", "c");
      files.delete(disk, ArtifactPath.of("c.md")).get(FUTURE_TIMEOUT_SECONDS, SECONDS);
      assertThat(artifacts().list(disk, "/").artifacts()).isEmpty();
      assertThat(files.get(disk, file))
          .failsWithin(Duration.ofSeconds(FUTURE_TIMEOUT_SECONDS))
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(ArtifactNotFoundException.class);
    }
  }

  @Nested
  @DisplayName("Async")
  class Async {

    private <T> T await(CompletableFuture<T> future) throws Exception {
      return future.get(FUTURE_TIMEOUT_SECONDS, SECONDS);
    }

    @Test
    void everyCallCompletes() throws Exception {
      AsyncDiskStore async = store.async();
      assertThat(async.sync()).isSameAs(store);
      await(async.ping());

      Disk disk = await(async.disks().create("carol"));
      assertThat(disk.user()).isEqualTo("carol");
      Disk plain = await(async.disks().create());
      assertThat(plain.user()).isNull();
      assertThat(await(async.disks().get(disk.id())).id()).isEqualTo(disk.id());
      assertThat(await(async.disks().find(disk.id()))).isPresent();
      assertThat(diskIds(await(async.disks().list()).items()))
          .containsExactlyInAnyOrder(disk.id(), plain.id());
      assertThat(await(async.disks().list(1, null, false, "carol")).items()).hasSize(1);

      AsyncDiskStore.AsyncArtifacts files = async.disks().artifacts();
      Artifact created =
          await(
              files.upsert(
                  disk.id(),
                  FileUpload.ofText("async.txt", "Async content"),
                  "/a/",
                  Map.of("k", "v")));
      assertThat(created.path()).isEqualTo("/a/");
      assertThat(await(files.upsert(disk.id(), FileUpload.ofText("root.txt", "r"))).path())
          .isEqualTo("/");

      ArtifactResult got =
          await(
              files.get(
                  disk.id(), "/a/", "async.txt", GetOptions.builder().withContent(true).build()));
      assertThat(got.content().orElseThrow().raw()).isEqualTo("Async content");
      assertThat(await(files.get(disk.id(), "/a/", "async.txt")).artifact().etag())
          .isEqualTo(created.etag());
      assertThat(await(files.find(disk.id(), "/a/", "missing.txt", GetOptions.NONE))).isEmpty();

      assertThat(filenames(await(files.list(disk.id(), "/a/")))).containsExactly("async.txt");
      assertThat(await(files.list(disk.id(), "/", 10, null)).directories()).containsExactly("a");

      Artifact updated = await(files.update(disk.id(), "/a/", "async.txt", Map.of("k", "w")));
      assertThat(updated.userMeta()).isEqualTo(Map.of("k", "w"));
      try (InputStream in = await(files.open(disk.id(), "/a/", "async.txt"))) {
        assertThat(in.readAllBytes()).isEqualTo(utf8("Async content"));
      }
      try (InputStream in = await(files.open(disk.id(), "/a/", "async.txt", ByteRange.of(0, 5)))) {
        assertThat(in.readAllBytes()).isEqualTo(utf8("Async"));
      }

      await(files.delete(disk.id(), "/a/", "async.txt", Precondition.ifMatch(updated.etag())));
      assertThat(artifacts().find(disk.id(), "/a/", "async.txt")).isEmpty();
      await(files.delete(disk.id(), "/", "root.txt"));
      await(async.disks().delete(disk.id()));
      assertThat(store.disks().find(disk.id())).isEmpty();
    }

    @Test
    void failuresCompleteExceptionallyWithTheDiskStoreException() {
      AsyncDiskStore async = store.async();
      String disk = newDiskId();
      upsertText(disk, "/", "exists.txt", "x");

      CompletableFuture<ArtifactResult> missing =
          async.disks().artifacts().get(disk, "/", "missing.txt");
      assertThatThrownBy(missing::join)
          .isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(ArtifactNotFoundException.class);
      assertThat(missing)
          .failsWithin(Duration.ofSeconds(FUTURE_TIMEOUT_SECONDS))
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(ArtifactNotFoundException.class);

      assertThatThrownBy(() -> async.disks().get(UUID.randomUUID().toString()).join())
          .hasCauseInstanceOf(DiskNotFoundException.class);
      assertThatThrownBy(
              () ->
                  async
                      .disks()
                      .artifacts()
                      .upsert(
                          disk,
                          FileUpload.ofText("exists.txt", "y"),
                          "/",
                          null,
                          Precondition.ifNoneMatch())
                      .join())
          .hasCauseInstanceOf(PreconditionFailedException.class);
      assertThatThrownBy(() -> async.disks().artifacts().list(disk, "/", 5, "garbage").join())
          .hasCauseInstanceOf(InvalidCursorException.class);
      assertThatThrownBy(
              () ->
                  async
                      .disks()
                      .artifacts()
                      .upsert(disk, FileUpload.ofText("x", "x"), "/../")
                      .join())
          .hasCauseInstanceOf(InvalidPathException.class);
    }

    @Test
    void customExecutorRunsTheCalls() throws Exception {
      AtomicInteger threadNumber = new AtomicInteger();
      ThreadFactory factory =
          r -> {
            Thread t = new Thread(r, "contract-async-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
          };
      ExecutorService pool = Executors.newFixedThreadPool(2, factory);
      try {
        AtomicInteger tasks = new AtomicInteger();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        Executor counting =
            command -> {
              tasks.incrementAndGet();
              pool.execute(
                  () -> {
                    threads.add(Thread.currentThread().getName());
                    command.run();
                  });
            };
        AsyncDiskStore async = store.async(counting);
        Disk disk = await(async.disks().create());
        await(async.disks().artifacts().upsert(disk.id(), FileUpload.ofText("e.txt", "e")));
        await(async.disks().artifacts().get(disk.id(), "/", "e.txt"));
        await(async.disks().artifacts().list(disk.id(), "/"));
        assertThat(tasks.get()).isEqualTo(4);
        assertThat(threads)
            .isNotEmpty()
            .allSatisfy(n -> assertThat(n).startsWith("contract-async-"));
      } finally {
        pool.shutdownNow();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Maintenance
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("History")
  class HistoryTests {
    private static final Duration HOUR = Duration.ofHours(1);

    private List<ArtifactVersion> allVersions(String disk, String path, String name) {
      List<ArtifactVersion> out = new ArrayList<>();
      String cursor = null;
      do {
        ArtifactVersionPage page = artifacts().versions(disk, path, name, 3, cursor);
        out.addAll(page.items());
        cursor = page.nextCursor().orElse(null);
      } while (cursor != null);
      return out;
    }

    private List<Long> numbers(List<ArtifactVersion> versions) {
      return versions.stream().map(ArtifactVersion::version).toList();
    }

    private byte[] readVersion(DiskStore s, String disk, String path, String name, long version) {
      try (InputStream in = s.disks().artifacts().open(disk, path, name, ByteRange.from(0),
          GetOptions.builder().version(version).build())) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }

    /** A store of the same configuration with this history policy and clock; closed by the test. */
    private DiskStore storeWith(History history, ManualClock clock) throws Exception {
      store.close();
      store = null;
      store = openStore(storeDirectory, b -> b.history(history).clock(clock));
      return store;
    }

    @Test
    void everyChangeRecordsTheNextVersionNewestFirst() {
      String disk = newDiskId();
      upsertText(disk, "/a/", "f.txt", "one");
      artifacts().update(disk, "/a/", "f.txt", Map.of("k", "v"));
      upsertText(disk, "/a/", "f.txt", "two");
      artifacts().move(disk, "/a/", "f.txt", "/b/", "g.txt");
      artifacts().delete(disk, "/b/", "g.txt");

      List<ArtifactVersion> source = allVersions(disk, "/a/", "f.txt");
      assertThat(numbers(source)).containsExactly(3L, 2L, 1L, 0L);
      assertThat(source.stream().map(ArtifactVersion::change).toList()).containsExactly(
          ArtifactVersion.Change.MOVED_AWAY, ArtifactVersion.Change.UPSERTED,
          ArtifactVersion.Change.UPDATED, ArtifactVersion.Change.UPSERTED);
      assertThat(source.get(0).isRemoval()).isTrue();
      assertThat(source.get(2).artifact().orElseThrow().userMeta()).containsEntry("k", "v");

      List<ArtifactVersion> target = allVersions(disk, "/b/", "g.txt");
      assertThat(numbers(target)).containsExactly(1L, 0L);
      assertThat(target.get(0).change()).isEqualTo(ArtifactVersion.Change.DELETED);
      assertThat(target.get(1).change()).isEqualTo(ArtifactVersion.Change.MOVED_IN);
      assertThat(readVersion(store, disk, "/b/", "g.txt", 0)).isEqualTo(utf8("two"));
      assertThat(artifacts().versions(disk, "/", "never.txt").items()).isEmpty();
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> artifacts().versions("no-such-disk", "/", "f.txt"));
      assertVerifyClean();
      assertDeepVerifyClean();
    }

    @Test
    void oldVersionsReadBackExactlyBytesMetadataAndContent() {
      String disk = newDiskId();
      Artifact first = artifacts().upsert(disk, FileUpload.ofText("n.md", "# first"), "/d/",
          Map.of("author", "alice"));
      Artifact second = artifacts().upsert(disk, FileUpload.ofText("n.md", "# second, longer"),
          "/d/", Map.of("author", "bob"));

      GetOptions v0 = GetOptions.builder().version(0).withContent(true).build();
      ArtifactResult old = artifacts().get(disk, "/d/", "n.md", v0);
      assertThat(old.artifact()).isEqualTo(first);
      assertThat(old.content().orElseThrow().raw()).isEqualTo("# first");
      assertThat(readVersion(store, disk, "/d/", "n.md", 0)).isEqualTo(utf8("# first"));
      try (ArtifactStream in = artifacts().open(disk, "/d/", "n.md", ByteRange.of(2, 3),
          GetOptions.builder().version(0).build())) {
        assertThat(in.artifact()).isEqualTo(first);
        assertThat(in.readAllBytes()).isEqualTo(utf8("fir"));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      assertThat(artifacts().get(disk, "/d/", "n.md", GetOptions.builder().version(1).build())
          .artifact()).isEqualTo(second);
      assertThat(artifacts().get(disk, "/d/", "n.md").artifact()).isEqualTo(second);

      assertThat(artifacts().find(disk, "/d/", "n.md", GetOptions.builder().version(7).build()))
          .isEmpty();
      assertThatExceptionOfType(VersionNotFoundException.class)
          .isThrownBy(() -> artifacts().get(disk, "/d/", "n.md",
              GetOptions.builder().version(7).build()))
          .satisfies(e -> assertThat(e.version()).isEqualTo(7));
      assertThatExceptionOfType(VersionNotFoundException.class)
          .isThrownBy(() -> artifacts().open(disk, "/d/", "n.md", ByteRange.from(0),
              GetOptions.builder().version(7).build()));
    }

    @Test
    void restoreAfterDeleteIsAnUndelete() {
      String disk = newDiskId();
      Artifact original = artifacts().upsert(disk, FileUpload.ofText("r.txt", "precious"),
          "/keep/", Map.of("n", 1));
      artifacts().delete(disk, "/keep/", "r.txt");
      assertThat(artifacts().find(disk, "/keep/", "r.txt")).isEmpty();
      assertThatExceptionOfType(VersionNotFoundException.class)
          .isThrownBy(() -> artifacts().restore(disk, "/keep/", "r.txt", 1));

      Artifact restored = artifacts().restore(disk, "/keep/", "r.txt", 0, Precondition.ifNoneMatch());
      assertThat(restored.userMeta()).isEqualTo(original.userMeta());
      assertThat(restored.info().sha256()).isEqualTo(original.info().sha256());
      assertThat(restored.etag()).isNotEqualTo(original.etag());
      assertThat(readAll(disk, "/keep/", "r.txt")).isEqualTo(utf8("precious"));
      assertThat(artifacts().list(disk, "/keep/").artifacts()).hasSize(1);
      assertThat(allVersions(disk, "/keep/", "r.txt").get(0).change())
          .isEqualTo(ArtifactVersion.Change.RESTORED);
      assertThat(numbers(allVersions(disk, "/keep/", "r.txt"))).containsExactly(2L, 1L, 0L);

      assertThatExceptionOfType(PreconditionFailedException.class)
          .isThrownBy(() -> artifacts().restore(disk, "/keep/", "r.txt", 0,
              Precondition.ifNoneMatch()));
      upsertText(disk, "/keep/", "r.txt", "overwritten by mistake");
      Artifact back = artifacts().restore(disk, "/keep/", "r.txt", 0);
      assertThat(back.info().sha256()).isEqualTo(original.info().sha256());
      assertThat(readAll(disk, "/keep/", "r.txt")).isEqualTo(utf8("precious"));
      assertVerifyClean();
      assertDeepVerifyClean();
    }

    @Test
    void sixteenWritersOfOneFileGetVersionsWithoutGapOrDuplicate() throws Exception {
      // the collection opening started must be over: running during the writes, it would apply
      // the default retention (the last 10) to the file's versions
      store.maintenance().collectGarbage();
      String disk = newDiskId();
      int threads = 16;
      int perThread = 8;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int thread = t;
          futures.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < perThread; i++) {
              upsertText(disk, "/", "hot.txt", "thread " + thread + " write " + i);
            }
            return null;
          }));
        }
        start.countDown();
        for (Future<?> f : futures) {
          f.get(FUTURE_TIMEOUT_SECONDS, SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      List<ArtifactVersion> versions = allVersions(disk, "/", "hot.txt");
      List<Long> expected = new ArrayList<>();
      for (long v = threads * perThread - 1; v >= 0; v--) {
        expected.add(v);
      }
      assertThat(numbers(versions)).isEqualTo(expected);
      assertThat(versions.get(0).artifact().orElseThrow())
          .isEqualTo(artifacts().get(disk, "/", "hot.txt").artifact());
      assertVerifyClean();
    }

    @Test
    void retentionByCountKeepsTheLastVersionsAndFreesTheRest() throws Exception {
      DiskStore s = storeWith(History.keepLast(3), new ManualClock(Instant.parse("2030-01-01T00:00:00Z")));
      String disk = s.disks().create().id();
      for (int i = 0; i < 6; i++) {
        upsertText(disk, "/", "c.txt", "content " + i);
      }
      assertThat(s.maintenance().verify().blobsChecked()).isEqualTo(6);
      GcReport gc = s.maintenance().collectGarbage();
      assertThat(gc.expiredVersions()).as("versions 0..2 expired").isEqualTo(3);
      assertThat(gc.unreferencedBlobs()).as("their bytes freed").isEqualTo(3);
      assertThat(s.maintenance().collectGarbage().expiredVersions()).isZero();
      assertThat(numbers(allVersions(disk, "/", "c.txt"))).containsExactly(5L, 4L, 3L);
      assertThat(readVersion(s, disk, "/", "c.txt", 3)).isEqualTo(utf8("content 3"));
      assertThat(artifacts().find(disk, "/", "c.txt", GetOptions.builder().version(2).build()))
          .isEmpty();
      VerifyReport report = s.maintenance().verify(true);
      assertThat(report.problems()).isEmpty();
      assertThat(report.blobsChecked()).isEqualTo(3);
      upsertText(disk, "/", "c.txt", "content 6");
      assertThat(allVersions(disk, "/", "c.txt").get(0).version()).isEqualTo(6);
    }

    @Test
    void retentionByAgeKeepsYoungVersionsAndAlwaysTheNewest() throws Exception {
      ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
      DiskStore s = storeWith(History.keepFor(HOUR), clock);
      String disk = s.disks().create().id();
      upsertText(disk, "/", "t.txt", "old 0");
      upsertText(disk, "/", "t.txt", "old 1");
      clock.advance(HOUR.multipliedBy(2));
      upsertText(disk, "/", "t.txt", "young 2");
      upsertText(disk, "/", "t.txt", "young 3");
      assertThat(s.maintenance().collectGarbage().expiredVersions()).isEqualTo(2);
      assertThat(numbers(allVersions(disk, "/", "t.txt"))).containsExactly(3L, 2L);
      clock.advance(HOUR.multipliedBy(2));
      assertThat(s.maintenance().collectGarbage().expiredVersions()).isEqualTo(1);
      assertThat(numbers(allVersions(disk, "/", "t.txt"))).containsExactly(3L);
      assertThat(readVersion(s, disk, "/", "t.txt", 3)).isEqualTo(utf8("young 3"));
      VerifyReport report = s.maintenance().verify(true);
      assertThat(report.problems()).isEmpty();
      assertThat(report.blobsChecked()).isEqualTo(1);
    }

    @Test
    void garbageCollectionFreesExactlyTheBlobsNothingReferences() throws Exception {
      DiskStore s = storeWith(History.keepLast(1), new ManualClock(Instant.parse("2030-01-01T00:00:00Z")));
      String disk = s.disks().create().id();
      upsertText(disk, "/", "a.txt", "shared");
      upsertText(disk, "/", "b.txt", "shared");
      upsertText(disk, "/", "a.txt", "only a");
      s.maintenance().collectGarbage();
      // a's version 0 went, but b still holds the shared bytes
      assertThat(readAll(disk, "/", "b.txt")).isEqualTo(utf8("shared"));
      assertThat(s.maintenance().verify().blobsChecked()).isEqualTo(2);
      artifacts().delete(disk, "/", "b.txt");
      // b's deletion is its newest version; its version 0 still holds the bytes until collected
      assertThat(s.maintenance().verify().blobsChecked()).isEqualTo(2);
      s.maintenance().collectGarbage();
      VerifyReport report = s.maintenance().verify(true);
      assertThat(report.problems()).isEmpty();
      assertThat(report.blobsChecked()).isEqualTo(1);
      assertThat(numbers(allVersions(disk, "/", "b.txt"))).containsExactly(1L);
    }

    @Test
    void historyOffRecordsNothingAndCollectsWhatWasRecorded() throws Exception {
      String first = newDiskId();
      upsertText(first, "/", "h.txt", "v0");
      upsertText(first, "/", "h.txt", "v1");
      DiskStore s = storeWith(History.off(), new ManualClock(Instant.parse("2030-01-01T00:00:00Z")));
      // a persistent store keeps the versions recorded before, which the collection removes
      String disk = isPersistent() ? first : s.disks().create().id();
      upsertText(disk, "/", "h.txt", "v2");
      s.maintenance().collectGarbage();
      assertThat(artifacts().versions(disk, "/", "h.txt").items()).isEmpty();
      assertThat(artifacts().find(disk, "/", "h.txt", GetOptions.builder().version(0).build()))
          .isEmpty();
      assertThatExceptionOfType(VersionNotFoundException.class)
          .isThrownBy(() -> artifacts().restore(disk, "/", "h.txt", 0));
      VerifyReport report = s.maintenance().verify(true);
      assertThat(report.problems()).isEmpty();
      assertThat(report.blobsChecked()).isEqualTo(1);
    }

    @Test
    void deleteVersionsKeepsOnlyTheNewestAndDiskDeleteRemovesHistory() {
      String disk = newDiskId();
      for (int i = 0; i < 4; i++) {
        upsertText(disk, "/p/", "x.txt", "x " + i);
      }
      assertThat(artifacts().deleteVersions(disk, "/p/", "x.txt")).isEqualTo(3);
      assertThat(numbers(allVersions(disk, "/p/", "x.txt"))).containsExactly(3L);
      assertThat(artifacts().deleteVersions(disk, "/p/", "x.txt")).isZero();
      store.maintenance().collectGarbage();
      assertThat(store.maintenance().verify().blobsChecked()).isEqualTo(1);

      upsertText(disk, "/p/", "y.txt", "y");
      artifacts().delete(disk, "/p/", "y.txt");
      store.disks().delete(disk);
      assertThatExceptionOfType(DiskNotFoundException.class)
          .isThrownBy(() -> artifacts().versions(disk, "/p/", "y.txt"));
      store.maintenance().collectGarbage();
      VerifyReport report = store.maintenance().verify(true);
      assertThat(report.problems()).isEmpty();
      assertThat(report.blobsChecked()).isZero();
    }

    @Test
    void aDownloadUrlOfAnOldVersionServesItsBytesWhileTheVersionIsKept() throws Exception {
      HttpClient http = newHttpClient();
      String disk = newDiskId();
      upsertText(disk, "/u/", "page.html", "<p>first</p>");
      upsertText(disk, "/u/", "page.html", "<p>second</p>");
      URI old = artifacts().get(disk, "/u/", "page.html",
              GetOptions.builder().version(0).withPublicUrl(true).build())
          .publicUrl().orElseThrow();
      URI current = artifacts().get(disk, "/u/", "page.html",
              GetOptions.builder().withPublicUrl(true).build())
          .publicUrl().orElseThrow();
      HttpResponse<byte[]> response = download(http, old);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(utf8("<p>first</p>"));
      assertThat(download(http, current).body()).isEqualTo(utf8("<p>second</p>"));

      // even after the artifact is deleted, for as long as version 0 is kept
      artifacts().delete(disk, "/u/", "page.html");
      assertThat(download(http, old).body()).isEqualTo(utf8("<p>first</p>"));
      if (usesBuiltInUrlServer()) {
        // a URL of the current bytes ends with them, as before history
        assertThat(download(http, current).statusCode()).isEqualTo(404);
      }
      artifacts().deleteVersions(disk, "/u/", "page.html");
      store.maintenance().collectGarbage();
      assertThat(download(http, old).statusCode()).isIn(403, 404);
    }

    @Test
    void theAsyncTwinsDoWhatTheSyncCallsDo() throws Exception {
      AsyncDiskStore.AsyncArtifacts async = store.async().disks().artifacts();
      String disk = newDiskId();
      upsertText(disk, "/as/", "f.txt", "one");
      upsertText(disk, "/as/", "f.txt", "two");
      ArtifactVersionPage page =
          async.versions(disk, "/as/", "f.txt").get(FUTURE_TIMEOUT_SECONDS, SECONDS);
      assertThat(numbers(page.items())).containsExactly(1L, 0L);
      assertThat(async.versions(disk, "/as/", "f.txt", 1, null)
          .get(FUTURE_TIMEOUT_SECONDS, SECONDS).hasMore()).isTrue();
      try (ArtifactStream in = async.open(disk, "/as/", "f.txt", ByteRange.from(0),
          GetOptions.builder().version(0).build()).get(FUTURE_TIMEOUT_SECONDS, SECONDS)) {
        assertThat(in.readAllBytes()).isEqualTo(utf8("one"));
      }
      async.restore(disk, "/as/", "f.txt", 0).get(FUTURE_TIMEOUT_SECONDS, SECONDS);
      assertThat(readAll(disk, "/as/", "f.txt")).isEqualTo(utf8("one"));
      assertThat(async.restore(disk, "/as/", "f.txt", 1, Precondition.none())
          .get(FUTURE_TIMEOUT_SECONDS, SECONDS).info().sha256())
          .isEqualTo(sha256Hex(utf8("two")));
      assertThat(async.deleteVersions(disk, "/as/", "f.txt").get(FUTURE_TIMEOUT_SECONDS, SECONDS))
          .isEqualTo(3);
      assertThat(async.listAll(disk, "/", 10, null).get(FUTURE_TIMEOUT_SECONDS, SECONDS).items())
          .hasSize(1);
      assertThat(async.deleteAll(disk, "/as/").get(FUTURE_TIMEOUT_SECONDS, SECONDS)).isEqualTo(1);
      assertThatThrownBy(() -> async.versions("no-such-disk", "/", "f.txt")
          .get(FUTURE_TIMEOUT_SECONDS, SECONDS))
          .hasCauseInstanceOf(DiskNotFoundException.class);
    }

    @Test
    void listAllPagesThroughATreeAndDeleteAllRemovesItInOneTransaction() {
      String disk = newDiskId();
      upsertText(disk, "/t/", "1.txt", "1");
      upsertText(disk, "/t/a/", "2.txt", "2");
      upsertText(disk, "/t/a/b/", "3.txt", "3");
      upsertText(disk, "/t/z/", "4.txt", "4");
      upsertText(disk, "/t-sibling/", "5.txt", "5");
      upsertText(disk, "/", "6.txt", "6");

      List<String> names = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        ArtifactPage page = artifacts().listAll(disk, "/t/", 2, cursor);
        page.items().forEach(a -> names.add(a.path() + a.filename()));
        cursor = page.nextCursor().orElse(null);
        pages++;
      } while (cursor != null);
      assertThat(names).containsExactly("/t/1.txt", "/t/a/2.txt", "/t/a/b/3.txt", "/t/z/4.txt");
      assertThat(pages).isEqualTo(2);
      assertThat(artifacts().listAll(disk, "/", 100, null).items()).hasSize(6);

      assertThat(artifacts().deleteAll(disk, "/t/")).isEqualTo(4);
      assertThat(artifacts().listAll(disk, "/t/", 100, null).items()).isEmpty();
      assertThat(artifacts().list(disk, "/").directories()).containsExactly("t-sibling");
      assertThat(artifacts().deleteAll(disk, "/t/")).isZero();
      artifacts().restore(disk, "/t/a/b/", "3.txt", 0);
      assertThat(readAll(disk, "/t/a/b/", "3.txt")).isEqualTo(utf8("3"));
      assertVerifyClean();
    }
  }


  @Nested
  @DisplayName("Maintenance/GC/Verify")
  class MaintenanceTests {

    @Test
    void pingWorks() {
      assertThatCode(() -> store.ping()).doesNotThrowAnyException();
      assertThatCode(() -> store.async().ping().get(FUTURE_TIMEOUT_SECONDS, SECONDS))
          .doesNotThrowAnyException();
    }

    @Test
    void emptyStoreVerifiesClean() {
      VerifyReport report = store.maintenance().verify();
      assertThat(report.problems()).isEmpty();
      assertThat(report.artifactsChecked()).isZero();
      assertThat(report.blobsChecked()).isZero();
      assertThat(store.maintenance().collectGarbage().total()).isZero();
    }

    @Test
    void verifyIsCleanAfterMixedOperations() {
      String d1 = newDiskId();
      String d2 = newDiskId();
      String d3 = newDiskId();
      upsertText(d1, "/a/", "x.txt", "same bytes");
      upsertText(d2, "/b/", "y.txt", "same bytes");
      upsertText(d1, "/a/", "z.txt", "other");
      upsertText(d1, "/a/", "z.txt", "other, replaced");
      artifacts().update(d2, "/b/", "y.txt", Map.of("k", "v"));
      artifacts().delete(d1, "/a/", "x.txt");
      upsertText(d3, "/c/", "w.txt", "on a doomed disk");
      upsertText(d3, "/c/", "v.txt", "other, replaced");
      store.disks().delete(d3);
      upsertText(d1, "/", "last.txt", "last");

      VerifyReport report = store.maintenance().verify();
      assertThat(report.problems()).isEmpty();
      assertThat(report.isClean()).isTrue();
      assertThat(report.artifactsChecked()).isEqualTo(3);
      // "same bytes", "other, replaced", "last", and "other", which z.txt's history keeps
      assertThat(report.blobsChecked()).isEqualTo(4);

      VerifyReport deep = store.maintenance().verify(true);
      assertThat(deep.problems()).isEmpty();
      assertThat(deep.artifactsChecked()).isEqualTo(3);
      assertThat(deep.blobsChecked()).isEqualTo(4);
    }

    @Test
    void collectGarbageReportsAndIsIdempotent() {
      String disk = newDiskId();
      upsertText(disk, "/", "keep.txt", "keep");
      upsertText(disk, "/", "drop.txt", "drop");
      upsertText(disk, "/", "keep.txt", "keep v2");
      artifacts().delete(disk, "/", "drop.txt");

      GcReport first = store.maintenance().collectGarbage();
      assertThat(first).isNotNull();
      assertThat(first.abandonedWrites()).isNotNegative();
      assertThat(first.unreferencedBlobs()).isNotNegative();
      assertThat(first.orphanObjects()).isNotNegative();
      assertThat(first.total())
          .isEqualTo(first.abandonedWrites() + first.unreferencedBlobs() + first.orphanObjects());

      GcReport second = store.maintenance().collectGarbage();
      assertThat(second.total()).isZero();
      assertThat(readAll(disk, "/", "keep.txt")).isEqualTo(utf8("keep v2"));
      assertDeepVerifyClean();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Concurrency
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Concurrency")
  class Concurrency {
    private static final int THREADS = 8;

    private <T> List<Future<T>> runTogether(int threads, java.util.function.IntFunction<T> task)
        throws InterruptedException {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          int index = i;
          futures.add(
              pool.submit(
                  () -> {
                    start.await();
                    return task.apply(index);
                  }));
        }
        start.countDown();
        for (Future<T> f : futures) {
          try {
            f.get(FUTURE_TIMEOUT_SECONDS, SECONDS);
          } catch (ExecutionException | java.util.concurrent.TimeoutException ignored) {
            // inspected by the caller
          }
        }
        return futures;
      } finally {
        pool.shutdownNow();
      }
    }

    private Throwable failureOf(Future<?> future) {
      try {
        future.get(0, SECONDS);
        return null;
      } catch (ExecutionException e) {
        return e.getCause();
      } catch (Exception e) {
        return e;
      }
    }

    @Test
    void concurrentUpsertsToOnePathLeaveOneConsistentArtifact() throws Exception {
      String disk = newDiskId();
      Map<String, byte[]> versions = new ConcurrentHashMap<>();
      byte[] initial = utf8("initial");
      versions.put(sha256Hex(initial), initial);
      for (int t = 0; t < THREADS; t++) {
        for (int r = 0; r < 5; r++) {
          byte[] content = utf8(("thread " + t + " round " + r + ";").repeat(50 + t * 10 + r));
          versions.put(sha256Hex(content), content);
        }
      }
      artifacts().upsert(disk, FileUpload.of("shared.bin", initial), "/race/");

      AtomicBoolean writing = new AtomicBoolean(true);
      AtomicInteger reads = new AtomicInteger();
      ExecutorService readerPool = Executors.newSingleThreadExecutor();
      Future<?> reader =
          readerPool.submit(
              () -> {
                while (writing.get() || reads.get() == 0) {
                  byte[] seen = readAll(disk, "/race/", "shared.bin");
                  assertThat(versions).as("a whole written version").containsKey(sha256Hex(seen));
                  reads.incrementAndGet();
                }
                return null;
              });
      try {
        List<Future<Void>> writers =
            runTogether(
                THREADS,
                t -> {
                  for (int r = 0; r < 5; r++) {
                    byte[] content =
                        utf8(("thread " + t + " round " + r + ";").repeat(50 + t * 10 + r));
                    artifacts().upsert(disk, FileUpload.of("shared.bin", content), "/race/");
                  }
                  return null;
                });
        for (Future<Void> writer : writers) {
          assertThat(failureOf(writer)).as("writer failure").isNull();
        }
      } finally {
        writing.set(false);
      }
      reader.get(FUTURE_TIMEOUT_SECONDS, SECONDS);
      readerPool.shutdownNow();

      ArtifactListing listing = artifacts().list(disk, "/race/");
      assertThat(filenames(listing)).containsExactly("shared.bin");
      Artifact artifact = listing.artifacts().get(0);
      byte[] bytes = readAll(disk, "/race/", "shared.bin");
      assertThat(sha256Hex(bytes)).isEqualTo(artifact.sha256());
      assertThat(versions).containsKey(artifact.sha256());
      assertThat(bytes).isEqualTo(versions.get(artifact.sha256()));
      assertThat(artifact.sizeBytes()).isEqualTo(bytes.length);
      assertVerifyClean();
      assertDeepVerifyClean();
    }

    @Test
    void exactlyOneIfMatchUpsertWins() throws Exception {
      String disk = newDiskId();
      Artifact base = upsertText(disk, "/", "counter.txt", "0");
      List<Future<Artifact>> results =
          runTogether(
              THREADS,
              t ->
                  artifacts()
                      .upsert(
                          disk,
                          FileUpload.ofText("counter.txt", "winner " + t),
                          "/",
                          null,
                          Precondition.ifMatch(base.etag())));
      List<Artifact> winners = new ArrayList<>();
      List<PreconditionFailedException> losers = new ArrayList<>();
      for (Future<Artifact> result : results) {
        Throwable failure = failureOf(result);
        if (failure == null) {
          winners.add(result.get());
        } else {
          assertThat(failure).isInstanceOf(PreconditionFailedException.class);
          losers.add((PreconditionFailedException) failure);
        }
      }
      assertThat(winners).hasSize(1);
      assertThat(losers).hasSize(THREADS - 1);
      Artifact winner = winners.get(0);
      assertThat(losers).allSatisfy(e -> assertThat(e.currentEtag()).isEqualTo(winner.etag()));
      assertThat(artifacts().get(disk, "/", "counter.txt").artifact().etag())
          .isEqualTo(winner.etag());
      assertThat(readAll(disk, "/", "counter.txt"))
          .isEqualTo(readAll(disk, winner.path(), winner.filename()))
          .startsWith(utf8("winner "));
      assertThat(artifacts().get(disk, "/", "counter.txt").artifact().sha256())
          .isEqualTo(winner.sha256());
      assertVerifyClean();
    }

    @Test
    void exactlyOneIfMatchUpdateWins() throws Exception {
      String disk = newDiskId();
      Artifact base = upsertText(disk, "/", "meta.txt", "m");
      List<Future<Artifact>> results =
          runTogether(
              THREADS,
              t ->
                  artifacts()
                      .update(
                          disk,
                          "/",
                          "meta.txt",
                          Map.of("by", t),
                          Precondition.ifMatch(base.etag())));
      long successes = results.stream().filter(f -> failureOf(f) == null).count();
      assertThat(successes).isEqualTo(1);
      assertThat(results)
          .filteredOn(f -> failureOf(f) != null)
          .allSatisfy(
              f -> assertThat(failureOf(f)).isInstanceOf(PreconditionFailedException.class));
    }

    @Test
    void exactlyOneIfNoneMatchCreateWins() throws Exception {
      String disk = newDiskId();
      List<Future<Artifact>> results =
          runTogether(
              THREADS,
              t ->
                  artifacts()
                      .upsert(
                          disk,
                          FileUpload.ofText("new.txt", "creator " + t),
                          "/fresh/",
                          Map.of("creator", t),
                          Precondition.ifNoneMatch()));
      List<Artifact> winners = new ArrayList<>();
      for (Future<Artifact> result : results) {
        Throwable failure = failureOf(result);
        if (failure == null) {
          winners.add(result.get());
        } else {
          assertThat(failure).isInstanceOf(PreconditionFailedException.class);
        }
      }
      assertThat(winners).hasSize(1);
      Artifact winner = winners.get(0);
      Artifact current = artifacts().get(disk, "/fresh/", "new.txt").artifact();
      assertThat(current.etag()).isEqualTo(winner.etag());
      assertThat(readAll(disk, "/fresh/", "new.txt"))
          .isEqualTo(utf8("creator " + winner.userMeta().get("creator")));
      assertThat(artifacts().list(disk, "/fresh/").artifacts()).hasSize(1);
      assertVerifyClean();
    }

    @Test
    void exactlyOneConcurrentDeleteSucceeds() throws Exception {
      String disk = newDiskId();
      upsertText(disk, "/", "victim.txt", "v");
      List<Future<Boolean>> results =
          runTogether(
              THREADS,
              t -> {
                artifacts().delete(disk, "/", "victim.txt");
                return true;
              });
      long successes = results.stream().filter(f -> failureOf(f) == null).count();
      assertThat(successes).isEqualTo(1);
      assertThat(results)
          .filteredOn(f -> failureOf(f) != null)
          .allSatisfy(f -> assertThat(failureOf(f)).isInstanceOf(ArtifactNotFoundException.class));
      assertThat(artifacts().find(disk, "/", "victim.txt")).isEmpty();
      assertVerifyClean();
    }

    @Test
    void parallelWritesToDistinctPathsAndDisksAllLand() throws Exception {
      String disk = newDiskId();
      List<Future<String>> results =
          runTogether(
              THREADS,
              t -> {
                String own = store.disks().create("worker-" + t).id();
                for (int i = 0; i < 10; i++) {
                  FileUpload upload = FileUpload.ofText("f" + i + ".txt", t + ":" + i);
                  artifacts().upsert(disk, upload, "/t" + t + "/");
                  artifacts().upsert(own, FileUpload.ofText("same.txt", "shared content"), "/");
                }
                return own;
              });
      Set<String> ownDisks = new HashSet<>();
      for (Future<String> result : results) {
        assertThat(failureOf(result)).isNull();
        ownDisks.add(result.get());
      }
      assertThat(ownDisks).hasSize(THREADS);
      assertThat(artifacts().list(disk, "/").directories()).hasSize(THREADS);
      for (int t = 0; t < THREADS; t++) {
        assertThat(artifacts().list(disk, "/t" + t + "/").artifacts()).hasSize(10);
        assertThat(readAll(disk, "/t" + t + "/", "f9.txt")).isEqualTo(utf8(t + ":9"));
      }
      assertThat(store.disks().list(200, null, false, null).items()).hasSize(THREADS + 1);
      assertDeepVerifyClean();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Closing
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Close")
  class Close {

    @Test
    void callsAfterCloseThrowStoreClosedException() {
      String disk = newDiskId();
      upsertText(disk, "/", "a.txt", "a");
      Disks disks = store.disks();
      Artifacts files = disks.artifacts();
      Maintenance maintenance = store.maintenance();
      store.close();

      assertThatExceptionOfType(StoreClosedException.class).isThrownBy(() -> store.ping());
      assertThatExceptionOfType(StoreClosedException.class)
          .isThrownBy(() -> store.disks().create());
      assertThatExceptionOfType(StoreClosedException.class)
          .isThrownBy(() -> store.maintenance().verify());
      assertThatExceptionOfType(StoreClosedException.class).isThrownBy(disks::create);
      assertThatExceptionOfType(StoreClosedException.class).isThrownBy(disks::list);
      assertThatExceptionOfType(StoreClosedException.class).isThrownBy(() -> disks.get(disk));
      assertThatExceptionOfType(StoreClosedException.class).isThrownBy(() -> disks.find(disk));
      assertThatExceptionOfType(StoreClosedException.class).isThrownBy(() -> disks.delete(disk));
      assertThatExceptionOfType(StoreClosedException.class)
          .isThrownBy(() -> files.get(disk, "/", "a.txt"));
      assertThatExceptionOfType(StoreClosedException.class)
          .isThrownBy(() -> files.find(disk, "/", "a.txt"));
      assertThatExceptionOfType(StoreClosedException.class)
          .isThrownBy(() -> files.list(disk, "/"));
      assertThatExceptionOfType(StoreClosedException.class)
          .isThrownBy(() -> files.upsert(disk, FileUpload.ofText("b.txt", "b")));
      assertThatExceptionOfType(StoreClosedException.class)
          .isThrownBy(() -> files.update(disk, "/", "a.txt", Map.of()));
      assertThatExceptionOfType(StoreClosedException.class)
          .isThrownBy(() -> files.delete(disk, "/", "a.txt"));
      assertThatExceptionOfType(StoreClosedException.class)
          .isThrownBy(() -> files.open(disk, "/", "a.txt"));
      assertThatExceptionOfType(StoreClosedException.class).isThrownBy(maintenance::verify);
      assertThatExceptionOfType(StoreClosedException.class)
          .isThrownBy(maintenance::collectGarbage);
    }

    @Test
    void asyncCallsAfterCloseFailWithStoreClosedException() {
      AsyncDiskStore async = store.async();
      store.close();
      assertThatThrownBy(() -> async.disks().create().get(FUTURE_TIMEOUT_SECONDS, SECONDS))
          .satisfies(e -> assertThat(unwrapCompletion(e)).isInstanceOf(StoreClosedException.class));
    }

    @Test
    void closeIsIdempotent() {
      assertThatCode(store::close).doesNotThrowAnyException();
      assertThatCode(store::close).doesNotThrowAnyException();
      assertThatExceptionOfType(StoreClosedException.class)
          .isThrownBy(() -> store.disks().create());
    }

    @Test
    void closeStopsTheUrlServer() throws Exception {
      assumeThat(usesBuiltInUrlServer())
          .as("URLs signed by the backend are served by its medium, which outlives the store")
          .isTrue();
      String disk = newDiskId();
      upsertText(disk, "/", "u.txt", "served");
      URI url =
          artifacts()
              .get(disk, "/", "u.txt", GetOptions.builder().withPublicUrl(true).build())
              .publicUrl()
              .orElseThrow();
      assertThat(download(newHttpClient(), url).statusCode()).isEqualTo(200);
      store.close();
      assertThatThrownBy(() -> download(newHttpClient(), url)).isInstanceOf(IOException.class);
    }
  }
}
