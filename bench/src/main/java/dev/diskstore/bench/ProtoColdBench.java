package dev.diskstore.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
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
 * Design prototype (not a scenario of the issue; bench/run.sh proto): the two largest pieces of
 * {@link ColdStartBench#openAndFirstUpsert}, each the first of its kind in a fresh JVM (single
 * shot, no warm-up, 5 forks).
 *
 * <ul>
 *   <li>{@code sqliteFirstConnection}: loading sqlite-jdbc and opening the first connection, as
 *       shipped: the driver extracts its native library (1.1 MB) to the temp directory and loads
 *       it;
 *   <li>{@code sqliteFirstConnectionPreExtracted}: the same with the library extracted beforehand
 *       (set-up, not measured) and named by {@code org.sqlite.lib.path}/{@code org.sqlite.lib.name}
 *       (a deployment setting);
 *   <li>{@code jacksonObjectMapper}: the first {@code new ObjectMapper()} plus one write and one
 *       read of a small map, as DiskStore's metadata codec does when a store opens;
 *   <li>{@code jacksonStreaming}: the same JSON through jackson-core's streaming API only.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(5)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
public class ProtoColdBench {
  private Path dir;

  @Setup(Level.Trial)
  public void prepare() {
    dir = BenchFiles.scratch("proto-cold-");
  }

  @TearDown(Level.Trial)
  public void close() {
    BenchFiles.deleteTree(dir);
  }

  /** The library extracted in the set-up of {@link #sqliteFirstConnectionPreExtracted}. */
  @State(Scope.Benchmark)
  public static class Extracted {
    Path lib;

    @Setup(Level.Trial)
    public void extract() throws IOException {
      lib = BenchFiles.scratch("proto-sqlite-lib-");
      String arch = System.getProperty("os.arch").equals("amd64") ? "x86_64"
          : System.getProperty("os.arch");
      String resource = "/org/sqlite/native/Linux/" + arch + "/libsqlitejdbc.so";
      try (InputStream in = ProtoColdBench.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("no " + resource + " in the jar");
        }
        Files.copy(in, lib.resolve("libsqlitejdbc.so"), StandardCopyOption.REPLACE_EXISTING);
      }
      System.setProperty("org.sqlite.lib.path", lib.toString());
      System.setProperty("org.sqlite.lib.name", "libsqlitejdbc.so");
    }

    @TearDown(Level.Trial)
    public void close() {
      BenchFiles.deleteTree(lib);
    }
  }

  @Benchmark
  public boolean sqliteFirstConnection() throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.db"))) {
      return c.isValid(1);
    }
  }

  @Benchmark
  public boolean sqliteFirstConnectionPreExtracted(Extracted extracted) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.db"))) {
      return c.isValid(1);
    }
  }

  @Benchmark
  public Object jacksonObjectMapper() throws IOException {
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    String json = mapper.writeValueAsString(Map.of("department", "engineering"));
    return mapper.readValue(json, Map.class);
  }

  @Benchmark
  public String jacksonStreaming() throws IOException {
    var factory = new com.fasterxml.jackson.core.JsonFactory();
    StringWriter out = new StringWriter();
    try (var generator = factory.createGenerator(out)) {
      generator.writeStartObject();
      generator.writeStringField("department", "engineering");
      generator.writeEndObject();
    }
    StringBuilder read = new StringBuilder();
    try (var parser = factory.createParser(out.toString())) {
      while (parser.nextToken() != null) {
        read.append(parser.getText());
      }
    }
    return read.toString();
  }
}
