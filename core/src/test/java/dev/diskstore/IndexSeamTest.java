package dev.diskstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the index a seam: only {@code dev.diskstore.index.sqlite} may use JDBC or contain SQL. Every
 * other main source file of core is scanned for {@code java.sql} imports and for string literals
 * that read like SQL statements.
 */
class IndexSeamTest {
  private static final Path MAIN = Path.of("src/main/java");
  private static final String SQLITE_PACKAGE = "dev/diskstore/index/sqlite/";
  private static final Pattern STRING_LITERAL = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"");
  /** Statement shapes, case-sensitive as SQL is written here; prose rarely matches them. */
  private static final Pattern SQL =
      Pattern.compile(
          "\\b(SELECT\\s+\\S.*\\bFROM\\b|INSERT\\s+(OR\\s+\\w+\\s+)?INTO\\b|UPDATE\\s+\\w+\\s+SET\\b"
              + "|DELETE\\s+FROM\\b|CREATE\\s+(TABLE|INDEX|VIRTUAL)\\b|DROP\\s+TABLE\\b|PRAGMA\\b"
              + "|BEGIN\\s+IMMEDIATE\\b|SAVEPOINT\\b|\\bWHERE\\s+\\w+\\s*(=|>|<|IN\\b)|ORDER\\s+BY\\b"
              + "|ON\\s+CONFLICT\\b|\\bJOIN\\s+\\w+\\s+\\w+\\s+ON\\b)");

  @Test
  void onlyTheSqlitePackageUsesJdbcOrSql() throws IOException {
    assertThat(MAIN.resolve(SQLITE_PACKAGE)).isDirectory();
    List<String> violations = new ArrayList<>();
    int scanned = 0;
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
        String relative = MAIN.relativize(file).toString().replace('\\', '/');
        if (relative.startsWith(SQLITE_PACKAGE)) {
          continue;
        }
        scanned++;
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i);
          String code = line.strip();
          if (code.startsWith("*") || code.startsWith("//") || code.startsWith("/*")) {
            continue; // comments may talk about SQL
          }
          if (line.contains("java.sql.") || line.contains("javax.sql.")) {
            violations.add(relative + ":" + (i + 1) + ": uses JDBC: " + code);
          }
          Matcher literal = STRING_LITERAL.matcher(line);
          while (literal.find()) {
            if (SQL.matcher(literal.group(1)).find()) {
              violations.add(relative + ":" + (i + 1) + ": SQL in a string: " + code);
            }
          }
        }
      }
    }
    assertThat(scanned).as("files scanned").isGreaterThan(50);
    assertThat(violations)
        .as("java.sql and SQL belong in " + SQLITE_PACKAGE + " only (the index seam)")
        .isEmpty();
  }

  @Test
  void theCheckFindsSqlAndJdbc() {
    assertThat(SQL.matcher("SELECT key FROM blobs WHERE sha256 = ?").find()).isTrue();
    assertThat(SQL.matcher("INSERT OR IGNORE INTO garbage (key) VALUES (?)").find()).isTrue();
    assertThat(SQL.matcher("UPDATE owners SET state = 'dead'").find()).isTrue();
    assertThat(SQL.matcher("PRAGMA quick_check").find()).isTrue();
    assertThat(SQL.matcher("the index could not be read").find()).isFalse();
    assertThat(SQL.matcher("select a file from the list").find()).isFalse();
  }
}
