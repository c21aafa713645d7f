package dev.diskstore.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads JMH JSON result files ({@code -rf json}) and prints the scenario table of BENCHMARKS.md:
 * for each scenario the DiskStore figure, its baseline from the same run, the ratio and whether
 * the target is met, then the peers table ({@link PeerTable}: scenario × system, ratios to the
 * floor, CPU per operation where measured), then every raw result. Timings are reported, never asserted: the exit code
 * is 0 whatever the ratios, and 1 only when a file cannot be read.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.diskstore.bench.Summary [--out FILE] RESULT.json...}
 */
public final class Summary {
  private static final String PKG = "dev.diskstore.bench.";

  /** One JMH result: benchmark {@code Class.method}, its parameters and primary metric. */
  record Result(
      String benchmark,
      Map<String, String> params,
      String mode,
      int threads,
      int forks,
      double score,
      double error,
      String unit,
      List<Double> raw,
      JsonNode node) {

    String param(String name) {
      return params.get(name);
    }
  }

  private final List<Result> results = new ArrayList<>();
  private final StringBuilder out = new StringBuilder();

  private Summary() {}

  public static void main(String[] args) throws IOException {
    Path outFile = null;
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--out")) {
        outFile = Path.of(args[++i]);
      } else {
        files.add(Path.of(args[i]));
      }
    }
    Summary summary = new Summary();
    summary.load(files);
    summary.render();
    String text = summary.out.toString();
    System.out.print(text);
    if (outFile != null) {
      Files.writeString(outFile, text, StandardCharsets.UTF_8);
    }
  }

  /** The results in JMH JSON files, in file order ({@link Plot} reads them this way too). */
  static List<Result> read(List<Path> files) throws IOException {
    Summary summary = new Summary();
    summary.load(files);
    return summary.results;
  }

  private void load(List<Path> files) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    for (Path file : files) {
      if (!Files.isRegularFile(file) || Files.size(file) == 0) {
        System.err.println("no results in " + file);
        continue;
      }
      for (JsonNode node : mapper.readTree(file.toFile())) {
        add(node);
      }
    }
  }

  private void add(JsonNode node) {
    String benchmark = node.get("benchmark").asText();
    if (benchmark.startsWith(PKG)) {
      benchmark = benchmark.substring(PKG.length());
    }
    Map<String, String> params = new TreeMap<>();
    JsonNode p = node.get("params");
    if (p != null) {
      for (Map.Entry<String, JsonNode> e : p.properties()) {
        params.put(e.getKey(), e.getValue().asText());
      }
    }
    JsonNode metric = node.get("primaryMetric");
    List<Double> raw = new ArrayList<>();
    for (JsonNode fork : metric.path("rawData")) {
      for (JsonNode v : fork) {
        raw.add(v.asDouble());
      }
    }
    double error = metric.path("scoreError").asDouble(Double.NaN);
    results.add(new Result(benchmark, params, node.get("mode").asText(),
        node.path("threads").asInt(), node.path("forks").asInt(), metric.get("score").asDouble(),
        error, metric.get("scoreUnit").asText(), raw, node));
  }

  private Optional<Result> find(String benchmark, String... keyValues) {
    return find(results, benchmark, keyValues);
  }

  /** The first result of {@code benchmark} whose parameters have the given key/value pairs. */
  static Optional<Result> find(List<Result> results, String benchmark, String... keyValues) {
    outer:
    for (Result r : results) {
      if (!r.benchmark().equals(benchmark)) {
        continue;
      }
      for (int i = 0; i < keyValues.length; i += 2) {
        if (!Objects.equals(r.param(keyValues[i]), keyValues[i + 1])) {
          continue outer;
        }
      }
      return Optional.of(r);
    }
    return Optional.empty();
  }

  private List<String> paramValues(String benchmark, String param) {
    List<String> values = new ArrayList<>();
    for (Result r : results) {
      String v = r.param(param);
      if (r.benchmark().equals(benchmark) && v != null && !values.contains(v)) {
        values.add(v);
      }
    }
    values.sort((a, b) -> Double.compare(Double.parseDouble(a), Double.parseDouble(b)));
    return values;
  }

  private void line(String format, Object... args) {
    out.append(String.format(Locale.ROOT, format, args)).append('\n');
  }

  private void render() {
    if (results.isEmpty()) {
      line("No results.");
      return;
    }
    environment();
    line("");
    line("| scenario | DiskStore | baseline (same run) | ratio | target | met? |");
    line("|---|---|---|---|---|---|");
    localUpserts();
    concurrent();
    get();
    server();
    listing();
    search();
    s3();
    stream();
    coldStart();
    pdf();
    postgres();
    PeerTable peerTable = PeerTable.of(results);
    peers(peerTable);
    prototypes();
    if (!peerTable.rows().isEmpty()) {
      line("");
      out.append(peerTable.markdown());
    }
    line("");
    line("All results (score ± 99.9%% error where JMH computes one):");
    line("");
    line("| benchmark | params | mode | threads | forks | score | unit |");
    line("|---|---|---|---|---|---|---|");
    for (Result r : results) {
      line("| %s | %s | %s | %d | %d | %s | %s |", r.benchmark(), r.params().isEmpty() ? "" :
          r.params().toString(), r.mode(), r.threads(), r.forks(), scoreText(r), r.unit());
    }
  }

  private static String scoreText(Result r) {
    if (Double.isNaN(r.error()) || r.error() == 0) {
      return num(r.score());
    }
    return num(r.score()) + " ± " + num(r.error());
  }

  static String num(double v) {
    double a = Math.abs(v);
    if (a >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.3f", v);
  }

  private void environment() {
    JsonNode first = results.get(0).node();
    line("JVM: %s %s (%s), JMH %s; JVM options of the forks: %s",
        first.path("vmName").asText(), first.path("vmVersion").asText(),
        first.path("jdkVersion").asText(), first.path("jmhVersion").asText(),
        first.path("jvmArgs").toString());
    line("Machine: %d CPUs (%s), %s memory; load average when this summary was made: %s",
        Runtime.getRuntime().availableProcessors(), cpuModel(), memory(), loadAverage());
    Map<String, String> settings = new LinkedHashMap<>();
    for (Result r : results) {
      String cls = r.benchmark().substring(0, r.benchmark().indexOf('.'));
      JsonNode n = r.node();
      String s = String.format(Locale.ROOT,
          "%s: %d fork(s), warm-up %d × %s, measurement %d × %s%s",
          n.path("mode").asText(), n.path("forks").asInt(), n.path("warmupIterations").asInt(),
          n.path("warmupTime").asText(), n.path("measurementIterations").asInt(),
          n.path("measurementTime").asText(),
          n.path("jvmArgs").size() > 0 ? ", jvm " + n.path("jvmArgs") : "");
      settings.putIfAbsent(cls, s);
    }
    line("");
    line("JMH settings per class:");
    line("");
    settings.forEach((cls, s) -> line("- %s — %s", cls, s));
  }

  private static String cpuModel() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("model name")) {
          return l.substring(l.indexOf(':') + 1).strip();
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }

  private static String memory() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (l.startsWith("MemTotal:")) {
          long kb = Long.parseLong(l.replaceAll("[^0-9]", ""));
          return String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux
    }
    return "unknown";
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }

  // ------------------------------------------------------------------ scenarios

  private static String size(String bytes) {
    long b = Long.parseLong(bytes);
    if (b >= 1 << 30 && b % (1 << 30) == 0) {
      return (b >> 30) + " GiB";
    }
    if (b >= 1 << 20 && b % (1 << 20) == 0) {
      return (b >> 20) + " MiB";
    }
    if (b >= 1 << 10 && b % (1 << 10) == 0) {
      return (b >> 10) + " KiB";
    }
    return b + " B";
  }

  private static String fig(Result r) {
    return num(r.score()) + " " + r.unit();
  }

  /** A row where lower is better and the target is ratio ≤ max. */
  private void atMost(String scenario, Optional<Result> ds, Optional<Result> base, double max) {
    if (ds.isEmpty() || base.isEmpty()) {
      line("| %s | %s | %s | — | ≤ %.1f× | not run |", scenario, ds.map(Summary::fig).orElse("—"),
          base.map(Summary::fig).orElse("—"), max);
      return;
    }
    double ratio = ds.get().score() / base.get().score();
    line("| %s | %s | %s | %.2f× | ≤ %.1f× | %s |", scenario, fig(ds.get()), fig(base.get()),
        ratio, max, ratio <= max ? "met" : "**missed**");
  }

  private void localUpserts() {
    for (String kind : List.of("text", "binary")) {
      for (String size : paramValues("LocalUpsertBench.diskstore", "size")) {
        atMost("upsert " + size(size) + " " + kind + ", local durable",
            find("LocalUpsertBench.diskstore", "size", size, "kind", kind),
            find("LocalUpsertBench.baseline", "size", size, "kind", kind), 1.5);
      }
    }
    for (String kind : List.of("text", "binary")) {
      for (String size : paramValues("LocalUpsertBench.diskstoreRelaxed", "size")) {
        atMost("(option) upsert " + size(size) + " " + kind + ", local, durableCommits(false)",
            find("LocalUpsertBench.diskstoreRelaxed", "size", size, "kind", kind),
            find("LocalUpsertBench.baseline", "size", size, "kind", kind), 1.5);
      }
    }
  }

  private void concurrent() {
    Optional<Result> ds8 = find("ConcurrentUpsertBench.diskstore8Threads");
    Optional<Result> ds1 = find("ConcurrentUpsertBench.diskstore1Thread");
    Optional<Result> base = find("ConcurrentUpsertBench.baseline1Thread");
    if (ds8.isEmpty() || base.isEmpty()) {
      line("| 8 threads upserting 1 KiB | — | — | — | > 1× | not run |");
      return;
    }
    double ratio = ds8.get().score() / base.get().score();
    line("| 8 threads upserting 1 KiB (throughput; 1 DiskStore thread: %s) | %s | %s (1 thread) "
            + "| %.2f× | > 1× | %s |",
        ds1.map(Summary::fig).orElse("—"), fig(ds8.get()), fig(base.get()), ratio,
        ratio > 1 ? "met" : "**missed**");
  }

  private void get() {
    atMost("get meta + bytes, 1 KiB", find("GetBench.diskstore"), find("GetBench.baseline"), 1.5);
    atMost("get meta + bytes, 1 KiB, vs a baseline that also checks SHA-256",
        find("GetBench.diskstore"), find("GetBench.baselineVerified"), 1.5);
  }

  /**
   * The HTTP server against the in-process API ({@link ServerBench}): the baseline is DiskStore
   * itself, so the ratio is what the HTTP layer adds; reported, no target.
   */
  private void server() {
    String b = "ServerBench.";
    reported("HTTP upsert / in-process: 1 KiB text + 3 meta keys, multipart as the SDKs send it",
        find(b + "httpUpsert"), find(b + "inProcessUpsert"));
    reported("HTTP get / in-process: meta + bytes of 1 KiB (2 requests vs `open`)",
        find(b + "httpGet"), find(b + "inProcessGet"));
    reported("… HTTP get with Acontext's defaults (URL + content) / in-process",
        find(b + "httpGetWithContent"), find(b + "inProcessGet"));
    reported("… HTTP get, minimal socket client / in-process", find(b + "rawGet"),
        find(b + "inProcessGet"));
    reported("… the store calls the server makes for the 2 requests / in-process",
        find(b + "inProcessAsServer"), find(b + "inProcessGet"));
    reported("… metadata request alone / download request alone", find(b + "httpGetMeta"),
        find(b + "httpDownload"));
  }

  private void listing() {
    List<String> sizes = paramValues("ListBench.list", "listArtifacts");
    if (sizes.size() < 2) {
      line("| list a 100-entry directory | — | — | — | ≤ 1.2× | not run |");
      return;
    }
    String small = sizes.get(0);
    String large = sizes.get(sizes.size() - 1);
    Result s = find("ListBench.list", "listArtifacts", small).orElseThrow();
    Result l = find("ListBench.list", "listArtifacts", large).orElseThrow();
    double ratio = l.score() / s.score();
    line("| list a 100-entry directory: disk of %,d vs %,d artifacts | %s | %s | %.2f× | ≤ 1.2×"
            + " | %s |",
        Long.parseLong(large), Long.parseLong(small), fig(l), fig(s), ratio,
        ratio <= 1.2 ? "met" : "**missed**");
  }

  private void search() {
    for (String[] op : new String[][] {
        {"globMarkdown", "glob **/*.md"}, {"grepRare", "grep rare word (reads every file)"},
        {"grepCommon", "grep common word (stops at 100 files)"},
        {"fullTextRare", "full text, rare word"}, {"fullTextCommon", "full text, common word"}}) {
      Optional<Result> r = find("SearchBench." + op[0]);
      if (r.isEmpty()) {
        continue;
      }
      long files = Long.parseLong(r.get().param("searchFiles"));
      double perFileUs = toMicros(r.get()) / files;
      line("| %s on %,d files | %s (%s µs per file) | — | — | report | reported |", op[1], files,
          fig(r.get()), num(perFileUs));
    }
  }

  private static double toMicros(Result r) {
    return switch (r.unit()) {
      case "ms/op" -> r.score() * 1000;
      case "us/op" -> r.score();
      case "s/op" -> r.score() * 1e6;
      default -> r.score();
    };
  }

  private void s3() {
    for (String size : paramValues("S3UpsertBench.diskstore", "s3Bytes")) {
      atMost("upsert " + size(size) + " on S3 (S3Proxy)",
          find("S3UpsertBench.diskstore", "s3Bytes", size),
          find("S3UpsertBench.baseline", "s3Bytes", size), 1.3);
    }
    for (String size : paramValues("S3UpsertBench.diskstoreRelaxed", "s3Bytes")) {
      atMost("(option) upsert " + size(size) + " on S3, durableCommits(false)",
          find("S3UpsertBench.diskstoreRelaxed", "s3Bytes", size),
          find("S3UpsertBench.baseline", "s3Bytes", size), 1.3);
    }
  }

  private void stream() {
    for (String size : paramValues("LargeStreamBench.diskstore", "streamBytes")) {
      Optional<Result> ds = find("LargeStreamBench.diskstore", "streamBytes", size);
      for (String baseline : List.of("baseline", "baselineVerified")) {
        streamRow(size, ds, find("LargeStreamBench." + baseline, "streamBytes", size),
            baseline.equals("baseline") ? "" : ", vs a baseline that also checks SHA-256");
      }
    }
  }

  private void streamRow(String size, Optional<Result> ds, Optional<Result> base, String note) {
    if (ds.isEmpty() || base.isEmpty()) {
      return;
    }
    double mib = Long.parseLong(size) / 1048576.0;
    double dsRate = mib / (toMicros(ds.get()) / 1e6);
    double baseRate = mib / (toMicros(base.get()) / 1e6);
    double ratio = dsRate / baseRate;
    line("| %s streamed upsert + read, %s%s | %s (%.0f MiB/s) | %s (%.0f MiB/s) | %.2f×"
            + " throughput | ≥ 0.7× | %s |",
        size(size), ds.get().node().path("jvmArgs").toString().contains("-Xmx128m")
            ? "-Xmx128m" : "heap " + ds.get().node().path("jvmArgs"), note,
        fig(ds.get()), dsRate, fig(base.get()), baseRate, ratio,
        ratio >= 0.7 ? "met" : "**missed**");
  }

  private void coldStart() {
    Optional<Result> r = find("ColdStartBench.openAndFirstUpsert");
    if (r.isEmpty()) {
      line("| cold open + first upsert (fresh JVM) | — | — | — | < 0.3 s | not run |");
      return;
    }
    double max = r.get().raw().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    double maxMs = r.get().unit().equals("s/op") ? max * 1000 : max;
    double meanMs = r.get().unit().equals("s/op") ? r.get().score() * 1000 : r.get().score();
    line("| cold open + first upsert (fresh JVM, %d forks; Tika never initialised: checked in "
            + "every fork) | mean %.0f ms, max %.0f ms | — | — | < 0.3 s | %s |",
        r.get().raw().size(), meanMs, maxMs, meanMs < 300 ? "met" : "**missed**");
  }

  private void pdf() {
    Optional<Result> cold = find("ColdStartBench.pdfFirstGet");
    Optional<Result> first = find("PdfBench.first");
    Optional<Result> cached = find("PdfBench.cached");
    cold.ifPresent(r -> line("| get(withContent) PDF, first in a fresh JVM (Tika start + parse, "
        + "%d forks) | %s | — | — | report | reported |", r.raw().size(), fig(r)));
    first.ifPresent(r -> line("| get(withContent) PDF, first parse in a warm JVM | %s | — | — "
        + "| report | reported |", fig(r)));
    cached.ifPresent(r -> line("| get(withContent) PDF, cached | %s | — | — | report | reported |",
        fig(r)));
  }

  /**
   * The index seam (issue 12, {@link PostgresIndexBench}, {@link PostgresScaleBench}): each index
   * against its floor (the same durable index work in plain JDBC on the same database, same blob
   * backend), PostgreSQL against SQLite, listing at two disk sizes, and throughput of 1, 2, 4 JVMs.
   */
  private void postgres() {
    String b = "PostgresIndexBench.";
    for (String[] op : new String[][] {{"upsert", "upsert 1 KiB text"},
        {"get", "get meta + bytes, 1 KiB"}}) {
      reported(op[1] + ", PostgreSQL index vs its JDBC floor", find(b + op[0] + "Postgres"),
          find(b + op[0] + "PostgresFloor"));
      reported(op[1] + ", SQLite index vs its JDBC floor", find(b + op[0] + "Sqlite"),
          find(b + op[0] + "SqliteFloor"));
      reported(op[1] + ", PostgreSQL index vs SQLite index", find(b + op[0] + "Postgres"),
          find(b + op[0] + "Sqlite"));
    }
    List<String> sizes = paramValues(b + "listPostgres", "listArtifacts");
    for (String size : sizes) {
      String n = String.format(Locale.ROOT, "%,d", Long.parseLong(size));
      reported("list a 100-entry directory in a disk of " + n + ", PostgreSQL vs its JDBC floor",
          find(b + "listPostgres", "listArtifacts", size),
          find(b + "listPostgresFloor", "listArtifacts", size));
      reported("list a 100-entry directory in a disk of " + n + ", SQLite vs its JDBC floor",
          find(b + "listSqlite", "listArtifacts", size),
          find(b + "listSqliteFloor", "listArtifacts", size));
    }
    if (sizes.size() >= 2) {
      String small = sizes.get(0);
      String large = sizes.get(sizes.size() - 1);
      for (String index : List.of("Postgres", "Sqlite")) {
        Optional<Result> l = find(b + "list" + index, "listArtifacts", large);
        Optional<Result> s = find(b + "list" + index, "listArtifacts", small);
        if (l.isPresent() && s.isPresent()) {
          double ratio = l.get().score() / s.get().score();
          line("| list a 100-entry directory on %s: disk of %,d vs %,d artifacts | %s | %s | %.2f×"
                  + " | ≤ 1.2× | %s |",
              index.equals("Postgres") ? "PostgreSQL" : "SQLite", Long.parseLong(large),
              Long.parseLong(small), fig(l.get()), fig(s.get()), ratio,
              ratio <= 1.2 ? "met" : "**missed**");
        }
      }
    }
    Double previous = null;
    Double single = null;
    for (String jvms : paramValues("PostgresScaleBench.upserts", "jvms")) {
      Result r = find("PostgresScaleBench.upserts", "jvms", jvms).orElseThrow();
      JsonNode upserts = r.node().path("secondaryMetrics").path("upserts");
      if (upserts.isMissingNode()) {
        continue;
      }
      double rate = upserts.path("score").asDouble();
      double error = upserts.path("scoreError").asDouble(Double.NaN);
      if (single == null) {
        single = rate;
      }
      boolean grows = previous == null || rate > previous;
      line("| %s JVM(s) upserting 1 KiB into one store (PostgreSQL + shared blob directory), "
              + "total | %s%s upserts/s | %s upserts/s (1 JVM) | %.2f× | grows with JVMs | %s |",
          jvms, num(rate), Double.isNaN(error) ? "" : " ± " + num(error), num(single),
          rate / single, previous == null ? "—" : grows ? "met" : "**missed**");
      previous = rate;
    }
  }

  /** A row without a target: DiskStore (or the first figure) / the reference, reported. */
  private void reported(String scenario, Optional<Result> ds, Optional<Result> base) {
    if (ds.isEmpty() || base.isEmpty()) {
      return;
    }
    line("| %s | %s | %s | %.2f× | report | reported |", scenario, fig(ds.get()), fig(base.get()),
        ds.get().score() / base.get().score());
  }

  /**
   * The targets of the peer scenarios (the whole table is {@link PeerTable}): 8 writers at least
   * 1.5× the single-thread floor's throughput and ahead of OpenDAL ({@link PeerConcurrentBench}),
   * CPU per upsert at most 1.3× the floor's ({@link CpuPerOpProfiler} on {@link PeerBench}), a
   * fresh JVM that opens a store and upserts at most 1.3× one that only opens SQLite ({@link
   * ColdProcessBench}).
   */
  private void peers(PeerTable table) {
    table.row("8 writers (ops/s, higher is better)").ifPresent(row -> {
      PeerTable.Cell base = row.cell(PeerTable.Peer.FLOOR).orElseThrow();
      Optional<PeerTable.Cell> ds = row.cell(PeerTable.Peer.DISKSTORE);
      Optional<PeerTable.Cell> opendal = row.cell(PeerTable.Peer.OPENDAL);
      if (ds.isEmpty()) {
        return;
      }
      double ratio = ds.get().ratio();
      boolean ahead =
          opendal.isEmpty() || ds.get().figure().score() > opendal.get().figure().score();
      line("| peers: 8 writers upserting 1 KiB, total throughput (PeerConcurrentBench; OpenDAL: %s)"
              + " | %s | %s (floor, 1 thread) | %.2f× | ≥ 1.5× and ahead of OpenDAL | %s |",
          opendal.map(c -> PeerTable.ratio(c.ratio())).orElse("not run"), ds.get().figure().text(),
          base.figure().text(), ratio, ratio >= 1.5 && ahead ? "met" : "**missed**");
    });
    table.row("CPU per upsert").ifPresent(row -> peerTarget(row,
        "peers: CPU per upsert 1 KiB, whole process (PeerBench, cpu/op)", 1.3));
    table.row("cold process").ifPresent(row -> peerTarget(row, "cold process: fresh JVM, open +"
        + " first upsert, vs a JVM that only opens SQLite (ColdProcessBench, start to exit)", 1.3));
    table.row("cold process, AppCDS").ifPresent(row -> peerTarget(row, "(option) the same, both"
        + " JVMs started with a class-data archive of their own classes", 1.3));
  }

  private void peerTarget(PeerTable.Row row, String scenario, double max) {
    Optional<PeerTable.Cell> ds = row.cell(PeerTable.Peer.DISKSTORE);
    Optional<PeerTable.Cell> base = row.cell(PeerTable.Peer.FLOOR);
    if (ds.isEmpty() || base.isEmpty()) {
      return;
    }
    double ratio = ds.get().ratio();
    line("| %s | %s | %s | %.2f× | ≤ %.1f× | %s |", scenario, ds.get().figure().text(),
        base.get().figure().text(), ratio, max, ratio <= max ? "met" : "**missed**");
  }

  /** The design prototypes (bench/run.sh proto), each figure against its reference. */
  private void prototypes() {
    String[][] rows = {
      {"ProtoShardsBench.upsert", "layout", "indexOnly", "ProtoShardsBench.upsert", "layout",
          "stock", "upsert 1 KiB binary: index work alone (bytes dropped) vs stock"},
      {"ProtoReadPatternBench.preparePerCall", null, null, "ProtoReadPatternBench.cachedStatement",
          null, null, "indexed lookup: DiskStore's JDBC pattern vs cached statement"},
      {"ProtoReadPatternBench.preparePerCallTwice", null, null,
          "ProtoReadPatternBench.cachedStatement", null, null,
          "two lookups (get + open) vs one cached lookup"},
      {"ProtoHashPipelineBench.copyInlineSha256", null, null, "ProtoHashPipelineBench.copyNoHash",
          null, null, "streamed copy + SHA-256 on the writing thread vs no hash"},
      {"ProtoHashPipelineBench.copyPipelinedSha256", null, null,
          "ProtoHashPipelineBench.copyNoHash", null, null,
          "streamed copy + SHA-256 on a second thread vs no hash"},
      {"ProtoTextIndexBench.contentlessPerDocument", null, null,
          "ProtoTextIndexBench.ftsPerDocument", null, null,
          "FTS5 index of one 64 KiB text, fsync'd commit: contentless table vs DiskStore's"},
      {"ProtoTextIndexBench.ftsBatchOf16", null, null, "ProtoTextIndexBench.ftsPerDocument", null,
          null, "FTS5 index of one 64 KiB text: 16 per commit vs one per commit"},
      {"ProtoColdBench.sqliteFirstConnectionPreExtracted", null, null,
          "ProtoColdBench.sqliteFirstConnection", null, null,
          "fresh JVM, first SQLite connection: pre-extracted native library vs as shipped"},
      {"ProtoColdBench.jacksonStreaming", null, null, "ProtoColdBench.jacksonObjectMapper", null,
          null, "fresh JVM, first JSON write + read: jackson-core streaming vs ObjectMapper"},
    };
    boolean header = false;
    for (String[] row : rows) {
      Optional<Result> a = row[1] == null ? find(row[0]) : find(row[0], row[1], row[2]);
      Optional<Result> b = row[4] == null ? find(row[3]) : find(row[3], row[4], row[5]);
      if (a.isEmpty() || b.isEmpty()) {
        continue;
      }
      if (!header) {
        line("");
        line("Design prototypes (bench/run.sh proto):");
        line("");
        line("| prototype | variant | reference | ratio |");
        line("|---|---|---|---|");
        header = true;
      }
      line("| %s | %s | %s | %.2f× |", row[6], fig(a.get()), fig(b.get()),
          a.get().score() / b.get().score());
    }
  }
}
