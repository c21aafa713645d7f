package dev.diskstore.cli;

import dev.diskstore.DiskStoreConfig;
import dev.diskstore.History;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.local.LocalBlobBackend;
import dev.diskstore.postgres.PostgresIndex;
import dev.diskstore.s3.S3BlobBackend;
import dev.diskstore.spi.BlobBackend;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where a store lives, read from a properties file: which index (the embedded SQLite index in a
 * directory, or PostgreSQL) and which blob backend (a local directory, or an S3-compatible bucket).
 *
 * <pre>{@code
 * # embedded default: SQLite index in ./data, blobs in ./data/blobs
 * directory = data
 *
 * # many instances: PostgreSQL + S3
 * index = postgres
 * postgres.url = jdbc:postgresql://db.internal:5432/app
 * postgres.user = diskstore
 * postgres.password-env = DISKSTORE_PG_PASSWORD
 * postgres.schema = diskstore
 * blobs = s3
 * s3.bucket = artifacts
 * s3.prefix = diskstore/
 * s3.region = eu-west-1
 * # s3.endpoint = http://minio:9000      (MinIO, R2, ... ; s3.path-style = true)
 * # s3.chunked-encoding = false          (plain bodies, for stores that mishandle aws-chunked)
 * # s3.access-key / s3.secret-key-env    (default: the AWS SDK's credential chain)
 *
 * # history: the versions of each artifact kept (default: the last 10, for 30 days)
 * history.keep-last = 50                 # 0: history off; unlimited: no count limit
 * history.max-age = P90D                 # or PT12H, 90d, 12h, 45m, 30s; unlimited: no age limit
 * }</pre>
 *
 * <p>Relative paths are resolved against the file's directory. Secrets may be given directly
 * ({@code postgres.password}, {@code s3.secret-key}) or named as environment variables ({@code
 * ...-env}). An unknown key is refused, so that a typo does not silently fall back to a default.
 *
 * <p>{@code s3.path-style} (path-style addressing, default false) and {@code s3.chunked-encoding}
 * (uploads in {@code aws-chunked} content encoding, default: the AWS SDK's, true) are {@code true}
 * or {@code false}, in any case; another value is refused. {@code s3.chunked-encoding = false} has
 * the SDK send plain bodies, signed up front: for S3-compatible stores that do not support {@code
 * aws-chunked} or handle it badly (S3Proxy 4.1 may close the connection before reading the end of
 * such an upload, which fails it with "Error writing request body to server").
 *
 * <p>The two {@code history.*} keys set the store's {@link History}: {@code history.keep-last}
 * is how many of an artifact's newest versions are kept (a whole number, {@code 0} turning history
 * off, or {@code unlimited}), {@code history.max-age} how long a version that is not the newest is
 * kept (an ISO-8601 duration such as {@code P30D} or {@code PT12H}, a whole number with one unit
 * {@code d}, {@code h}, {@code m} or {@code s} such as {@code 30d}, or {@code unlimited}). A key
 * left out keeps its part of {@link History#DEFAULT} (10 versions, 30 days); {@code
 * history.keep-last = 0} alone turns history off, and with a {@code history.max-age} is refused.
 * Instances sharing a store should use the same history settings: each garbage collection applies
 * the policy of the instance running it.
 *
 * <p>Immutable; {@link #toConfig()} opens the blob backend, which the store opened with the config
 * closes.
 */
public final class StoreSettings {
  private static final Set<String> KEYS =
      Set.of("index", "directory", "postgres.url", "postgres.user", "postgres.password",
          "postgres.password-env", "postgres.schema", "postgres.pool-size", "blobs",
          "blobs.directory", "s3.bucket", "s3.prefix", "s3.region", "s3.endpoint",
          "s3.path-style", "s3.chunked-encoding", "s3.access-key", "s3.secret-key",
          "s3.secret-key-env", "history.keep-last", "history.max-age");

  /** {@code 30d}, {@code 12h}, {@code 45m}, {@code 30s}: a whole number and one unit. */
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})([dhms])");

  private final String source;
  private final Map<String, String> values;
  private final Path base;
  private final Function<String, @Nullable String> env;

  private StoreSettings(
      String source, Map<String, String> values, Path base,
      Function<String, @Nullable String> env) {
    this.source = source;
    this.values = values;
    this.base = base;
    this.env = env;
    Set<String> unknown = new TreeSet<>(values.keySet());
    unknown.removeAll(KEYS);
    if (!unknown.isEmpty()) {
      throw new InvalidRequestException(
          source + ": unknown setting(s) " + unknown + "; known: " + new TreeSet<>(KEYS));
    }
    index();
    blobs();
    bool("s3.path-style");
    bool("s3.chunked-encoding");
    history();
  }

  /** Reads a properties file (UTF-8). */
  public static StoreSettings load(Path file) {
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(in);
    } catch (IOException e) {
      throw new InvalidRequestException("cannot read the store settings " + file + ": " + e);
    }
    Path parent = file.toAbsolutePath().getParent();
    return of(file.toString(), properties, parent, System::getenv);
  }

  /** Settings from properties; relative paths resolve against {@code base}. */
  static StoreSettings of(
      String source, Properties properties, Path base, Function<String, @Nullable String> env) {
    Map<String, String> values = new java.util.HashMap<>();
    for (String name : properties.stringPropertyNames()) {
      values.put(name.trim(), properties.getProperty(name).trim());
    }
    return new StoreSettings(source, Map.copyOf(values), base, env);
  }

  /** {@code sqlite} or {@code postgres}. */
  String index() {
    String index = values.getOrDefault("index", "sqlite");
    if (!index.equals("sqlite") && !index.equals("postgres")) {
      throw new InvalidRequestException(
          source + ": index must be sqlite or postgres, not \"" + index + "\"");
    }
    return index;
  }

  /** {@code local} or {@code s3}. */
  String blobs() {
    String blobs = values.getOrDefault("blobs", "local");
    if (!blobs.equals("local") && !blobs.equals("s3")) {
      throw new InvalidRequestException(
          source + ": blobs must be local or s3, not \"" + blobs + "\"");
    }
    return blobs;
  }

  /**
   * The history policy of {@code history.keep-last} and {@code history.max-age} (see the class
   * comment); {@link History#DEFAULT} when neither is given.
   *
   * @throws InvalidRequestException naming the key and the value when either is malformed, or
   *     when {@code history.keep-last = 0} (history off) comes with a {@code history.max-age}
   */
  History history() {
    Optional<String> keepLast = value("history.keep-last");
    Optional<String> maxAge = value("history.max-age");
    int versions = keepLast.map(this::keepLast).orElse(History.DEFAULT.keepLast());
    if (versions == 0) {
      if (maxAge.isPresent()) {
        throw new InvalidRequestException(source + ": history.keep-last = 0 turns history off,"
            + " so history.max-age = " + maxAge.get() + " cannot apply; remove one of them");
      }
      return History.off();
    }
    Optional<Duration> age = maxAge.isPresent() ? maxAge(maxAge.get()) : History.DEFAULT.maxAge();
    return new History(versions, age);
  }

  private int keepLast(String v) {
    if (v.equalsIgnoreCase("unlimited")) {
      return Integer.MAX_VALUE;
    }
    try {
      int versions = Integer.parseInt(v);
      if (versions >= 0) {
        return versions;
      }
    } catch (NumberFormatException e) {
      // refused below, like a negative number
    }
    throw new InvalidRequestException(source + ": history.keep-last must be a whole number of"
        + " versions >= 0 (0 turns history off) or unlimited, not \"" + v + "\"");
  }

  /** An age limit, or empty for {@code unlimited}. */
  private Optional<Duration> maxAge(String v) {
    if (v.equalsIgnoreCase("unlimited")) {
      return Optional.empty();
    }
    Duration age = null;
    Matcher simple = SHORT_DURATION.matcher(v);
    if (simple.matches()) {
      long n = Long.parseLong(simple.group(1));
      age = switch (simple.group(2)) {
        case "d" -> Duration.ofDays(n);
        case "h" -> Duration.ofHours(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofSeconds(n);
      };
    } else if (v.toUpperCase(Locale.ROOT).startsWith("P")) {
      try {
        age = Duration.parse(v);
      } catch (DateTimeParseException e) {
        // refused below
      }
    }
    if (age == null || age.isNegative() || age.isZero()) {
      throw new InvalidRequestException(source + ": history.max-age must be a positive duration"
          + " such as P30D, PT12H, 30d, 12h or 45m (or unlimited), not \"" + v + "\"");
    }
    return Optional.of(age);
  }

  private Optional<String> value(String key) {
    String v = values.get(key);
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
  }

  /**
   * A {@code true} or {@code false} setting (in any case), empty when left out.
   *
   * @throws InvalidRequestException naming the key and the value when it is anything else
   */
  private Optional<Boolean> bool(String key) {
    return value(key).map(v -> {
      if (v.equalsIgnoreCase("true")) {
        return true;
      }
      if (v.equalsIgnoreCase("false")) {
        return false;
      }
      throw new InvalidRequestException(
          source + ": " + key + " must be true or false, not \"" + v + "\"");
    });
  }

  private String required(String key, String why) {
    return value(key).orElseThrow(
        () -> new InvalidRequestException(source + ": " + key + " is required " + why));
  }

  private Optional<Path> path(String key) {
    return value(key).map(v -> base.resolve(v).normalize());
  }

  private Optional<String> secret(String key) {
    Optional<String> direct = value(key);
    if (direct.isPresent()) {
      return direct;
    }
    Optional<String> variable = value(key + "-env");
    if (variable.isEmpty()) {
      return Optional.empty();
    }
    String v = env.apply(variable.get());
    if (v == null) {
      throw new InvalidRequestException(
          source + ": " + key + "-env names the environment variable " + variable.get()
              + ", which is not set");
    }
    return Optional.of(v);
  }

  /**
   * The store configuration these settings describe. Opens the blob backend (an S3 client, a local
   * directory); the store opened with the configuration closes it.
   */
  public DiskStoreConfig toConfig() {
    DiskStoreConfig.Builder builder = DiskStoreConfig.builder();
    Optional<Path> directory = path("directory");
    directory.ifPresent(builder::directory);
    if (index().equals("postgres")) {
      PostgresIndex.Builder pg =
          PostgresIndex.builder()
              .jdbcUrl(required("postgres.url", "with index = postgres"))
              .schema(value("postgres.schema").orElse("diskstore"));
      value("postgres.user").ifPresent(pg::user);
      secret("postgres.password").ifPresent(pg::password);
      value("postgres.pool-size").map(v -> integer("postgres.pool-size", v))
          .ifPresent(pg::maximumPoolSize);
      builder.index(pg.build());
    } else if (directory.isEmpty()) {
      throw new InvalidRequestException(
          source + ": directory is required with the embedded SQLite index (index = sqlite)");
    }
    builder.history(history());
    builder.backend(backend(directory));
    return builder.build();
  }

  private BlobBackend backend(Optional<Path> directory) {
    if (blobs().equals("local")) {
      Path root = path("blobs.directory")
          .or(() -> directory.map(d -> d.resolve("blobs")))
          .orElseThrow(() -> new InvalidRequestException(
              source + ": blobs = local needs blobs.directory (or directory)"));
      return LocalBlobBackend.at(root);
    }
    S3BlobBackend.Builder s3 =
        S3BlobBackend.builder()
            .bucket(required("s3.bucket", "with blobs = s3"))
            .keyPrefix(value("s3.prefix").orElse(""))
            .region(value("s3.region").orElse("us-east-1"));
    value("s3.endpoint").map(URI::create).ifPresent(s3::endpoint);
    bool("s3.path-style").ifPresent(s3::pathStyleAccess);
    // left out: the backend's default, the SDK's aws-chunked uploads
    bool("s3.chunked-encoding").ifPresent(s3::chunkedEncoding);
    Optional<String> accessKey = value("s3.access-key");
    if (accessKey.isPresent()) {
      s3.credentials(accessKey.get(), secret("s3.secret-key").orElseThrow(
          () -> new InvalidRequestException(
              source + ": s3.access-key needs s3.secret-key or s3.secret-key-env")));
    }
    return s3.build();
  }

  private int integer(String key, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(source + ": " + key + " must be a number, not " + v);
    }
  }

  /**
   * Whether download URLs of this store are served by the process that signs them (the built-in
   * URL server of a local blob directory), so that they stop working when it exits; S3 URLs are
   * presigned and served by S3.
   */
  boolean urlsServedInProcess() {
    return blobs().equals("local");
  }

  /**
   * Refuses settings that name no existing store where one can be checked without opening it: an
   * embedded store whose directory holds no {@code index.db} (a mistyped path would otherwise open
   * a new, empty store and, as a copy's source, copy nothing).
   *
   * @throws CommandException (exit code 3) if the store does not exist
   */
  void requireExistingStore() {
    if (index().equals("sqlite")) {
      Path directory = path("directory").orElseThrow(() -> new InvalidRequestException(
          source + ": directory is required with the embedded SQLite index (index = sqlite)"));
      if (!Files.isRegularFile(directory.resolve("index.db"))) {
        throw CommandException.notFound(
            source + ": no store in " + directory + " (it has no index.db)");
      }
    }
  }

  /** Where the settings came from and what they name, without secrets. */
  @Override
  public String toString() {
    String where = index().equals("postgres")
        ? "PostgreSQL " + value("postgres.url").orElse("?") + " schema "
            + value("postgres.schema").orElse("diskstore")
        : "SQLite in " + path("directory").map(Path::toString).orElse("?");
    String bytes = blobs().equals("s3")
        ? "s3://" + value("s3.bucket").orElse("?") + "/" + value("s3.prefix").orElse("")
            + value("s3.endpoint").map(e -> " at " + e).orElse("")
        : "local directory " + path("blobs.directory")
            .or(() -> path("directory").map(d -> d.resolve("blobs")))
            .map(Path::toString).orElse("?");
    return where + ", blobs in " + bytes;
  }
}
