package dev.diskstore.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.sqlite.SQLiteConfig;

/**
 * Design prototype (not a scenario of the issue; bench/run.sh proto): what indexing one text
 * file's body in SQLite FTS5 costs inside a durable (synchronous=FULL, WAL) commit, as DiskStore's
 * upsert does, and what the alternatives cost. Every figure is per document of {@code textBytes}
 * Markdown-like text, with the tokenizer DiskStore uses ({@code porter unicode61
 * remove_diacritics 2}); a fresh database per iteration.
 *
 * <ul>
 *   <li>{@code ftsPerDocument}: DiskStore's table (FTS5 keeps its own copy of the text) and one
 *       fsync'd commit per document, as in an upsert;
 *   <li>{@code contentlessPerDocument}: a contentless table ({@code content='',
 *       contentless_delete=1}): the index without the copy of the text;
 *   <li>{@code ftsBatchOf16}: DiskStore's table, 16 documents per commit, as a background indexer
 *       that batches the text of recent upserts would do.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class ProtoTextIndexBench {
  private static final String TOKENIZER = "tokenize = 'porter unicode61 remove_diacritics 2'";

  @Param({"65536"})
  public int textBytes;

  private Path dir;
  private Connection connection;
  private PreparedStatement insertFull;
  private PreparedStatement insertContentless;
  private String text;
  private long rowid;

  @Setup(Level.Iteration)
  public void open() throws SQLException {
    dir = BenchFiles.scratch("proto-fts-");
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("fts.db"),
        config.toProperties());
    try (Statement s = connection.createStatement()) {
      s.execute(
          "CREATE VIRTUAL TABLE full_text USING fts5(path, filename, body, " + TOKENIZER + ")");
      s.execute("CREATE VIRTUAL TABLE contentless USING fts5(path, filename, body, content = '',"
          + " contentless_delete = 1, " + TOKENIZER + ")");
    }
    insertFull = connection.prepareStatement(
        "INSERT INTO full_text (rowid, path, filename, body) VALUES (?, '/bench/', ?, ?)");
    insertContentless = connection.prepareStatement(
        "INSERT INTO contentless (rowid, path, filename, body) VALUES (?, '/bench/', ?, ?)");
    text = new String(Content.text(textBytes, 5), StandardCharsets.US_ASCII);
  }

  @TearDown(Level.Iteration)
  public void close() throws SQLException {
    insertFull.close();
    insertContentless.close();
    connection.close();
    BenchFiles.deleteTree(dir);
  }

  private void insert(PreparedStatement statement) throws SQLException {
    long id = ++rowid;
    statement.setLong(1, id);
    statement.setString(2, "f-" + id + ".md");
    // a different first word per document, like the unique files of the upsert benchmarks
    statement.setString(3, "doc" + id + " " + text);
    statement.executeUpdate();
  }

  @Benchmark
  public long ftsPerDocument() throws SQLException {
    insert(insertFull);
    return rowid;
  }

  @Benchmark
  public long contentlessPerDocument() throws SQLException {
    insert(insertContentless);
    return rowid;
  }

  @Benchmark
  @OperationsPerInvocation(16)
  public long ftsBatchOf16() throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("BEGIN");
      for (int i = 0; i < 16; i++) {
        insert(insertFull);
      }
      s.execute("COMMIT");
    }
    return rowid;
  }
}
