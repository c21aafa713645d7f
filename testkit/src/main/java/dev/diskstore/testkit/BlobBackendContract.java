package dev.diskstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.diskstore.ByteRange;
import dev.diskstore.StorageException;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.BlobBackend.Capability;
import dev.diskstore.spi.BlobNotFoundException;
import dev.diskstore.spi.BlobStat;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JUnit 5 suite every {@link BlobBackend} must pass. A backend's test extends it and supplies a
 * factory:
 *
 * <pre>{@code
 * class LocalBlobBackendContractTest extends BlobBackendContract {
 *   @TempDir Path dir;
 *
 *   @Override protected BlobBackend createBackend() { return LocalBlobBackend.at(dir); }
 *   @Override protected Optional<BlobBackend> reopenBackend() {
 *     return Optional.of(LocalBlobBackend.at(dir));
 *   }
 * }
 * }</pre>
 *
 * <p>{@link #createBackend()} is called once before each test and must return a new, empty backend;
 * the suite closes every backend it obtained after the test (subclass {@code @AfterEach} methods
 * run before that, so they can still inspect the backend, e.g. check for leaked streams). Tests
 * that need an optional {@link Capability} are skipped through an assumption that names the
 * capability when the backend does not declare it. Every other test must pass for every backend.
 *
 * <p>What the suite checks: round trips (empty, small, 5 MiB of unknown length), the byte count
 * returned by {@code write}, ranged reads at and past the end, {@code stat}, idempotent {@code
 * delete}, {@code list} with and without a prefix, failed writes leaving nothing visible, atomic
 * visibility of a write in progress, key validation, concurrent writers (also mixed with deletes,
 * reads and lists), stream ownership (the content stream is not closed by {@code write}; returned
 * streams may be closed twice), use after {@code close}, and persistence across a reopen for {@link
 * Capability#PERSISTENT} backends.
 *
 * <p>Not thread-safe; JUnit creates one instance per test.
 */
public abstract class BlobBackendContract {
  /** A 5 MiB blob: spans many write buffers and multipart thresholds. */
  private static final int LARGE_BLOB_BYTES = 5 * 1024 * 1024;

  private final List<BlobBackend> backends = new ArrayList<>();
  private @Nullable BlobBackend backend;

  /** For a backend's suite, which implements {@link #createBackend()}. */
  protected BlobBackendContract() {}

  /**
   * A new, empty backend for one test. Called once before each test; the suite closes it.
   *
   * @throws Exception if the backend cannot be created (the test then errors)
   */
  protected abstract BlobBackend createBackend() throws Exception;

  /**
   * A new backend instance over the same storage as the backend of the current test, or empty if
   * the backend cannot be reopened. Required (the suite fails otherwise) for backends declaring
   * {@link Capability#PERSISTENT}. The suite closes what it returns.
   */
  protected Optional<BlobBackend> reopenBackend() throws Exception {
    return Optional.empty();
  }

  /** The backend under test in the current test. */
  protected final BlobBackend backend() {
    BlobBackend current = backend;
    if (current == null) {
      throw new IllegalStateException("no backend: called outside a test");
    }
    return current;
  }

  @BeforeEach
  final void createBackendUnderTest() throws Exception {
    BlobBackend created = createBackend();
    assertThat(created).as("createBackend()").isNotNull();
    backends.add(created);
    backend = created;
  }

  @AfterEach
  final void closeBackends() {
    for (BlobBackend b : backends) {
      b.close();
    }
    backends.clear();
    backend = null;
  }

  // ---------------------------------------------------------------- round trips

  @Test
  void writtenBytesReadBackIdentically() {
    byte[] content = "hello, blob\n".getBytes(StandardCharsets.UTF_8);

    long written = write("contract/round-trip", content);

    assertThat(written).isEqualTo(content.length);
    assertThat(read("contract/round-trip")).isEqualTo(content);
    assertThat(backend().stat("contract/round-trip"))
        .contains(new BlobStat("contract/round-trip", content.length));
  }

  @Test
  void emptyBlobIsStoredAndListed() {
    long written = write("contract/empty", new byte[0]);

    assertThat(written).isZero();
    assertThat(read("contract/empty")).isEmpty();
    assertThat(backend().stat("contract/empty")).contains(new BlobStat("contract/empty", 0));
    assertThat(list("")).containsExactly(new BlobStat("contract/empty", 0));
  }

  @Test
  void largeBlobOfUnknownLengthReadsBackByteIdentical() throws IOException {
    GeneratedStream content = new GeneratedStream(LARGE_BLOB_BYTES, 42);

    long written = backend().write("contract/large", content, OptionalLong.empty());

    assertThat(written).isEqualTo(LARGE_BLOB_BYTES);
    byte[] expectedDigest = content.digest();
    try (InputStream in = backend().open("contract/large", ByteRange.from(0))) {
      assertThat(sha256(in)).isEqualTo(expectedDigest);
    }
    assertThat(backend().stat("contract/large"))
        .contains(new BlobStat("contract/large", LARGE_BLOB_BYTES));
  }

  @Test
  void writeReturnsTheByteCountOfTheContentNotOfTheLengthHint() {
    byte[] content = randomBytes(1000, 7);

    long shortHint =
        backend()
            .write("contract/hint-short", new ByteArrayInputStream(content), OptionalLong.of(10));
    long longHint =
        backend()
            .write("contract/hint-long", new ByteArrayInputStream(content), OptionalLong.of(5000));
    long exactHint =
        backend()
            .write("contract/hint-exact", new ByteArrayInputStream(content), OptionalLong.of(1000));

    assertThat(List.of(shortHint, longHint, exactHint)).containsOnly(1000L);
    assertThat(read("contract/hint-short")).isEqualTo(content);
    assertThat(read("contract/hint-long")).isEqualTo(content);
    assertThat(read("contract/hint-exact")).isEqualTo(content);
  }

  @Test
  void keysAtTheLimitsOfTheKeyRulesWork() {
    String longest = "k/" + "x".repeat(198);
    List<String> keys = List.of(longest, "0", "a/b/c/d/e/f/g/h/i/j", "0-9/a-z/--", "z");
    Map<String, byte[]> contents = new HashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      contents.put(keys.get(i), randomBytes(10 + i, i));
      write(keys.get(i), contents.get(keys.get(i)));
    }

    assertThat(longest).hasSize(200);
    for (String key : keys) {
      assertThat(read(key)).as(key).isEqualTo(contents.get(key));
    }
    assertThat(keysOf(list(""))).containsExactlyInAnyOrderElementsOf(keys);
  }

  @Test
  void aKeyMayBeBothABlobAndThePrefixDirectoryOfAnotherKey() {
    write("p/q", new byte[] {1});
    write("p/q/r", new byte[] {2, 2});

    assertThat(read("p/q")).containsExactly(1);
    assertThat(read("p/q/r")).containsExactly(2, 2);
    assertThat(list("p/q"))
        .containsExactlyInAnyOrder(new BlobStat("p/q", 1), new BlobStat("p/q/r", 2));

    assertThat(backend().delete("p/q")).isTrue();
    assertThat(keysOf(list(""))).containsExactly("p/q/r");
    assertThat(read("p/q/r")).containsExactly(2, 2);
  }

  // ---------------------------------------------------------------- ranged reads

  @Test
  void rangedReadsReturnExactlyTheRequestedBytes() {
    byte[] content = randomBytes(1000, 3);
    write("contract/range", content);

    assertThat(read("contract/range", ByteRange.from(0))).isEqualTo(content);
    assertThat(read("contract/range", ByteRange.from(10))).isEqualTo(slice(content, 10, 1000));
    assertThat(read("contract/range", ByteRange.of(10, 20))).isEqualTo(slice(content, 10, 30));
    assertThat(read("contract/range", ByteRange.of(0, 1000))).isEqualTo(content);
    assertThat(read("contract/range", ByteRange.of(999, 1))).containsExactly(content[999]);
    assertThat(read("contract/range", ByteRange.of(10, 0))).isEmpty();
  }

  @Test
  void rangesReachingPastTheEndAreCutAtTheEnd() {
    byte[] content = randomBytes(1000, 4);
    write("contract/range-end", content);

    assertThat(read("contract/range-end", ByteRange.from(1000))).as("offset at end").isEmpty();
    assertThat(read("contract/range-end", ByteRange.from(1500))).as("offset past end").isEmpty();
    assertThat(read("contract/range-end", ByteRange.of(1500, 10))).as("both past end").isEmpty();
    assertThat(read("contract/range-end", ByteRange.of(990, 50)))
        .as("length past end")
        .isEqualTo(slice(content, 990, 1000));
    assertThat(read("contract/range-end", ByteRange.of(10, Long.MAX_VALUE)))
        .as("huge length")
        .isEqualTo(slice(content, 10, 1000));
  }

  @Test
  void rangedReadsOfAnEmptyBlobAreEmpty() {
    write("contract/range-empty", new byte[0]);

    assertThat(read("contract/range-empty", ByteRange.from(0))).isEmpty();
    assertThat(read("contract/range-empty", ByteRange.from(5))).isEmpty();
    assertThat(read("contract/range-empty", ByteRange.of(0, 5))).isEmpty();
  }

  @Test
  void singleByteReadsReturnUnsignedValuesAndStopAtTheRangeEnd() throws IOException {
    byte[] content = new byte[256];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) i;
    }
    write("contract/bytes", content);

    List<Integer> values = new ArrayList<>();
    try (InputStream in = backend().open("contract/bytes", ByteRange.of(250, 10))) {
      for (int b = in.read(); b != -1; b = in.read()) {
        values.add(b);
      }
      assertThat(in.read()).as("read after end").isEqualTo(-1);
    }
    assertThat(values).containsExactly(250, 251, 252, 253, 254, 255);
  }

  @Test
  void skippingWithinAStreamLandsOnTheRightByte() throws IOException {
    byte[] content = randomBytes(10_000, 5);
    write("contract/skip", content);

    try (InputStream in = backend().open("contract/skip", ByteRange.of(100, 5000))) {
      in.skipNBytes(1000);
      assertThat(in.readAllBytes()).isEqualTo(slice(content, 1100, 5100));
    }
  }

  // ---------------------------------------------------------------- stat, delete, open

  @Test
  void statReportsSizeOfPresentBlobsAndEmptyForAbsentOnes() {
    write("contract/stat", randomBytes(123, 1));

    assertThat(backend().stat("contract/stat")).contains(new BlobStat("contract/stat", 123));
    assertThat(backend().stat("contract/absent")).isEmpty();
    assertThat(backend().stat("contract/sta")).as("a prefix of a key is not a key").isEmpty();
  }

  @Test
  void openOfAMissingKeyThrowsBlobNotFoundNamingTheKey() {
    Throwable thrown = catchThrowable(() -> backend().open("contract/missing", ByteRange.from(0)));

    assertThat(thrown).isInstanceOf(BlobNotFoundException.class);
    assertThat(((BlobNotFoundException) thrown).key()).isEqualTo("contract/missing");
  }

  @Test
  void deleteRemovesTheBlobAndIsIdempotent() {
    write("contract/delete", randomBytes(50, 2));
    write("contract/keep", randomBytes(60, 3));

    assertThat(backend().delete("contract/delete")).isTrue();
    assertThat(backend().delete("contract/delete")).isFalse();
    assertThat(backend().delete("contract/never-written")).isFalse();

    assertThat(backend().stat("contract/delete")).isEmpty();
    assertThatThrownBy(() -> backend().open("contract/delete", ByteRange.from(0)))
        .isInstanceOf(BlobNotFoundException.class);
    assertThat(list("")).containsExactly(new BlobStat("contract/keep", 60));
  }

  // ---------------------------------------------------------------- list

  @Test
  void listReturnsExactlyTheBlobsUnderThePrefix() {
    write("a/1", new byte[1]);
    write("a/10", new byte[2]);
    write("a/sub/5", new byte[3]);
    write("ab/3", new byte[4]);
    write("b/4", new byte[5]);

    assertThat(list(""))
        .containsExactlyInAnyOrder(
            new BlobStat("a/1", 1),
            new BlobStat("a/10", 2),
            new BlobStat("a/sub/5", 3),
            new BlobStat("ab/3", 4),
            new BlobStat("b/4", 5));
    assertThat(keysOf(list("a/"))).containsExactlyInAnyOrder("a/1", "a/10", "a/sub/5");
    assertThat(keysOf(list("a"))).containsExactlyInAnyOrder("a/1", "a/10", "a/sub/5", "ab/3");
    assertThat(keysOf(list("a/1"))).containsExactlyInAnyOrder("a/1", "a/10");
    assertThat(keysOf(list("a/sub/"))).containsExactly("a/sub/5");
    assertThat(keysOf(list("a/sub/5"))).containsExactly("a/sub/5");
    assertThat(list("c")).isEmpty();
    assertThat(list("a/sub/5/")).isEmpty();
  }

  @Test
  void listOfAnEmptyBackendIsEmpty() {
    assertThat(list("")).isEmpty();
    assertThat(list("a/")).isEmpty();
  }

  // ---------------------------------------------------------------- failed writes

  @ParameterizedTest(name = "content fails after {0} bytes")
  @ValueSource(ints = {0, 1000, 300_000})
  void aWriteWhoseContentFailsLeavesNothingVisible(int failAfter) {
    FailingStream content = new FailingStream(randomBytes(failAfter, 9));

    Throwable thrown =
        catchThrowable(() -> backend().write("contract/failed", content, OptionalLong.empty()));

    assertThat(thrown).isInstanceOf(StorageException.class);
    assertThat(content.closed).as("content closed by write").isFalse();
    assertThat(backend().stat("contract/failed")).isEmpty();
    assertThatThrownBy(() -> backend().open("contract/failed", ByteRange.from(0)))
        .isInstanceOf(BlobNotFoundException.class);
    assertThat(list("")).isEmpty();

    assertThat(backend().delete("contract/failed")).as("no complete blob existed").isFalse();
    assertThat(list("")).isEmpty();
    byte[] next = randomBytes(2000, 10);
    assertThat(write("contract/after-failure", next)).isEqualTo(2000);
    assertThat(read("contract/after-failure")).isEqualTo(next);
    assertThat(keysOf(list(""))).containsExactly("contract/after-failure");
  }

  @Test
  void aWriteInProgressIsInvisibleUntilItCompletes() throws Exception {
    byte[] content = randomBytes(200_000, 11);
    BlockingStream stream = new BlockingStream(content, 100_000);
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try {
      Future<Long> written =
          writer.submit(() -> backend().write("contract/slow", stream, OptionalLong.empty()));
      assertThat(stream.blocked.await(30, TimeUnit.SECONDS))
          .as("the backend read the first 100000 bytes")
          .isTrue();

      assertThat(backend().stat("contract/slow")).isEmpty();
      assertThatThrownBy(() -> backend().open("contract/slow", ByteRange.from(0)))
          .isInstanceOf(BlobNotFoundException.class);
      assertThat(list("")).isEmpty();

      stream.release.countDown();
      assertThat(written.get(30, TimeUnit.SECONDS)).isEqualTo(content.length);
    } finally {
      stream.release.countDown();
      shutdown(writer);
    }
    assertThat(read("contract/slow")).isEqualTo(content);
    assertThat(list("")).containsExactly(new BlobStat("contract/slow", content.length));
  }

  // ---------------------------------------------------------------- keys

  static Stream<String> invalidKeys() {
    return Stream.of("", "/a", "a/", "a//b", "A", "../x", "a b", "a.b", "a\\b", "x".repeat(201));
  }

  @ParameterizedTest(name = "key \"{0}\"")
  @MethodSource("invalidKeys")
  void invalidKeysAreRejectedByEveryOperation(String key) {
    assertRejectsKey(
        () -> backend().write(key, new ByteArrayInputStream(new byte[] {1}), OptionalLong.of(1)));
    assertRejectsKey(() -> backend().open(key, ByteRange.from(0)));
    assertRejectsKey(() -> backend().stat(key));
    assertRejectsKey(() -> backend().delete(key));

    assertThat(list("")).as("nothing was written").isEmpty();
  }

  // ---------------------------------------------------------------- concurrency

  @Test
  void concurrentWritersEachStoreTheirOwnBlobs() throws Exception {
    int threads = 8;
    int keysPerThread = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < keysPerThread; i++) {
                    byte[] content = contentOf(thread, i);
                    long written =
                        backend()
                            .write(
                                concurrentKey(thread, i),
                                new ByteArrayInputStream(content),
                                OptionalLong.of(content.length));
                    assertThat(written).isEqualTo(content.length);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> future : futures) {
        future.get(120, TimeUnit.SECONDS);
      }
    } finally {
      shutdown(pool);
    }

    Set<String> expectedKeys = new HashSet<>();
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < keysPerThread; i++) {
        String key = concurrentKey(t, i);
        expectedKeys.add(key);
        assertThat(read(key)).as(key).isEqualTo(contentOf(t, i));
      }
    }
    assertThat(keysOf(list(""))).containsExactlyInAnyOrderElementsOf(expectedKeys);
  }

  @Test
  void concurrentWritesDeletesReadsAndListsDoNotInterfere() throws Exception {
    int existing = 100;
    int writers = 4;
    int keysPerWriter = 100;
    for (int i = 0; i < existing; i++) {
      write("old/" + i, smallContentOf("old/" + i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch writersDone = new CountDownLatch(writers);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        futures.add(
            pool.submit(
                () -> {
                  try {
                    start.await();
                    for (int i = 0; i < keysPerWriter; i++) {
                      String key = concurrentKey(writer, i);
                      write(key, smallContentOf(key));
                    }
                  } finally {
                    writersDone.countDown();
                  }
                  return null;
                }));
      }
      for (int d = 0; d < 2; d++) {
        int deleter = d;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  // Deleter 0 deletes old/0, old/4, ...; deleter 1 deletes old/2, old/6, ...
                  for (int i = deleter * 2; i < existing; i += 4) {
                    assertThat(backend().delete("old/" + i)).as("old/" + i).isTrue();
                  }
                  return null;
                }));
      }
      for (int r = 0; r < 2; r++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  // Read and list until the writers are done (at least once).
                  do {
                    for (int i = 1; i < existing; i += 2) {
                      String key = "old/" + i;
                      assertThat(read(key)).as(key).isEqualTo(smallContentOf(key));
                    }
                    assertThat(keysOf(list("")))
                        .as("odd old keys are never deleted")
                        .contains("old/1", "old/51", "old/99");
                  } while (!writersDone.await(0, TimeUnit.SECONDS));
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> future : futures) {
        future.get(120, TimeUnit.SECONDS);
      }
    } finally {
      shutdown(pool);
    }

    Set<String> expected = new HashSet<>();
    for (int i = 1; i < existing; i += 2) {
      expected.add("old/" + i);
    }
    for (int w = 0; w < writers; w++) {
      for (int i = 0; i < keysPerWriter; i++) {
        expected.add(concurrentKey(w, i));
      }
    }
    assertThat(keysOf(list(""))).containsExactlyInAnyOrderElementsOf(expected);
    for (String key : expected) {
      assertThat(read(key)).as(key).isEqualTo(smallContentOf(key));
    }
  }

  private static byte[] smallContentOf(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  private static String concurrentKey(int thread, int index) {
    return "t" + thread + "/k" + index;
  }

  private static byte[] contentOf(int thread, int index) {
    return randomBytes((thread * 50 + index) * 97 % 20_000, thread * 1000L + index);
  }

  // ---------------------------------------------------------------- stream ownership

  @Test
  void writeConsumesButDoesNotCloseTheCallersStream() throws IOException {
    CloseRecordingStream content = new CloseRecordingStream(randomBytes(3000, 12));

    backend().write("contract/owned", content, OptionalLong.of(3000));

    assertThat(content.closed).as("content closed by write").isFalse();
    assertThat(content.read()).as("content read to its end").isEqualTo(-1);
  }

  @Test
  void streamsReturnedByOpenMayBeClosedTwice() throws IOException {
    write("contract/close-twice", randomBytes(100, 13));

    InputStream partlyRead = backend().open("contract/close-twice", ByteRange.from(0));
    assertThat(partlyRead.read()).isNotEqualTo(-1);
    partlyRead.close();
    assertThatCode(partlyRead::close).doesNotThrowAnyException();

    InputStream unread = backend().open("contract/close-twice", ByteRange.of(10, 10));
    unread.close();
    assertThatCode(unread::close).doesNotThrowAnyException();
  }

  // ---------------------------------------------------------------- lifecycle and capabilities

  @Test
  void everyOperationFailsAfterCloseAndCloseIsIdempotent() {
    write("contract/closed", new byte[] {1, 2, 3});
    backend().close();
    assertThatCode(backend()::close).as("second close").doesNotThrowAnyException();

    assertThatThrownBy(
            () ->
                backend()
                    .write(
                        "contract/after-close",
                        new ByteArrayInputStream(new byte[] {1}),
                        OptionalLong.of(1)))
        .isInstanceOf(StorageException.class);
    assertThatThrownBy(() -> backend().open("contract/closed", ByteRange.from(0)))
        .isInstanceOf(StorageException.class)
        .isNotInstanceOf(BlobNotFoundException.class);
    assertThatThrownBy(() -> backend().stat("contract/closed"))
        .isInstanceOf(StorageException.class);
    assertThatThrownBy(() -> backend().delete("contract/closed"))
        .isInstanceOf(StorageException.class);
    assertThatThrownBy(
            () -> {
              try (Stream<BlobStat> all = backend().list("")) {
                all.count();
              }
            })
        .isInstanceOf(StorageException.class);
  }

  @Test
  void persistentBackendsKeepBlobsAcrossAReopen() throws Exception {
    assumeTrue(
        backend().capabilities().contains(Capability.PERSISTENT),
        "backend does not declare Capability.PERSISTENT");
    byte[] content = randomBytes(4096, 14);
    write("contract/persistent", content);
    backend().close();

    BlobBackend reopened =
        reopenBackend()
            .orElseThrow(
                () ->
                    new AssertionError(
                        "a PERSISTENT backend's contract test must override reopenBackend()"));
    backends.add(reopened);

    try (InputStream in = reopened.open("contract/persistent", ByteRange.from(0))) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
    try (Stream<BlobStat> all = reopened.list("")) {
      assertThat(all).containsExactly(new BlobStat("contract/persistent", 4096));
    }
  }

  @Test
  void publicUrlsCapabilityMatchesThePresenceOfASigner() {
    boolean declared = backend().capabilities().contains(Capability.PUBLIC_URLS);

    assertThat(backend().publicUrlSigner().isPresent())
        .as("publicUrlSigner() present iff Capability.PUBLIC_URLS is declared")
        .isEqualTo(declared);
  }

  // ---------------------------------------------------------------- helpers

  /** Writes {@code content} under {@code key} with its length as the hint. */
  protected final long write(String key, byte[] content) {
    return backend().write(key, new ByteArrayInputStream(content), OptionalLong.of(content.length));
  }

  /** All bytes of the blob. */
  protected final byte[] read(String key) {
    return read(key, ByteRange.from(0));
  }

  /** The bytes of {@code range} of the blob; closes the stream. */
  protected final byte[] read(String key, ByteRange range) {
    try (InputStream in = backend().open(key, range)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Everything {@code list(prefix)} returns; closes the stream. */
  protected final List<BlobStat> list(String prefix) {
    try (Stream<BlobStat> stream = backend().list(prefix)) {
      return stream.collect(Collectors.toList());
    }
  }

  private static List<String> keysOf(List<BlobStat> stats) {
    return stats.stream().map(BlobStat::key).collect(Collectors.toList());
  }

  /** Deterministic pseudo-random bytes. */
  protected static byte[] randomBytes(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static byte[] slice(byte[] bytes, int from, int to) {
    return Arrays.copyOfRange(bytes, from, to);
  }

  private static void assertRejectsKey(ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOf(StorageException.class)
        .isNotInstanceOf(BlobNotFoundException.class);
  }

  private static byte[] sha256(InputStream in) throws IOException {
    MessageDigest digest = newSha256();
    byte[] buffer = new byte[8192];
    for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
      digest.update(buffer, 0, n);
    }
    return digest.digest();
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static void shutdown(ExecutorService pool) throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("worker threads ended").isTrue();
  }

  /**
   * {@code length} pseudo-random bytes whose length is not known in advance: {@code available()} is
   * 0 and reads return odd-sized chunks. Computes the SHA-256 of what it produced.
   */
  private static final class GeneratedStream extends InputStream {
    private final Random random;
    private final MessageDigest digest = newSha256();
    private long remaining;

    GeneratedStream(long length, long seed) {
      this.remaining = length;
      this.random = new Random(seed);
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      if (length == 0) {
        return 0;
      }
      if (remaining == 0) {
        return -1;
      }
      int n = (int) Math.min(Math.min(length, 7919), remaining);
      byte[] chunk = new byte[n];
      random.nextBytes(chunk);
      digest.update(chunk);
      System.arraycopy(chunk, 0, buffer, offset, n);
      remaining -= n;
      return n;
    }

    byte[] digest() {
      assertThat(remaining).as("the backend read the whole content").isZero();
      return digest.digest();
    }
  }

  /** Records whether it was closed. */
  private static class CloseRecordingStream extends FilterInputStream {
    volatile boolean closed;

    CloseRecordingStream(byte[] content) {
      super(new ByteArrayInputStream(content));
    }

    @Override
    public void close() throws IOException {
      closed = true;
      super.close();
    }
  }

  /** Yields its bytes, then throws an {@link IOException} instead of reporting the end. */
  private static final class FailingStream extends CloseRecordingStream {
    FailingStream(byte[] before) {
      super(before);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b == -1) {
        throw new IOException("simulated failure of the content stream");
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n == -1) {
        throw new IOException("simulated failure of the content stream");
      }
      return n;
    }
  }

  /** Yields {@code blockAfter} bytes, then blocks until released, then yields the rest. */
  private static final class BlockingStream extends InputStream {
    final CountDownLatch blocked = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private final byte[] content;
    private final int blockAfter;
    private int position;

    BlockingStream(byte[] content, int blockAfter) {
      this.content = content;
      this.blockAfter = blockAfter;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      if (position == blockAfter) {
        blocked.countDown();
        try {
          if (!release.await(60, TimeUnit.SECONDS)) {
            throw new IOException("never released");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while blocked", e);
        }
      }
      if (position == content.length) {
        return -1;
      }
      int limit = position < blockAfter ? blockAfter : content.length;
      int n = Math.min(length, limit - position);
      System.arraycopy(content, position, buffer, offset, n);
      position += n;
      return n;
    }
  }
}
