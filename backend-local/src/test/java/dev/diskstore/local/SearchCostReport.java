package dev.diskstore.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.GrepOptions;
import dev.diskstore.GrepResult;
import dev.diskstore.Search;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures what glob, grep and full-text search cost on a disk of 10,000 small text files, for the
 * issue's closing note. Timings are not tests, so this only runs when asked for:
 *
 * <pre>{@code
 * mvn -pl backend-local test -Dtest=SearchCostReport -Ddiskstore.searchCost=true
 * }</pre>
 *
 * <p>The tree is 100 directories ({@code /dir-00/} .. {@code /dir-99/}) of 100 files each, a third
 * each {@code .md}, {@code .py} and {@code .txt}, of about 1.5 KB of pseudo-words in 25 lines. Every
 * file contains the common word {@code system}; three files contain the rare word {@code
 * zyzzogeton}. Each operation runs twice to warm up, then {@value #RUNS} times; the report prints
 * the median and the cost per file scanned. Only result counts are asserted.
 */
class SearchCostReport {
  private static final int DIRECTORIES = 100;
  private static final int FILES_PER_DIRECTORY = 100;
  private static final int FILES = DIRECTORIES * FILES_PER_DIRECTORY;
  private static final int WARMUP = 2;
  private static final int RUNS = 9;
  private static final String RARE = "zyzzogeton";
  private static final String COMMON = "system";

  @Test
  void report(@TempDir Path directory) {
    assumeTrue(Boolean.getBoolean("diskstore.searchCost"),
        "timings only: run with -Ddiskstore.searchCost=true");
    try (DiskStore store = DiskStore.local(directory)) {
      String disk = store.disks().create().id();
      long buildStart = System.nanoTime();
      build(store, disk);
      double buildMs = (System.nanoTime() - buildStart) / 1e6;
      Search search = store.search();

      List<String> rows = new ArrayList<>();
      rows.add(String.format(Locale.ROOT, "%-52s %10s %8s %14s", "operation", "median ms",
          "results", "per file"));
      rows.add(String.format(Locale.ROOT, "%-52s %10.0f %8d %11.3f ms  (%.1f files/s)",
          "upsert (build the disk, one file per call)", buildMs, FILES, buildMs / FILES,
          FILES / (buildMs / 1000)));

      measure(rows, "glob **/*.md (limit 10,000)", FILES,
          () -> search.glob(disk, "**/*.md", Search.MAX_LIMIT).size(), 3_400);
      measure(rows, "glob /dir-42/*.py", FILES_PER_DIRECTORY,
          () -> search.glob(disk, "/dir-42/*.py", Search.MAX_LIMIT).size(), 33);
      measure(rows, "glob **/file-042.* (every dir, 1 in 100)", FILES,
          () -> search.glob(disk, "**/file-042.*", Search.MAX_LIMIT).size(), 100);

      GrepResult rare = search.grep(disk, RARE, GrepOptions.defaults());
      assertThat(rare.timedOut()).as("rare-word grep finished within the default budget").isFalse();
      measure(rows, "grep rare word (scans all files)", rare.filesSearched(),
          () -> search.grep(disk, RARE, GrepOptions.defaults()).files().size(), 3);
      measure(rows, "grep rare word, case-insensitive", rare.filesSearched(),
          () -> search.grep(disk, RARE, GrepOptions.builder().caseInsensitive(true).build())
              .files().size(), 3);
      GrepResult common =
          search.grep(disk, COMMON, GrepOptions.builder().maxFiles(100).build());
      measure(rows, "grep common word, maxFiles 100", common.filesSearched(),
          () -> search.grep(disk, COMMON, GrepOptions.builder().maxFiles(100).build())
              .files().size(), 100);
      measure(rows, "grep common word, glob /dir-42/** (100 files)", FILES_PER_DIRECTORY,
          () -> search.grep(disk, COMMON,
              GrepOptions.builder().glob("/dir-42/**").maxFiles(10_000).build()).files().size(),
          100);

      measure(rows, "fullText rare word (limit 100)", 0,
          () -> search.fullText(disk, RARE, 100).size(), 3);
      measure(rows, "fullText common word (limit 100, 10,000 hits ranked)", 0,
          () -> search.fullText(disk, COMMON, 100).size(), 100);
      measure(rows, "fullText two common words (limit 100)", 0,
          () -> search.fullText(disk, COMMON + " " + word(0), 100).size(), -1);
      measure(rows, "fullText phrase (limit 100)", 0,
          () -> search.fullText(disk, "\"" + COMMON + " is\"", 100).size(), -1);

      rows.add(String.format(Locale.ROOT, "index.db + WAL: %.1f MB, blobs: %.1f MB",
          size(directory, "index.db") / 1e6, size(directory, "blobs") / 1e6));
      System.out.println();
      System.out.println("Search cost on " + FILES + " files (" + DIRECTORIES + " dirs x "
          + FILES_PER_DIRECTORY + "), local backend, median of " + RUNS + " runs:");
      rows.forEach(System.out::println);
    }
  }

  private static void build(DiskStore store, String disk) {
    Random random = new Random(42);
    for (int d = 0; d < DIRECTORIES; d++) {
      String path = String.format(Locale.ROOT, "/dir-%02d/", d);
      for (int f = 0; f < FILES_PER_DIRECTORY; f++) {
        String extension = switch (f % 3) {
          case 0 -> "md";
          case 1 -> "py";
          default -> "txt";
        };
        String filename = String.format(Locale.ROOT, "file-%03d.%s", f, extension);
        boolean rare = (d == 7 && f == 11) || (d == 42 && f == 50) || (d == 93 && f == 99);
        store.disks().artifacts().upsert(disk, FileUpload.ofText(filename, text(random, rare)),
            path);
      }
    }
  }

  /** About 1.5 KB: 25 lines of 10 pseudo-words; "system is" on line 5, the rare word on line 20. */
  private static String text(Random random, boolean rare) {
    StringBuilder out = new StringBuilder();
    for (int line = 1; line <= 25; line++) {
      for (int w = 0; w < 10; w++) {
        if (w > 0) {
          out.append(' ');
        }
        out.append(word(random.nextInt(2_000)));
      }
      if (line == 5) {
        out.append(' ').append(COMMON).append(" is here");
      }
      if (line == 20 && rare) {
        out.append(' ').append(RARE);
      }
      out.append('\n');
    }
    return out.toString();
  }

  /** A pronounceable pseudo-word for a number (the same number gives the same word). */
  private static String word(int n) {
    String consonants = "bcdfghklmnprstvz";
    String vowels = "aeiou";
    StringBuilder w = new StringBuilder();
    int x = n + 17;
    do {
      w.append(consonants.charAt(x % consonants.length()));
      x /= consonants.length();
      w.append(vowels.charAt(x % vowels.length()));
      x /= vowels.length();
    } while (x > 0);
    return w.toString();
  }

  private static void measure(
      List<String> rows, String name, int filesScanned, Supplier<Integer> operation,
      int expected) {
    int results = 0;
    for (int i = 0; i < WARMUP; i++) {
      results = operation.get();
    }
    if (expected >= 0) {
      assertThat(results).as(name).isEqualTo(expected);
    }
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < RUNS; i++) {
      long start = System.nanoTime();
      operation.get();
      times.add((System.nanoTime() - start) / 1e6);
    }
    Collections.sort(times);
    double median = times.get(RUNS / 2);
    String perFile = filesScanned > 0
        ? String.format(Locale.ROOT, "%11.1f us  (%d files)", median * 1000 / filesScanned,
            filesScanned)
        : String.format(Locale.ROOT, "%11s", "-");
    rows.add(String.format(Locale.ROOT, "%-52s %10.2f %8d %s", name, median, results, perFile));
  }

  private static long size(Path directory, String prefix) {
    try (Stream<Path> files = Files.walk(directory)) {
      return files
          .filter(p -> directory.relativize(p).toString().startsWith(prefix))
          .filter(Files::isRegularFile)
          .mapToLong(p -> {
            try {
              return Files.size(p);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          })
          .sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
