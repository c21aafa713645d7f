package dev.diskstore.postgres;

/**
 * Child JVM of {@link PgSchemaTest}: waits until a wall-clock instant, opens the index (which
 * migrates) and prints {@code found=<version before>}.
 *
 * <p>Arguments: JDBC URL, user, schema, start instant in epoch milliseconds.
 */
public final class MigrateChild {
  private MigrateChild() {}

  public static void main(String[] args) throws Exception {
    PostgresIndex config =
        PostgresIndex.builder().jdbcUrl(args[0]).user(args[1]).password("unused").schema(args[2])
            .build();
    long start = Long.parseLong(args[3]);
    Thread.sleep(Math.max(0, start - System.currentTimeMillis()));
    int found = openAndReportVersionFound(config);
    System.out.println("found=" + found);
  }

  /**
   * Opens like the index does and returns the version found before the migration. Here rather
   * than in the test class, whose static server would start a second server in the child.
   */
  static int openAndReportVersionFound(PostgresIndex config) throws java.sql.SQLException {
    try (java.sql.Connection c = PgDatabase.rawConnection(config)) {
      return PgSchema.migrate(c, config.schema(), PgDatabase.describe(config));
    }
  }
}
