package dev.diskstore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.GrepOptions;
import dev.diskstore.InvalidMetadataException;
import dev.diskstore.InvalidRequestException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hostile inputs the property suite ({@link HostileInputTest}) found to break the store, as
 * fixed, named reproductions: each case states what a correct store does, so each passes once its
 * defect is fixed. See RELIABILITY.md, "Defects found".
 */
class HostileInputCasesTest {
  private static final Duration LIMIT = Duration.ofSeconds(3);
  private static DiskStore store;
  private static String disk;

  @BeforeAll
  static void open() {
    store = DiskStore.inMemory();
    disk = store.disks().create().id();
    var a = store.disks().artifacts();
    a.upsert(disk, FileUpload.ofText("a".repeat(200) + ".txt", "long name\n"), "/long");
    a.upsert(disk, FileUpload.ofText("t.json", "{}"), "/meta");
    // a legal path: 2,000 segments, 4,000 bytes (the limit is 4,096)
    a.upsert(disk, FileUpload.ofText("z.txt", "deep\n"), "/a".repeat(2000));
  }

  @AfterAll
  static void close() {
    store.close();
  }

  static Stream<Arguments> globs() {
    return Stream.of(
        Arguments.of("catastrophic backtracking", "/long/" + "*a".repeat(8) + "b"),
        Arguments.of("catastrophic backtracking", "/long/" + "*a".repeat(12) + "b"),
        Arguments.of("deep path", "**/nomatch"),
        Arguments.of("deep path", "/**/z.txt"),
        Arguments.of("deep path", "/" + "**/".repeat(6) + "x"));
  }

  /** A glob ends within seconds with results or an InvalidQueryException, never an Error. */
  @ParameterizedTest(name = "{0}: glob {1}")
  @MethodSource("globs")
  void globEndsQuicklyWithATypedOutcome(String defect, String pattern) {
    Guard.Outcome<?> outcome =
        Guard.call("glob " + pattern, LIMIT, () -> store.search().glob(disk, pattern, 10));
    if (!outcome.ok()) {
      assertThat(outcome.failure()).isInstanceOf(InvalidRequestException.class);
    }
  }

  /** The same patterns as grep's glob option. */
  @ParameterizedTest(name = "{0}: grep with glob {1}")
  @MethodSource("globs")
  void grepGlobEndsQuicklyWithATypedOutcome(String defect, String pattern) {
    GrepOptions options =
        GrepOptions.builder().glob(pattern).timeBudget(Duration.ofMillis(200)).build();
    Guard.Outcome<?> outcome =
        Guard.call("grep glob " + pattern, LIMIT, () -> store.search().grep(disk, "x", options));
    if (!outcome.ok()) {
      assertThat(outcome.failure()).isInstanceOf(InvalidRequestException.class);
    }
  }

  static Stream<Arguments> metadataValues() {
    return Stream.of(
        Arguments.of("integer of 1,101 digits", Map.of("n", new BigInteger("1" + "0".repeat(1100)))),
        Arguments.of("key of 50,001 characters", Map.of("k".repeat(50_001), 1)),
        Arguments.of("1E+500", Map.of("n", new BigDecimal("1E+500"))),
        Arguments.of("1E-500", Map.of("n", new BigDecimal("1E-500"))),
        Arguments.of("0.1000000000000000000001", Map.of("n", new BigDecimal("0.1000000000000000000001"))),
        Arguments.of("unpaired surrogate in a value", Map.of("s", "a\uD800b")),
        Arguments.of("unpaired surrogate in a key", Map.of("a\uDC00b", "s")));
  }

  /**
   * Metadata is either rejected with InvalidMetadataException, or stored and read back equal
   * (numbers numerically equal). Never accepted and then unreadable, never silently changed.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("metadataValues")
  void metadataIsRejectedOrReadBackUnchanged(String what, Map<String, Object> meta) {
    var a = store.disks().artifacts();
    Guard.Outcome<?> update =
        Guard.call("update " + what, LIMIT, () -> a.update(disk, "/meta", "t.json", meta));
    if (!update.ok()) {
      assertThat(update.failure()).as(what).isInstanceOf(InvalidMetadataException.class);
      return;
    }
    Map<String, Object> read = a.get(disk, "/meta", "t.json").artifact().userMeta();
    assertThat(HostileInputTest.HostileJson.difference(meta, read)).as(what).isNull();
  }
}
