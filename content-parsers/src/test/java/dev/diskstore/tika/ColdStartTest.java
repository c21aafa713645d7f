package dev.diskstore.tika;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cold start in fresh JVMs ({@link ColdStartProbe}): opening a store and upserting common files
 * must not initialise Tika; the first document read does. The same probe runs once with this
 * module on the class path and once with the core alone (Tika jars and this module's classes
 * removed), and the timings are printed side by side.
 */
class ColdStartTest {

  private static final int RUNS = 3;

  @TempDir Path directory;

  @Test
  void openingAndUpsertingDoesNotInitialiseTika() throws Exception {
    Path samples = Files.createDirectories(directory.resolve("samples"));
    Files.write(samples.resolve("data.json"), "{\"a\": 1}".getBytes(UTF_8));
    Files.write(samples.resolve("table.csv"), "a,b\n1,2\n".getBytes(UTF_8));
    Files.write(samples.resolve("app.ts"), "export const x = 1;\n".getBytes(UTF_8));
    Files.write(samples.resolve("tool.py"), "#!/usr/bin/env python3\nprint(1)\n".getBytes(UTF_8));
    Files.write(samples.resolve("main.tf"), "locals {}\n".getBytes(UTF_8));
    Files.write(samples.resolve("LICENSE"), "MIT License\n".getBytes(UTF_8));
    Files.write(samples.resolve("notes.docx"), Documents.docx("Notes"));
    Files.write(samples.resolve("photo.png"),
        Documents.withPrefix(Documents.bytes(0x89, 'P', 'N', 'G', 13, 10, 26, 10), 64, 1));
    Files.write(samples.resolve("report.pdf"), Documents.pdf("Quarterly report"));

    String fullClassPath = System.getProperty("java.class.path");
    String coreOnly =
        Arrays.stream(fullClassPath.split(File.pathSeparator))
            .filter(entry -> !entry.contains(File.separator + "org" + File.separator + "apache"
                + File.separator + "tika" + File.separator))
            .filter(entry -> !entry.endsWith("content-parsers" + File.separator + "target"
                + File.separator + "classes"))
            .collect(Collectors.joining(File.pathSeparator));
    assertThat(coreOnly).isNotEqualTo(fullClassPath);

    List<Map<String, String>> withTika = new ArrayList<>();
    List<Map<String, String>> withoutTika = new ArrayList<>();
    for (int run = 0; run < RUNS; run++) {
      withTika.add(runProbe(fullClassPath, samples, "tika-" + run));
      withoutTika.add(runProbe(coreOnly, samples, "core-" + run));
    }

    for (Map<String, String> r : withTika) {
      assertThat(r.get("tika_initialised_after_upserts")).isEqualTo("false");
      assertThat(r.get("tika_initialised_after_md_get")).isEqualTo("false");
      assertThat(r.get("md_content_type")).isEqualTo("text");
      assertThat(r.get("pdf_content_type")).isEqualTo("document");
      assertThat(r.get("pdf_cached_same")).isEqualTo("true");
      assertThat(r.get("tika_initialised_after_pdf_get")).isEqualTo("true");
      assertThat(r.get("types")).contains("main.tf:text/x-hcl", "tool.py:text/x-python");
    }
    for (Map<String, String> r : withoutTika) {
      assertThat(r.get("tika_initialised_after_upserts")).isEqualTo("absent");
      assertThat(r.get("pdf_content_type")).isEqualTo("none");
    }

    System.out.println("[cold start] medians of " + RUNS + " fresh JVMs each (ms):");
    System.out.println("| step | core only | core + content-parsers |");
    System.out.println("|---|---|---|");
    for (String key : List.of("open_ms", "first_upsert_ms", "more_upserts_ms", "md_get_ms",
        "pdf_first_get_ms", "pdf_cached_get_ms", "process_ms")) {
      System.out.printf("| %s | %.1f | %.1f |%n", key, median(withoutTika, key),
          median(withTika, key));
    }
    System.out.println("more_upserts=" + withTika.get(0).get("more_upserts")
        + ", Tika initialised after open + upserts: "
        + withTika.get(0).get("tika_initialised_after_upserts"));
  }

  private Map<String, String> runProbe(String classPath, Path samples, String name)
      throws IOException, InterruptedException {
    Path store = directory.resolve("store-" + name);
    Path output = directory.resolve(name + ".out");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-Dorg.sqlite.tmpdir=" + Path.of("target").toAbsolutePath());
    command.add("-cp");
    command.add(classPath);
    command.add(ColdStartProbe.class.getName());
    command.add(store.toString());
    command.add(samples.toString());
    long start = System.nanoTime();
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
            .start();
    try {
      assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("probe finished").isTrue();
    } finally {
      if (process.isAlive()) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
    }
    long elapsed = System.nanoTime() - start;
    String text = Files.readString(output, UTF_8);
    assertThat(process.exitValue()).as(text).isZero();
    Map<String, String> values = new HashMap<>();
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0 && line.substring(0, eq).matches("[a-z_]+")) {
        values.put(line.substring(0, eq), line.substring(eq + 1).strip());
      }
    }
    values.put("process_ms", String.valueOf(elapsed / 1e6));
    return values;
  }

  private static double median(List<Map<String, String>> runs, String key) {
    double[] values = runs.stream().mapToDouble(r -> Double.parseDouble(r.get(key))).sorted()
        .toArray();
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }
}
