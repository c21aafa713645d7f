package dev.diskstore.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/**
 * Runs {@code diskstore} in process through {@link DiskStoreCli#run}, as {@code main} does, with
 * standard output and error captured.
 */
final class CliRun {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private CliRun() {}

  /** A run with no terminal attached (as when piped). */
  static Result run(String... args) {
    return run(false, args);
  }

  static Result run(boolean terminal, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, false, UTF_8);
        PrintStream e = new PrintStream(err, true, UTF_8)) {
      code = DiskStoreCli.run(new Io(o, e, terminal), args);
    }
    return new Result(code, out.toByteArray(), err.toString(UTF_8));
  }

  /**
   * What a run produced.
   *
   * @param exitCode the exit code
   * @param stdout standard output, as bytes
   * @param err standard error
   */
  record Result(int exitCode, byte[] stdout, String err) {
    String out() {
      return new String(stdout, UTF_8);
    }

    /** Standard output parsed as one JSON document (failing if it is anything else). */
    JsonNode json() {
      try (JsonParser parser = MAPPER.createParser(stdout)) {
        JsonNode document = MAPPER.readTree(parser);
        if (document == null || parser.nextToken() != null) {
          throw new AssertionError("not exactly one JSON document: " + out());
        }
        return document;
      } catch (java.io.IOException e) {
        throw new UncheckedIOException("not JSON: " + out(), e);
      }
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- out\n" + out() + "\n--- err\n" + err;
    }
  }
}
