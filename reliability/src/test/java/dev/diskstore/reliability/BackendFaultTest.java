package dev.diskstore.reliability;

import dev.diskstore.testkit.PseudoRandomInputStream;
import dev.diskstore.testkit.CanonicalJson;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactResult;
import dev.diskstore.ByteRange;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.History;
import dev.diskstore.DiskStoreException;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import dev.diskstore.GrepResult;
import dev.diskstore.Precondition;
import dev.diskstore.VerifyReport;
import dev.diskstore.local.LocalBlobBackend;
import dev.diskstore.reliability.ScriptedFaultBackend.Call;
import dev.diskstore.reliability.ScriptedFaultBackend.Mode;
import dev.diskstore.spi.BlobKeys;
import dev.diskstore.spi.BlobStat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection at every distinct point of the backend calls of each store operation.
 *
 * <p>For each scenario (upserts of several kinds, reads, ranged reads, downloads through the URL
 * server, deletes, moves, disk deletion, garbage collection, verification, grep, ping, and opening
 * a store that collects garbage) a reference run on a fresh store records the sequence of backend
 * calls the operation makes. Then, for every call of that sequence and every fault mode that
 * applies to it (fail before, fail after completing = lost acknowledgement, hang until a timeout,
 * fail mid-transfer, stall mid-transfer then fail), a fresh store runs the operation with that one
 * fault armed. Each run must:
 *
 * <ul>
 *   <li>end within the hang time plus a margin, with the operation's normal result or a typed
 *       {@link DiskStoreException} (an {@link IOException} only from {@code InputStream.read} of a
 *       stream the caller opened); a returned result must be correct (right bytes, right content);
 *   <li>leave the disk exactly as before (etags included) when the operation failed, and as the
 *       reference run left it when it returned;
 *   <li>once the fault is gone: one garbage collection makes {@code verify(deep)} clean, the
 *       backend holds exactly one object per distinct live content, and no stream is left open.
 * </ul>
 *
 * <p>A separate test hangs a backend call for seconds and checks that the rest of the store keeps
 * working meanwhile (the hang holds no index lock).
 */
class BackendFaultTest {
  private static final Duration HANG = Duration.ofMillis(300);
  private static final byte[] BIG = PseudoRandomInputStream.bytes(42, 300_000);
  private static Figures figures;

  @TempDir Path tmp;

  /** A store over a scripted backend, with a prepared disk. */
  static final class Ctx {
    final Path dir;
    ScriptedFaultBackend backend;
    DiskStore store;
    String disk;
    String probeDisk;

    Ctx(Path dir) {
      this.dir = dir;
      open(-1, null);
      // settle what opening starts in the background (the store-marker check, a garbage
      // collection): its backend calls must not land among an operation's counted calls
      store.maintenance().collectGarbage();
      disk = store.disks().create().id();
      probeDisk = store.disks().create().id();
      var a = store.disks().artifacts();
      a.upsert(disk, FileUpload.of("a.txt", "old a\nline two\n".getBytes(UTF_8)), "/d", Map.of("v", 1));
      a.upsert(disk, FileUpload.of("b.txt", "shared bytes\n".getBytes(UTF_8)), "/d", Map.of("v", 2));
      a.upsert(disk, FileUpload.of("c.txt", "shared bytes\n".getBytes(UTF_8)), "/e", Map.of("v", 3));
      a.upsert(disk, FileUpload.of("big.bin", BIG), "/e");
      // Apply the full-text queue now (a query catches it up): the background indexer must not
      // make backend calls of its own while an operation's calls are counted and faulted.
      store.search().fullText(disk, "old", 1);
    }

    /** Opens the store, arming {@code mode} at call {@code index} before the open (-1: none). */
    void open(int index, Mode mode) {
      backend = new ScriptedFaultBackend(LocalBlobBackend.at(dir.resolve("blobs"))).hangFor(HANG);
      if (index >= 0) {
        backend.arm(index, mode);
      }
      // History off: this suite counts one object per live content after each operation (the
      // history's objects are checked by the crash suites' CrashChecker)
      store = DiskStore.open(DiskStoreConfig.builder().directory(dir).backend(backend)
          .history(History.off()).build());
    }

    /**
     * Leaves the object of a write whose writer (another instance of this store) died before its
     * commit, an unreferenced blob and nothing else to collect.
     */
    void leaveGarbage() {
      String deadWriter;
      try (java.util.stream.Stream<Path> before = java.nio.file.Files.list(dir.resolve("owners"))) {
        java.util.Set<Path> old = before.collect(Collectors.toSet());
        try (DiskStore other = DiskStore.open(DiskStoreConfig.builder().directory(dir)
            .backend(LocalBlobBackend.at(dir.resolve("blobs"))).collectGarbageOnOpen(false)
            .history(History.off()).build());
            java.util.stream.Stream<Path> after = java.nio.file.Files.list(dir.resolve("owners"))) {
          String file = after.filter(f -> !old.contains(f)).findFirst().orElseThrow()
              .getFileName().toString();
          deadWriter = file.substring(0, file.length() - ".lock".length());
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      try (LocalBlobBackend raw = LocalBlobBackend.at(dir.resolve("blobs"))) {
        raw.write("ff/" + deadWriter + "-ffffffffffffffff",
            new ByteArrayInputStream(new byte[] {1, 2, 3}), OptionalLong.of(3));
      }
      backend.failDeletes(true);
      store.disks().artifacts().upsert(disk, FileUpload.ofText("a.txt", "replaced a\n"), "/d");
      store.disks().artifacts().upsert(disk, FileUpload.ofText("a.txt", "old a\nline two\n"), "/d");
      backend.failDeletes(false);
    }

    /** Path → sha256, meta and etag of every artifact of the disk; "gone" if the disk is. */
    Map<String, String> snapshot(boolean withEtags) {
      if (store.disks().find(disk).isEmpty()) {
        return Map.of("disk", "gone");
      }
      Map<String, String> out = new TreeMap<>();
      for (Artifact a : store.search().glob(disk, "**", 1000)) {
        out.put(a.path() + a.filename(), a.sha256() + " " + CanonicalJson.write(a.userMeta())
            + (withEtags ? " " + a.etag() : ""));
      }
      return out;
    }

    /** Distinct live contents in every disk of the store. */
    long distinctContents() {
      return store.disks().list(200, null, false, null).items().stream()
          .flatMap(d -> store.search().glob(d.id(), "**", 1000).stream())
          .map(Artifact::sha256)
          .distinct()
          .count();
    }
  }

  /** One store operation under test. */
  record Scenario(String name, boolean garbage, boolean reopen, Action action) {
    @Override
    public String toString() {
      return name;
    }
  }

  @FunctionalInterface
  interface Action {
    void run(Ctx ctx) throws Exception;
  }

  static List<Scenario> scenarios() {
    return List.of(
        new Scenario("upsert replacing a file", false, false, c ->
            c.store.disks().artifacts().upsert(c.disk, FileUpload.ofText("a.txt", "new a\n"), "/d",
                Map.of("v", 9))),
        new Scenario("upsert of a new file from a stream of unknown length", false, false, c ->
            c.store.disks().artifacts().upsert(c.disk,
                FileUpload.of("n.bin", new ByteArrayInputStream(BIG, 0, 200_000)), "/d")),
        new Scenario("upsert of bytes another file has (dedup)", false, false, c ->
            c.store.disks().artifacts().upsert(c.disk,
                FileUpload.ofText("x.txt", "shared bytes\n"), "/d", Map.of("x", true))),
        new Scenario("upsert of the bytes the file already has", false, false, c ->
            c.store.disks().artifacts().upsert(c.disk,
                FileUpload.ofText("a.txt", "old a\nline two\n"), "/d")),
        new Scenario("conditional upsert (ifMatch)", false, false, c -> {
          String etag = c.store.disks().artifacts().get(c.disk, "/d", "b.txt").artifact().etag();
          c.store.disks().artifacts().upsert(c.disk, FileUpload.ofText("b.txt", "cas\n"), "/d",
              null, Precondition.ifMatch(etag));
        }),
        new Scenario("get withContent", false, false, c -> {
          ArtifactResult r = c.store.disks().artifacts().get(c.disk, "/d", "a.txt",
              GetOptions.builder().withContent(true).build());
          assertThat(r.content()).as("content of a successful get").isPresent();
          assertThat(r.content().get().raw()).isEqualTo("old a\nline two\n");
        }),
        new Scenario("open and read to the end", false, false, c -> {
          try (InputStream in = c.store.disks().artifacts().open(c.disk, "/e", "big.bin")) {
            assertThat(in.readAllBytes()).as("bytes of a successful read").isEqualTo(BIG);
          }
        }),
        new Scenario("ranged open and read", false, false, c -> {
          try (InputStream in =
              c.store.disks().artifacts().open(c.disk, "/e", "big.bin", ByteRange.of(1000, 5000))) {
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(BIG, 1000, 6000));
          }
        }),
        new Scenario("download through the URL server", false, false, c -> {
          URI url = c.store.disks().artifacts().get(c.disk, "/e", "big.bin",
              GetOptions.builder().withPublicUrl(true).build()).publicUrl().orElseThrow();
          HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
          HttpResponse<byte[]> response;
          try {
            response = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
          } catch (IOException e) {
            // a cut connection or a body shorter than Content-Length: the client knows it failed
            throw new DownloadFailed(e.toString());
          }
          if (response.statusCode() != 200) {
            assertThat(response.statusCode()).as("a failed download").isEqualTo(500);
            throw new DownloadFailed("HTTP " + response.statusCode());
          }
          assertThat(response.body()).as("a 200 download has the right bytes").isEqualTo(BIG);
        }),
        new Scenario("delete", false, false, c ->
            c.store.disks().artifacts().delete(c.disk, "/d", "a.txt")),
        new Scenario("move over an existing file", false, false, c ->
            c.store.disks().artifacts().move(c.disk, "/e", "big.bin", "/d", "a.txt",
                Precondition.none(), true)),
        new Scenario("disk delete", false, false, c -> c.store.disks().delete(c.disk)),
        new Scenario("collectGarbage", true, false, c -> c.store.maintenance().collectGarbage()),
        new Scenario("verify(deep)", false, false, c ->
            assertThat(c.store.maintenance().verify(true).problems()).isEmpty()),
        new Scenario("grep", false, false, c -> {
          GrepResult r = c.store.search().grep(c.disk, "old a");
          assertThat(r.files()).hasSize(1);
        }),
        new Scenario("ping", false, false, c -> c.store.ping()),
        new Scenario("open a store with garbage (collects on open)", true, true, c -> {
          // the collection opening started runs in the background: wait for it (a maintenance
          // call does), so that the calls counted are always the same
          c.store.maintenance().collectGarbage();
          c.store.disks().artifacts().get(c.disk, "/d", "a.txt");
        }));
  }

  /** A download that failed visibly (an error status or a cut connection). */
  static final class DownloadFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DownloadFailed(String message) {
      super(message);
    }
  }

  @TestFactory
  Stream<DynamicTest> everyFaultPointOfEveryOperation() {
    return scenarios().stream().map(s -> DynamicTest.dynamicTest(s.name(), () -> sweep(s)));
  }

  private void sweep(Scenario scenario) throws Exception {
    // Reference run: which calls does the operation make, and what does it leave?
    Path refDir = Files.createTempDirectory(tmp, "ref");
    Ctx ref = new Ctx(refDir);
    if (scenario.garbage()) {
      ref.leaveGarbage();
    }
    int start = ref.backend.calls().size();
    if (scenario.reopen()) {
      ref.store.close();
      ref.open(-1, null);
      start = 0;
    }
    scenario.action().run(ref);
    List<Call> calls = ref.backend.calls().subList(start, ref.backend.calls().size());
    Map<String, String> expectedAfter = ref.snapshot(false);
    ref.store.close();
    System.out.println(scenario.name() + ": backend calls " + calls);

    int runs = 0;
    int failures = 0;
    for (int i = 0; i < calls.size(); i++) {
      for (Mode mode : Mode.values()) {
        if (!mode.appliesTo(calls.get(i))) {
          continue;
        }
        boolean failed = runWithFault(scenario, calls.size(), i, calls.get(i), mode, expectedAfter);
        runs++;
        if (failed) {
          failures++;
        }
      }
    }
    figures.add("scenarios", 1).add("faultPoints", calls.size()).add("faultRuns", runs)
        .add("runsEndingInTypedFailure", failures).add("runsSucceedingDespiteFault", runs - failures);
  }

  /** Runs the scenario with one fault; returns whether the operation failed. */
  private boolean runWithFault(
      Scenario scenario, int callCount, int index, Call call, Mode mode,
      Map<String, String> expectedAfter) throws Exception {
    String what = scenario.name() + ", " + mode + " at call " + index + " (" + call + ")";
    Ctx ctx = new Ctx(Files.createTempDirectory(tmp, "run"));
    if (scenario.garbage()) {
      ctx.leaveGarbage();
    }
    Map<String, String> before = ctx.snapshot(true);
    Throwable failure = null;
    ExecutorService runner = Executors.newSingleThreadExecutor();
    try {
      if (scenario.reopen()) {
        ctx.store.close();
        ctx.open(index, mode);
      } else {
        ctx.backend.arm(ctx.backend.calls().size() + index, mode);
      }
      Future<?> done = runner.submit(() -> {
        scenario.action().run(ctx);
        return null;
      });
      try {
        done.get(HANG.toMillis() * 4 + 20_000, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        failure = e.getCause();
      } catch (TimeoutException e) {
        fail("%s: the operation did not end within %s + 20 s", what, HANG.multipliedBy(4));
      }
    } finally {
      runner.shutdownNow();
    }
    assertThat(ctx.backend.fired()).as("%s: the fault struck", what).isTrue();
    ctx.backend.disarm();
    if (failure != null) {
      boolean typed =
          failure instanceof DiskStoreException
              || failure instanceof DownloadFailed
              || (failure instanceof IOException || failure instanceof UncheckedIOException)
                  && scenario.name().contains("read");
      if (!typed) {
        throw new AssertionError(what + ": untyped failure " + failure, failure);
      }
      assertThat(ctx.snapshot(true)).as("%s: failed, so nothing changed", what).isEqualTo(before);
    } else {
      assertThat(ctx.snapshot(false)).as("%s: succeeded, so as in the reference run", what)
          .isEqualTo(expectedAfter);
    }
    ctx.store.maintenance().collectGarbage();
    VerifyReport report = ctx.store.maintenance().verify(true);
    assertThat(report.problems()).as("%s: verify after one collection", what).isEmpty();
    long objects;
    try (Stream<BlobStat> listed = ctx.backend.list("")) {
      objects = listed.filter(b -> !b.key().equals(BlobKeys.STORE_MARKER)).count();
    }
    assertThat(objects).as("%s: one object per distinct live content", what)
        .isEqualTo(ctx.distinctContents());
    // a full-text query waits for a text-index batch in progress (it may be reading a blob)
    ctx.store.search().fullText(ctx.probeDisk, "probe", 1);
    assertThat(ctx.backend.openStreams()).as("%s: streams left open", what).isZero();
    ctx.store.close();
    return failure != null;
  }

  /**
   * While one call hangs, the rest of the store keeps working: other upserts, reads and listings
   * complete long before the hang ends, for a hang in a write, a read, a listing (during garbage
   * collection) and a delete (after a commit).
   */
  @Test
  void aHangingCallBlocksOnlyItsOwnOperation() throws Exception {
    Duration hang = Duration.ofSeconds(2);
    List<String> probes = new ArrayList<>();
    for (Scenario scenario : List.of(scenarios().get(0), scenarios().get(6), scenarios().get(12),
        scenarios().get(9))) {
      Ctx ctx = new Ctx(Files.createTempDirectory(tmp, "hang"));
      if (scenario.garbage()) {
        ctx.leaveGarbage();
      }
      ctx.backend.hangFor(hang);
      ctx.backend.arm(ctx.backend.calls().size(), Mode.HANG);
      ExecutorService runner = Executors.newSingleThreadExecutor();
      try {
        Future<?> done = runner.submit(() -> {
          scenario.action().run(ctx);
          return null;
        });
        assertThat(ctx.backend.hanging().await(10, TimeUnit.SECONDS))
            .as("%s: the first call hangs", scenario).isTrue();
        long t0 = System.nanoTime();
        var a = ctx.store.disks().artifacts();
        for (int i = 0; i < 5; i++) {
          Artifact probe = a.upsert(ctx.probeDisk, FileUpload.ofText("p" + i + ".txt", "probe " + i),
              "/probe", Map.of("i", i));
          assertThat(a.get(ctx.probeDisk, "/probe", "p" + i + ".txt").artifact().etag())
              .isEqualTo(probe.etag());
        }
        assertThat(a.list(ctx.probeDisk, "/probe").artifacts()).hasSize(5);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        probes.add(scenario.name() + "=" + millis + "ms");
        assertThat(millis)
            .as("%s: other operations while a backend call hangs for %s", scenario, hang)
            .isLessThan(hang.toMillis() / 2);
        try {
          done.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(DiskStoreException.class);
        }
      } finally {
        runner.shutdownNow();
      }
      ctx.backend.disarm();
      ctx.store.maintenance().collectGarbage();
      assertThat(ctx.store.maintenance().verify(true).problems()).isEmpty();
      ctx.store.close();
    }
    figures.put("hangProbes", probes.stream().collect(Collectors.joining(",")).replace(' ', '_'));
  }

  @BeforeAll
  static void start() {
    figures = Figures.of("faults-backend");
  }

  @AfterAll
  static void report() {
    figures.report();
  }
}
