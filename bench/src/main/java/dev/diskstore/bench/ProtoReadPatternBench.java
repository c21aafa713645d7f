package dev.diskstore.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.SplittableRandom;
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
import org.sqlite.SQLiteConfig;

/**
 * Design prototype (not a scenario of the issue; bench/run.sh proto): what DiskStore's way of
 * calling SQLite costs one indexed lookup, on the floor's table of 1,000 rows ({@link FloorStore}).
 *
 * <ul>
 *   <li>{@code cachedStatement}: the floor: one prepared statement reused, auto-commit SELECT;
 *   <li>{@code preparePerCall}: what {@code SqliteIndex.read} + {@code ArtifactOps.selectRow} do
 *       for each lookup: {@code BEGIN} and {@code COMMIT} each through a new {@code Statement},
 *       and the SELECT prepared (compiled by SQLite) and closed on every call;
 *   <li>{@code preparePerCallTwice}: the same twice, as {@code get} followed by {@code open} does
 *       (two lookups of the same row).
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class ProtoReadPatternBench {
  private static final int FILES = 1000;
  private static final String SELECT =
      "SELECT id, path, filename, file, size, meta FROM files"
          + " WHERE disk = 'bench' AND path = ? AND filename = ?";

  private Path dir;
  private FloorStore floor;
  private Connection reader;
  private final String[] paths = new String[FILES];
  private final String[] names = new String[FILES];
  private int[] order;
  private int next;

  @Setup(Level.Trial)
  public void build() throws SQLException {
    dir = BenchFiles.scratch("proto-read-");
    floor = FloorStore.open(dir);
    for (int i = 0; i < FILES; i++) {
      paths[i] = String.format(Locale.ROOT, "/docs/d%02d/", i % 10);
      names[i] = Content.name("text", i);
      floor.put(paths[i], names[i], Content.text(1024, i));
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    reader = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("floor.db"),
        config.toProperties());
    order = new SplittableRandom(7).ints(FILES * 16L, 0, FILES).toArray();
  }

  @TearDown(Level.Trial)
  public void close() throws SQLException {
    reader.close();
    floor.close();
    BenchFiles.deleteTree(dir);
  }

  private int nextIndex() {
    int i = order[next];
    next = next + 1 == order.length ? 0 : next + 1;
    return i;
  }

  @Benchmark
  public FloorStore.Row cachedStatement() {
    int i = nextIndex();
    return floor.find(paths[i], names[i]);
  }

  @Benchmark
  public FloorStore.Row preparePerCall() throws SQLException {
    int i = nextIndex();
    return lookup(paths[i], names[i]);
  }

  @Benchmark
  public FloorStore.Row preparePerCallTwice() throws SQLException {
    int i = nextIndex();
    lookup(paths[i], names[i]);
    return lookup(paths[i], names[i]);
  }

  private FloorStore.Row lookup(String path, String filename) throws SQLException {
    exec("BEGIN");
    try (PreparedStatement s = reader.prepareStatement(SELECT)) {
      s.setString(1, path);
      s.setString(2, filename);
      try (ResultSet rs = s.executeQuery()) {
        FloorStore.Row row = rs.next()
            ? new FloorStore.Row(rs.getLong(1), rs.getString(2), rs.getString(3),
                rs.getString(4), rs.getLong(5), rs.getString(6))
            : null;
        exec("COMMIT");
        return row;
      }
    }
  }

  private void exec(String sql) throws SQLException {
    try (Statement s = reader.createStatement()) {
      s.execute(sql);
    }
  }
}
