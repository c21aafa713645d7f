package dev.diskstore.bench;

import dev.diskstore.ArtifactResult;
import dev.diskstore.Artifacts;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import java.nio.file.Path;
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
 * Scenario "get(withContent) on a PDF, first and cached", in a warm JVM (the cold-JVM first call is
 * {@link ColdStartBench#pdfFirstGet}). The PDF is a 3-page report ({@link Pdfs}, about 9 KB of
 * text), parsed by {@code TikaContentParser} found on the class path.
 *
 * <ul>
 *   <li>{@code first}: each call reads a PDF never parsed before: a setup step before every call
 *       (outside the measured time) upserts a new PDF with a distinct title, so the call downloads
 *       the bytes, parses them with Tika and stores the text in the cache;
 *   <li>{@code cached}: the same PDF every call: the text comes from the index's content cache.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class PdfBench {
  static final int PAGES = 3;
  private static final GetOptions WITH_CONTENT = GetOptions.builder().withContent(true).build();

  private Path dir;
  private DiskStore store;
  private Artifacts artifacts;
  private String disk;

  @Setup(Level.Trial)
  public void open() {
    dir = BenchFiles.scratch("pdf-");
    store = DiskStore.local(dir.resolve("store"));
    artifacts = store.disks().artifacts();
    disk = store.disks().create().id();
    artifacts.upsert(disk, FileUpload.of("report.pdf", Pdfs.report("Cached report", PAGES)), "/");
    ArtifactResult first = artifacts.get(disk, "/", "report.pdf", WITH_CONTENT);
    if (first.content().isEmpty() || !first.content().get().type().equals("document")) {
      throw new IllegalStateException("the PDF was not parsed: " + first);
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    store.close();
    BenchFiles.deleteTree(dir);
  }

  /** A PDF uploaded, never read, before each call of {@link #first}. */
  @State(Scope.Thread)
  public static class Fresh {
    long counter;
    String name;

    @Setup(Level.Invocation)
    public void upload(PdfBench bench) {
      long n = counter++;
      name = "fresh-" + n + ".pdf";
      bench.artifacts.upsert(bench.disk,
          FileUpload.of(name, Pdfs.report("Fresh report " + n + " " + System.nanoTime(), PAGES)),
          "/fresh/");
    }
  }

  @Benchmark
  public ArtifactResult first(Fresh fresh) {
    ArtifactResult result = artifacts.get(disk, "/fresh/", fresh.name, WITH_CONTENT);
    if (result.content().isEmpty()) {
      throw new IllegalStateException("no content for " + fresh.name);
    }
    return result;
  }

  @Benchmark
  public ArtifactResult cached() {
    return artifacts.get(disk, "/", "report.pdf", WITH_CONTENT);
  }
}
