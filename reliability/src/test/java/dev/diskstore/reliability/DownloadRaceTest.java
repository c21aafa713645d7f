package dev.diskstore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.ArtifactResult;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Downloads racing replaces of the same artifact, on a real store: one thread re-uploads the file
 * with new bytes in a loop (each replace deletes the old blob once it commits) while two threads
 * sign a URL for the current version and download it. Every download must serve exactly the bytes
 * of the version its URL names, or answer 404 (that version is gone); never a 500, never other
 * bytes.
 */
class DownloadRaceTest {
  private static final int TRIES = Figures.setting("diskstore.downloadRace.tries", 2_400);
  private static Figures figures;

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "inMemory"})
  void aDownloadRacingAReplaceServesItsVersionOr404(String backend) throws Exception {
    try (DiskStore store = backend.equals("local") ? DiskStore.local(tmp) : DiskStore.inMemory()) {
      String disk = store.disks().create().id();
      byte[] first = new byte[48 * 1024];
      new Random(7).nextBytes(first);
      store.disks().artifacts().upsert(disk, FileUpload.of("v.bin", first), "/");

      AtomicBoolean stop = new AtomicBoolean();
      Map<Integer, Integer> outcomes = new TreeMap<>();
      HttpClient http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(10))
              .build();
      ExecutorService threads = Executors.newFixedThreadPool(3);
      try {
        Future<Integer> replacer =
            threads.submit(
                () -> {
                  Random r = new Random(8);
                  int replaces = 0;
                  while (!stop.get()) {
                    byte[] bytes = new byte[16 * 1024 + r.nextInt(64 * 1024)];
                    r.nextBytes(bytes);
                    store.disks().artifacts().upsert(disk, FileUpload.of("v.bin", bytes), "/");
                    replaces++;
                  }
                  return replaces;
                });
        Future<?>[] downloaders = new Future<?>[2];
        for (int d = 0; d < downloaders.length; d++) {
          downloaders[d] =
              threads.submit(
                  () -> {
                    for (int i = 0; i < TRIES / 2; i++) {
                      ArtifactResult current =
                          store
                              .disks()
                              .artifacts()
                              .get(
                                  disk,
                                  "/",
                                  "v.bin",
                                  GetOptions.builder()
                                      .withPublicUrl(true)
                                      .expireSeconds(60)
                                      .build());
                      URI url = current.publicUrl().orElseThrow();
                      HttpResponse<byte[]> response =
                          http.send(
                              HttpRequest.newBuilder(url).build(),
                              HttpResponse.BodyHandlers.ofByteArray());
                      String sha256 =
                          HexFormat.of()
                              .formatHex(
                                  MessageDigest.getInstance("SHA-256").digest(response.body()));
                      boolean itsVersion = sha256.equals(current.artifact().info().sha256());
                      int outcome =
                          response.statusCode() == 200 && !itsVersion
                              ? -200
                              : response.statusCode();
                      synchronized (outcomes) {
                        outcomes.merge(outcome, 1, Integer::sum); // -200: a 200 with other bytes
                      }
                    }
                    return null;
                  });
        }
        for (Future<?> downloader : downloaders) {
          downloader.get();
        }
        stop.set(true);
        int replaces = replacer.get();
        int total = outcomes.values().stream().mapToInt(Integer::intValue).sum();
        figures
            .put(backend + ".tries", total)
            .put(backend + ".outcomes", outcomes.toString().replace(" ", ""))
            .put(backend + ".replaces", replaces);
        assertThat(total).isEqualTo(TRIES / 2 * 2);
        assertThat(outcomes.keySet()).as("outcomes %s", outcomes).isSubsetOf(200, 404);
        assertThat(outcomes).as("some downloads raced a replace").containsKey(404);
      } finally {
        stop.set(true);
        threads.shutdownNow();
      }
    }
  }

  @BeforeAll
  static void startFigures() {
    figures = Figures.of("download-race");
  }

  @AfterAll
  static void report() {
    figures.report();
  }
}
