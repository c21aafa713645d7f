package dev.diskstore.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.ByteRange;
import dev.diskstore.StorageException;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Endpoints that never answer (a {@link BlackHoleServer}: connections accepted, no byte read or
 * sent) and endpoints that refuse connections. With the default timeouts every call fails within
 * one attempt budget times the attempts (about 30 s) instead of minutes, with a retryable {@link
 * StorageException} naming the endpoint, the bucket and the key; a failed write makes no clean-up
 * call on the caller's time. The figures are printed to the test output; the only timing asserted
 * is a generous upper bound (a third of what the same call took before the timeouts existed: 120 s
 * per call, 240 s for a write followed by its clean-up).
 */
class S3UnresponsiveEndpointTest {
  private static final int MIB = 1024 * 1024;

  /** What a call took before: 4 attempts × the SDK's 30 s read timeout. */
  private static final long OLD_SECONDS_PER_CALL = 120;

  /** What a small write took before: the call, then a clean-up call on the caller's time. */
  private static final long OLD_SECONDS_PER_WRITE = 2 * OLD_SECONDS_PER_CALL;

  /**
   * One backend call: what it is, the key or prefix its error must name, the call, and how long it
   * took against a black hole before the timeouts existed (0: it never returned, blocked in a
   * socket write once the buffers were full).
   */
  private record Call(String name, String subject, Callable<?> action, long oldSeconds) {
    Call(String name, String subject, Callable<?> action) {
      this(
          name,
          subject,
          action,
          name.startsWith("write") ? OLD_SECONDS_PER_WRITE : OLD_SECONDS_PER_CALL);
    }

    /** A third of the old time; for calls that never returned, a third of a write's old time. */
    long boundSeconds() {
      return (oldSeconds == 0 ? OLD_SECONDS_PER_WRITE : oldSeconds) / 3;
    }
  }

  private static List<Call> everyCall(S3BlobBackend backend) {
    return List.of(
        new Call(
            "write 1 KiB",
            "w/small",
            () ->
                backend.write(
                    "w/small", new ByteArrayInputStream(new byte[1024]), OptionalLong.of(1024))),
        new Call(
            "write 8 MiB (one PutObject)",
            "w/put",
            () ->
                backend.write(
                    "w/put", new ByteArrayInputStream(new byte[8 * MIB]), OptionalLong.of(8 * MIB)),
            0),
        new Call(
            "write 20 MiB (multipart)",
            "w/multipart",
            () ->
                backend.write(
                    "w/multipart", PositionalBytes.stream(20L * MIB), OptionalLong.empty()),
            OLD_SECONDS_PER_CALL), // CreateMultipartUpload failed; there was nothing to abort
        new Call("stat", "r/stat", () -> backend.stat("r/stat")),
        new Call("open", "r/open", () -> backend.open("r/open", ByteRange.from(0))),
        new Call("open a range", "r/range", () -> backend.open("r/range", ByteRange.of(5, 10))),
        new Call("delete", "d/delete", () -> backend.delete("d/delete")),
        new Call(
            "deleteIncomplete",
            "d/incomplete",
            () -> {
              backend.deleteIncomplete("d/incomplete");
              return null;
            }),
        new Call(
            "list",
            "l/",
            () -> {
              try (Stream<?> s = backend.list("l/")) {
                return s.count();
              }
            }),
        new Call(
            "listIncomplete",
            "l/",
            () -> {
              try (Stream<?> s = backend.listIncomplete("l/")) {
                return s.count();
              }
            }));
  }

  @Test
  void everyCallToABlackHoleFailsWithinTheTimeoutBudgetNamingEndpointAndBucket() throws Exception {
    try (BlackHoleServer hole = new BlackHoleServer();
        S3BlobBackend backend = SharedS3Proxy.builderFor(hole.endpoint(), "hole/").build()) {
      List<Call> calls = everyCall(backend);
      // All calls at once: each waits on its own connections, so the test takes one budget.
      ExecutorService pool =
          Executors.newFixedThreadPool(
              calls.size(),
              r -> {
                Thread t = new Thread(r, "black-hole-call");
                t.setDaemon(true); // without timeouts they would stay blocked for minutes
                return t;
              });
      try {
        Map<Call, Future<Outcome>> running = new LinkedHashMap<>();
        for (Call call : calls) {
          running.put(call, pool.submit(() -> Outcome.of(call.action())));
        }
        for (Map.Entry<Call, Future<Outcome>> entry : running.entrySet()) {
          Call call = entry.getKey();
          Outcome outcome;
          try {
            outcome = entry.getValue().get(call.boundSeconds(), TimeUnit.SECONDS);
          } catch (TimeoutException e) {
            throw new AssertionError(
                call.name() + " against a black hole took more than " + call.boundSeconds() + " s");
          }
          System.out.printf(
              "black hole: %-28s failed after %5.1f s (before: %s): %s%n",
              call.name(),
              outcome.seconds(),
              call.oldSeconds() == 0 ? "never returned" : call.oldSeconds() + " s",
              outcome.message());
          assertFailureNames(call, outcome, hole.endpoint(), "hole/");
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void everyCallToARefusingEndpointFailsAtOnceNamingEndpointAndBucket() throws Exception {
    URI closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
    try (S3BlobBackend backend = SharedS3Proxy.builderFor(closed, "refused/").build()) {
      for (Call call : everyCall(backend)) {
        Outcome outcome = Outcome.of(call.action());
        System.out.printf(
            "refused: %-28s failed after %5.2f s: %s%n",
            call.name(), outcome.seconds(), outcome.message());
        assertFailureNames(call, outcome, closed, "refused/");
        assertThat(outcome.failure()).hasMessageContaining("cannot connect to the S3 endpoint");
      }
    }
  }

  @Test
  void anUploadTheEndpointStopsTakingFailsAfterTheAttemptTimeoutNotItsWholeBudget()
      throws Exception {
    // 8 MiB at the slowest healthy rate may take 128 s more than the attempt timeout; an endpoint
    // that takes no byte for one attempt timeout is given up on long before that.
    try (BlackHoleServer hole = new BlackHoleServer();
        S3BlobBackend backend =
            SharedS3Proxy.builderFor(hole.endpoint(), "stall/")
                .attemptTimeout(Duration.ofSeconds(1))
                .callTimeout(Duration.ofSeconds(2))
                .maxAttempts(1)
                .build()) {
      Outcome outcome =
          Outcome.of(
              () ->
                  backend.write(
                      "w/stalled",
                      new ByteArrayInputStream(new byte[8 * MIB]),
                      OptionalLong.of(8 * MIB)));
      System.out.printf(
          "black hole, 1 s attempts: 8 MiB upload failed after %.1f s: %s%n",
          outcome.seconds(), outcome.message());
      assertThat(outcome.failure())
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("stopped taking the upload")
          .hasMessageContaining(hole.endpoint().toString());
      assertThat(outcome.seconds()).as("seconds, of a budget of 129").isLessThan(30);
    }
  }

  private static void assertFailureNames(Call call, Outcome outcome, URI endpoint, String prefix) {
    assertThat(outcome.failure()).as(call.name()).isInstanceOf(StorageException.class);
    StorageException failure = (StorageException) outcome.failure();
    assertThat(failure.isRetryable())
        .as("%s retryable: %s", call.name(), failure.getMessage())
        .isTrue();
    assertThat(failure.getMessage())
        .as(call.name())
        .contains(endpoint.toString())
        .contains("s3://" + SharedS3Proxy.BUCKET + "/" + prefix)
        .contains("\"" + call.subject() + "\"");
  }

  /** How a call ended and how long it took. */
  private record Outcome(double seconds, @Nullable Throwable failure) {
    static Outcome of(Callable<?> call) {
      long start = System.nanoTime();
      Throwable failure = null;
      try {
        call.call();
      } catch (Throwable t) {
        failure = t;
      }
      return new Outcome((System.nanoTime() - start) / 1e9, failure);
    }

    String message() {
      return failure == null ? "(no failure)" : failure.getMessage();
    }
  }

  /**
   * A store whose backend turns into a black hole: opening does not wait for it (the marker check
   * waits 3 s, garbage collection runs in the background), and a failed upsert costs the caller
   * one call budget: its clean-up runs on the store's background thread.
   */
  @Test
  void aStoreOnABlackHoleOpensAndAFailedUpsertCostsOneCallBudget(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    SharedS3Proxy proxy = new SharedS3Proxy("transient");
    proxy.start();
    try {
      blackHoleAfterOpen(dir, proxy);
    } finally {
      proxy.stop();
    }
  }

  private static void blackHoleAfterOpen(java.nio.file.Path dir, SharedS3Proxy proxy)
      throws Exception {
    String prefix = proxy.newPrefix();
    String disk;
    try (dev.diskstore.DiskStore store = dev.diskstore.DiskStore.open(
        dev.diskstore.DiskStoreConfig.builder().directory(dir).backend(proxy.backend(prefix).build())
            .build())) {
      disk = store.disks().create().id();
      store.disks().artifacts().upsert(disk, dev.diskstore.FileUpload.ofText("a.txt", "a"), "/");
    }
    Duration callTimeout = Duration.ofSeconds(4);
    try (BlackHoleServer hole = new BlackHoleServer()) {
      S3BlobBackend backend =
          SharedS3Proxy.builderFor(hole.endpoint(), prefix)
              .attemptTimeout(Duration.ofSeconds(2)).callTimeout(callTimeout).build();
      long t0 = System.nanoTime();
      try (dev.diskstore.DiskStore store = dev.diskstore.DiskStore.open(
          dev.diskstore.DiskStoreConfig.builder().directory(dir).backend(backend).build())) {
        long openMillis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(store.disks().artifacts().list(disk, "/").artifacts()).hasSize(1);
        long t1 = System.nanoTime();
        StorageException failed = org.assertj.core.api.Assertions.catchThrowableOfType(
            StorageException.class,
            () -> store.disks().artifacts().upsert(
                disk, dev.diskstore.FileUpload.of("b.bin", new byte[1024]), "/"));
        long upsertMillis = (System.nanoTime() - t1) / 1_000_000;
        System.out.println("store on a black hole: open " + openMillis + " ms, failed 1 KiB upsert "
            + upsertMillis + " ms (call timeout " + callTimeout.toMillis() + " ms)");
        assertThat(failed).isNotNull();
        assertThat(failed.isRetryable()).isTrue();
        assertThat(failed.getMessage()).contains(hole.endpoint().toString().replaceAll("/$", ""));
        assertThat(openMillis).as("open").isLessThan(3_000 + callTimeout.toMillis());
        // before: the failed PUT, then its clean-up's calls, on the caller's time
        assertThat(upsertMillis).as("upsert").isLessThan(callTimeout.toMillis() * 7 / 4);
      }
    }
  }
}
