package dev.diskstore.tika;

import dev.diskstore.Artifacts;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Run by {@link ColdStartTest} in a fresh JVM: opens a local store, upserts common files, then
 * reads a PDF's content twice, printing {@code key=value} lines with timings and whether Tika has
 * been initialised. Works with or without this module on the class path (it looks Tika up
 * reflectively), so the same run measures the core alone.
 *
 * <p>Arguments: the store directory, and a directory of sample files (read before timing starts).
 */
public final class ColdStartProbe {
  private ColdStartProbe() {}

  public static void main(String[] args) throws Exception {
    Path storeDir = Path.of(args[0]);
    Path samples = Path.of(args[1]);
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (Stream<Path> list = Files.list(samples)) {
      for (Path p : list.sorted().toList()) {
        files.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    byte[] pdf = files.remove("report.pdf");

    long start = System.nanoTime();
    try (DiskStore store = DiskStore.local(storeDir)) {
      long opened = System.nanoTime();
      Artifacts artifacts = store.disks().artifacts();
      String disk = store.disks().create().id();
      artifacts.upsert(disk, FileUpload.ofText("notes.md", "# Notes\n\nfirst upsert\n"), "/");
      long firstUpsert = System.nanoTime();
      for (var file : files.entrySet()) {
        artifacts.upsert(disk, FileUpload.of(file.getKey(), file.getValue()), "/");
      }
      artifacts.upsert(disk, FileUpload.of("report.pdf", pdf), "/");
      long upserts = System.nanoTime();
      print("open_ms", ms(start, opened));
      print("first_upsert_ms", ms(opened, firstUpsert));
      print("more_upserts", files.size() + 1);
      print("more_upserts_ms", ms(firstUpsert, upserts));
      print("tika_initialised_after_upserts", tikaInitialised());
      print("types", typesOf(artifacts, disk, files.keySet()));

      GetOptions withContent = GetOptions.builder().withContent(true).build();
      long t = System.nanoTime();
      var md = artifacts.get(disk, "/", "notes.md", withContent);
      print("md_get_ms", ms(t, System.nanoTime()));
      print("md_content_type", md.content().map(c -> c.type()).orElse("none"));
      print("tika_initialised_after_md_get", tikaInitialised());

      t = System.nanoTime();
      var first = artifacts.get(disk, "/", "report.pdf", withContent);
      print("pdf_first_get_ms", ms(t, System.nanoTime()));
      t = System.nanoTime();
      var cached = artifacts.get(disk, "/", "report.pdf", withContent);
      print("pdf_cached_get_ms", ms(t, System.nanoTime()));
      print("pdf_content_type", first.content().map(c -> c.type()).orElse("none"));
      print("pdf_cached_same", first.content().equals(cached.content()));
      print("tika_initialised_after_pdf_get", tikaInitialised());
    }
  }

  private static String typesOf(Artifacts artifacts, String disk, Set<String> names) {
    StringBuilder out = new StringBuilder();
    for (String name : List.copyOf(names)) {
      out.append(name).append(':').append(artifacts.get(disk, "/", name).artifact().contentType())
          .append(' ');
    }
    return out.toString().strip();
  }

  /** "true"/"false", or "absent" when this module is not on the class path. */
  private static String tikaInitialised() throws ReflectiveOperationException {
    Class<?> runtime;
    try {
      runtime = Class.forName("dev.diskstore.tika.TikaRuntime");
    } catch (ClassNotFoundException e) {
      return "absent";
    }
    Method method = runtime.getDeclaredMethod("isInitialised");
    method.setAccessible(true);
    return String.valueOf(method.invoke(null));
  }

  private static String ms(long from, long to) {
    return String.format(Locale.ROOT, "%.1f", (to - from) / 1e6);
  }

  private static void print(String key, Object value) throws IOException {
    System.out.println(key + "=" + value);
    System.out.flush();
  }
}
