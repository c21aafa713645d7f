package dev.diskstore.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactContent;
import dev.diskstore.Artifacts;
import dev.diskstore.ContentUnavailable;
import dev.diskstore.DiskNotFoundException;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.GrepOptions;
import dev.diskstore.GrepResult;
import dev.diskstore.GrepResult.FileMatches;
import dev.diskstore.GrepResult.LineMatch;
import dev.diskstore.InvalidQueryException;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.Precondition;
import dev.diskstore.PreconditionFailedException;
import dev.diskstore.Search;
import dev.diskstore.TextHit;
import dev.diskstore.spi.ContentParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.text.Normalizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behavioural contract of {@link Search} (glob, grep, full-text search), which every backend
 * and store configuration must pass.
 *
 * <p>Use it like {@link DiskStoreContract}, by extending it:
 *
 * <pre>{@code
 * class LocalSearchTest extends SearchContract {
 *   @Override
 *   protected DiskStore openStore(Path directory) {
 *     return DiskStore.local(directory);
 *   }
 * }
 * }</pre>
 *
 * <p>Before each test the suite calls {@link #openStore(Path)} with a fresh, empty temporary
 * directory and closes the store after the test. Two optional hooks widen the coverage: {@link
 * #isPersistent()} (the index survives a reopen) and {@link #openStoreWithParser(Path,
 * ContentParser)} (a store whose documents are read through a cacheable content parser); the
 * tests needing them are skipped through assumptions otherwise.
 *
 * <p>Glob semantics are pinned down by a table of patterns evaluated against one fixed tree of
 * artifacts, with the exact expected results in order. Timing is never asserted: the regular
 * expression time budget is checked through {@link GrepResult#timedOut()}, and the class-wide
 * timeout only catches a search that never returns.
 */
@Timeout(value = 60, unit = SECONDS)
public abstract class SearchContract {
  private @Nullable Path storeDirectory;
  private @Nullable DiskStore store;

  /** For a store configuration's suite, which implements {@link #openStore(Path)}. */
  protected SearchContract() {}

  /**
   * Opens the store under test. Called before every test with a fresh empty directory, and again
   * with the same directory by the tests that reopen a persistent store.
   *
   * @param directory a fresh temporary directory (in-memory configurations may ignore it)
   */
  protected abstract DiskStore openStore(Path directory) throws Exception;

  /**
   * Whether data survives {@link DiskStore#close()} when {@link #openStore(Path)} is called again
   * with the same directory. Default {@code true}.
   */
  protected boolean isPersistent() {
    return true;
  }

  /**
   * Opens a second store of the same configuration in {@code directory}, with {@code parser} as
   * its content parser and content extracted on upsert ({@code
   * DiskStoreConfig.Builder#extractContentOnUpsert(true)}), or returns {@code null} when the
   * configuration cannot; the tests of search over extracted document text are then skipped. The
   * suite closes the returned store. Default {@code null}.
   *
   * @param directory an empty directory, distinct from the one given to {@link #openStore(Path)}
   */
  protected @Nullable DiskStore openStoreWithParser(Path directory, ContentParser parser)
      throws Exception {
    return null;
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
    return requireStore();
  }

  private DiskStore requireStore() {
    if (store == null) {
      throw new IllegalStateException("no store is open");
    }
    return store;
  }

  private DiskStore reopen() throws Exception {
    requireStore().close();
    store = null;
    store = openStore(requirePath(storeDirectory));
    return store;
  }

  private static Path requirePath(@Nullable Path path) {
    if (path == null) {
      throw new IllegalStateException("no store directory");
    }
    return path;
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------------

  private Search search() {
    return requireStore().search();
  }

  private Artifacts artifacts() {
    return requireStore().disks().artifacts();
  }

  private String newDisk() {
    return requireStore().disks().create().id();
  }

  private static String directoryOf(String fullPath) {
    return fullPath.substring(0, fullPath.lastIndexOf('/') + 1);
  }

  private static String filenameOf(String fullPath) {
    return fullPath.substring(fullPath.lastIndexOf('/') + 1);
  }

  /** Upserts UTF-8 text at a full path such as {@code /docs/a.md}. */
  private Artifact put(String disk, String fullPath, String text) {
    return putBytes(disk, fullPath, text.getBytes(UTF_8));
  }

  private Artifact putBytes(String disk, String fullPath, byte[] bytes) {
    return artifacts().upsert(disk, FileUpload.of(filenameOf(fullPath), bytes), directoryOf(fullPath));
  }

  private void delete(String disk, String fullPath) {
    artifacts().delete(disk, directoryOf(fullPath), filenameOf(fullPath));
  }

  private static List<String> fullPaths(List<Artifact> artifacts) {
    return artifacts.stream().map(Artifact::fullPath).collect(Collectors.toList());
  }

  private static List<String> grepPaths(GrepResult result) {
    return result.files().stream()
        .map(f -> f.artifact().fullPath())
        .collect(Collectors.toList());
  }

  private static List<String> hitPaths(List<TextHit> hits) {
    return hits.stream().map(h -> h.artifact().fullPath()).collect(Collectors.toList());
  }

  private static List<Integer> lineNumbers(FileMatches file) {
    return file.matches().stream().map(LineMatch::lineNumber).collect(Collectors.toList());
  }

  private GrepResult grep(String disk, String regex) {
    return search().grep(disk, regex);
  }

  private GrepResult grep(String disk, String regex, GrepOptions.Builder options) {
    return search().grep(disk, regex, options.build());
  }

  private List<TextHit> fullText(String disk, String query) {
    return search().fullText(disk, query, Search.MAX_LIMIT);
  }

  /** The only file of a grep result, checked to be the expected one. */
  private static FileMatches onlyFile(GrepResult result, String fullPath) {
    assertThat(grepPaths(result)).containsExactly(fullPath);
    return result.files().get(0);
  }

  private static LineMatch line(int number, String text) {
    return new LineMatch(number, text, List.of(), List.of());
  }

  private static LineMatch line(int number, String text, List<String> before, List<String> after) {
    return new LineMatch(number, text, before, after);
  }

  /**
   * A small but well-formed PNG image (1x1 grey pixel) carrying {@code comment} in a tEXt chunk, so
   * that the bytes contain searchable-looking ASCII.
   */
  static byte[] png(String comment) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(1).putInt(1).put(new byte[] {8, 0, 0, 0, 0})
        .array());
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    text.writeBytes("Comment".getBytes(UTF_8));
    text.write(0);
    text.writeBytes(comment.getBytes(UTF_8));
    chunk(out, "tEXt", text.toByteArray());
    // zlib stream of one scanline: filter byte 0 and one grey byte 0x80
    chunk(out, "IDAT", new byte[] {0x78, 0x01, 0x63, 0x68, 0x00, 0x00, 0x00, (byte) 0x82, 0x00,
        (byte) 0x81});
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] typeBytes = type.getBytes(UTF_8);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(typeBytes);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** A display name without control characters or lone surrogates (test reports are XML). */
  private static String printable(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1));
      if (pair) {
        out.append(c).append(s.charAt(++i));
      } else if (Character.isISOControl(c) || Character.isSurrogate(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static byte[] utf8(String text) {
    return text.getBytes(UTF_8);
  }

  // ---------------------------------------------------------------------------------------------
  // Glob
  // ---------------------------------------------------------------------------------------------

  /**
   * The fixed tree of the glob table, in the order glob returns it: by directory path, then by
   * filename, comparing UTF-8 bytes (so upper case before lower case, {@code "/docs/"} before
   * {@code "/docs/api/"} before {@code "/docs2/"}).
   */
  static final List<String> GLOB_TREE =
      List.of(
          "/README.md",
          "/UPPER.MD",
          "/a.txt",
          "/ab.txt",
          "/b.txt",
          "/c.txt",
          "/d.txt",
          "/data.json",
          "/file.tar.gz",
          "/notes.md",
          "/caf\u00e9/menu.md",
          "/dir.with.dots/file.md",
          "/dirXwithXdots/file.md",
          "/docs/guide.md",
          "/docs/intro.md",
          "/docs/api/index.md",
          "/docs/api/v2/spec.md",
          "/docs/img/logo.png",
          "/docs2/other.md",
          "/emoji/\uD83D\uDE00.txt",
          "/esc/brace{x}.txt",
          "/esc/q?.txt",
          "/esc/qa.txt",
          "/esc/star*.txt",
          "/esc/starX.txt",
          "/src/main.py",
          "/src/test_main.py",
          "/src/util.py",
          "/src/lib/helpers.py",
          "/src/lib/deep/more/x.py",
          "/x/y/z/docs/deep.md");

  /** One row of the glob table. */
  record GlobCase(String pattern, List<String> expected) {
    @Override
    public String toString() {
      return "glob \"" + pattern + "\" -> " + expected;
    }
  }

  private static GlobCase g(String pattern, String... expected) {
    return new GlobCase(pattern, List.of(expected));
  }

  /** Patterns and their exact, ordered results against {@link #GLOB_TREE}. */
  static final List<GlobCase> GLOB_TABLE =
      List.of(
          // * stays in one segment; a pattern without a leading / is relative to the root
          g("*.md", "/README.md", "/notes.md"),
          g("/*.md", "/README.md", "/notes.md"),
          g("*", "/README.md", "/UPPER.MD", "/a.txt", "/ab.txt", "/b.txt", "/c.txt", "/d.txt",
              "/data.json", "/file.tar.gz", "/notes.md"),
          g("*/*.md", "/caf\u00e9/menu.md", "/dir.with.dots/file.md", "/dirXwithXdots/file.md",
              "/docs/guide.md", "/docs/intro.md", "/docs2/other.md"),
          g("/docs*"),
          g("d*", "/d.txt", "/data.json"),
          g("/s*/main.py", "/src/main.py"),
          // ** spans directories, including none
          g("**/*.md", "/README.md", "/notes.md", "/caf\u00e9/menu.md", "/dir.with.dots/file.md",
              "/dirXwithXdots/file.md", "/docs/guide.md", "/docs/intro.md", "/docs/api/index.md",
              "/docs/api/v2/spec.md", "/docs2/other.md", "/x/y/z/docs/deep.md"),
          g("**", GLOB_TREE.toArray(String[]::new)),
          g("/docs/*.md", "/docs/guide.md", "/docs/intro.md"),
          g("docs/*.md", "/docs/guide.md", "/docs/intro.md"),
          g("/docs/**/*.md", "/docs/guide.md", "/docs/intro.md", "/docs/api/index.md",
              "/docs/api/v2/spec.md"),
          g("/docs/**", "/docs/guide.md", "/docs/intro.md", "/docs/api/index.md",
              "/docs/api/v2/spec.md", "/docs/img/logo.png"),
          g("/docs*/*.md", "/docs/guide.md", "/docs/intro.md", "/docs2/other.md"),
          g("/src/lib/**", "/src/lib/helpers.py", "/src/lib/deep/more/x.py"),
          g("src/*.py", "/src/main.py", "/src/test_main.py", "/src/util.py"),
          g("/src/**/*.py", "/src/main.py", "/src/test_main.py", "/src/util.py",
              "/src/lib/helpers.py", "/src/lib/deep/more/x.py"),
          g("/src/**/x.py", "/src/lib/deep/more/x.py"),
          g("/x/**/docs/*.md", "/x/y/z/docs/deep.md"),
          g("**/docs/*.md", "/docs/guide.md", "/docs/intro.md", "/x/y/z/docs/deep.md"),
          g("**/more/*", "/src/lib/deep/more/x.py"),
          g("/**/deep.md", "/x/y/z/docs/deep.md"),
          g("/docs/api/**/*.md", "/docs/api/index.md", "/docs/api/v2/spec.md"),
          g("**/*.png", "/docs/img/logo.png"),
          // ? is one character (one code point) within a segment
          g("?.txt", "/a.txt", "/b.txt", "/c.txt", "/d.txt"),
          g("docs?guide.md"),
          g("/caf?/menu.md", "/caf\u00e9/menu.md"),
          g("/emoji/?.txt", "/emoji/\uD83D\uDE00.txt"),
          g("/dir?with?dots/*", "/dir.with.dots/file.md", "/dirXwithXdots/file.md"),
          // character sets
          g("[abc].txt", "/a.txt", "/b.txt", "/c.txt"),
          g("[a-c].txt", "/a.txt", "/b.txt", "/c.txt"),
          g("[!a].txt", "/b.txt", "/c.txt", "/d.txt"),
          g("[ab]*.txt", "/a.txt", "/ab.txt", "/b.txt"),
          g("/src/[!t]*.py", "/src/main.py", "/src/util.py"),
          g("/docs/[a-h]*.md", "/docs/guide.md"),
          // alternatives
          g("{a,b}.txt", "/a.txt", "/b.txt"),
          g("{a,{b,c}}.txt", "/a.txt", "/b.txt", "/c.txt"),
          g("{a,ab}.txt", "/a.txt", "/ab.txt"),
          g("{,a}b.txt", "/ab.txt", "/b.txt"),
          g("{README,notes}.md", "/README.md", "/notes.md"),
          g("{docs,src}/*", "/docs/guide.md", "/docs/intro.md", "/src/main.py",
              "/src/test_main.py", "/src/util.py"),
          g("{docs/api,src/lib}/*", "/docs/api/index.md", "/src/lib/helpers.py"),
          // escapes: \ makes the next character literal
          g("/esc/star\\*.txt", "/esc/star*.txt"),
          g("/esc/star*.txt", "/esc/star*.txt", "/esc/starX.txt"),
          g("/esc/q\\?.txt", "/esc/q?.txt"),
          g("/esc/q?.txt", "/esc/q?.txt", "/esc/qa.txt"),
          g("/esc/brace\\{x\\}.txt", "/esc/brace{x}.txt"),
          g("/esc/brace{x}.txt"),
          // literal dots and other literal text
          g("/dir.with.dots/*", "/dir.with.dots/file.md"),
          g("*.tar.gz", "/file.tar.gz"),
          g("file.*", "/file.tar.gz"),
          g("/src/main.py", "/src/main.py"),
          g("src/main.py", "/src/main.py"),
          // case-sensitive
          g("*.MD", "/UPPER.MD"),
          g("README.md", "/README.md"),
          g("readme.md"),
          g("/SRC/*.py"),
          // Unicode: patterns are NFC-normalised like paths
          g("/caf\u00e9/*", "/caf\u00e9/menu.md"),
          g("cafe\u0301/*.md", "/caf\u00e9/menu.md"),
          g("/cafe\u0301/menu.md", "/caf\u00e9/menu.md"),
          // no match
          g("**/*.java"),
          g("/nowhere/**"),
          g("/docs/*.py"),
          g("/src/lib/*.md"));

  private void buildGlobTree(String disk) {
    List<String> shuffled = new ArrayList<>(GLOB_TREE);
    Collections.shuffle(shuffled, new Random(42));
    for (String fullPath : shuffled) {
      // directories are given in NFD: the store normalises them to NFC
      String directory = Normalizer.normalize(directoryOf(fullPath), Normalizer.Form.NFD);
      byte[] bytes =
          fullPath.endsWith(".png") ? png("logo") : utf8("content of " + fullPath + "\n");
      artifacts().upsert(disk, FileUpload.of(filenameOf(fullPath), bytes), directory);
    }
  }

  @Nested
  @DisplayName("glob")
  class Glob {

    @TestFactory
    @DisplayName("pattern table against a fixed tree")
    Stream<DynamicTest> patternTable() {
      assertThat(GLOB_TABLE).hasSizeGreaterThanOrEqualTo(30);
      String disk = newDisk();
      buildGlobTree(disk);
      return GLOB_TABLE.stream()
          .map(c -> dynamicTest(printable(c.toString()), () -> {
            List<Artifact> found = search().glob(disk, c.pattern(), Search.MAX_LIMIT);
            assertThat(fullPaths(found)).as("glob(%s)", c.pattern())
                .containsExactlyElementsOf(c.expected());
            assertThat(found).allSatisfy(a -> assertThat(a.diskId()).isEqualTo(disk));
          }));
    }

    @Test
    void resultsAreTheStoredArtifacts() {
      String disk = newDisk();
      Artifact stored =
          artifacts().upsert(disk, FileUpload.ofText("main.py", "print(1)"), "/src/",
              Map.of("owner", "alice"));
      List<Artifact> found = search().glob(disk, "/src/main.py", 10);
      assertThat(found).containsExactly(stored);
      assertThat(found.get(0).userMeta()).containsEntry("owner", "alice");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[abc", "{a,b", "a\\", "", "{a,{b,c}", "/docs/[", "[!", "**/{x,y"})
    void malformedPatternsAreRejected(String pattern) {
      String disk = newDisk();
      put(disk, "/a.txt", "a");
      assertThatThrownBy(() -> search().glob(disk, pattern, 10))
          .isInstanceOf(InvalidQueryException.class)
          .satisfies(e -> {
            if (!pattern.isEmpty()) {
              assertThat(e.getMessage()).as("the message names the pattern").contains(pattern);
            }
          });
    }

    @Test
    void limitCutsTheOrderedResults() {
      String disk = newDisk();
      buildGlobTree(disk);
      assertThat(fullPaths(search().glob(disk, "**", 3)))
          .containsExactlyElementsOf(GLOB_TREE.subList(0, 3));
      assertThat(fullPaths(search().glob(disk, "**/*.md", 1))).containsExactly("/README.md");
      assertThat(fullPaths(search().glob(disk, "/docs/**", 2)))
          .containsExactly("/docs/guide.md", "/docs/intro.md");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Search.MAX_LIMIT + 1})
    void limitOutOfRangeIsRejected(int limit) {
      String disk = newDisk();
      assertThatThrownBy(() -> search().glob(disk, "**", limit))
          .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void maxLimitIsAccepted() {
      String disk = newDisk();
      put(disk, "/a.txt", "a");
      assertThat(fullPaths(search().glob(disk, "**", Search.MAX_LIMIT))).containsExactly("/a.txt");
    }

    @Test
    void missingDiskIsReported() {
      assertThatThrownBy(() -> search().glob("no-such-disk", "**", 10))
          .isInstanceOf(DiskNotFoundException.class);
      String disk = newDisk();
      requireStore().disks().delete(disk);
      assertThatThrownBy(() -> search().glob(disk, "**", 10))
          .isInstanceOf(DiskNotFoundException.class);
    }

    @Test
    void emptyDiskHasNoMatches() {
      String disk = newDisk();
      assertThat(search().glob(disk, "**", 10)).isEmpty();
    }

    @Test
    void onlyTheQueriedDiskIsSearched() {
      String one = newDisk();
      String two = newDisk();
      put(one, "/docs/a.md", "one");
      put(two, "/docs/b.md", "two");
      assertThat(fullPaths(search().glob(one, "**", 10))).containsExactly("/docs/a.md");
      assertThat(fullPaths(search().glob(two, "**", 10))).containsExactly("/docs/b.md");
    }

    @Test
    void followsUpsertsAndDeletes() {
      String disk = newDisk();
      put(disk, "/docs/a.md", "a");
      put(disk, "/docs/b.md", "b");
      delete(disk, "/docs/a.md");
      put(disk, "/docs/c.md", "c");
      assertThat(fullPaths(search().glob(disk, "/docs/*.md", 10)))
          .containsExactly("/docs/b.md", "/docs/c.md");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Grep
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("grep")
  class Grep {

    @Test
    void reportsOneBasedLineNumbersAndLinesWithoutTerminators() {
      String disk = newDisk();
      put(disk, "/notes.txt", "alpha\nbeta\ngamma beta\n\ndelta\n");
      assertThat(onlyFile(grep(disk, "beta"), "/notes.txt").matches())
          .containsExactly(line(2, "beta"), line(3, "gamma beta"));
      assertThat(onlyFile(grep(disk, "^beta$"), "/notes.txt").matches())
          .containsExactly(line(2, "beta"));
      assertThat(onlyFile(grep(disk, "^alpha"), "/notes.txt").matches())
          .containsExactly(line(1, "alpha"));
      // the trailing newline ends line 5; it does not start an empty line 6
      assertThat(onlyFile(grep(disk, "^$"), "/notes.txt").matches())
          .containsExactly(line(4, ""));
      // lines are matched one by one: nothing spans a line break
      assertThat(grep(disk, "(?s)alpha.beta").files()).isEmpty();
      assertThat(grep(disk, "\\n").files()).isEmpty();
      GrepResult result = grep(disk, "delta");
      assertThat(result.filesSearched()).isEqualTo(1);
      assertThat(result.truncated()).isFalse();
      assertThat(result.timedOut()).isFalse();
      assertThat(result.files().get(0).moreMatches()).isFalse();
      assertThat(result.files().get(0).artifact())
          .isEqualTo(artifacts().get(disk, "/", "notes.txt").artifact());
    }

    @Test
    void lfCrlfAndCrLineEndingsGiveTheSameLines() {
      String disk = newDisk();
      List<String> lines = List.of("one", "two", "three", "", "five");
      put(disk, "/lf.txt", String.join("\n", lines) + "\n");
      put(disk, "/crlf.txt", String.join("\r\n", lines) + "\r\n");
      put(disk, "/cr.txt", String.join("\r", lines) + "\r");
      put(disk, "/mixed.txt", "one\r\ntwo\rthree\n\r\nfive");
      List<String> all = List.of("/cr.txt", "/crlf.txt", "/lf.txt", "/mixed.txt");
      GrepResult every = grep(disk, ".*");
      assertThat(grepPaths(every)).containsExactlyElementsOf(all);
      for (FileMatches file : every.files()) {
        assertThat(file.matches())
            .as(file.artifact().filename())
            .containsExactly(line(1, "one"), line(2, "two"), line(3, "three"), line(4, ""),
                line(5, "five"));
      }
      assertThat(grepPaths(grep(disk, "^five$"))).containsExactlyElementsOf(all);
      assertThat(grep(disk, "\\r").files()).as("no line keeps a CR").isEmpty();
    }

    @Test
    void aFinalLineTerminatorDoesNotStartAnotherLine() {
      String disk = newDisk();
      put(disk, "/lf.txt", "a\n");
      put(disk, "/cr.txt", "a\r");
      put(disk, "/crlf.txt", "a\r\n");
      put(disk, "/blank-crlf.txt", "a\r\n\r\n");
      assertThat(grepPaths(grep(disk, "^$"))).containsExactly("/blank-crlf.txt");
      assertThat(lineNumbers(onlyFile(grep(disk, "^$"), "/blank-crlf.txt"))).containsExactly(2);
    }

    @Test
    void crlfSplitAcrossReadBuffersIsOneLineBreak() {
      String disk = newDisk();
      for (int length = 8180; length <= 8200; length++) {
        put(disk, "/f" + length + ".txt", "x".repeat(length) + "\r\ntarget");
      }
      GrepResult targets = grep(disk, "^target$", GrepOptions.builder().maxFiles(100));
      assertThat(targets.files()).hasSize(21);
      assertThat(targets.files()).allSatisfy(f -> assertThat(f.matches())
          .as(f.artifact().filename()).containsExactly(line(2, "target")));
      assertThat(grep(disk, "^$").files()).as("no empty line appears").isEmpty();
    }

    @Test
    void contextLinesBeforeAndAfter() {
      String disk = newDisk();
      String text = IntStream.rangeClosed(1, 10).mapToObj(i -> "L" + i).collect(
          Collectors.joining("\n"));
      put(disk, "/ten.txt", text);
      GrepOptions.Builder two = GrepOptions.builder().contextLines(2);
      assertThat(onlyFile(grep(disk, "^L5$", two), "/ten.txt").matches())
          .containsExactly(line(5, "L5", List.of("L3", "L4"), List.of("L6", "L7")));
      // at the edges of the file there are fewer lines of context
      assertThat(onlyFile(grep(disk, "^(L1|L10)$", two), "/ten.txt").matches())
          .containsExactly(
              line(1, "L1", List.of(), List.of("L2", "L3")),
              line(10, "L10", List.of("L8", "L9"), List.of()));
      assertThat(onlyFile(grep(disk, "^(L2|L9)$", two), "/ten.txt").matches())
          .containsExactly(
              line(2, "L2", List.of("L1"), List.of("L3", "L4")),
              line(9, "L9", List.of("L7", "L8"), List.of("L10")));
      // overlapping context: each match has its own full context, matching lines included
      assertThat(onlyFile(grep(disk, "^(L4|L5)$", two), "/ten.txt").matches())
          .containsExactly(
              line(4, "L4", List.of("L2", "L3"), List.of("L5", "L6")),
              line(5, "L5", List.of("L3", "L4"), List.of("L6", "L7")));
      // more context than the file has
      assertThat(onlyFile(grep(disk, "^L5$", GrepOptions.builder().contextLines(20)), "/ten.txt")
              .matches())
          .containsExactly(line(5, "L5", List.of("L1", "L2", "L3", "L4"),
              List.of("L6", "L7", "L8", "L9", "L10")));
      // no context by default
      assertThat(onlyFile(grep(disk, "^L5$"), "/ten.txt").matches())
          .containsExactly(line(5, "L5"));
    }

    @Test
    void contextInAOneLineFile() {
      String disk = newDisk();
      put(disk, "/one.txt", "only line");
      assertThat(onlyFile(grep(disk, "only", GrepOptions.builder().contextLines(3)), "/one.txt")
              .matches())
          .containsExactly(line(1, "only line"));
    }

    @Test
    void maxMatchesPerFileSetsMoreMatches() {
      String disk = newDisk();
      put(disk, "/hits.txt", "hit 1\nmiss\nhit 3\nmiss\nhit 5\nmiss\nhit 7\nmiss\nhit 9\n");
      put(disk, "/one.txt", "hit once\n");
      GrepResult two = grep(disk, "hit", GrepOptions.builder().maxMatchesPerFile(2));
      assertThat(grepPaths(two)).containsExactly("/hits.txt", "/one.txt");
      assertThat(lineNumbers(two.files().get(0))).containsExactly(1, 3);
      assertThat(two.files().get(0).moreMatches()).isTrue();
      assertThat(two.files().get(1).moreMatches()).isFalse();
      assertThat(two.truncated()).isFalse();

      FileMatches exactly = onlyFile(
          grep(disk, "hit \\d", GrepOptions.builder().maxMatchesPerFile(5)), "/hits.txt");
      assertThat(lineNumbers(exactly)).containsExactly(1, 3, 5, 7, 9);
      assertThat(exactly.moreMatches()).as("exactly the maximum is not 'more'").isFalse();

      FileMatches withContext = onlyFile(
          grep(disk, "hit \\d",
              GrepOptions.builder().maxMatchesPerFile(2).contextLines(1)), "/hits.txt");
      assertThat(withContext.matches())
          .containsExactly(
              line(1, "hit 1", List.of(), List.of("miss")),
              line(3, "hit 3", List.of("miss"), List.of("miss")));
      assertThat(withContext.moreMatches()).isTrue();

      FileMatches single = onlyFile(
          grep(disk, "hit \\d", GrepOptions.builder().maxMatchesPerFile(1)), "/hits.txt");
      assertThat(lineNumbers(single)).containsExactly(1);
      assertThat(single.moreMatches()).isTrue();
    }

    @Test
    void maxFilesSetsTruncated() {
      String disk = newDisk();
      put(disk, "/m/0.txt", "nothing here");
      for (int i = 1; i <= 5; i++) {
        put(disk, "/m/" + i + ".txt", "a hit in file " + i);
      }
      GrepResult three = grep(disk, "hit", GrepOptions.builder().maxFiles(3));
      assertThat(grepPaths(three)).containsExactly("/m/1.txt", "/m/2.txt", "/m/3.txt");
      assertThat(three.truncated()).isTrue();
      assertThat(three.timedOut()).isFalse();

      GrepResult five = grep(disk, "hit", GrepOptions.builder().maxFiles(5));
      assertThat(grepPaths(five)).hasSize(5);
      assertThat(five.truncated()).as("exactly the maximum is not truncated").isFalse();
      assertThat(five.filesSearched()).isEqualTo(6);

      GrepResult one = grep(disk, "hit", GrepOptions.builder().maxFiles(1));
      assertThat(grepPaths(one)).containsExactly("/m/1.txt");
      assertThat(one.truncated()).isTrue();
    }

    @Test
    void caseInsensitiveIncludingNonAscii() {
      String disk = newDisk();
      put(disk, "/i18n.txt", "Bienvenue \u00e0 l'\u00c9COLE\n\u0394\u0388\u039b\u03a4\u0391 force\n"
          + "plain ascii HELLO\n");
      assertThat(grep(disk, "\u00e9cole").files()).as("case-sensitive by default").isEmpty();
      assertThat(grep(disk, "hello").files()).isEmpty();
      GrepOptions.Builder ci = GrepOptions.builder().caseInsensitive(true);
      assertThat(lineNumbers(onlyFile(grep(disk, "\u00e9cole", ci), "/i18n.txt")))
          .containsExactly(1);
      assertThat(lineNumbers(onlyFile(grep(disk, "\u03b4\u03ad\u03bb\u03c4\u03b1", ci),
          "/i18n.txt"))).containsExactly(2);
      assertThat(lineNumbers(onlyFile(grep(disk, "hello", ci), "/i18n.txt"))).containsExactly(3);
      assertThat(lineNumbers(onlyFile(grep(disk, "[a-z]+ ASCII", ci), "/i18n.txt")))
          .containsExactly(3);
      // the line is reported as it is, not case-folded
      assertThat(onlyFile(grep(disk, "hello", ci), "/i18n.txt").matches().get(0).line())
          .isEqualTo("plain ascii HELLO");
    }

    @Test
    void globRestrictsTheFilesSearched() {
      String disk = newDisk();
      put(disk, "/a.md", "hit");
      put(disk, "/a.txt", "hit");
      put(disk, "/docs/b.md", "hit");
      put(disk, "/docs/c.py", "hit = 1");
      put(disk, "/docs2/d.md", "hit");
      GrepResult md = grep(disk, "hit", GrepOptions.builder().glob("**/*.md"));
      assertThat(grepPaths(md)).containsExactly("/a.md", "/docs/b.md", "/docs2/d.md");
      assertThat(md.filesSearched()).isEqualTo(3);
      assertThat(grepPaths(grep(disk, "hit", GrepOptions.builder().glob("/docs/*"))))
          .containsExactly("/docs/b.md", "/docs/c.py");
      assertThat(grepPaths(grep(disk, "hit", GrepOptions.builder().glob("*.md"))))
          .containsExactly("/a.md");
      assertThat(grepPaths(grep(disk, "hit", GrepOptions.builder().glob("docs/*.{py,md}"))))
          .containsExactly("/docs/b.md", "/docs/c.py");
      GrepResult none = grep(disk, "hit", GrepOptions.builder().glob("**/*.java"));
      assertThat(none.files()).isEmpty();
      assertThat(none.filesSearched()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"(unclosed", "[z-a]", "*oops", "a{2,1}", "\\", "(?<name", "x++++"})
    void invalidRegexIsRejectedNamingThePattern(String regex) {
      String disk = newDisk();
      put(disk, "/a.txt", "text");
      assertThatThrownBy(() -> grep(disk, regex))
          .isInstanceOf(InvalidQueryException.class)
          .hasMessageContaining(regex);
    }

    @Test
    void invalidGlobOptionIsRejected() {
      String disk = newDisk();
      put(disk, "/a.txt", "text");
      assertThatThrownBy(() -> grep(disk, "text", GrepOptions.builder().glob("[abc")))
          .isInstanceOf(InvalidQueryException.class)
          .hasMessageContaining("[abc");
    }

    @Test
    void binaryFilesAreSkipped() {
      String disk = newDisk();
      put(disk, "/clean.txt", "the needle is here\n");
      putBytes(disk, "/image.png", png("needle in a png"));
      putBytes(disk, "/png-named.txt", png("needle in a png called txt"));
      putBytes(disk, "/nul.txt", concat(utf8("needle first\nthen binary "), new byte[] {0, 1, 2},
          utf8(" needle\n")));
      putBytes(disk, "/bad-utf8.txt", concat(utf8("needle first\n"),
          new byte[] {(byte) 0xc3, 0x28}, utf8(" needle\n")));
      putBytes(disk, "/truncated-utf8.txt", concat(utf8("needle and a cut character "),
          new byte[] {(byte) 0xe2, (byte) 0x82}));
      putBytes(disk, "/data.bin", concat(new byte[] {0, (byte) 0xff, 0x10}, utf8("needle"),
          new byte[] {(byte) 0xfe, 0}));
      GrepResult result = grep(disk, "needle");
      assertThat(grepPaths(result)).containsExactly("/clean.txt");
      assertThat(result.filesSearched()).as("binary files are not searched").isEqualTo(1);
      assertThat(grep(disk, "needle", GrepOptions.builder().caseInsensitive(true)
          .glob("**/*.txt")).files()).hasSize(1);
    }

    @Test
    void jsonCsvCodeAndExtensionlessTextAreSearched() {
      String disk = newDisk();
      put(disk, "/a.json", "{\"key\": \"token\"}");
      put(disk, "/b.csv", "name,value\ntoken,1\n");
      put(disk, "/c.py", "# token\nprint(1)\n");
      put(disk, "/d.md", "# Title\n\ntoken\n");
      put(disk, "/LICENSE", "Permission is hereby granted, token\n");
      put(disk, "/e.yaml", "key: token\n");
      assertThat(grepPaths(grep(disk, "token")))
          .containsExactly("/LICENSE", "/a.json", "/b.csv", "/c.py", "/d.md", "/e.yaml");
    }

    @Test
    void byteOrderMarkIsNotPartOfTheFirstLine() {
      String disk = newDisk();
      putBytes(disk, "/bom.txt", concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf},
          utf8("hello\nworld\n")));
      assertThat(onlyFile(grep(disk, "^hello$"), "/bom.txt").matches())
          .containsExactly(line(1, "hello"));
    }

    @Test
    void catastrophicBacktrackingStopsAtTheTimeBudget() {
      String disk = newDisk();
      put(disk, "/a-evil.txt", "x".repeat(5_000) + "\n");
      put(disk, "/b-later.txt", "xxy\n");
      GrepResult result = grep(disk, "(x+x+)+y",
          GrepOptions.builder().timeBudget(Duration.ofMillis(200)));
      assertThat(result.timedOut()).isTrue();
      assertThat(result.truncated()).isFalse();
    }

    @Test
    void deeplyRecursiveRegexOnAVeryLongLineReturnsInsteadOfThrowing() {
      String disk = newDisk();
      put(disk, "/long.txt", "a".repeat(200_000) + "!\n");
      GrepResult[] result = new GrepResult[1];
      assertThatCode(() -> result[0] = grep(disk, "(a|aa)+$",
              GrepOptions.builder().timeBudget(Duration.ofMillis(200))))
          .as("grep of (a|aa)+$ over a 200,000-char line")
          .doesNotThrowAnyException();
      assertThat(result[0].timedOut()).as("the search could not finish: partial result").isTrue();
    }

    @Test
    void resultsAreOrderedByPathThenFilename() {
      String disk = newDisk();
      for (String p : List.of("/z.txt", "/a/z.txt", "/b.txt", "/a.txt", "/a/b/c.txt", "/A.txt",
          "/a-b/x.txt")) {
        put(disk, p, "hit");
      }
      assertThat(grepPaths(grep(disk, "hit")))
          .containsExactly("/A.txt", "/a.txt", "/b.txt", "/z.txt", "/a-b/x.txt", "/a/z.txt",
              "/a/b/c.txt");
    }

    @Test
    void veryLongLinesAreSearchedAndReportedCut() {
      String disk = newDisk();
      String longLine = "a".repeat(100_000) + " needle " + "b".repeat(10);
      put(disk, "/long.txt", "short\n" + longLine + "\ntail needle\n");
      FileMatches file = onlyFile(grep(disk, "needle"), "/long.txt");
      assertThat(lineNumbers(file)).containsExactly(2, 3);
      String reported = file.matches().get(0).line();
      assertThat(reported).startsWith("a".repeat(2_000));
      assertThat(reported.length()).isBetween(2_000, 2_001);
      assertThat(file.matches().get(1).line()).isEqualTo("tail needle");
      LineMatch withContext = onlyFile(
          grep(disk, "^tail", GrepOptions.builder().contextLines(1)), "/long.txt")
          .matches().get(0);
      assertThat(withContext.before()).hasSize(1);
      assertThat(withContext.before().get(0)).startsWith("a".repeat(2_000));
      assertThat(withContext.before().get(0).length()).isBetween(2_000, 2_001);
    }

    @Test
    void followsUpsertsAndDeletes() {
      String disk = newDisk();
      put(disk, "/f.txt", "old words");
      put(disk, "/f.txt", "new words");
      assertThat(grep(disk, "old").files()).isEmpty();
      assertThat(grepPaths(grep(disk, "new"))).containsExactly("/f.txt");
      delete(disk, "/f.txt");
      assertThat(grep(disk, "new").files()).isEmpty();
    }

    @Test
    void onlyTheQueriedDiskIsSearched() {
      String one = newDisk();
      String two = newDisk();
      put(one, "/same.txt", "shared words");
      put(two, "/same.txt", "shared words");
      GrepResult result = grep(one, "shared");
      assertThat(result.files()).hasSize(1);
      assertThat(result.files().get(0).artifact().diskId()).isEqualTo(one);
    }

    @Test
    void emptyDisk() {
      String disk = newDisk();
      GrepResult result = grep(disk, "anything");
      assertThat(result.files()).isEmpty();
      assertThat(result.filesSearched()).isZero();
      assertThat(result.truncated()).isFalse();
      assertThat(result.timedOut()).isFalse();
    }

    @Test
    void emptyFileHasNoLines() {
      String disk = newDisk();
      put(disk, "/empty.txt", "");
      assertThat(grep(disk, "^").files()).isEmpty();
      assertThat(grep(disk, ".*").files()).isEmpty();
    }

    @Test
    void missingDiskIsReported() {
      assertThatThrownBy(() -> grep("no-such-disk", "x"))
          .isInstanceOf(DiskNotFoundException.class);
    }

    @Test
    void optionsAreValidated() {
      assertThatThrownBy(() -> GrepOptions.builder().contextLines(21).build())
          .isInstanceOf(InvalidRequestException.class);
      assertThatThrownBy(() -> GrepOptions.builder().contextLines(-1).build())
          .isInstanceOf(InvalidRequestException.class);
      assertThatThrownBy(() -> GrepOptions.builder().maxFiles(0).build())
          .isInstanceOf(InvalidRequestException.class);
      assertThatThrownBy(() -> GrepOptions.builder().maxFiles(10_001).build())
          .isInstanceOf(InvalidRequestException.class);
      assertThatThrownBy(() -> GrepOptions.builder().maxMatchesPerFile(0).build())
          .isInstanceOf(InvalidRequestException.class);
      assertThatThrownBy(() -> GrepOptions.builder().timeBudget(Duration.ZERO).build())
          .isInstanceOf(InvalidRequestException.class);
      assertThatThrownBy(() -> GrepOptions.builder().timeBudget(Duration.ofMinutes(11)).build())
          .isInstanceOf(InvalidRequestException.class);
      GrepOptions defaults = GrepOptions.defaults();
      assertThat(defaults.maxFiles()).isEqualTo(100);
      assertThat(defaults.maxMatchesPerFile()).isEqualTo(50);
      assertThat(defaults.contextLines()).isZero();
      assertThat(defaults.caseInsensitive()).isFalse();
      assertThat(defaults.glob()).isEmpty();
      assertThat(defaults.timeBudget()).isEqualTo(Duration.ofSeconds(10));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Full text
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("fullText")
  class FullText {

    @Test
    void ranksByRelevanceBestFirst() {
      String disk = newDisk();
      put(disk, "/notes/zoo.md", "Animals at the zoo: a lion, two zebras, a penguin, an owl, a fox,"
          + " three monkeys, a giraffe and an elephant live here with their keepers.");
      put(disk, "/notes/fox.md", "The fox. A fox is quick; the fox hunts; fox cubs follow the fox.");
      put(disk, "/notes/cat.md", "Nothing about that animal here.");
      List<TextHit> hits = fullText(disk, "fox");
      assertThat(hitPaths(hits)).containsExactly("/notes/fox.md", "/notes/zoo.md");
      assertThat(hits.get(0).score()).isGreaterThan(hits.get(1).score());
    }

    @Test
    void scoresNeverIncrease() {
      String disk = newDisk();
      for (int i = 1; i <= 6; i++) {
        put(disk, "/s/" + i + ".txt", "kiwi ".repeat(i) + "filler words ".repeat(10 - i));
      }
      List<TextHit> hits = fullText(disk, "kiwi");
      assertThat(hits).hasSize(6);
      for (int i = 1; i < hits.size(); i++) {
        assertThat(hits.get(i).score()).isLessThanOrEqualTo(hits.get(i - 1).score());
      }
      assertThat(hits.get(0).artifact().fullPath()).isEqualTo("/s/6.txt");
    }

    @Test
    void tiesAreOrderedByPath() {
      String disk = newDisk();
      put(disk, "/b/n.txt", "mango");
      put(disk, "/a/n.txt", "mango");
      List<TextHit> hits = fullText(disk, "mango");
      assertThat(hitPaths(hits)).containsExactly("/a/n.txt", "/b/n.txt");
      assertThat(hits.get(0).score()).isEqualTo(hits.get(1).score());
    }

    @Test
    void wordsMatchTheirStemmedForms() {
      String disk = newDisk();
      put(disk, "/plural.txt", "Two foxes ran across the field.");
      put(disk, "/singular.txt", "A fox was running.");
      put(disk, "/other.txt", "A dog slept.");
      assertThat(hitPaths(fullText(disk, "fox")))
          .containsExactlyInAnyOrder("/plural.txt", "/singular.txt");
      assertThat(hitPaths(fullText(disk, "foxes")))
          .containsExactlyInAnyOrder("/plural.txt", "/singular.txt");
      assertThat(hitPaths(fullText(disk, "run"))).containsExactlyInAnyOrder("/singular.txt");
    }

    @Test
    void allWordsMustOccurInAnyOrder() {
      String disk = newDisk();
      put(disk, "/both.txt", "The dog chased the fox.");
      put(disk, "/fox.txt", "Only a fox.");
      put(disk, "/dog.txt", "Only a dog.");
      assertThat(hitPaths(fullText(disk, "fox dog"))).containsExactly("/both.txt");
      assertThat(hitPaths(fullText(disk, "dog   fox"))).containsExactly("/both.txt");
    }

    @Test
    void quotedPhrasesMatchAsPhrases() {
      String disk = newDisk();
      put(disk, "/phrase.txt", "The quick brown fox jumps over the lazy dog.");
      put(disk, "/apart.txt", "A brown dog is quick.");
      assertThat(hitPaths(fullText(disk, "quick brown")))
          .containsExactlyInAnyOrder("/phrase.txt", "/apart.txt");
      assertThat(hitPaths(fullText(disk, "\"quick brown\""))).containsExactly("/phrase.txt");
      assertThat(hitPaths(fullText(disk, "\"brown quick\""))).isEmpty();
      assertThat(hitPaths(fullText(disk, "\"quick brown\" lazy"))).containsExactly("/phrase.txt");
    }

    @Test
    void snippetsHighlightTheMatchedTerms() {
      String disk = newDisk();
      put(disk, "/story.txt", "The quick brown fox jumps over the lazy dog.");
      put(disk, "/plural.txt", "Many foxes live in the forest near the river.");
      assertThat(fullText(disk, "jumps").get(0).snippet()).contains("[jumps]").contains("fox");
      assertThat(fullText(disk, "\"lazy dog\"").get(0).snippet()).contains("[lazy").contains("dog]");
      TextHit plural = fullText(disk, "forest foxes").stream()
          .filter(h -> h.artifact().filename().equals("plural.txt")).findFirst().orElseThrow();
      assertThat(plural.snippet()).contains("[foxes]").contains("[forest]");
      // the disk restriction is not a match to show
      for (TextHit hit : fullText(disk, "the")) {
        assertThat(hit.snippet()).doesNotContain(disk)
            .doesNotContain(disk.replace("-", "").toLowerCase(java.util.Locale.ROOT));
      }
    }

    @Test
    void filenameAndPathAreSearched() {
      String disk = newDisk();
      put(disk, "/plans/roadmap.txt", "Nothing to see.");
      putBytes(disk, "/photos/sunset.png", png("a picture"));
      assertThat(hitPaths(fullText(disk, "roadmap"))).containsExactly("/plans/roadmap.txt");
      assertThat(hitPaths(fullText(disk, "plans"))).containsExactly("/plans/roadmap.txt");
      assertThat(hitPaths(fullText(disk, "sunset"))).containsExactly("/photos/sunset.png");
      assertThat(fullText(disk, "roadmap").get(0).snippet()).contains("[roadmap]")
          .doesNotContain(disk.replace("-", "").toLowerCase(java.util.Locale.ROOT));
      assertThat(fullText(disk, "plans").get(0).snippet()).contains("[plans]");
      // the bytes of a binary file are not text
      assertThat(fullText(disk, "picture")).isEmpty();
    }

    @Test
    void binaryFilesHaveNoBodyText() {
      String disk = newDisk();
      put(disk, "/clean.txt", "the needle is here\n");
      putBytes(disk, "/image.png", png("needle"));
      putBytes(disk, "/nul.txt", concat(utf8("needle first\n"), new byte[] {0, 1, 2}));
      putBytes(disk, "/bad-utf8.txt", concat(utf8("needle first\n"),
          new byte[] {(byte) 0xc3, 0x28}, utf8(" needle\n")));
      putBytes(disk, "/data.bin", concat(new byte[] {0, (byte) 0xff}, utf8(" needle "),
          new byte[] {(byte) 0xfe, 0}));
      assertThat(hitPaths(fullText(disk, "needle"))).containsExactly("/clean.txt");
    }

    @Test
    void invalidUtf8AtTheVeryEndIsNotText() {
      String disk = newDisk();
      putBytes(disk, "/truncated-utf8.txt", concat(utf8("needle and a cut character "),
          new byte[] {(byte) 0xe2, (byte) 0x82}));
      assertThat(grep(disk, "needle").files()).as("grep treats the file as binary").isEmpty();
      assertThat(fullText(disk, "needle")).as("so the full-text body has no text either")
          .isEmpty();
    }

    @Test
    void textCutMidCharacterAtTheIndexLimitIsStillIndexed() {
      String disk = newDisk();
      int mib = 1 << 20;
      String head = "aardvark ";
      String filler = "z".repeat(mib - head.length() - 1);
      // the two-byte e-acute straddles the 1 MiB boundary
      put(disk, "/big.txt", head + filler + "\u00e9\ntail zebra\n");
      assertThat(hitPaths(fullText(disk, "aardvark"))).containsExactly("/big.txt");
      // grep reads the whole file
      assertThat(lineNumbers(onlyFile(grep(disk, "tail zebra"), "/big.txt"))).containsExactly(2);
    }

    /** Queries that mean something in FTS5 or SQL syntax: none may throw. */
    static final List<String> HOSTILE_QUERIES =
        List.of(
            "\"", "\"\"", "\"quick brown", "quick brown\"", "\"\"quick\"\"",
            "fox AND dog", "fox OR cat", "fox NOT dog", "NOT fox", "AND", "OR", "NOT", "NEAR",
            "NEAR(fox dog)", "NEAR(fox dog, 2)", "fox NEAR/2 dog",
            "(fox", "fox)", "((fox))", ")(", "()",
            "path:x", "body:fox", "filename:fox", "disk:x", "{path body}: fox", "-path:x", "path :",
            "*", "fox*", "*fox", "f*x", "^fox", "^", "-fox", "-", "+fox", "fox:", ":", ":fox",
            "!!!", "??? ... ,,, ;;;", "'", "''", "fox'", "\\", "\\\"", "%", "_", "%fox%",
            "'; DROP TABLE artifacts; --", "fox' OR '1'='1", "fox\" OR \"1\"=\"1",
            "\"); DELETE FROM artifact_text; --", "SELECT * FROM artifacts",
            "fox\u0000dog", "\u0000", "fox\uD800", "\uDC00", "\u202Efox", "\uD83E\uDD8A fox",
            "fox\tdog\ndog\r\nfox", "\u3000fox\u3000", "fox\u00a0dog",
            "fox ".repeat(2_500), "x".repeat(10_000), "(".repeat(10_000), "\"".repeat(10_001),
            "word".repeat(2_500));

    @TestFactory
    @DisplayName("hostile query strings never throw")
    Stream<DynamicTest> hostileQueriesNeverThrow() {
      String disk = newDisk();
      put(disk, "/animals/story.txt", "The quick brown fox jumps over the lazy dog.");
      put(disk, "/roads/crossing.txt", "Follow the path: zebra crossing ahead.");
      return HOSTILE_QUERIES.stream()
          .map(q -> dynamicTest(
              "fullText(" + printable(q.length() > 40
                  ? q.substring(0, 40) + "… (" + q.length() + " chars)" : q) + ")",
              () -> assertThatCode(() -> {
                List<TextHit> hits = search().fullText(disk, q, 10);
                assertThat(hits).allSatisfy(h -> assertThat(h.artifact().diskId())
                    .isEqualTo(disk));
              }).doesNotThrowAnyException()));
    }

    @Test
    void syntaxCharactersAreTreatedAsText() {
      String disk = newDisk();
      put(disk, "/animals/story.txt", "The quick brown fox jumps over the lazy dog.");
      put(disk, "/animals/not.txt", "A fox is not a dog.");
      put(disk, "/roads/crossing.txt", "Follow the path: zebra crossing ahead.");
      String story = "/animals/story.txt";
      // operators and prefix/column syntax around a word still find the word
      for (String q : List.of("fox*", "^fox", "-fox", "+fox", "(fox", "fox)", "((fox))", "fox:",
          "\"fox", "fox'", "%fox%", "fox\u00a0")) {
        assertThat(hitPaths(fullText(disk, q))).as("fullText(%s)", q).contains(story);
      }
      // an unbalanced quote opens a phrase that runs to the end
      assertThat(hitPaths(fullText(disk, "\"quick brown"))).containsExactly(story);
      // NOT is a word, not an operator: it does not exclude the dog
      assertThat(hitPaths(fullText(disk, "fox NOT dog"))).containsExactly("/animals/not.txt");
      // "path:" is text, not a column filter: the phrase "path zebra" is in the body
      assertThat(hitPaths(fullText(disk, "path:zebra"))).containsExactly("/roads/crossing.txt");
      assertThat(fullText(disk, "path:animals")).isEmpty();
      // a very long query of repeated words behaves like the word
      assertThat(hitPaths(fullText(disk, "fox ".repeat(2_500))))
          .containsExactlyInAnyOrder(story, "/animals/not.txt");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t\n", "!!!", "??? ... ,,, ;;;", "\"\"", "*", "-", "()",
        "\"", "'; --"})
    void queriesWithoutWordsFindNothing(String query) {
      String disk = newDisk();
      put(disk, "/story.txt", "The quick brown fox jumps over the lazy dog.");
      assertThat(fullText(disk, query)).isEmpty();
    }

    @Test
    void sqlLookingQueriesChangeNothing() {
      String disk = newDisk();
      put(disk, "/story.txt", "The quick brown fox jumps over the lazy dog.");
      put(disk, "/sql.txt", "How to drop a table in SQL: DROP TABLE artifacts;");
      assertThat(hitPaths(fullText(disk, "'; DROP TABLE artifacts; --")))
          .containsExactly("/sql.txt");
      fullText(disk, "\"); DELETE FROM artifact_text; --");
      fullText(disk, "fox' OR '1'='1");
      assertThat(hitPaths(fullText(disk, "fox"))).containsExactly("/story.txt");
      assertThat(fullPaths(search().glob(disk, "**", 10))).containsExactly("/sql.txt", "/story.txt");
    }

    @Test
    void followsUpserts() {
      String disk = newDisk();
      Artifact first = put(disk, "/doc.txt", "alpha beta");
      assertThat(hitPaths(fullText(disk, "alpha"))).containsExactly("/doc.txt");
      Artifact second = put(disk, "/doc.txt", "omega beta");
      assertThat(fullText(disk, "alpha")).as("old words are gone").isEmpty();
      List<TextHit> omega = fullText(disk, "omega");
      assertThat(hitPaths(omega)).containsExactly("/doc.txt");
      assertThat(omega.get(0).artifact().etag()).isEqualTo(second.etag()).isNotEqualTo(first.etag());
      assertThat(fullText(disk, "beta")).hasSize(1);
      // replaced by a binary file: only the name is left
      putBytes(disk, "/doc.txt", png("omega"));
      assertThat(fullText(disk, "omega")).isEmpty();
      assertThat(hitPaths(fullText(disk, "doc"))).containsExactly("/doc.txt");
    }

    @Test
    void followsDeletes() {
      String disk = newDisk();
      put(disk, "/a.txt", "pineapple");
      put(disk, "/b.txt", "pineapple");
      delete(disk, "/a.txt");
      assertThat(hitPaths(fullText(disk, "pineapple"))).containsExactly("/b.txt");
      delete(disk, "/b.txt");
      assertThat(fullText(disk, "pineapple")).isEmpty();
      // a new artifact (which may reuse the deleted row's id) does not inherit its text
      put(disk, "/c.txt", "banana");
      assertThat(fullText(disk, "pineapple")).isEmpty();
      assertThat(hitPaths(fullText(disk, "banana"))).containsExactly("/c.txt");
    }

    @Test
    void metadataUpdatesKeepTheText() {
      String disk = newDisk();
      put(disk, "/doc.txt", "durian");
      artifacts().update(disk, "/", "doc.txt", Map.of("tag", "fruit"));
      List<TextHit> hits = fullText(disk, "durian");
      assertThat(hitPaths(hits)).containsExactly("/doc.txt");
      assertThat(hits.get(0).artifact().userMeta()).containsEntry("tag", "fruit");
      artifacts().upsert(disk, FileUpload.ofText("doc.txt", "durian"), "/", Map.of());
      assertThat(hitPaths(fullText(disk, "durian"))).containsExactly("/doc.txt");
    }

    @Test
    void failedConditionalUpsertLeavesTheIndexUnchanged() {
      String disk = newDisk();
      Artifact current = put(disk, "/doc.txt", "original words");
      assertThatThrownBy(() -> artifacts().upsert(disk, FileUpload.ofText("doc.txt", "replacement"),
              "/", null, Precondition.ifMatch("not-" + current.etag())))
          .isInstanceOf(PreconditionFailedException.class);
      assertThatThrownBy(() -> artifacts().upsert(disk, FileUpload.ofText("doc.txt", "replacement"),
              "/", null, Precondition.ifNoneMatch()))
          .isInstanceOf(PreconditionFailedException.class);
      assertThat(fullText(disk, "replacement")).isEmpty();
      assertThat(hitPaths(fullText(disk, "original"))).containsExactly("/doc.txt");
    }

    @Test
    void diskDeleteRemovesItsText() {
      String doomed = newDisk();
      String kept = newDisk();
      put(doomed, "/a.txt", "papaya");
      put(kept, "/a.txt", "papaya");
      requireStore().disks().delete(doomed);
      assertThatThrownBy(() -> fullText(doomed, "papaya")).isInstanceOf(DiskNotFoundException.class);
      assertThat(fullText(kept, "papaya")).hasSize(1);
      String fresh = newDisk();
      put(fresh, "/b.txt", "guava");
      assertThat(fullText(fresh, "papaya")).isEmpty();
    }

    @Test
    void onlyTheQueriedDiskIsSearched() {
      String one = newDisk();
      String two = newDisk();
      put(one, "/same.txt", "lychee");
      put(two, "/same.txt", "lychee");
      put(two, "/extra.txt", "lychee");
      List<TextHit> hits = fullText(one, "lychee");
      assertThat(hitPaths(hits)).containsExactly("/same.txt");
      assertThat(hits.get(0).artifact().diskId()).isEqualTo(one);
      assertThat(fullText(two, "lychee")).hasSize(2)
          .allSatisfy(h -> assertThat(h.artifact().diskId()).isEqualTo(two));
      // a disk id is not a searchable word
      assertThat(fullText(one, two)).isEmpty();
    }

    @Test
    void limitCutsTheRankedResults() {
      String disk = newDisk();
      for (int i = 1; i <= 5; i++) {
        put(disk, "/l/" + i + ".txt", "quince ".repeat(i) + "other words ".repeat(6 - i));
      }
      List<TextHit> all = fullText(disk, "quince");
      assertThat(all).hasSize(5);
      List<TextHit> two = search().fullText(disk, "quince", 2);
      assertThat(hitPaths(two)).containsExactlyElementsOf(hitPaths(all).subList(0, 2));
      assertThatThrownBy(() -> search().fullText(disk, "quince", 0))
          .isInstanceOf(InvalidRequestException.class);
      assertThatThrownBy(() -> search().fullText(disk, "quince", Search.MAX_LIMIT + 1))
          .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void nonAsciiWords() {
      String disk = newDisk();
      put(disk, "/fr.txt", "Une id\u00e9e na\u00efve au caf\u00e9.");
      put(disk, "/el.txt", "\u03ba\u03b1\u03bb\u03b7\u03bc\u03ad\u03c1\u03b1 \u03ba\u03cc\u03c3\u03bc\u03b5");
      assertThat(hitPaths(fullText(disk, "na\u00efve"))).containsExactly("/fr.txt");
      assertThat(hitPaths(fullText(disk, "CAF\u00c9"))).as("case-insensitive")
          .containsExactly("/fr.txt");
      assertThat(hitPaths(fullText(disk, "\u03ba\u03b1\u03bb\u03b7\u03bc\u03ad\u03c1\u03b1")))
          .containsExactly("/el.txt");
    }

    @Test
    void emptyDisk() {
      String disk = newDisk();
      assertThat(fullText(disk, "anything")).isEmpty();
      assertThat(fullText(disk, "\"")).isEmpty();
    }

    @Test
    void missingDiskIsReported() {
      assertThatThrownBy(() -> fullText("no-such-disk", "x"))
          .isInstanceOf(DiskNotFoundException.class);
      assertThatThrownBy(() -> fullText("no-such-disk", "!!!"))
          .as("even for a query without words")
          .isInstanceOf(DiskNotFoundException.class);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Persistence and extracted document text
  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("async twin")
  class Async {

    private <T> T await(java.util.concurrent.CompletableFuture<T> future) throws Exception {
      return future.get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void everySearchCallHasAnAsyncTwinWithTheSameResult() throws Exception {
      String disk = newDisk();
      Artifact plan = artifacts().upsert(disk,
          FileUpload.ofText("plan.md", "alpha TODO\nbeta\n"), "/docs/", Map.of("author", "alice"));
      put(disk, "/src/main.py", "# todo: later\n");
      dev.diskstore.AsyncDiskStore.AsyncSearch async = requireStore().async().search();

      assertThat(fullPaths(await(async.glob(disk, "**/*.md", 10))))
          .isEqualTo(fullPaths(search().glob(disk, "**/*.md", 10)))
          .containsExactly("/docs/plan.md");
      assertThat(await(async.grep(disk, "TODO"))).isEqualTo(search().grep(disk, "TODO"));
      GrepOptions ignoreCase = GrepOptions.builder().caseInsensitive(true).build();
      assertThat(await(async.grep(disk, "TODO", ignoreCase)).files())
          .extracting(f -> f.artifact().fullPath())
          .containsExactlyInAnyOrder("/docs/plan.md", "/src/main.py");
      assertThat(hitPaths(await(async.fullText(disk, "alpha", 10))))
          .containsExactly("/docs/plan.md");
      dev.diskstore.Query byAuthor = dev.diskstore.Query.where("author").eq("alice");
      assertThat(await(async.query(disk, byAuthor)).items()).extracting(Artifact::etag)
          .containsExactly(plan.etag());
      assertThat(await(async.query(disk, byAuthor,
              dev.diskstore.QueryOptions.builder().limit(1).build())).items())
          .isEqualTo(search().query(disk, byAuthor).items());
    }

    @Test
    void failuresCompleteExceptionallyWithTheTypedException() {
      String disk = newDisk();
      dev.diskstore.AsyncDiskStore.AsyncSearch async = requireStore().async().search();
      assertThat(async.grep(disk, "(unclosed"))
          .failsWithin(Duration.ofSeconds(30))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withCauseInstanceOf(InvalidQueryException.class);
      assertThat(async.glob("no-such-disk", "*", 10))
          .failsWithin(Duration.ofSeconds(30))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withCauseInstanceOf(DiskNotFoundException.class);
    }
  }

  @Nested
  @DisplayName("index lifecycle")
  class Lifecycle {

    @Test
    void searchWorksAfterReopen() throws Exception {
      assumeThat(isPersistent()).as("the store keeps its data across close()").isTrue();
      String disk = newDisk();
      put(disk, "/docs/kept.md", "persimmon\nsecond line\n");
      reopen();
      assertThat(fullPaths(search().glob(disk, "**/*.md", 10))).containsExactly("/docs/kept.md");
      assertThat(hitPaths(fullText(disk, "persimmon"))).containsExactly("/docs/kept.md");
      assertThat(lineNumbers(onlyFile(grep(disk, "second"), "/docs/kept.md"))).containsExactly(2);
    }

    @Test
    void extractedDocumentTextIsSearched(@TempDir Path directory) throws Exception {
      DiskStore withParser = openStoreWithParser(directory.resolve("parser-store"), new MemoParser());
      assumeThat(withParser).as("the configuration supports a custom content parser").isNotNull();
      try (DiskStore documents = withParser) {
        String disk = documents.disks().create().id();
        byte[] memo = concat(MemoParser.MAGIC, utf8("Quarterly report\nrevenue grew\nmargins fell\n"));
        documents.disks().artifacts()
            .upsert(disk, FileUpload.of("report.memo", memo, MemoParser.TYPE), "/reports/");
        documents.disks().artifacts()
            .upsert(disk, FileUpload.ofText("plain.txt", "revenue in plain text"), "/reports/");
        GrepResult result = documents.search().grep(disk, "revenue|margins");
        assertThat(grepPaths(result)).containsExactly("/reports/plain.txt", "/reports/report.memo");
        assertThat(result.files().get(1).matches())
            .containsExactly(line(2, "revenue grew"), line(3, "margins fell"));
        List<TextHit> hits = documents.search().fullText(disk, "margins", 10);
        assertThat(hitPaths(hits)).containsExactly("/reports/report.memo");
        assertThat(hits.get(0).snippet()).contains("[margins]");
        assertThat(hitPaths(documents.search().fullText(disk, "quarterly revenue", 10)))
            .containsExactly("/reports/report.memo");
      }
    }
  }

  /**
   * A real, if simple, cacheable document parser: a "memo" is the bytes {@code MEMO\0} followed by
   * UTF-8 text (so that without the parser it is a binary file).
   */
  static final class MemoParser implements ContentParser {
    static final byte[] MAGIC = {'M', 'E', 'M', 'O', 0};
    static final String TYPE = "application/x-diskstore-memo";

    @Override
    public Result parse(Request request) {
      if (!request.contentType().startsWith(TYPE)) {
        return new Unavailable(ContentUnavailable.UNSUPPORTED, "not a memo");
      }
      try (InputStream in = request.opener().open()) {
        byte[] bytes = in.readAllBytes();
        if (bytes.length < MAGIC.length
            || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
          return new Unavailable(ContentUnavailable.UNSUPPORTED, "no memo header");
        }
        String text = new String(bytes, MAGIC.length, bytes.length - MAGIC.length, UTF_8);
        return new Parsed(new ArtifactContent(ArtifactContent.DOCUMENT, text, false));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public boolean isCacheable() {
      return true;
    }
  }
}
