package dev.diskstore.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.openjdk.jmh.util.ListStatistics;

/**
 * The peers table: one row per scenario, one column per system (the floor, DiskStore, OpenDAL
 * {@code fs}, jclouds filesystem), each cell the system's ratio to the floor of the same run with
 * its score ± error and the range of its iterations, read from JMH results. {@link Summary} prints
 * it as Markdown, {@link Plot} draws its ratios.
 *
 * <p>Rows, when their results are present: upsert 1 KiB, 8 writers ({@link PeerConcurrentBench}),
 * CPU per upsert ({@code cpu/op} of {@link PeerBench}'s upserts, from {@link CpuPerOpProfiler}),
 * get, list ({@link PeerBench}), the stream ({@link PeerStreamBench}, one row per size) and the
 * cold process ({@link ColdProcessBench}, DiskStore and the floor only). Every ratio is of time or CPU
 * (lower is better) except the 8 writers', which is of throughput against the floor on one thread
 * (higher is better), as the target is worded.
 */
final class PeerTable {

  /** The systems, in column order. */
  enum Peer {
    FLOOR("floor", "Floor", "floor"),
    DISKSTORE("DiskStore", "Diskstore", "diskstore"),
    OPENDAL("OpenDAL fs (file fsync only)", "Opendal", "opendal"),
    JCLOUDS("jclouds filesystem (no fsync)", "Jclouds", "jclouds");

    /** The column header. */
    final String title;
    /** The suffix of PeerBench's and PeerStreamBench's methods ({@code upsertFloor}). */
    final String suffix;
    /** The prefix of PeerConcurrentBench's methods ({@code floor8Threads}). */
    final String prefix;

    Peer(String title, String suffix, String prefix) {
      this.title = title;
      this.suffix = suffix;
      this.prefix = prefix;
    }

    /** The name in a plot's legend. */
    String shortName() {
      return this == FLOOR ? "floor (8 writers: the floor on 8 threads)"
          : title.replaceFirst(" \\(.*", "");
    }
  }

  /**
   * A measured figure: mean ± error (JMH's 99.9 % confidence half-width; NaN with fewer than 3
   * iterations) in {@code unit}, and the smallest and largest iteration.
   */
  record Figure(double score, double error, String unit, double min, double max) {

    /** The primary result of a benchmark. */
    static Figure of(Summary.Result r) {
      return of(r.score(), r.error(), r.unit(), r.raw());
    }

    /** A secondary result ({@code cpu/op}), if the benchmark has it. */
    static Optional<Figure> secondary(Summary.Result r, String name) {
      JsonNode metric = r.node().path("secondaryMetrics").path(name);
      if (metric.isMissingNode()) {
        return Optional.empty();
      }
      return Optional.of(of(metric.path("score").asDouble(),
          metric.path("scoreError").asDouble(Double.NaN), metric.path("scoreUnit").asText(),
          raw(metric)));
    }

    /**
     * A secondary result that JMH counts as events ({@link ColdProcessBench}'s times): JMH's score
     * is the sum over the iterations, so the figure is computed from the raw data, as JMH computes
     * a primary score.
     */
    static Optional<Figure> events(Summary.Result r, String name, String unit) {
      JsonNode metric = r.node().path("secondaryMetrics").path(name);
      if (metric.isMissingNode()) {
        return Optional.empty();
      }
      List<Double> raw = raw(metric);
      ListStatistics stats = new ListStatistics(raw.stream().mapToDouble(d -> d).toArray());
      return Optional.of(of(stats.getMean(), stats.getMeanErrorAt(0.999), unit, raw));
    }

    private static Figure of(double score, double error, String unit, List<Double> raw) {
      double min = raw.stream().mapToDouble(d -> d).min().orElse(score);
      double max = raw.stream().mapToDouble(d -> d).max().orElse(score);
      return new Figure(score, error, unit, min, max);
    }

    static List<Double> raw(JsonNode metric) {
      List<Double> raw = new ArrayList<>();
      for (JsonNode fork : metric.path("rawData")) {
        for (JsonNode v : fork) {
          raw.add(v.asDouble());
        }
      }
      return raw;
    }

    /** {@code 1,407 ± 788 µs [1,157–1,719]} (no error when JMH gives none). */
    String text() {
      String u = unit(unit);
      String range = min == max ? "" : " [" + Summary.num(min) + "–" + Summary.num(max) + "]";
      String err = Double.isNaN(error) || error == 0 ? "" : " ± " + Summary.num(error);
      return Summary.num(score) + err + " " + u + range;
    }

    private static String unit(String jmh) {
      return switch (jmh) {
        case "us/op" -> "µs";
        case "ms/op" -> "ms";
        case "s/op" -> "s";
        case "ns/op" -> "ns";
        default -> jmh;
      };
    }
  }

  /** One system's figure in a row, its ratio to the row's floor and its CPU per operation. */
  record Cell(Figure figure, double ratio, Optional<Figure> cpu) {}

  /**
   * One scenario. {@code floorAlso} is a second floor figure shown beside the baseline (the floor
   * on 8 threads in the 8-writer row) with its ratio; {@code note} is appended to the DiskStore
   * cell.
   */
  record Row(String scenario, String label, boolean higherIsBetter, Map<Peer, Cell> cells,
      Optional<Cell> floorAlso, String note) {

    Optional<Cell> cell(Peer peer) {
      return Optional.ofNullable(cells.get(peer));
    }

    /** The value a plot shows: the ratio; for the floor 1, or the ratio of {@code floorAlso}. */
    Optional<Double> plotted(Peer peer) {
      if (peer == Peer.FLOOR && floorAlso.isPresent()) {
        return Optional.of(floorAlso.get().ratio());
      }
      return cell(peer).map(Cell::ratio);
    }
  }

  private final List<Summary.Result> results;
  private final List<Row> rows = new ArrayList<>();

  private PeerTable(List<Summary.Result> results) {
    this.results = results;
    perScenario("upsert 1 KiB", "upsert 1 KiB", "PeerBench.upsert", false);
    writers();
    cpu();
    perScenario("get meta + 1 KiB (200 files)", "get", "PeerBench.get", true);
    perScenario("list a 100-entry directory (1,000 files)", "list", "PeerBench.list", true);
    streams();
    coldProcess();
  }

  /** The rows present in {@code results} (none when no peer benchmark ran). */
  static PeerTable of(List<Summary.Result> results) {
    return new PeerTable(results);
  }

  List<Row> rows() {
    return rows;
  }

  Optional<Row> row(String label) {
    return rows.stream().filter(r -> r.label().equals(label)).findFirst();
  }

  private Optional<Summary.Result> find(String benchmark, String... keyValues) {
    return Summary.find(results, benchmark, keyValues);
  }

  /** A time row of PeerBench or PeerStreamBench: method {@code prefix + Peer.suffix}. */
  private void perScenario(String scenario, String label, String prefix, boolean withCpu,
      String... params) {
    Optional<Summary.Result> floor = find(prefix + Peer.FLOOR.suffix, params);
    if (floor.isEmpty()) {
      return;
    }
    Figure base = Figure.of(floor.get());
    Map<Peer, Cell> cells = new EnumMap<>(Peer.class);
    for (Peer peer : Peer.values()) {
      find(prefix + peer.suffix, params).ifPresent(r -> cells.put(peer, new Cell(Figure.of(r),
          r.score() / base.score(), withCpu ? Figure.secondary(r, "cpu/op") : Optional.empty())));
    }
    rows.add(new Row(scenario, label, false, cells, Optional.empty(), ""));
  }

  private void writers() {
    String b = "PeerConcurrentBench.";
    Optional<Summary.Result> floor = find(b + "floor1Thread");
    if (floor.isEmpty()) {
      return;
    }
    Figure base = Figure.of(floor.get());
    Map<Peer, Cell> cells = new EnumMap<>(Peer.class);
    cells.put(Peer.FLOOR, new Cell(base, 1, Figure.secondary(floor.get(), "cpu/op")));
    Optional<Cell> floor8 = Optional.empty();
    for (Peer peer : Peer.values()) {
      Optional<Cell> cell = find(b + peer.prefix + "8Threads").map(r -> new Cell(Figure.of(r),
          r.score() / base.score(), Figure.secondary(r, "cpu/op")));
      if (peer == Peer.FLOOR) {
        floor8 = cell;
      } else {
        cell.ifPresent(c -> cells.put(peer, c));
      }
    }
    rows.add(new Row("8 writers upserting 1 KiB: total throughput, vs the floor on 1 thread"
        + " (higher is better)", "8 writers (ops/s, higher is better)", true, cells, floor8, ""));
  }

  private void cpu() {
    Optional<Figure> base = find("PeerBench.upsertFloor")
        .flatMap(r -> Figure.secondary(r, "cpu/op"));
    if (base.isEmpty()) {
      return;
    }
    Map<Peer, Cell> cells = new EnumMap<>(Peer.class);
    for (Peer peer : Peer.values()) {
      find("PeerBench.upsert" + peer.suffix).flatMap(r -> Figure.secondary(r, "cpu/op"))
          .ifPresent(f -> cells.put(peer,
              new Cell(f, f.score() / base.get().score(), Optional.empty())));
    }
    rows.add(new Row("CPU per upsert 1 KiB (process CPU time, all threads)", "CPU per upsert",
        false, cells, Optional.empty(), ""));
  }

  private void streams() {
    List<String> sizes = new ArrayList<>();
    for (Summary.Result r : results) {
      String size = r.param("streamBytes");
      if (r.benchmark().startsWith("PeerStreamBench.") && size != null && !sizes.contains(size)) {
        sizes.add(size);
      }
    }
    sizes.sort((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
    for (String size : sizes) {
      String mib = (Long.parseLong(size) >> 20) + " MiB";
      perScenario(mib + " streamed write + read-back", mib + " stream",
          "PeerStreamBench.stream", true, "streamBytes", size);
    }
  }

  private void coldProcess() {
    coldProcess("floorMs", "diskstoreMs", "cold process", "cold process: a fresh JVM opens a store"
        + " and upserts 1 KiB, vs one that only opens SQLite (start to exit, %d pair%s)");
    coldProcess("floorCdsMs", "diskstoreCdsMs", "cold process, AppCDS", "the same, each JVM"
        + " started with a class-data archive of its own classes (-XX:SharedArchiveFile; %d"
        + " pair%s)");
  }

  private void coldProcess(String floorKey, String diskstoreKey, String shortLabel,
      String labelFormat) {
    Optional<Summary.Result> pair = find("ColdProcessBench.floorAndDiskstore");
    Optional<Figure> floor = pair.flatMap(r -> Figure.events(r, floorKey, "ms"));
    Optional<Figure> diskstore = pair.flatMap(r -> Figure.events(r, diskstoreKey, "ms"));
    if (floor.isEmpty() || diskstore.isEmpty()) {
      return;
    }
    Map<Peer, Cell> cells = new EnumMap<>(Peer.class);
    cells.put(Peer.FLOOR, new Cell(floor.get(), 1, Optional.empty()));
    cells.put(Peer.DISKSTORE, new Cell(diskstore.get(),
        diskstore.get().score() / floor.get().score(), Optional.empty()));
    // the ratio within each pair (both processes of one call, under the same load)
    JsonNode secondaries = pair.get().node().path("secondaryMetrics");
    List<Double> f = Figure.raw(secondaries.path(floorKey));
    List<Double> d = Figure.raw(secondaries.path(diskstoreKey));
    double min = Double.POSITIVE_INFINITY;
    double max = 0;
    for (int i = 0; i < Math.min(f.size(), d.size()); i++) {
      min = Math.min(min, d.get(i) / f.get(i));
      max = Math.max(max, d.get(i) / f.get(i));
    }
    String note = f.size() < 2 ? "" : String.format(Locale.ROOT, "; per pair %s–%s",
        ratio(min), ratio(max));
    rows.add(new Row(String.format(Locale.ROOT, labelFormat, f.size(), f.size() == 1 ? "" : "s"),
        shortLabel, false, cells, Optional.empty(), note));
  }

  /** {@code ; CPU 412 µs/op}, or in ms from 10 ms on (the stream). */
  private static String cpuText(Figure cpu) {
    double micros = cpu.score();
    return micros >= 10_000 ? "; CPU " + Summary.num(micros / 1000) + " ms/op"
        : "; CPU " + Summary.num(micros) + " µs/op";
  }

  /** {@code 1.68×}, {@code 16.5×}, {@code 108×}. */
  static String ratio(double r) {
    if (r >= 100) {
      return String.format(Locale.ROOT, "%.0f×", r);
    }
    if (r >= 10) {
      return String.format(Locale.ROOT, "%.1f×", r);
    }
    return String.format(Locale.ROOT, "%.2f×", r);
  }

  /** The table as Markdown, with the durability note under it; empty when there are no rows. */
  String markdown() {
    if (rows.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    out.append("Peers in the same run: each system's ratio to the floor of its scenario (in"
        + " brackets: score ± JMH's 99.9 % error [fastest–slowest iteration]). Time and CPU:"
        + " lower is better; 8 writers: throughput, higher is better.\n\n");
    out.append("| scenario |");
    for (Peer peer : Peer.values()) {
      out.append(' ').append(peer.title).append(" |");
    }
    out.append("\n|---|---|---|---|---|\n");
    for (Row row : rows) {
      out.append("| ").append(row.scenario()).append(" |");
      for (Peer peer : Peer.values()) {
        out.append(' ').append(cellText(row, peer)).append(" |");
      }
      out.append('\n');
    }
    out.append("\nDurability: DiskStore and the floor fsync the file, rename it into place, fsync"
        + " the directory and commit the index at synchronous=FULL; OpenDAL fs fsyncs the file"
        + " only (a write that returned can lose its name in a crash); jclouds filesystem never"
        + " fsyncs. CPU is the process's (all threads: benchmark, background indexer, GC, JIT)"
        + " per operation.\n");
    return out.toString();
  }

  private static String cellText(Row row, Peer peer) {
    Optional<Cell> found = row.cell(peer);
    if (found.isEmpty()) {
      return "—";
    }
    Cell cell = found.get();
    String cpu = cell.cpu().map(PeerTable::cpuText).orElse("");
    if (peer == Peer.FLOOR) {
      String text = cell.figure().text() + cpu;
      if (row.floorAlso().isPresent()) {
        Cell also = row.floorAlso().get();
        text = "1 thread: " + text + "; 8 threads: " + ratio(also.ratio()) + " ("
            + also.figure().text()
            + also.cpu().map(PeerTable::cpuText).orElse("") + ")";
      }
      return text;
    }
    String r = ratio(cell.ratio());
    if (peer == Peer.DISKSTORE) {
      r = "**" + r + "**";
    }
    return r + " (" + cell.figure().text() + cpu + (peer == Peer.DISKSTORE ? row.note() : "")
        + ")";
  }
}
