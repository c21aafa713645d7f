package dev.diskstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.diskstore.ByteRange;
import dev.diskstore.StorageException;
import dev.diskstore.memory.InMemoryBlobBackend;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.BlobStat;
import dev.diskstore.testkit.FaultInjectingBlobBackend.Fault;
import dev.diskstore.testkit.FaultInjectingBlobBackend.Operation;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FaultInjectingBlobBackendTest {
  private static final byte[] CONTENT = bytes(1000);

  private InMemoryBlobBackend memory = new InMemoryBlobBackend();
  private FaultInjectingBlobBackend faulty = FaultInjectingBlobBackend.of(memory);

  @BeforeEach
  void setUp() {
    memory = new InMemoryBlobBackend();
    faulty = FaultInjectingBlobBackend.of(memory);
  }

  @AfterEach
  void tearDown() {
    memory.assertNoOpenStreams();
    faulty.close();
  }

  /** With nothing armed the decorator is a faithful backend. */
  @Nested
  class WithNoFaultArmed extends BlobBackendContract {
    private InMemoryBlobBackend nestedMemory = new InMemoryBlobBackend();

    @Override
    protected BlobBackend createBackend() {
      nestedMemory = new InMemoryBlobBackend();
      return FaultInjectingBlobBackend.of(nestedMemory);
    }

    @AfterEach
    void noStreamLeaked() {
      nestedMemory.assertNoOpenStreams();
    }
  }

  @Test
  void writeFailsBeforeStartReadsNothingAndLeavesTheDelegateUntouched() {
    ByteArrayInputStream content = new ByteArrayInputStream(CONTENT);
    faulty.failNext(Fault.WRITE_FAILS_BEFORE_START);

    Throwable thrown = catchThrowable(() -> faulty.write("k/1", content, OptionalLong.empty()));

    assertInjected(thrown, Fault.WRITE_FAILS_BEFORE_START);
    assertThat(content.available()).as("unread content bytes").isEqualTo(CONTENT.length);
    assertThat(memory.size()).isZero();
    assertThat(faulty.count(Fault.WRITE_FAILS_BEFORE_START)).isEqualTo(1);

    assertThat(faulty.write("k/2", new ByteArrayInputStream(CONTENT), OptionalLong.empty()))
        .as("one-shot: the next write succeeds")
        .isEqualTo(CONTENT.length);
    assertThat(memory.stat("k/2")).contains(new BlobStat("k/2", CONTENT.length));
  }

  @Test
  void writeFailsMidwayAfterPassingTheConfiguredBytesAndTheDelegateKeepsNothing() {
    ByteArrayInputStream content = new ByteArrayInputStream(CONTENT);
    faulty.failAfterBytes(100).failNext(Fault.WRITE_FAILS_MIDWAY);

    Throwable thrown = catchThrowable(() -> faulty.write("k/1", content, OptionalLong.empty()));

    assertInjected(thrown, Fault.WRITE_FAILS_MIDWAY);
    assertThat(thrown.getCause())
        .as("the delegate's own failure")
        .isInstanceOf(StorageException.class)
        .isNotSameAs(thrown);
    assertThat(content.available()).as("bytes left unread").isEqualTo(CONTENT.length - 100);
    assertThat(memory.stat("k/1")).isEmpty();
    assertThat(memory.size()).isZero();
    assertThat(faulty.count(Fault.WRITE_FAILS_MIDWAY)).isEqualTo(1);
  }

  @Test
  void writeFailsMidwayEvenWhenTheContentIsShorterThanTheLimit() {
    faulty.failAfterBytes(5000).failNext(Fault.WRITE_FAILS_MIDWAY);

    Throwable thrown =
        catchThrowable(
            () -> faulty.write("k/1", new ByteArrayInputStream(CONTENT), OptionalLong.empty()));

    assertInjected(thrown, Fault.WRITE_FAILS_MIDWAY);
    assertThat(memory.size()).isZero();
  }

  @Test
  void writeFailsAfterCompleteLeavesTheWholeBlobInTheDelegate() throws IOException {
    faulty.failNext(Fault.WRITE_FAILS_AFTER_COMPLETE);

    Throwable thrown =
        catchThrowable(
            () -> faulty.write("k/1", new ByteArrayInputStream(CONTENT), OptionalLong.empty()));

    assertInjected(thrown, Fault.WRITE_FAILS_AFTER_COMPLETE);
    try (InputStream in = memory.open("k/1", ByteRange.from(0))) {
      assertThat(in.readAllBytes()).isEqualTo(CONTENT);
    }
  }

  @Test
  void onlyTheFirstArmedWriteFaultFiresPerCall() {
    faulty.failNext(Fault.WRITE_FAILS_AFTER_COMPLETE).failNext(Fault.WRITE_FAILS_BEFORE_START);

    Throwable first =
        catchThrowable(
            () -> faulty.write("k/1", new ByteArrayInputStream(CONTENT), OptionalLong.empty()));
    Throwable second =
        catchThrowable(
            () -> faulty.write("k/2", new ByteArrayInputStream(CONTENT), OptionalLong.empty()));

    assertInjected(first, Fault.WRITE_FAILS_BEFORE_START);
    assertInjected(second, Fault.WRITE_FAILS_AFTER_COMPLETE);
    assertThat(memory.stat("k/1")).isEmpty();
    assertThat(memory.stat("k/2")).isPresent();
  }

  @Test
  void openFailsWithoutOpeningADelegateStream() {
    write("k/1");
    faulty.failNext(Fault.OPEN_FAILS);

    Throwable thrown = catchThrowable(() -> faulty.open("k/1", ByteRange.from(0)));

    assertInjected(thrown, Fault.OPEN_FAILS);
    assertThat(memory.openStreams()).isZero();
    assertThat(faulty.count(Fault.OPEN_FAILS)).isEqualTo(1);
  }

  @Test
  void readFailsMidwayAfterReturningTheConfiguredBytes() throws IOException {
    write("k/1");
    faulty.failAfterBytes(10).failNext(Fault.READ_FAILS_MIDWAY);

    try (InputStream in = faulty.open("k/1", ByteRange.from(0))) {
      assertThat(faulty.count(Fault.READ_FAILS_MIDWAY)).as("counted when a read fails").isZero();
      assertThat(in.readNBytes(10)).isEqualTo(Arrays.copyOf(CONTENT, 10));

      assertThatThrownBy(in::read)
          .isInstanceOf(IOException.class)
          .hasMessage("injected fault: READ_FAILS_MIDWAY");
      assertThatThrownBy(() -> in.read(new byte[10]))
          .as("keeps failing")
          .isInstanceOf(IOException.class);
      assertThatThrownBy(() -> in.skip(1)).isInstanceOf(IOException.class);
    }
    assertThat(faulty.count(Fault.READ_FAILS_MIDWAY)).as("once per stream").isEqualTo(1);
    assertThat(memory.openStreams()).as("closing closed the delegate's stream").isZero();

    try (InputStream in = faulty.open("k/1", ByteRange.from(0))) {
      assertThat(in.readAllBytes()).as("one-shot: the next stream is intact").isEqualTo(CONTENT);
    }
  }

  @Test
  void readFailsMidwayInsteadOfReportingTheEndOfAShortRange() throws IOException {
    write("k/1");
    faulty.failAfterBytes(10).failNext(Fault.READ_FAILS_MIDWAY);

    try (InputStream in = faulty.open("k/1", ByteRange.of(0, 4))) {
      assertThat(in.readNBytes(4)).isEqualTo(Arrays.copyOf(CONTENT, 4));
      assertThatThrownBy(in::read).isInstanceOf(IOException.class);
    }
  }

  @Test
  void deleteFailsAndTheBlobRemains() {
    write("k/1");
    faulty.failNext(Fault.DELETE_FAILS);

    assertInjected(catchThrowable(() -> faulty.delete("k/1")), Fault.DELETE_FAILS);
    assertThat(memory.stat("k/1")).isPresent();
    assertThat(faulty.delete("k/1")).isTrue();
  }

  @Test
  void listAndStatFail() {
    write("k/1");
    faulty.failNext(Fault.LIST_FAILS).failNext(Fault.STAT_FAILS);

    assertInjected(catchThrowable(() -> faulty.list("")), Fault.LIST_FAILS);
    assertInjected(catchThrowable(() -> faulty.stat("k/1")), Fault.STAT_FAILS);

    try (Stream<BlobStat> all = faulty.list("")) {
      assertThat(all).containsExactly(new BlobStat("k/1", CONTENT.length));
    }
    assertThat(faulty.stat("k/1")).isPresent();
    assertThat(faulty.count(Fault.LIST_FAILS)).isEqualTo(1);
    assertThat(faulty.count(Fault.STAT_FAILS)).isEqualTo(1);
  }

  @Test
  void failAlwaysFailsUntilCleared() {
    write("k/1");
    faulty.failAlways(Fault.STAT_FAILS);

    for (int i = 0; i < 3; i++) {
      assertInjected(catchThrowable(() -> faulty.stat("k/1")), Fault.STAT_FAILS);
    }
    faulty.clear();

    assertThat(faulty.stat("k/1")).isPresent();
    assertThat(faulty.count(Fault.STAT_FAILS)).as("clear keeps counters").isEqualTo(3);
  }

  @Test
  void failNextIsCumulative() {
    write("k/1");
    faulty.failNext(Fault.STAT_FAILS).failNext(Fault.STAT_FAILS);

    assertInjected(catchThrowable(() -> faulty.stat("k/1")), Fault.STAT_FAILS);
    assertInjected(catchThrowable(() -> faulty.stat("k/1")), Fault.STAT_FAILS);
    assertThat(faulty.stat("k/1")).isPresent();
  }

  @Test
  void clearDisarmsOneShotFaults() {
    write("k/1");
    faulty.failNext(Fault.OPEN_FAILS);
    faulty.clear();

    assertThat(read("k/1")).isEqualTo(CONTENT);
    assertThat(faulty.count(Fault.OPEN_FAILS)).isZero();
  }

  @Test
  void callsAreCountedPerOperationIncludingFailedOnes() {
    faulty.failNext(Fault.STAT_FAILS);
    faulty.write("k/1", new ByteArrayInputStream(CONTENT), OptionalLong.empty());
    catchThrowable(() -> faulty.stat("k/1"));
    faulty.stat("k/1");
    read("k/1");
    faulty.delete("k/1");
    faulty.list("").close();

    assertThat(faulty.calls(Operation.WRITE)).isEqualTo(1);
    assertThat(faulty.calls(Operation.STAT)).isEqualTo(2);
    assertThat(faulty.calls(Operation.OPEN)).isEqualTo(1);
    assertThat(faulty.calls(Operation.DELETE)).isEqualTo(1);
    assertThat(faulty.calls(Operation.LIST)).isEqualTo(1);

    faulty.resetCounters();
    assertThat(faulty.calls(Operation.STAT)).isZero();
    assertThat(faulty.count(Fault.STAT_FAILS)).isZero();
  }

  @Test
  void aOneShotFaultFiresExactlyOnceUnderConcurrentCalls() throws Exception {
    write("k/1");
    faulty.failNext(Fault.STAT_FAILS);
    int threads = 8;
    int callsPerThread = 200;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> failures = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        failures.add(
            pool.submit(
                () -> {
                  start.await();
                  int failed = 0;
                  for (int i = 0; i < callsPerThread; i++) {
                    try {
                      faulty.stat("k/1");
                    } catch (StorageException e) {
                      failed++;
                    }
                  }
                  return failed;
                }));
      }
      start.countDown();
      int total = 0;
      for (Future<Integer> f : failures) {
        total += f.get(60, TimeUnit.SECONDS);
      }
      assertThat(total).isEqualTo(1);
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(faulty.calls(Operation.STAT)).isEqualTo((long) threads * callsPerThread);
    assertThat(faulty.count(Fault.STAT_FAILS)).isEqualTo(1);
  }

  @Test
  void closingClosesTheDelegate() {
    faulty.close();

    assertThatThrownBy(() -> memory.stat("k/1")).isInstanceOf(StorageException.class);
  }

  @Test
  void aNegativeByteLimitIsRejected() {
    assertThatThrownBy(() -> faulty.failAfterBytes(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyFaultIsCoveredByThisTest() {
    // Guards against a new Fault constant slipping in without a test above.
    assertThat(Stream.of(Fault.values()).map(Enum::name).collect(Collectors.toList()))
        .containsExactly(
            "WRITE_FAILS_BEFORE_START",
            "WRITE_FAILS_MIDWAY",
            "WRITE_FAILS_AFTER_COMPLETE",
            "OPEN_FAILS",
            "READ_FAILS_MIDWAY",
            "DELETE_FAILS",
            "LIST_FAILS",
            "STAT_FAILS");
  }

  private static void assertInjected(Throwable thrown, Fault fault) {
    assertThat(thrown).isInstanceOf(StorageException.class).hasMessage("injected fault: " + fault);
    assertThat(((StorageException) thrown).isRetryable()).as("retryable").isTrue();
  }

  /** Writes {@link #CONTENT} straight into the delegate (not counted by the decorator). */
  private void write(String key) {
    memory.write(key, new ByteArrayInputStream(CONTENT), OptionalLong.of(CONTENT.length));
  }

  private byte[] read(String key) {
    try (InputStream in = faulty.open(key, ByteRange.from(0))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] bytes(int length) {
    byte[] bytes = new byte[length];
    new Random(1).nextBytes(bytes);
    return bytes;
  }
}
