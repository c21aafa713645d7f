package dev.diskstore.reliability;

import dev.diskstore.testkit.PseudoRandomInputStream;
import dev.diskstore.testkit.CanonicalJson;
import dev.diskstore.testkit.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactListing;
import dev.diskstore.ArtifactResult;
import dev.diskstore.ArtifactVersion;
import dev.diskstore.ArtifactVersionPage;
import dev.diskstore.ByteRange;
import dev.diskstore.DiskStore;
import dev.diskstore.GcReport;
import dev.diskstore.GetOptions;
import dev.diskstore.History;
import dev.diskstore.VerifyReport;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.BlobKeys;
import dev.diskstore.spi.BlobStat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The parent side of the crash suites: reads the logs a killed {@link CrashWorker} left, and checks
 * a reopened store against them. The model carries each path's state (bytes by SHA-256, canonical
 * user metadata, etag) from round to round.
 *
 * <p>Rules, per path (each path has one writer thread, so its log is in real order): after an
 * {@code ACK} the path holds exactly the logged result with the acknowledged etag; after a {@code
 * FAIL} it holds what it held before the operation; an operation in flight at the kill (a {@code
 * BEGIN} without an outcome) left either the state before it (same etag) or its complete result
 * (with a new etag), never anything else.
 *
 * <p>History (the stores run with {@link History#DEFAULT}): every change a path went through, in
 * order — each acknowledged operation, and an in-flight one found applied — is a version. After a
 * crash the path's versions are numbered 0.. with no gap, the newest is the number of changes less
 * one, the last {@code min(changes, keepLast)} of them are listed newest first exactly as the
 * changes left the path (etag, bytes, metadata, or a removal), and every one of them reads back the
 * bytes its hash names.
 */
final class CrashChecker {
  /** What a path holds: bytes (by SHA-256), canonical user metadata and etag, or nothing. */
  record State(String sha256, String metaJson, String etag) {
    static final State ABSENT = new State(CrashWorker.DELETED, CrashWorker.NO_META, "-");

    boolean exists() {
      return !sha256.equals(CrashWorker.DELETED);
    }

    boolean sameContent(State other) {
      return sha256.equals(other.sha256) && metaJson.equals(other.metaJson);
    }

    @Override
    public String toString() {
      return exists() ? sha256.substring(0, 12) + "… " + metaJson + " etag " + etag : "ABSENT";
    }
  }

  /** One round's outcome, for the figures. */
  record Round(
      int acknowledged, int failed, int inFlight, int inFlightApplied, List<String> inFlightOps) {}

  private static final int KEEP_LAST = History.DEFAULT.keepLast();

  private final Map<String, State> model = new HashMap<>();
  /** Every change each path went through, oldest first: the versions it must have. */
  private final Map<String, List<State>> changes = new HashMap<>();
  /** The contents the history kept at the last check (versions with content, any path). */
  private final Set<String> keptByHistory = new HashSet<>();
  private final String diskId;

  CrashChecker(String diskId) {
    this.diskId = diskId;
    for (String path : CrashWorker.PATHS) {
      model.put(path, State.ABSENT);
      changes.put(path, new ArrayList<>());
    }
  }

  /** Checks the reopened {@code store} against the model plus the round's logs; updates the model. */
  Round check(DiskStore store, Path logDir, String when) throws IOException {
    assertClean(store.maintenance().verify(true), when + ", after reopening");

    Map<String, State> expected = new HashMap<>(model);
    Map<String, String[]> inFlight = new HashMap<>();
    int acknowledged = 0;
    int failed = 0;
    List<Path> logs;
    try (Stream<Path> files = Files.list(logDir)) {
      logs = files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
    }
    for (Path logFile : logs) {
      String[] pending = null;
      for (String line : completeLines(logFile)) {
        if (line.startsWith("BEGIN ")) {
          assertThat(pending).as("%s: two BEGINs without an outcome", logFile).isNull();
          pending = line.split(" ", 6);
        } else if (line.startsWith("ACK ") || line.startsWith("FAIL ")) {
          String[] outcome = line.split(" ", 3);
          assertThat(pending).as("%s: outcome without BEGIN: %s", logFile, line).isNotNull();
          assertThat(outcome[1]).as("%s: outcome of another op", logFile).isEqualTo(pending[1]);
          String path = pending[3];
          if (line.startsWith("ACK ")) {
            State after = result(pending, expected.get(path), outcome[2]);
            expected.put(path, after);
            changes.get(path).add(after);
            acknowledged++;
          } else {
            failed++; // the state stays as it was
          }
          pending = null;
        }
      }
      if (pending != null) {
        inFlight.put(pending[3], pending);
      }
    }

    int applied = 0;
    List<String> inFlightOps = new ArrayList<>();
    for (String path : CrashWorker.PATHS) {
      State actual = actualState(store, path);
      String[] op = inFlight.get(path);
      State before = expected.get(path);
      if (op == null) {
        assertThat(actual)
            .as("%s, %s: the state after the last acknowledged operation", when, path)
            .isEqualTo(before);
      } else {
        State after = result(op, before, null);
        inFlightOps.add(op[2]);
        boolean unchanged = actual.equals(before);
        boolean done =
            actual.sameContent(after)
                && (!actual.exists() || !actual.etag().equals(before.etag()));
        if (!unchanged && !done) {
          fail(
              "%s, %s: operation %s %s was in flight; the path must hold the state before it (%s)"
                  + " or its whole result (%s with a new etag), but holds %s",
              when, path, op[1], op[2], before, after, actual);
        }
        if (!unchanged) {
          applied++;
          changes.get(path).add(actual);
        }
      }
      model.put(path, actual);
    }
    checkListings(store, when);
    checkHistory(store, when);

    GcReport gc = store.maintenance().collectGarbage();
    assertThat(gc.total())
        .as("%s: a second collection right after the one on open found %s", when, gc)
        .isZero();
    assertClean(store.maintenance().verify(), when + ", after collecting");
    return new Round(acknowledged, failed, inFlight.size(), applied, inFlightOps);
  }

  /**
   * Each path's versions are its changes (see the class comment), and every kept version reads back
   * its bytes; the contents the versions hold are remembered, since the backend keeps them too.
   */
  private void checkHistory(DiskStore store, String when) throws IOException {
    keptByHistory.clear();
    Set<String> readThisRound = new HashSet<>();
    for (String path : CrashWorker.PATHS) {
      String dir = CrashWorker.directory(path);
      String filename = CrashWorker.filename(path);
      List<ArtifactVersion> versions = new ArrayList<>();
      String cursor = null;
      do {
        ArtifactVersionPage page =
            store.disks().artifacts().versions(diskId, dir, filename, 7, cursor);
        versions.addAll(page.items());
        cursor = page.nextCursor().orElse(null);
      } while (cursor != null);
      List<State> made = changes.get(path);
      assertThat(versions.size())
          .as("%s, %s: versions kept of %d changes (keep last %d)", when, path, made.size(),
              KEEP_LAST)
          .isEqualTo(Math.min(made.size(), KEEP_LAST));
      for (int i = 0; i < versions.size(); i++) {
        ArtifactVersion v = versions.get(i);
        State change = made.get(made.size() - 1 - i);
        String what = when + ", " + path + " version " + v.version();
        assertThat(v.version()).as("%s: numbered by the changes, newest first", what)
            .isEqualTo(made.size() - 1 - i);
        if (!change.exists()) {
          assertThat(v.isRemoval()).as("%s: records the removal", what).isTrue();
          continue;
        }
        Artifact a = v.artifact()
            .orElseThrow(() -> new AssertionError(what + ": a removal, expected " + change));
        assertThat(new State(a.sha256(), CanonicalJson.write(a.userMeta()), a.etag()))
            .as("%s: as the change left the path", what)
            .isEqualTo(change);
        GetOptions old = GetOptions.builder().version(v.version()).build();
        try (InputStream in = store.disks().artifacts().open(diskId, dir, filename, ByteRange.from(0), old)) {
          if (readThisRound.add(a.sha256())) {
            assertThat(PseudoRandomInputStream.sha256Hex(in))
                .as("%s: reads back its bytes", what).isEqualTo(a.sha256());
          } else {
            // Bytes already hashed this round: the version opens on them.
            assertThat(in.read() >= 0).as("%s: opens on its bytes", what).isEqualTo(a.sizeBytes() > 0);
          }
        }
        keptByHistory.add(a.sha256());
      }
    }
  }

  /** The state an operation produces from {@code before}, with the given etag (null: unknown). */
  private static State result(String[] begin, State before, String etag) {
    String op = begin[2];
    if (op.equals("DELETE")) {
      return State.ABSENT;
    }
    String sha = begin[4].equals("SAME") ? before.sha256() : begin[4];
    return new State(sha, begin[5], etag == null ? "?" : etag);
  }

  /** Every directory lists exactly the model's files. */
  private void checkListings(DiskStore store, String when) {
    Map<String, Set<String>> byDir = new HashMap<>();
    for (String path : CrashWorker.PATHS) {
      byDir.computeIfAbsent(CrashWorker.directory(path), d -> new TreeSet<>());
      if (model.get(path).exists()) {
        byDir.get(CrashWorker.directory(path)).add(CrashWorker.filename(path));
      }
    }
    for (Map.Entry<String, Set<String>> e : byDir.entrySet()) {
      ArtifactListing listing = store.disks().artifacts().list(diskId, e.getKey());
      assertThat(listing.artifacts().stream().map(Artifact::filename).toList())
          .as("%s: listing of %s", when, e.getKey())
          .containsExactlyElementsOf(e.getValue());
    }
  }

  /** The path's state as the store serves it, checking the bytes against the recorded hash. */
  private State actualState(DiskStore store, String path) throws IOException {
    String dir = CrashWorker.directory(path);
    String filename = CrashWorker.filename(path);
    Optional<ArtifactResult> found = store.disks().artifacts().find(diskId, dir, filename);
    if (found.isEmpty()) {
      return State.ABSENT;
    }
    Artifact artifact = found.get().artifact();
    String sha256;
    try (InputStream in = store.disks().artifacts().open(diskId, dir, filename)) {
      sha256 = PseudoRandomInputStream.sha256Hex(in);
    }
    assertThat(sha256).as("%s: bytes vs the sha256 in the index", path).isEqualTo(artifact.sha256());
    return new State(sha256, CanonicalJson.write(artifact.userMeta()), artifact.etag());
  }

  /**
   * The backend holds one blob per distinct content that a live file or a kept version (as of the
   * last check, after which the collection ran) references, and nothing else.
   */
  void assertBackendHoldsExactly(BlobBackend backend, String when) {
    Set<String> live = new HashSet<>(keptByHistory);
    model.values().stream().filter(State::exists).forEach(s -> live.add(s.sha256()));
    List<BlobStat> blobs;
    try (Stream<BlobStat> listed = backend.list("")) {
      blobs = listed.filter(b -> !b.key().equals(BlobKeys.STORE_MARKER)).collect(Collectors.toList());
    }
    assertThat(blobs)
        .as("%s: backend objects vs %d distinct contents of files and versions", when, live.size())
        .hasSize(live.size());
  }

  int livePaths() {
    return (int) model.values().stream().filter(State::exists).count();
  }

  static void assertClean(VerifyReport report, String when) {
    if (!report.isClean()) {
      report.problems().forEach(p -> System.out.println("verify problem (" + when + "): " + p));
    }
    assertThat(report.problems()).as("verify problems %s", when).isEmpty();
  }

  /** The complete lines of a log: a line torn by the kill never completed its write. */
  static List<String> completeLines(Path logFile) throws IOException {
    byte[] all = Files.readAllBytes(logFile);
    int end = all.length;
    while (end > 0 && all[end - 1] != '\n') {
      end--;
    }
    String text = new String(all, 0, end, StandardCharsets.UTF_8);
    return text.isEmpty() ? List.of() : List.of(text.split("\n"));
  }

  /** Waits until the worker has written {@code ready} into the log directory. */
  static void awaitReady(Process worker, Path logDir, Path output, String what) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (Files.exists(logDir.resolve("ready"))) {
        return;
      }
      if (!worker.isAlive()) {
        fail("%s: the worker exited with %d before starting; output:%n%s",
            what, worker.exitValue(), ChildJvm.output(output));
      }
      Thread.sleep(5);
    }
    fail("%s: the worker did not start within 60 s; output:%n%s", what, ChildJvm.output(output));
  }
}
