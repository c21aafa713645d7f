package dev.diskstore.spring.boot;

import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * The {@code diskstore.*} application properties: where the store's index and bytes live, how much
 * history it keeps, and which disk the agent tools work on.
 *
 * <pre>{@code
 * # embedded default: SQLite index in ./data, blobs in ./data/blobs
 * diskstore.directory=data
 *
 * # blobs in S3 (needs diskstore-backend-s3); credentials: the AWS SDK's default chain
 * diskstore.s3.bucket=artifacts
 * diskstore.s3.region=eu-west-1
 *
 * # many instances: the index in PostgreSQL (needs diskstore-index-postgres) and blobs in S3
 * diskstore.postgres.url=jdbc:postgresql://db.internal:5432/app
 * diskstore.postgres.user=diskstore
 * diskstore.postgres.password=${DISKSTORE_PG_PASSWORD}
 * }</pre>
 *
 * <p>Values are checked when they are bound: a value out of range fails the application context
 * with an {@link InvalidConfigurationPropertyValueException} naming the property. Whether the
 * settings fit together (a directory for the SQLite index, the S3 or PostgreSQL module on the class
 * path) is checked when the {@code DiskStore} bean is created, with the same exception.
 *
 * <p>Immutable; {@link #toString()} and the nested records' {@code toString()} leave out passwords
 * and secret keys.
 *
 * <p>The {@code @param} texts below are the descriptions in the generated configuration metadata,
 * which IDEs show: plain sentences, no Javadoc markup.
 *
 * @param directory Directory of the store: the embedded SQLite index (index.db) lives there, and
 *     the blobs, in blobs/, unless diskstore.blobs-directory or diskstore.s3.bucket is set.
 *     Required unless the index is in PostgreSQL. A relative path is resolved against the working
 *     directory.
 * @param blobsDirectory Directory of the blobs when they are kept in a local directory. Default:
 *     blobs/ in diskstore.directory. Not together with diskstore.s3.bucket.
 * @param projectId Project id of the store, stored on first open and checked on later opens.
 *     Default: the one the store keeps (generated on first open).
 * @param urlServer Built-in server of the download URLs of blobs in a local directory.
 * @param history Which versions of each artifact the store keeps.
 * @param s3 Blobs in an S3-compatible bucket (needs diskstore-backend-s3).
 * @param postgres The index in PostgreSQL (needs diskstore-index-postgres).
 * @param tools The agent tools on one disk (needs diskstore-agent-tools).
 */
@ConfigurationProperties(prefix = "diskstore")
public record DiskStoreProperties(
    @Nullable Path directory,
    @Nullable Path blobsDirectory,
    @Nullable String projectId,
    @DefaultValue UrlServer urlServer,
    @DefaultValue History history,
    @DefaultValue S3 s3,
    @DefaultValue Postgres postgres,
    @DefaultValue Tools tools) {

  public DiskStoreProperties {
    if (projectId != null && projectId.isBlank()) {
      projectId = null;
    }
    urlServer = urlServer != null ? urlServer : new UrlServer(null, 0);
    history = history != null ? history : new History(null, null);
    s3 = s3 != null ? s3 : new S3(null, "", null, null, false, null, null, null);
    postgres = postgres != null ? postgres : new Postgres(null, null, null, "diskstore", 10);
    tools = tools != null ? tools : new Tools(null);
  }

  /** The project id, if one is configured. */
  public Optional<String> findProjectId() {
    return Optional.ofNullable(projectId);
  }

  /**
   * The built-in URL server, which serves the download URLs of blobs in a local directory (S3 URLs
   * are presigned and served by S3).
   *
   * @param address Address the download-URL server binds to. Default: the loopback address, so that
   *     only this host can download.
   * @param port Port of the download-URL server, 0 to 65535; 0 picks a free one.
   */
  public record UrlServer(@Nullable InetAddress address, @DefaultValue("0") int port) {
    public UrlServer {
      if (port < 0 || port > 65535) {
        throw invalid("url-server.port", port, "must be 0 to 65535 (0 picks a free port)");
      }
    }
  }

  /**
   * Which versions of each artifact the store keeps ({@code dev.diskstore.History}). With neither
   * property set, the store keeps its default, the last 10 versions for 30 days. Otherwise the
   * limits set apply, and only those: {@code keep-last} alone keeps that many versions of any age,
   * {@code max-age} alone keeps versions younger than that, however many ({@code
   * keep-last=2147483647} alone keeps every version, as {@code History.unlimited()}).
   *
   * @param keepLast How many of each artifact's newest versions are kept; 0 turns history off
   *     (nothing is recorded, and garbage collection removes the versions recorded before). With
   *     neither keep-last nor max-age set: the last 10 versions, for 30 days.
   * @param maxAge How long a version that is not its artifact's newest is kept, for example 30d.
   *     Not together with keep-last=0.
   */
  public record History(@Nullable Integer keepLast, @Nullable Duration maxAge) {
    public History {
      if (keepLast != null && keepLast < 0) {
        throw invalid("history.keep-last", keepLast, "must be 0 (history off) or more");
      }
      if (maxAge != null && (maxAge.isNegative() || maxAge.isZero())) {
        throw invalid("history.max-age", maxAge, "must be positive");
      }
      if (keepLast != null && keepLast == 0 && maxAge != null) {
        throw invalid("history.max-age", maxAge,
            "cannot be set with diskstore.history.keep-last=0 (history off)");
      }
    }

    /** The store's history policy these properties describe. */
    public dev.diskstore.History toHistory() {
      if (keepLast == null && maxAge == null) {
        return dev.diskstore.History.DEFAULT;
      }
      if (keepLast != null && keepLast == 0) {
        return dev.diskstore.History.off();
      }
      if (maxAge == null) {
        return dev.diskstore.History.keepLast(keepLast);
      }
      return keepLast == null
          ? dev.diskstore.History.keepFor(maxAge)
          : dev.diskstore.History.keep(keepLast, maxAge);
    }
  }

  /**
   * Blobs in an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, ...). Setting {@code bucket}
   * turns it on; it needs {@code diskstore-backend-s3} on the class path.
   *
   * @param bucket Bucket of the blobs; setting it puts the blobs in S3. It must exist: the store
   *     never creates buckets.
   * @param prefix Prefix of every object key: empty (the whole bucket) or ending with a slash, such
   *     as stores/prod/.
   * @param region Signing region, for example eu-central-1 on AWS, us-east-1 for MinIO, auto for
   *     Cloudflare R2. Required with a bucket.
   * @param endpoint Endpoint of an S3-compatible store, such as http://minio:9000. Default: AWS S3
   *     in the region.
   * @param pathStyle Whether to use path-style addressing (endpoint/bucket/key), which MinIO and
   *     most self-hosted stores need.
   * @param accessKey Static access key id, with secret-key. Default: the AWS SDK's default
   *     credential chain (environment, profile, container or instance role).
   * @param secretKey Secret access key that goes with access-key.
   * @param chunkedEncoding Whether uploads use aws-chunked content encoding. Default: the AWS SDK's
   *     (true). Turn it off for stores that do not support it or handle it badly.
   */
  public record S3(
      @Nullable String bucket,
      @DefaultValue("") String prefix,
      @Nullable String region,
      @Nullable URI endpoint,
      @DefaultValue("false") boolean pathStyle,
      @Nullable String accessKey,
      @Nullable String secretKey,
      @Nullable Boolean chunkedEncoding) {
    public S3 {
      prefix = prefix != null ? prefix : "";
      if (bucket != null && bucket.isBlank()) {
        bucket = null;
      }
      if (accessKey != null && accessKey.isBlank()) {
        accessKey = null;
      }
      if (secretKey != null && secretKey.isEmpty()) {
        secretKey = null;
      }
      if ((accessKey == null) != (secretKey == null)) {
        throw accessKey == null
            ? invalid("s3.access-key", null, "required with diskstore.s3.secret-key")
            : invalid("s3.secret-key", null, "required with diskstore.s3.access-key");
      }
    }

    /** Whether blobs go to S3: a bucket is configured. */
    public boolean isConfigured() {
      return bucket != null;
    }

    /** Without the secret key. */
    @Override
    public String toString() {
      return "S3[bucket=" + bucket + ", prefix=" + prefix + ", region=" + region
          + ", endpoint=" + endpoint + ", pathStyle=" + pathStyle + ", accessKey=" + accessKey
          + ", secretKey=" + (secretKey == null ? null : "******")
          + ", chunkedEncoding=" + chunkedEncoding + "]";
    }
  }

  /**
   * The index in PostgreSQL, so that instances on several hosts share one store. Setting {@code
   * url} turns it on; it needs {@code diskstore-index-postgres} on the class path. Blobs then have
   * to be where every host reaches them: S3, or a {@code BlobBackend} bean such as {@code
   * LocalBlobBackend.onSharedFileSystem(path)}.
   *
   * @param url JDBC URL of the database, jdbc:postgresql://host:port/database; setting it puts the
   *     index in PostgreSQL.
   * @param user Database user.
   * @param password Password of the database user.
   * @param schema Schema holding the store's tables, created if missing; a lowercase identifier.
   * @param poolSize Pooled connections of this instance, 1 to 1000.
   */
  public record Postgres(
      @Nullable String url,
      @Nullable String user,
      @Nullable String password,
      @DefaultValue("diskstore") String schema,
      @DefaultValue("10") int poolSize) {
    public Postgres {
      if (url != null && url.isBlank()) {
        url = null;
      }
      if (url != null && !url.startsWith("jdbc:postgresql:")) {
        throw invalid("postgres.url", url, "must start with jdbc:postgresql:");
      }
      schema = schema != null ? schema : "diskstore";
      if (poolSize < 1 || poolSize > 1000) {
        throw invalid("postgres.pool-size", poolSize, "must be 1 to 1000");
      }
    }

    /** Whether the index is in PostgreSQL: a URL is configured. */
    public boolean isConfigured() {
      return url != null;
    }

    /** Without the password. */
    @Override
    public String toString() {
      return "Postgres[url=" + url + ", user=" + user
          + ", password=" + (password == null ? null : "******") + ", schema=" + schema
          + ", poolSize=" + poolSize + "]";
    }
  }

  /**
   * The agent tools ({@code DiskTools}, and with Spring AI a {@code ToolCallbackProvider}) on one
   * disk of the store.
   *
   * @param diskId Id of the disk the agent tools work on. It must exist: create one with
   *     store.disks().create() or the diskstore disks create command. Without it there are no tool
   *     beans.
   */
  public record Tools(@Nullable String diskId) {
    public Tools {
      if (diskId != null && diskId.isBlank()) {
        diskId = null;
      }
    }
  }

  static InvalidConfigurationPropertyValueException invalid(
      String name, @Nullable Object value, String reason) {
    return new InvalidConfigurationPropertyValueException("diskstore." + name, value, reason);
  }
}
