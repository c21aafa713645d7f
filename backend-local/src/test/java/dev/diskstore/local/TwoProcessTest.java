package dev.diskstore.local;

import dev.diskstore.testkit.PseudoRandomInputStream;
import dev.diskstore.testkit.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.diskstore.Artifact;
import dev.diskstore.DiskStore;
import dev.diskstore.VerifyReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two JVMs write to the same local store at the same time ({@link TwoProcessWorker}): both finish
 * without errors, every write of its own paths is there with the right bytes, each claim path
 * written with {@code ifNoneMatch} went to exactly one of them, and the store verifies clean.
 */
class TwoProcessTest {
  private static final List<String> NAMES = List.of("alpha", "beta");

  @Test
  void twoProcessesShareOneStore(@TempDir Path tmp) throws Exception {
    long seed = Long.getLong("diskstore.twoprocess.seed", System.nanoTime());
    System.out.println("TwoProcessTest seed=" + seed);
    Path storeDir = tmp.resolve("store");
    String diskId;
    try (DiskStore store = DiskStore.local(storeDir)) {
      diskId = store.disks().create().id();
    }
    Path goFile = tmp.resolve("go");
    List<Process> workers = new ArrayList<>();
    try {
      for (int w = 0; w < NAMES.size(); w++) {
        String name = NAMES.get(w);
        workers.add(
            ChildJvm.start(
                TwoProcessWorker.class,
                List.of("-Xmx256m"),
                List.of(
                    storeDir.toString(),
                    diskId,
                    name,
                    tmp.resolve(name + ".ready").toString(),
                    goFile.toString(),
                    tmp.resolve(name + ".result").toString(),
                    Long.toString(seed + w)),
                tmp.resolve(name + ".out")));
      }
      awaitReady(tmp, workers);
      Files.writeString(goFile, "go");
      for (int w = 0; w < workers.size(); w++) {
        Process worker = workers.get(w);
        Path output = tmp.resolve(NAMES.get(w) + ".out");
        assertThat(worker.waitFor(180, TimeUnit.SECONDS))
            .as("%s finished within 180 s", NAMES.get(w))
            .isTrue();
        assertThat(worker.exitValue())
            .as("%s exit status; output:%n%s", NAMES.get(w), ChildJvm.output(output))
            .isZero();
        assertThat(ChildJvm.output(output))
            .as("%s output", NAMES.get(w))
            .doesNotContain("Exception");
      }
    } finally {
      for (Process worker : workers) {
        ChildJvm.kill(worker);
      }
    }

    Properties alpha = result(tmp, "alpha");
    Properties beta = result(tmp, "beta");
    Set<Integer> alphaWins = numbers(alpha, "wins");
    Set<Integer> betaWins = numbers(beta, "wins");
    Set<Integer> allClaims =
        IntStream.range(0, TwoProcessWorker.CLAIMS).boxed().collect(Collectors.toSet());
    // (one process may win every claim when the other starts late on a loaded machine)
    Set<Integer> wonByBoth = new HashSet<>(alphaWins);
    wonByBoth.retainAll(betaWins);
    assertThat(wonByBoth).as("claims won by both").isEmpty();
    Set<Integer> won = new HashSet<>(alphaWins);
    won.addAll(betaWins);
    assertThat(won).as("every claim won by someone").isEqualTo(allClaims);
    assertThat(numbers(alpha, "losses")).as("alpha lost exactly beta's wins").isEqualTo(betaWins);
    assertThat(numbers(beta, "losses")).as("beta lost exactly alpha's wins").isEqualTo(alphaWins);

    try (DiskStore store = DiskStore.local(storeDir)) {
      int ownChecked = 0;
      for (String name : NAMES) {
        for (int i = 0; i < TwoProcessWorker.UPSERTS; i++) {
          if (!TwoProcessWorker.isOwn(i)) {
            continue;
          }
          String dir = TwoProcessWorker.ownDirectory(name);
          String filename = TwoProcessWorker.ownFilename(i);
          byte[] expected = TwoProcessWorker.ownBytes(name, i);
          Artifact artifact = store.disks().artifacts().get(diskId, dir, filename).artifact();
          assertThat(artifact.sha256()).isEqualTo(PseudoRandomInputStream.sha256Hex(expected));
          assertThat(artifact.userMeta()).containsEntry("writer", name);
          try (InputStream in = store.disks().artifacts().open(diskId, dir, filename)) {
            assertThat(in.readAllBytes()).as("%s%s", dir, filename).isEqualTo(expected);
          }
          ownChecked++;
        }
      }
      assertThat(ownChecked)
          .isEqualTo(Integer.parseInt(alpha.getProperty("own")) + Integer.parseInt(beta.getProperty("own")));
      for (int claim = 0; claim < TwoProcessWorker.CLAIMS; claim++) {
        String winner = alphaWins.contains(claim) ? "alpha" : "beta";
        String filename = TwoProcessWorker.claimFilename(claim);
        try (InputStream in = store.disks().artifacts().open(diskId, "/claims/", filename)) {
          assertThat(in.readAllBytes())
              .as("claim %s", filename)
              .isEqualTo(TwoProcessWorker.claimBytes(winner));
        }
      }
      int sharedPresent = store.disks().artifacts().list(diskId, "/shared/").artifacts().size();
      assertThat(sharedPresent).isBetween(1, TwoProcessWorker.SHARED_PATHS);
      VerifyReport report = store.maintenance().verify(true);
      report.problems().forEach(p -> System.out.println("verify problem: " + p));
      assertThat(report.problems()).as("verify problems").isEmpty();

      System.out.printf(
          Locale.ROOT,
          "TwoProcessTest summary: seed=%d alpha own=%s shared=%s claims won=%d in %s ms;"
              + " beta own=%s shared=%s claims won=%d in %s ms; own artifacts checked=%d;"
              + " verify: %d artifacts, %d blobs, clean%n",
          seed,
          alpha.getProperty("own"),
          alpha.getProperty("shared"),
          alphaWins.size(),
          alpha.getProperty("millis"),
          beta.getProperty("own"),
          beta.getProperty("shared"),
          betaWins.size(),
          beta.getProperty("millis"),
          ownChecked,
          report.artifactsChecked(),
          report.blobsChecked());
    }
  }

  private static void awaitReady(Path tmp, List<Process> workers) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!NAMES.stream().allMatch(n -> Files.exists(tmp.resolve(n + ".ready")))) {
      for (int w = 0; w < workers.size(); w++) {
        if (!workers.get(w).isAlive()) {
          fail("%s exited with %d before the start; output:%n%s", NAMES.get(w),
              workers.get(w).exitValue(), ChildJvm.output(tmp.resolve(NAMES.get(w) + ".out")));
        }
      }
      if (System.nanoTime() > deadline) {
        fail("the workers were not ready within 60 s");
      }
      Thread.sleep(5);
    }
  }

  private static Properties result(Path tmp, String name) throws IOException {
    Properties properties = new Properties();
    properties.load(new StringReader(Files.readString(tmp.resolve(name + ".result"))));
    return properties;
  }

  private static Set<Integer> numbers(Properties result, String key) {
    String value = result.getProperty(key, "");
    return value.isEmpty()
        ? Set.of()
        : Arrays.stream(value.split(",")).map(Integer::valueOf).collect(Collectors.toSet());
  }
}
