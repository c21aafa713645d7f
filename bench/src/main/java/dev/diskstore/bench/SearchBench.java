package dev.diskstore.bench;

import dev.diskstore.Artifact;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.GrepOptions;
import dev.diskstore.GrepResult;
import dev.diskstore.Search;
import dev.diskstore.TextHit;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scenario "glob **&#47;*.md, grep, FTS on 10,000 files": absolute cost per call (the summary also
 * divides by the number of files). The disk holds {@code searchFiles} text files of about 1.5 KB
 * (25 lines of pseudo-words) in directories of 100, a third each {@code .md}, {@code .py} and
 * {@code .txt}; every file contains the word {@code system}, three contain {@code zyzzogeton}. It
 * is built once through the public API on the local backend (real blob files: grep reads them) and
 * reused ({@link DataSets}).
 *
 * <ul>
 *   <li>{@code globMarkdown}: {@code glob("**&#47;*.md", 10000)}, a third of the files match;
 *   <li>{@code grepRare}: grep a word in 3 files: reads and scans every file;
 *   <li>{@code grepCommon}: grep a word in every file, stopping at 100 matching files (the default
 *       {@code maxFiles});
 *   <li>{@code fullTextRare} / {@code fullTextCommon}: FTS5 query, best 100 by BM25, with
 *       snippets.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class SearchBench {
  static final String RARE = "zyzzogeton";
  static final String COMMON = "system";
  private static final int PER_DIRECTORY = 100;

  @Param({"10000"})
  public int searchFiles;

  private DiskStore store;
  private Search search;
  private String disk;

  @Setup(Level.Trial)
  public void open() {
    int directories = Math.max(1, searchFiles / PER_DIRECTORY);
    Properties set =
        DataSets.ensure(
            "search-" + searchFiles + "-v1",
            DiskStore::local,
            (s, diskId, pool) -> DataSets.parallel(pool, directories, d -> {
              String path = String.format(Locale.ROOT, "/dir-%03d/", d);
              SplittableRandom random = new SplittableRandom(d);
              int files = Math.min(PER_DIRECTORY, searchFiles - d * PER_DIRECTORY);
              for (int f = 0; f < files; f++) {
                String extension = switch (f % 3) {
                  case 0 -> "md";
                  case 1 -> "py";
                  default -> "txt";
                };
                int index = d * PER_DIRECTORY + f;
                boolean rare = index % (searchFiles / 3 + 1) == 17;
                s.disks().artifacts().upsert(diskId,
                    FileUpload.ofText(String.format(Locale.ROOT, "file-%03d.%s", f, extension),
                        text(random, rare)),
                    path);
              }
            }));
    store = DiskStore.local(Path.of(set.getProperty("dir")));
    search = store.search();
    disk = set.getProperty("disk");
    // bring the full-text index up to date now (a data set built by an earlier version is
    // re-indexed on open), so that no background indexing runs while searches are measured
    search.fullText(disk, "warmup", 1);
    GrepResult check = search.grep(disk, RARE, GrepOptions.defaults());
    if (check.files().size() != 3 || check.filesSearched() != searchFiles || check.timedOut()) {
      throw new IllegalStateException("unexpected data set: " + check.files().size()
          + " rare files, " + check.filesSearched() + " searched");
    }
  }

  /** About 1.5 KB: 25 lines of 8-12 words, with {@code system} once and the rare word if asked. */
  static String text(SplittableRandom random, boolean rare) {
    String[] words = {"store", "artifact", "index", "commit", "stream", "query", "agent", "path",
        "report", "sprint", "plan", "goal", "review", "metric", "table", "value", "record", "cache",
        "write", "read", "list", "folder", "search", "token", "page", "budget", "owner", "status"};
    StringBuilder out = new StringBuilder();
    int systemLine = random.nextInt(25);
    for (int line = 0; line < 25; line++) {
      int n = 8 + random.nextInt(5);
      for (int w = 0; w < n; w++) {
        out.append(words[random.nextInt(words.length)]).append(' ');
      }
      if (line == systemLine) {
        out.append(COMMON).append(' ');
      }
      if (rare && line == 12) {
        out.append(RARE).append(' ');
      }
      out.append('\n');
    }
    return out.toString();
  }

  @TearDown(Level.Trial)
  public void close() {
    store.close();
  }

  @Benchmark
  public List<Artifact> globMarkdown() {
    return search.glob(disk, "**/*.md", Search.MAX_LIMIT);
  }

  @Benchmark
  public GrepResult grepRare() {
    return search.grep(disk, RARE, GrepOptions.defaults());
  }

  @Benchmark
  public GrepResult grepCommon() {
    return search.grep(disk, COMMON, GrepOptions.defaults());
  }

  @Benchmark
  public List<TextHit> fullTextRare() {
    return search.fullText(disk, RARE, 100);
  }

  @Benchmark
  public List<TextHit> fullTextCommon() {
    return search.fullText(disk, COMMON, 100);
  }
}
