package dev.diskstore.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The figures a suite reports (rounds, operations, cases): printed to the test output and appended
 * to {@code target/reliability/figures.txt} (one line per suite run), the source of the numbers in
 * RELIABILITY.md. Thread-safe.
 */
final class Figures {
  private final String suite;
  private final Map<String, Object> values = new LinkedHashMap<>();
  private final long startNanos = System.nanoTime();

  private Figures(String suite) {
    this.suite = suite;
  }

  static Figures of(String suite) {
    return new Figures(suite);
  }

  synchronized Figures put(String name, Object value) {
    values.put(name, value);
    return this;
  }

  synchronized Figures add(String name, long delta) {
    values.merge(name, delta, (a, b) -> ((Number) a).longValue() + ((Number) b).longValue());
    return this;
  }

  synchronized long get(String name) {
    Object value = values.get(name);
    return value instanceof Number n ? n.longValue() : 0;
  }

  /** Prints and records the figures, with the elapsed time since {@link #of}. */
  synchronized void report() {
    String line =
        String.format(
            Locale.ROOT,
            "%s: %s elapsed=%.1fs",
            suite,
            values.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" ")),
            (System.nanoTime() - startNanos) / 1e9);
    System.out.println("FIGURES " + line);
    Path dir =
        Path.of(System.getProperty("diskstore.reliability.reportDir", "target/reliability"));
    try {
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("figures.txt"),
          line + System.lineSeparator(),
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An integer system property, for the heavier settings of a suite. */
  static int setting(String name, int defaultValue) {
    return Integer.getInteger(name, defaultValue);
  }
}
