package dev.diskstore.bench;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactResult;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scenario "cold open + first upsert (fresh JVM)", plus the cold half of "get(withContent) on a
 * PDF". Each fork is a fresh JVM that runs the benchmark exactly once (single shot, no warm-up), so
 * every figure includes class loading, the SQLite native library's extraction and the index
 * creation: the number is the average over forks. bench/run.sh runs this class on its own, with
 * {@code -wi 0 -i 1}, because a warm-up iteration would make the measured call warm.
 *
 * <ul>
 *   <li>{@code openAndFirstUpsert}: {@code DiskStore.local(new directory)}, {@code
 *       disks().create()} and the upsert of a 1 KiB {@code notes.md}, with content-parsers (Tika)
 *       on the class path. The tear-down checks that Tika was never initialised (TikaRuntime's
 *       {@code isInitialised} hook) and fails the fork if it was; it prints {@code [cold-start]
 *       tika_initialised=false}.
 *   <li>{@code pdfFirstGet}: the first {@code get(withContent)} of a PDF in a fresh JVM (store
 *       opened and PDF upserted in the set-up, Tika checked not yet initialised): Tika's
 *       initialisation plus the first parse. The PDF is built by PDFBox in a separate JVM, so that
 *       PDFBox's classes are not already loaded here.
 * </ul>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(10)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
public class ColdStartBench {

  /** Whether TikaRuntime has initialised Tika in this JVM ("absent" without the module). */
  static String tikaInitialised() {
    try {
      Class<?> runtime = Class.forName("dev.diskstore.tika.TikaRuntime");
      Method method = runtime.getDeclaredMethod("isInitialised");
      method.setAccessible(true);
      return String.valueOf(method.invoke(null));
    } catch (ClassNotFoundException e) {
      return "absent";
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot ask TikaRuntime.isInitialised", e);
    }
  }

  /** The fresh store of {@link #openAndFirstUpsert}. */
  @State(Scope.Benchmark)
  public static class Fresh {
    Path dir;
    byte[] notes;
    DiskStore store;
    long start;
    long opened;
    long created;
    long upserted;

    @Setup(Level.Trial)
    public void prepare() {
      dir = BenchFiles.scratch("cold-");
      notes = Content.text(1024, 1);
    }

    @TearDown(Level.Trial)
    public void check() {
      String tika = tikaInitialised();
      System.out.printf(java.util.Locale.ROOT,
          "[cold-start] open_ms=%.1f create_disk_ms=%.1f first_upsert_ms=%.1f%n",
          (opened - start) / 1e6, (created - opened) / 1e6, (upserted - created) / 1e6);
      System.out.println("[cold-start] tika_initialised=" + tika);
      try {
        if (!tika.equals("false")) {
          throw new IllegalStateException(
              "Tika was initialised by opening a store and upserting a .md file (" + tika + ")");
        }
      } finally {
        if (store != null) {
          store.close();
        }
        BenchFiles.deleteTree(dir);
      }
    }
  }

  @Benchmark
  public Artifact openAndFirstUpsert(Fresh fresh) {
    fresh.start = System.nanoTime();
    fresh.store = DiskStore.local(fresh.dir.resolve("store"));
    fresh.opened = System.nanoTime();
    String disk = fresh.store.disks().create().id();
    fresh.created = System.nanoTime();
    Artifact artifact =
        fresh.store.disks().artifacts().upsert(disk, FileUpload.of("notes.md", fresh.notes), "/");
    fresh.upserted = System.nanoTime();
    return artifact;
  }

  /** A store holding one PDF never read, in a JVM where Tika is not initialised. */
  @State(Scope.Benchmark)
  public static class WithPdf {
    Path dir;
    DiskStore store;
    String disk;

    @Setup(Level.Trial)
    public void prepare() throws IOException, InterruptedException {
      dir = BenchFiles.scratch("cold-pdf-");
      Path pdf = dir.resolve("report.pdf");
      buildPdfInAnotherJvm(pdf);
      store = DiskStore.local(dir.resolve("store"));
      disk = store.disks().create().id();
      store.disks().artifacts()
          .upsert(disk, FileUpload.of("report.pdf", Files.readAllBytes(pdf)), "/");
      if (!tikaInitialised().equals("false")) {
        throw new IllegalStateException("Tika was initialised before the measured get");
      }
    }

    @TearDown(Level.Trial)
    public void close() {
      System.out.println("[cold-start] after the first PDF get: tika_initialised="
          + tikaInitialised());
      store.close();
      BenchFiles.deleteTree(dir);
    }
  }

  @Benchmark
  public ArtifactResult pdfFirstGet(WithPdf state) {
    ArtifactResult result = state.store.disks().artifacts()
        .get(state.disk, "/", "report.pdf", GetOptions.builder().withContent(true).build());
    if (result.content().isEmpty()) {
      throw new IllegalStateException("the PDF was not parsed: " + result);
    }
    return result;
  }

  static void buildPdfInAnotherJvm(Path out) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.diskstore.bench.Pdfs"); // by name: do not load Pdfs (or PDFBox) here
    command.add(out.toString());
    command.add("Cold report");
    command.add(String.valueOf(PdfBench.PAGES));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException("building the PDF fixture failed: " + output);
    }
  }
}
