package dev.diskstore.reliability;

import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.postgres.PostgresIndex;
import java.net.URI;
import java.nio.file.Path;

/**
 * How a JVM of the suites opens the store under test, written as one command-line argument so
 * that child JVMs open the same store as their parent:
 *
 * <ul>
 *   <li>{@code local:<directory>} (or a bare directory): the embedded store, SQLite index and
 *       local blobs in that directory. Every JVM shares the directory, so they stand for
 *       processes of one host.
 *   <li>{@code pg|<jdbcUrl>|<schema>|s3|<endpoint>|<key prefix>}: the PostgreSQL index in that
 *       schema and blobs on the S3 endpoint ({@link S3Server}'s bucket and credentials). No local
 *       directory at all, so each JVM stands for a host of its own.
 * </ul>
 *
 * <p>Parts are separated by {@code |}, which neither JDBC URLs of the embedded server nor S3Proxy
 * endpoints contain. Multipart uploads start at 5 MiB, as in {@link S3CrashTest}.
 */
final class StoreSpec {
  private static final long MIB = 1L << 20;

  private StoreSpec() {}

  /** A spec for a local store in {@code directory}. */
  static String local(Path directory) {
    return "local:" + directory;
  }

  /** A spec for the PostgreSQL index in {@code schema} plus blobs under {@code prefix} on S3. */
  static String postgresS3(String jdbcUrl, String schema, URI s3Endpoint, String prefix) {
    return String.join("|", "pg", jdbcUrl, schema, "s3", s3Endpoint.toString(), prefix);
  }

  /** Whether the spec names a store without a shared local directory (PostgreSQL + S3). */
  static boolean isRemote(String spec) {
    return spec.startsWith("pg|");
  }

  /** Opens the store the spec names; the caller closes it. */
  static DiskStore open(String spec) {
    if (!isRemote(spec)) {
      return DiskStore.local(Path.of(spec.startsWith("local:") ? spec.substring(6) : spec));
    }
    String[] parts = spec.split("\\|", -1);
    if (parts.length != 6 || !parts[3].equals("s3")) {
      throw new IllegalArgumentException("not a store spec: " + spec);
    }
    return DiskStore.open(
        DiskStoreConfig.builder()
            .index(postgresIndex(parts[1], parts[2]).build())
            .backend(
                S3Server.backendBuilder(URI.create(parts[4]), parts[5])
                    .partSize(5 * MIB)
                    .multipartThreshold(5 * MIB)
                    .build())
            .build());
  }

  /** The index of a {@code pg|…} spec's JDBC URL and schema (the embedded server trusts any password). */
  static PostgresIndex.Builder postgresIndex(String jdbcUrl, String schema) {
    return PostgresIndex.builder().jdbcUrl(jdbcUrl).user("postgres").password("unused")
        .schema(schema);
  }
}
