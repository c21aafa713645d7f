package dev.diskstore.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactListing;
import dev.diskstore.ArtifactResult;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.DiskStoreException;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import dev.diskstore.GrepOptions;
import dev.diskstore.GrepResult;
import dev.diskstore.InvalidMetadataException;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.Precondition;
import dev.diskstore.Query;
import dev.diskstore.QueryOptions;
import dev.diskstore.local.LocalBlobBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.text.Normalizer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile input, property-based (jqwik): paths and filenames (any Unicode, RTL and zero-width
 * characters, very long, {@code ..} disguised every way), metadata JSON (deep nesting, huge values,
 * odd numbers, unpaired surrogates, reserved and non-string keys), cursors (random, and forged
 * with a valid scope), expire values, glob and regex patterns (catastrophic backtracking
 * included), full-text and metadata queries, and raw requests to the download-URL server.
 *
 * <p>Every call must end within its time limit with a result or a typed {@link DiskStoreException}
 * ({@link Guard}); accepted paths must come back normalised and valid; accepted metadata must read
 * back unchanged; rejected input must change nothing. The store lives three directories below a
 * sandbox holding canary files: after every property nothing in the sandbox outside the store root
 * may have been created, changed or removed, and no result (artifacts, metadata, content, grep
 * lines, listings, downloads, error messages) may contain a canary's text.
 *
 * <p>Each property runs {@code jqwik.tries.default} cases (15,000, set in {@code
 * junit-platform.properties}); more with {@code -Djqwik.tries.default=N}.
 */
class HostileInputTest {
  private static final Duration LIMIT = Duration.ofSeconds(3);
  private static final String CANARY = "CANARY-" + UUID.randomUUID();
  private static final Map<String, AtomicLong> CASES = new ConcurrentHashMap<>();
  private static Figures figures;

  private static Path sandbox;
  private static Tmpfs tmpfs;
  private static Path storeRoot;
  private static DiskStore store;
  private static String disk;
  /**
   * Where the upsert property writes (and deletes what it wrote): a disk of its own, so that a
   * generated path that lands on a fixture of {@link #disk} (it can: "docs" and "readme.md" are
   * among the pieces) never deletes a file the other properties read.
   */
  private static String upsertDisk;
  private static Map<String, String> outsideBefore;
  private static int port;
  private static final AtomicLong COUNTER = new AtomicLong();

  // ---------------------------------------------------------------- setup

  @BeforeContainer
  static void openStore() throws Exception {
    figures = Figures.of("hostile-input");
    sandbox = Files.createTempDirectory("diskstore-hostile-");
    Path base = sandbox;
    if (Tmpfs.available(sandbox.resolve("probe"))) {
      // fsync is free on tmpfs: tens of thousands of durable writes stay fast
      tmpfs = Tmpfs.mount(sandbox.resolve("fs"), 512L << 20);
      base = tmpfs.path();
    }
    Files.writeString(base.resolve("canary.txt"), CANARY);
    Files.createDirectories(base.resolve("outside"));
    Files.writeString(base.resolve("outside/canary.txt"), CANARY);
    Files.createDirectories(base.resolve("a/b"));
    Files.writeString(base.resolve("a/canary.txt"), CANARY);
    Files.writeString(base.resolve("a/b/canary.txt"), CANARY);
    storeRoot = base.resolve("a/b/store");
    store = DiskStore.open(DiskStoreConfig.builder().directory(storeRoot)
        .backend(LocalBlobBackend.at(storeRoot.resolve("blobs"))).build());
    disk = store.disks().create("hostile").id();
    upsertDisk = store.disks().create("hostile-upserts").id();
    var a = store.disks().artifacts();
    a.upsert(disk, FileUpload.ofText("readme.md", "hello world\nTODO: fix\n"), "/docs",
        Map.of("author", "alice", "n", 5));
    a.upsert(disk, FileUpload.ofText("target.json", "{\"k\": 1}"), "/meta", Map.of("n", 1));
    a.upsert(disk, FileUpload.ofText("a".repeat(200) + ".txt", "a".repeat(50_000) + "\n"),
        "/long");
    a.upsert(disk, FileUpload.ofText("deep.txt", "deep down\n"), "/s".repeat(100));
    // Right-to-left and joiner names that are legal (overrides and zero-width spaces are not).
    a.upsert(disk, FileUpload.ofText("\u05D2\u05D3.txt", "rtl\n"), "/rtl/\u05D0\u05D1");
    a.upsert(disk, FileUpload.ofText("\uD83D\uDC69\u200D\uD83D\uDCBB.md", "zw\n"),
        "/zw/\u0645\u06CC\u200C\u062E");
    URI url = a.get(disk, "/docs", "readme.md", GetOptions.builder().withPublicUrl(true).build())
        .publicUrl().orElseThrow();
    port = url.getPort();
    outsideBefore = snapshotOutsideStore(base);
  }

  @AfterContainer
  static void closeStore() throws Exception {
    try {
      assertThat(store.maintenance().verify(true).problems()).as("verify after everything")
          .isEmpty();
      long total = CASES.values().stream().mapToLong(AtomicLong::get).sum();
      figures.put("cases", total).put("canaryFiles", 4).put("tmpfs", tmpfs != null);
      new TreeMap<>(CASES).forEach((k, v) -> figures.put(k, v.get()));
      figures.report();
    } finally {
      store.close();
      if (tmpfs != null) {
        tmpfs.close();
      }
      try (Stream<Path> files = Files.walk(sandbox)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Nothing outside the store root was created, changed or deleted by the property. */
  @AfterProperty
  void nothingOutsideTheStoreChanged() throws IOException {
    Path base = tmpfs != null ? tmpfs.path() : sandbox;
    assertThat(snapshotOutsideStore(base)).as("files outside the store root").isEqualTo(outsideBefore);
  }

  private static Map<String, String> snapshotOutsideStore(Path base) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(base)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (p.startsWith(storeRoot) || p.equals(base)) {
          continue;
        }
        String content = Files.isRegularFile(p) ? Files.readString(p) : "<dir>";
        files.put(base.relativize(p).toString(), content + "@" + Files.getLastModifiedTime(p));
      }
    }
    return files;
  }

  private static void count(String property) {
    CASES.computeIfAbsent(property, k -> new AtomicLong()).incrementAndGet();
  }

  /** Fails if any text the store returned contains a canary. */
  private static void noCanary(String what, Object returned) {
    if (returned != null && String.valueOf(returned).contains(CANARY)) {
      throw new AssertionError(what + ": returned the content of a file outside the store");
    }
  }

  private static <T> Guard.Outcome<T> call(String what, java.util.concurrent.Callable<T> call) {
    Guard.Outcome<T> outcome = Guard.call(what, LIMIT, call);
    noCanary(what, outcome.ok() ? outcome.value() : outcome.failure().getMessage());
    return outcome;
  }

  // ---------------------------------------------------------------- generators

  /** Pieces from which hostile segments are built. */
  private static final String[] PIECES = {
    ".", "..", "...", "/", "//", "\\", "%2e", "%2E", "%2f", "%5c", "%00", "\u2024", "\u2025",
    "\uFF0E", "\uFF0F", "\u3002", "\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF", "\u200E",
    "\u200F", "\u202A", "\u202E", "\u2066", "\u2069", "\u0000", "\u0001", "\u001F", "\u007F",
    "\u0085", "\u009F", "\u00A0", "\u2028", "\u2029", "\u0301", "e\u0301", "\u00E9", "\u212B",
    "A\u030A", "\uFB01", "\uD800", "\uDC00", "\uD83D\uDE00", "\u05D0", "\u0627", " ", "\t", "~",
    "$HOME", "C:", "\\\\?\\", "con", "nul", "aux", "com1", "*", "?", "<", ">", "|", "\"", "'",
    ";", "&", "#", "%", "..%2f", "..\\", "..;", ".\u0301.", ". .", "..\u200B", "\u200B..",
    "../../canary.txt", "../../../outside/canary.txt", "/proc/self/environ", "..\u0000", "a",
    "b", "docs", "readme.md", "x".repeat(255), "\u00E9".repeat(128), "\uD83D\uDE00".repeat(64),
    // look-alikes (rejected in new names) and the joiners that stay legal in context
    "\u00AD", "\u3164", "\u2800", "\u3000", "\uDB40\uDC41", "\u061C", "\u180E",
    "\uD83D\uDC69\u200D\uD83D\uDCBB", "\uD83C\uDFF3\uFE0F\u200D\uD83C\uDF08",
    "\u0645\u06CC\u200C\u062E", "\u0915\u094D\u200D\u0937", "\u200D\uD83D\uDCBB"
  };

  /** Visible pieces: names built from them are valid unless too long (tricky Unicode included). */
  private static final String[] VISIBLE = {
    "a", "b", "docs", "readme.md", "\u00E9", "e\u0301", "\u212B", "A\u030A", "\uFB01",
    "\uD83D\uDE00", "\u05D0\u05D1", "\u0627\u0644", "\u65E5\u672C", "...", "~", "#", "%2e",
    "\uD83D\uDC69\u200D\uD83D\uDCBB", "\u0645\u06CC\u200C\u062E", "\u0915\u094D\u200D\u0937",
    "x".repeat(120)
  };

  /** Every format character (category Cf) of the JDK's Unicode version. */
  private static final int[] FORMAT_CHARACTERS = java.util.stream.IntStream
      .rangeClosed(0, Character.MAX_CODE_POINT)
      .filter(cp -> Character.getType(cp) == Character.FORMAT).toArray();

  @Provide
  Arbitrary<String> segments() {
    Arbitrary<String> fromPieces =
        Arbitraries.of(PIECES).list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("", l));
    Arbitrary<String> anyChars = Arbitraries.strings().all().ofMinLength(0).ofMaxLength(12);
    Arbitrary<String> long_ =
        Arbitraries.of("a", "\u00E9", "\u20AC", "\uD83D\uDE00", ".")
            .flatMap(c -> Arbitraries.integers().between(60, 300).map(c::repeat));
    // Mostly valid names, so that the upsert property checks accepted names, not only refusals.
    Arbitrary<String> visible =
        Combinators.combine(
                Arbitraries.of(VISIBLE).list().ofMinSize(1).ofMaxSize(4),
                Arbitraries.of("", " ", "-", ".", "  "))
            .as((l, sep) -> String.join(sep, l));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, fromPieces),
        net.jqwik.api.Tuple.of(3, anyChars),
        net.jqwik.api.Tuple.of(1, long_),
        net.jqwik.api.Tuple.of(3, visible));
  }

  @Provide
  Arbitrary<String> paths() {
    Arbitrary<String> joined =
        Combinators.combine(
                segments().list().ofMinSize(0).ofMaxSize(6),
                Arbitraries.of("/", "//", "\\", "/./", "/../"),
                Arbitraries.of("", "/", "//"),
                Arbitraries.of("", "/", "//"))
            .as((segs, sep, lead, trail) -> lead + String.join(sep, segs) + trail);
    Arbitrary<String> huge =
        Arbitraries.integers().between(1000, 2100).map(n -> "/ab".repeat(n));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(9, joined), net.jqwik.api.Tuple.of(1, huge));
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, segments()),
        net.jqwik.api.Tuple.of(1, paths()),
        net.jqwik.api.Tuple.of(1, Arbitraries.of("", ".", "..", "a/b", "/", "readme.md")));
  }

  // ---------------------------------------------------------------- paths and filenames

  /** Read and write operations that must reject or miss: typed errors, nothing outside. */
  @Property(shrinking = ShrinkingMode.OFF)
  void pathsAndNamesInEveryOperation(
      @ForAll("paths") String dir, @ForAll("names") String name,
      @ForAll @IntRange(min = 0, max = 9) int op) throws IOException {
    count("pathsInOperations");
    var a = store.disks().artifacts();
    String what = "op " + op + " on " + describe(dir) + " + " + describe(name);
    switch (op) {
      case 0 -> call(what, () -> a.find(disk, dir, name));
      case 1 -> call(what, () -> a.get(disk, dir, name, GetOptions.urlAndContent()));
      case 2 -> call(what, () -> a.list(disk, dir));
      case 3 -> call(what, () -> {
        try (InputStream in = a.open(disk, dir, name)) {
          return new String(in.readNBytes(1 << 20), UTF_8);
        }
      });
      case 4 -> call(what, () -> {
        a.delete(disk, dir, name, Precondition.ifMatch("not-an-etag"));
        return null;
      });
      case 5 -> call(what, () -> a.update(disk, dir, name, Map.of("x", 1),
          Precondition.ifMatch("not-an-etag")));
      case 6 -> call(what, () -> a.move(disk, dir, name, "/moved", "x", Precondition.none(), false));
      case 7 -> call(what, () -> a.list(disk, dir, 1, null));
      case 8 -> call(what, () -> store.search().glob(disk, dir + "/" + name, 10));
      default -> call(what, () -> store.search().query(disk, Query.pathPrefix(dir)));
    }
  }

  /**
   * Upserts with hostile paths and names: accepted ones come back normalised and valid, can be
   * found, listed, downloaded through a signed URL with the same bytes, and deleted.
   */
  @Property(shrinking = ShrinkingMode.OFF)
  void pathsAndNamesInUpserts(@ForAll("paths") String dir, @ForAll("names") String name)
      throws Exception {
    count("pathsInUpserts");
    var a = store.disks().artifacts();
    String content = "CONTENT-" + COUNTER.incrementAndGet();
    String what = "upsert " + describe(dir) + " + " + describe(name);
    Guard.Outcome<Artifact> outcome =
        call(what,
            () -> a.upsert(upsertDisk, FileUpload.ofText(name, content), dir, Map.of("h", 1)));
    if (!outcome.ok()) {
      assertThat(outcome.failure()).as(what).isInstanceOf(InvalidRequestException.class);
      return;
    }
    Artifact written = outcome.value();
    count("pathsInUpsertsAccepted");
    try {
      assertValidPath(what, written.path(), written.filename());
      Optional<ArtifactResult> again = a.find(upsertDisk, dir, name);
      assertThat(again).as("%s: found by the same input", what).isPresent();
      assertThat(again.get().artifact().etag()).isEqualTo(written.etag());
      ArtifactListing listing = a.list(upsertDisk, written.path());
      assertThat(listing.artifacts()).extracting(Artifact::filename).as(what)
          .contains(written.filename());
      URI url = a.get(upsertDisk, written.path(), written.filename(),
          GetOptions.builder().withPublicUrl(true).build()).publicUrl().orElseThrow();
      assertThat(url.getHost()).isEqualTo("127.0.0.1");
      byte[] body = RawHttp.get(port, url.getRawPath() + "?" + url.getRawQuery()).body();
      assertThat(new String(body, UTF_8)).as("%s: download of %s", what, url).isEqualTo(content);
    } finally {
      a.delete(upsertDisk, written.path(), written.filename());
    }
  }

  private static void assertValidPath(String what, String path, String filename) {
    assertThat(path).as(what).startsWith("/").endsWith("/");
    assertThat(Normalizer.isNormalized(path + filename, Normalizer.Form.NFC)).as(what).isTrue();
    assertThat((path + filename).getBytes(UTF_8).length).as(what).isLessThanOrEqualTo(4096);
    List<String> segments = new ArrayList<>(List.of(path.substring(1).split("/")));
    if (path.equals("/")) {
      segments.clear();
    }
    segments.add(filename);
    for (String segment : segments) {
      assertThat(segment).as("%s: segment of %s%s", what, path, filename)
          .isNotEmpty().isNotEqualTo(".").isNotEqualTo("..").doesNotContain("/", "\\");
      assertThat(segment.getBytes(UTF_8).length).as(what).isLessThanOrEqualTo(255);
      int first = segment.codePointAt(0);
      int last = segment.codePointBefore(segment.length());
      assertThat(isBlank(first) || isBlank(last))
          .as("%s: segment %s starts or ends with whitespace", what, describe(segment)).isFalse();
      for (int i = 0; i < segment.length(); i++) {
        char c = segment.charAt(i);
        assertThat(c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)).as("%s: control char", what)
            .isFalse();
        int type = Character.getType(segment.codePointAt(i));
        if (type == Character.FORMAT) {
          // only joiners, and only where they render: next to emoji or letters on both sides
          assertThat(c == '\u200C' || c == '\u200D').as("%s: format character %04X in %s", what,
              (int) c, describe(segment)).isTrue();
          assertThat(i > 0 && i + 1 < segment.length()).as("%s: joiner at an end", what).isTrue();
        }
        assertThat(type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR)
            .as("%s: separator", what).isFalse();
        if (Character.isHighSurrogate(c)) {
          assertThat(i + 1 < segment.length() && Character.isLowSurrogate(segment.charAt(i + 1)))
              .as("%s: paired surrogate", what).isTrue();
          i++;
        } else {
          assertThat(Character.isLowSurrogate(c)).as("%s: lone surrogate", what).isFalse();
        }
      }
    }
  }

  private static boolean isBlank(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x2800;
  }

  @Provide
  Arbitrary<Integer> formatCharacters() {
    return Arbitraries.of(java.util.Arrays.stream(FORMAT_CHARACTERS).boxed().toList());
  }

  /**
   * A format character (any of Unicode's Cf, including tags and bidi controls) anywhere in an
   * otherwise plain name, filename or directory segment: rejected for a new artifact with the code
   * point named as U+XXXX, and nothing is written. (Joiners qualify too: between Latin letters,
   * digits or dots they change nothing visible.)
   */
  @Property(shrinking = ShrinkingMode.OFF)
  void formatCharactersInNewNamesAreRejectedByCodePoint(
      @ForAll("formatCharacters") int cp, @ForAll @IntRange(min = 0, max = 10) int at,
      @ForAll boolean inDirectory) {
    count("formatCharactersInNewNames");
    String plain = "report-2024.pdf";
    String hidden = plain.substring(0, at) + new String(Character.toChars(cp)) + plain.substring(at);
    String dir = inDirectory ? "/docs/" + hidden + "/" : "/docs/";
    String name = inDirectory ? plain : hidden;
    String what = "upsert " + describe(dir) + " + " + describe(name);
    Guard.Outcome<Artifact> outcome = call(what,
        () -> store.disks().artifacts().upsert(upsertDisk, FileUpload.ofText(name, "x"), dir));
    assertThat(outcome.ok()).as("%s was accepted", what).isFalse();
    assertThat(outcome.failure()).as(what).isInstanceOf(dev.diskstore.InvalidPathException.class)
        .hasMessageContaining(String.format(java.util.Locale.ROOT, "U+%04X", cp));
  }

  // ---------------------------------------------------------------- metadata

  @Provide
  Arbitrary<Map<Object, Object>> metadata() {
    return Arbitraries.randomValue(HostileJson::metadata);
  }

  /**
   * Any metadata: rejected with InvalidMetadataException leaving the artifact unchanged, or
   * accepted and the artifact stays readable.
   */
  @Property(shrinking = ShrinkingMode.OFF)
  void metadataNeverBreaksTheArtifact(@ForAll("metadata") Map<Object, Object> meta) {
    count("metadataTyped");
    var a = store.disks().artifacts();
    Artifact before = a.get(disk, "/meta", "target.json").artifact();
    String what = "update with " + HostileJson.describe(meta);
    @SuppressWarnings("unchecked")
    Map<String, ?> typed = (Map<String, ?>) (Map<?, ?>) meta;
    Guard.Outcome<Artifact> outcome = call(what, () -> a.update(disk, "/meta", "target.json", typed));
    Guard.Outcome<ArtifactResult> read = call(what + ", then get",
        () -> a.get(disk, "/meta", "target.json"));
    if (!read.ok()) {
      throw new AssertionError(what + ": " + (outcome.ok() ? "accepted" : "rejected")
          + ", and then the artifact cannot be read: " + read.failure(), read.failure());
    }
    if (!outcome.ok()) {
      assertThat(outcome.failure()).as("%s: rejected as invalid metadata", what)
          .isInstanceOf(InvalidMetadataException.class);
      assertThat(read.value().artifact()).as("%s: rejected, so unchanged", what).isEqualTo(before);
    }
  }

  /** Accepted metadata reads back equal: same keys, same strings, numerically equal numbers. */
  @Property(shrinking = ShrinkingMode.OFF)
  void acceptedMetadataReadsBackUnchanged(@ForAll("metadata") Map<Object, Object> meta) {
    count("metadataRoundTrip");
    var a = store.disks().artifacts();
    @SuppressWarnings("unchecked")
    Map<String, ?> typed = (Map<String, ?>) (Map<?, ?>) meta;
    String what = "update with " + HostileJson.describe(meta);
    Guard.Outcome<Artifact> outcome = call(what, () -> a.update(disk, "/meta", "target.json", typed));
    if (!outcome.ok()) {
      return;
    }
    Guard.Outcome<ArtifactResult> read = call(what, () -> a.get(disk, "/meta", "target.json"));
    if (!read.ok()) {
      return; // reported by metadataNeverBreaksTheArtifact
    }
    String difference = HostileJson.difference(meta, read.value().artifact().userMeta());
    if (difference != null) {
      throw new AssertionError(what + ": read back differently: " + difference);
    }
  }

  // ---------------------------------------------------------------- cursors

  @Provide
  Arbitrary<String> cursors() {
    Arbitrary<String> random = Arbitraries.strings().all().ofMaxLength(80);
    Arbitrary<String> base64 = Arbitraries.bytes().array(byte[].class).ofMaxSize(120)
        .map(b -> Base64.getUrlEncoder().withoutPadding().encodeToString(b));
    Arbitrary<String> forgedList =
        Combinators.combine(Arbitraries.of("d", "f", "x", ""), segments(),
                Arbitraries.of("/", "/docs/", "/long/"))
            .as((phase, after, dir) -> forge("l1", "ls\0" + disk + "\0" + dir, phase, after));
    Arbitrary<String> forgedDisks =
        Combinators.combine(Arbitraries.of("0", "-1", "99999999999999999999", "x", ""), segments(),
                Arbitraries.of(true, false))
            .as((time, id, desc) -> forge("d1", "disks\0" + desc + "\0\1", time, id));
    Arbitrary<String> huge = Arbitraries.integers().between(16_000, 40_000).map("A"::repeat);
    return Arbitraries.oneOf(random, base64, forgedList, forgedDisks, huge);
  }

  private static String forge(String kind, String scope, String... fields) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(scope.getBytes(UTF_8));
      StringBuilder text = new StringBuilder(kind).append('|')
          .append(HexFormat.of().formatHex(hash, 0, 8));
      for (String field : fields) {
        text.append('|').append(Base64.getUrlEncoder().withoutPadding()
            .encodeToString(field.getBytes(UTF_8)));
      }
      return Base64.getUrlEncoder().withoutPadding().encodeToString(text.toString().getBytes(UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Property(shrinking = ShrinkingMode.OFF)
  void cursors(@ForAll("cursors") String cursor, @ForAll @IntRange(min = -2, max = 10_001) int limit,
      @ForAll @IntRange(min = 0, max = 3) int which, @ForAll boolean desc) {
    count("cursors");
    String what = "cursor " + describe(cursor) + " limit " + limit + " on " + which;
    switch (which) {
      case 0 -> call(what, () -> store.disks().artifacts().list(disk, "/docs/", limit, cursor));
      case 1 -> call(what, () -> store.disks().artifacts().list(disk, "/", limit, cursor));
      case 2 -> call(what, () -> store.disks().list(limit, cursor, desc, null));
      default -> call(what, () -> store.search().query(disk, Query.all(),
          QueryOptions.builder().limit(Math.max(1, Math.min(limit, 1000))).cursor(cursor).build()));
    }
  }

  // ---------------------------------------------------------------- expire values

  @Provide
  Arbitrary<Duration> expires() {
    Arbitrary<Long> seconds = Arbitraries.oneOf(
        Arbitraries.of(0L, 1L, -1L, 604_799L, 604_800L, 604_801L, Long.MAX_VALUE, Long.MIN_VALUE,
            Long.MAX_VALUE / 1000, 3600L),
        Arbitraries.longs());
    Arbitrary<Integer> nanos = Arbitraries.oneOf(Arbitraries.of(0, 1, 999_999_999, -1),
        Arbitraries.integers().between(-999_999_999, 999_999_999));
    return Combinators.combine(seconds, nanos).as((s, n) -> {
      try {
        return Duration.ofSeconds(s, n);
      } catch (ArithmeticException e) {
        return Duration.ofSeconds(s);
      }
    });
  }

  /** Expiry 1 s – 7 days gives a URL expiring in that window; anything else a typed error. */
  @Property(shrinking = ShrinkingMode.OFF)
  void expireValues(@ForAll("expires") Duration expire) {
    count("expireValues");
    String what = "expire " + expire;
    Guard.Outcome<ArtifactResult> outcome = call(what, () -> store.disks().artifacts()
        .get(disk, "/docs", "readme.md", GetOptions.builder().withPublicUrl(true).expire(expire)
            .build()));
    boolean valid = expire.compareTo(Duration.ofSeconds(1)) >= 0
        && expire.compareTo(Duration.ofDays(7)) <= 0;
    if (!outcome.ok()) {
      assertThat(outcome.failure()).as(what).isInstanceOf(InvalidRequestException.class);
      assertThat(valid).as("%s was rejected", what).isFalse();
      return;
    }
    assertThat(valid).as("%s was accepted", what).isTrue();
    String query = outcome.value().publicUrl().orElseThrow().getRawQuery();
    long exp = Long.parseLong(query.substring(4, query.indexOf('&')));
    long now = Instant.now().getEpochSecond();
    assertThat(exp).as(what).isBetween(now - 1, now + 604_801);
  }

  // ---------------------------------------------------------------- glob and regex patterns

  @Provide
  Arbitrary<String> globs() {
    Arbitrary<String> random = Arbitraries.strings()
        .withChars("*?[]{}!^\\,/-.a~\u00E9")
        .withCharRange('a', 'c')
        .ofMaxLength(40);
    Arbitrary<String> nested = Arbitraries.integers().between(1, 12).map(k -> "{a,".repeat(k) + "b"
        + "}".repeat(k));
    Arbitrary<String> doubleStars = Arbitraries.integers().between(2, 12)
        .map(k -> "/" + "**/".repeat(k) + "x");
    Arbitrary<String> stars = Arbitraries.integers().between(2, 14)
        .map(k -> "/long/" + "*a".repeat(k) + "b");
    Arbitrary<String> long_ = Arbitraries.integers().between(4000, 4200).map("*"::repeat);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(20, random),
        net.jqwik.api.Tuple.of(20, segments()),
        net.jqwik.api.Tuple.of(1, nested),
        net.jqwik.api.Tuple.of(1, doubleStars),
        net.jqwik.api.Tuple.of(1, stars),
        net.jqwik.api.Tuple.of(1, long_));
  }

  /** Globs end quickly (catastrophic patterns included) with results or InvalidQueryException. */
  @Property(shrinking = ShrinkingMode.OFF)
  void globPatterns(@ForAll("globs") String pattern) {
    count("globs");
    Guard.Outcome<List<Artifact>> outcome =
        call("glob " + describe(pattern), () -> store.search().glob(disk, pattern, 100));
    if (!outcome.ok()) {
      assertThat(outcome.failure()).isInstanceOf(InvalidRequestException.class);
    }
  }

  @Provide
  Arbitrary<String> regexes() {
    Arbitrary<String> random = Arbitraries.strings().withChars("()[]{}*+?|\\.^$a1,-:=<!").ofMaxLength(30);
    Arbitrary<String> catastrophic = Arbitraries.of("(a+)+$", "(a|aa)*c", "(a*)*b", "(.*a){20}",
        "^(\\w+\\s?)*$", "(x+x+)+y", "(a|a?)+b", "((a+)+)+\\1z", "(?=(a+))+b", "([a-z]+)*[0-9]");
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, random),
        net.jqwik.api.Tuple.of(2, segments()), net.jqwik.api.Tuple.of(2, catastrophic));
  }

  /** Grep ends within its time budget (plus a margin), whatever the regex and glob. */
  @Property(shrinking = ShrinkingMode.OFF)
  void grepPatterns(@ForAll("regexes") String regex, @ForAll @IntRange(min = 0, max = 9) int withGlob,
      @ForAll("globs") String glob) {
    count("grep");
    GrepOptions options = GrepOptions.builder().timeBudget(Duration.ofMillis(50))
        .glob(withGlob == 0 ? glob : null).contextLines(1).build();
    String what = "grep " + describe(regex) + (withGlob == 0 ? " glob " + describe(glob) : "");
    Guard.Outcome<GrepResult> outcome = call(what, () -> store.search().grep(disk, regex, options));
    if (!outcome.ok()) {
      assertThat(outcome.failure()).as(what).isInstanceOf(InvalidRequestException.class);
    }
  }

  // ---------------------------------------------------------------- queries

  @Provide
  Arbitrary<String> text() {
    Arbitrary<String> fts = Arbitraries.strings().withChars("\"*^():-+ NEARANDORTxyz{}.,'").ofMaxLength(30);
    return Arbitraries.oneOf(fts, segments(), Arbitraries.strings().all().ofMaxLength(30),
        Arbitraries.of("x') OR 1=1 --", "\" OR \"\"=\"", "path:readme", "NEAR(a b, -1)", "*", "\"",
            "a\u0000b", "'; DROP TABLE artifacts; --"));
  }

  @Property(shrinking = ShrinkingMode.OFF)
  void fullTextQueries(@ForAll("text") String query, @ForAll @IntRange(min = -1, max = 10_001) int limit) {
    count("fullText");
    Guard.Outcome<?> outcome = call("fullText " + describe(query),
        () -> store.search().fullText(disk, query, limit));
    if (!outcome.ok()) {
      assertThat(outcome.failure()).isInstanceOf(InvalidRequestException.class);
    }
  }

  /** Hostile keys and values never match what they do not name (no injection). */
  @Property(shrinking = ShrinkingMode.OFF)
  void metadataQueries(@ForAll("text") String key, @ForAll("text") String nested,
      @ForAll("text") String value) {
    count("metadataQueries");
    boolean known = key.equals("author") || key.equals("n") || key.equals("h");
    String what = "where " + describe(key) + "." + describe(nested) + " = " + describe(value);
    Guard.Outcome<dev.diskstore.ArtifactPage> flat =
        call(what, () -> store.search().query(disk, Query.where(key).eq(value)));
    if (flat.ok() && !known) {
      assertThat(flat.value().items()).as("%s: no artifact has this key", what).isEmpty();
    }
    Guard.Outcome<dev.diskstore.ArtifactPage> deep =
        call(what, () -> store.search().query(disk, Query.where(key, nested).eq(value)));
    if (deep.ok() && !known) {
      assertThat(deep.value().items()).as("%s: no artifact has this key", what).isEmpty();
    }
    if (!flat.ok()) {
      assertThat(flat.failure()).isInstanceOf(InvalidRequestException.class);
    }
  }

  // ---------------------------------------------------------------- the URL server

  @Provide
  Arbitrary<String> targets() {
    Arbitrary<String> path = paths().map(p -> "/v1/" + disk + "/" + p);
    Arbitrary<String> encoded = segments().list().ofMaxSize(5).map(segs -> {
      StringBuilder b = new StringBuilder("/v1/").append(disk);
      for (String s : segs) {
        b.append('/').append(java.net.URLEncoder.encode(s, UTF_8));
      }
      return b.toString();
    });
    Arbitrary<String> query = Combinators.combine(
            Arbitraries.of("exp", "etag", "sig", "exp=1&exp", "x", ""),
            Arbitraries.strings().all().ofMaxLength(70),
            Arbitraries.of("", "&sig=" + "0".repeat(64), "&etag=x&exp=99999999999", "&sig=%zz"))
        .as((k, v, rest) -> "?" + k + "=" + v + rest);
    return Combinators.combine(Arbitraries.oneOf(path, encoded, segments()), query,
            Arbitraries.of(true, false))
        .as((p, q, withQuery) -> withQuery ? p + q : p);
  }

  /** Raw requests with hostile targets: never a 200, never a 5xx, never a canary. */
  @Property(shrinking = ShrinkingMode.OFF)
  void downloadRequests(@ForAll("targets") String target, @ForAll @IntRange(min = 0, max = 3) int method)
      throws IOException {
    count("downloadRequests");
    String verb = List.of("GET", "HEAD", "POST", "DELETE").get(method);
    RawHttp.Response response = RawHttp.send(port, verb, target);
    noCanary("request " + describe(target), new String(response.body(), UTF_8));
    if (response.status() == 0) {
      return; // the server closed a request line it could not parse
    }
    assertThat(response.status()).as("%s %s", verb, describe(target))
        .isIn(400, 403, 404, 405, 413, 414, 431);
  }

  static String describe(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder("\"");
    int shown = 0;
    for (int i = 0; i < s.length() && shown < 120; i++, shown++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (s.length() > 120) {
      out.append("…(").append(s.length()).append(" chars)");
    }
    return out.append('"').toString();
  }

  /** Minimal HTTP/1.1 over a socket, so that any bytes can be sent. */
  static final class RawHttp {
    record Response(int status, byte[] body) {}

    static Response get(int port, String target) throws IOException {
      Response r = send(port, "GET", target);
      assertThat(r.status()).as("GET %s", target).isEqualTo(200);
      return r;
    }

    static Response send(int port, String method, String target) throws IOException {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write((method + " ").getBytes(UTF_8));
        out.write(target.getBytes(UTF_8));
        out.write(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(UTF_8));
        out.flush();
        byte[] all;
        try {
          all = socket.getInputStream().readAllBytes();
        } catch (java.net.SocketException e) {
          return new Response(0, new byte[0]); // reset: the server refused the request
        }
        String text = new String(all, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (!text.startsWith("HTTP/1.1 ")) {
          return new Response(0, all);
        }
        int status = Integer.parseInt(text.substring(9, 12));
        int bodyAt = text.indexOf("\r\n\r\n");
        byte[] body = bodyAt < 0 ? new byte[0]
            : java.util.Arrays.copyOfRange(all, bodyAt + 4, all.length);
        return new Response(status, body);
      }
    }
  }

  /** Generators and comparison for hostile metadata. */
  static final class HostileJson {
    private HostileJson() {}

    static Map<Object, Object> metadata(Random r) {
      Map<Object, Object> meta = new LinkedHashMap<>();
      int entries = r.nextInt(5);
      for (int i = 0; i < entries; i++) {
        meta.put(key(r), value(r, 1));
      }
      return meta;
    }

    private static Object key(Random r) {
      int dice = r.nextInt(100);
      if (dice < 2) {
        return "__artifact_info__";
      }
      if (dice < 3) {
        return r.nextInt(10); // a non-string key
      }
      if (dice < 4) {
        return "k".repeat(50_001); // longer than Jackson's default name limit
      }
      return string(r, 12);
    }

    private static Object value(Random r, int depth) {
      int dice = r.nextInt(100);
      if (dice < 18) {
        return string(r, 30);
      } else if (dice < 26) {
        return switch (r.nextInt(6)) {
          case 0 -> r.nextInt();
          case 1 -> r.nextLong();
          case 2 -> Long.MIN_VALUE;
          case 3 -> (short) r.nextInt();
          case 4 -> (byte) r.nextInt();
          default -> 0;
        };
      } else if (dice < 32) {
        return new BigInteger(digits(r, 1 + r.nextInt(r.nextInt(10) == 0 ? 1200 : 40)));
      } else if (dice < 40) {
        return switch (r.nextInt(9)) {
          case 0 -> Double.NaN;
          case 1 -> Double.POSITIVE_INFINITY;
          case 2 -> -0.0;
          case 3 -> Double.MIN_VALUE;
          case 4 -> Double.MAX_VALUE;
          case 5 -> Float.NaN;
          case 6 -> r.nextFloat();
          default -> r.nextDouble() * Math.pow(10, r.nextInt(600) - 300);
        };
      } else if (dice < 48) {
        return switch (r.nextInt(5)) {
          case 0 -> new BigDecimal("1e" + (r.nextInt(2000) - 1000));
          case 1 -> new BigDecimal("0." + digits(r, 1 + r.nextInt(40)));
          case 2 -> new BigDecimal(digits(r, 1 + r.nextInt(30)) + "." + digits(r, 1 + r.nextInt(30)));
          case 3 -> new BigDecimal("-" + digits(r, 3) + "e-" + r.nextInt(400));
          default -> BigDecimal.valueOf(r.nextLong(), r.nextInt(40) - 20);
        };
      } else if (dice < 52) {
        return r.nextBoolean();
      } else if (dice < 55) {
        return null;
      } else if (dice < 58) {
        return switch (r.nextInt(3)) {
          case 0 -> new Object();
          case 1 -> new java.util.Date();
          default -> new char[] {'x'};
        };
      } else if (dice < 61) {
        // deep nesting around the limit of 64 levels
        Object v = "bottom";
        int levels = 55 + r.nextInt(20);
        for (int i = 0; i < levels; i++) {
          v = r.nextBoolean() ? List.of(v) : Map.of("d", v);
        }
        return v;
      } else if (dice < 63) {
        return "v".repeat(10_000 + r.nextInt(70_000)); // around the 64 KiB limit
      } else if (depth > 4) {
        return "leaf";
      } else if (dice < 82) {
        List<Object> list = new ArrayList<>();
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
          list.add(value(r, depth + 1));
        }
        return list;
      } else {
        Map<Object, Object> map = new LinkedHashMap<>();
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
          map.put(key(r), value(r, depth + 1));
        }
        return map;
      }
    }

    private static String digits(Random r, int n) {
      StringBuilder b = new StringBuilder();
      b.append((char) ('1' + r.nextInt(9)));
      for (int i = 1; i < n; i++) {
        b.append((char) ('0' + r.nextInt(10)));
      }
      return b.toString();
    }

    private static String string(Random r, int max) {
      StringBuilder b = new StringBuilder();
      int n = r.nextInt(max + 1);
      for (int i = 0; i < n; i++) {
        int dice = r.nextInt(100);
        if (dice < 50) {
          b.append((char) ('a' + r.nextInt(26)));
        } else if (dice < 60) {
          b.append(PIECES[r.nextInt(PIECES.length)]);
        } else if (dice < 63) {
          b.append(r.nextBoolean() ? '\uD800' : '\uDFFF'); // an unpaired surrogate
        } else if (dice < 70) {
          b.append((char) r.nextInt(0x20));
        } else {
          b.appendCodePoint(r.nextInt(0x10FFFF + 1) & (r.nextBoolean() ? 0xFFFF : 0x10FFFF));
        }
      }
      return b.toString();
    }

    /** A short description of metadata for failure messages. */
    static String describe(Object meta) {
      String s = String.valueOf(meta);
      return HostileInputTest.describe(s.length() > 300 ? s.substring(0, 300) : s);
    }

    /** The first difference between written and read metadata, or null when equal. */
    static String difference(Object written, Object read) {
      return diff("$", written, read);
    }

    private static String diff(String at, Object w, Object r) {
      if (w instanceof Map<?, ?> wm && r instanceof Map<?, ?> rm) {
        if (!wm.keySet().equals(rm.keySet())) {
          List<String> wk = wm.keySet().stream().map(k -> HostileInputTest.describe(String.valueOf(k))).toList();
          List<String> rk = rm.keySet().stream().map(k -> HostileInputTest.describe(String.valueOf(k))).toList();
          return at + ": keys " + wk + " became " + rk;
        }
        for (Object k : wm.keySet()) {
          String d = diff(at + "." + k, wm.get(k), rm.get(k));
          if (d != null) {
            return d;
          }
        }
        return null;
      }
      if (w instanceof List<?> wl && r instanceof List<?> rl) {
        if (wl.size() != rl.size()) {
          return at + ": list of " + wl.size() + " became " + rl.size();
        }
        for (int i = 0; i < wl.size(); i++) {
          String d = diff(at + "[" + i + "]", wl.get(i), rl.get(i));
          if (d != null) {
            return d;
          }
        }
        return null;
      }
      if (w instanceof Number wn && r instanceof Number rn) {
        BigDecimal a = decimal(wn);
        BigDecimal b = decimal(rn);
        if (a == null || b == null ? !String.valueOf(wn).equals(String.valueOf(rn))
            : a.compareTo(b) != 0) {
          return at + ": number " + abbreviate(wn) + " became " + abbreviate(rn);
        }
        return null;
      }
      if (w == null ? r == null : w.equals(r)) {
        return null;
      }
      return at + ": " + HostileInputTest.describe(String.valueOf(w)) + " ("
          + (w == null ? "null" : w.getClass().getSimpleName()) + ") became "
          + HostileInputTest.describe(String.valueOf(r)) + " ("
          + (r == null ? "null" : r.getClass().getSimpleName()) + ")";
    }

    private static String abbreviate(Number n) {
      String s = n.toString();
      return s.length() > 60 ? s.substring(0, 60) + "…(" + s.length() + " chars)" : s;
    }

    private static BigDecimal decimal(Number n) {
      if (n instanceof Double d && (d.isNaN() || d.isInfinite())) {
        return null;
      }
      if (n instanceof Float f && (f.isNaN() || f.isInfinite())) {
        return null;
      }
      return new BigDecimal(n.toString());
    }
  }
}
