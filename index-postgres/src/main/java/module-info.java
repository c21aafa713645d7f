/**
 * The metadata index on PostgreSQL: {@code dev.diskstore.postgres.PostgresIndex}, for many store
 * instances on many hosts.
 *
 * <p>The PostgreSQL JDBC driver is an automatic module with a stable name ({@code
 * org.postgresql.jdbc}, its {@code Automatic-Module-Name}); it is required, although no driver type
 * is used, so that it is resolved with this module and {@code DriverManager} finds it.
 */
@SuppressWarnings("requires-automatic") // the PostgreSQL driver has no module descriptor
module dev.diskstore.index.postgres {
  requires transitive dev.diskstore.core;
  requires transitive java.sql; // PostgresIndex.Builder.dataSource(javax.sql.DataSource)
  requires static org.jspecify;

  requires com.zaxxer.hikari;
  requires org.postgresql.jdbc;

  exports dev.diskstore.postgres;
}
