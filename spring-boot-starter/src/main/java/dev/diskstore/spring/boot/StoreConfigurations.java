package dev.diskstore.spring.boot;

import static dev.diskstore.spring.boot.DiskStoreProperties.invalid;

import dev.diskstore.InvalidRequestException;
import dev.diskstore.local.LocalBlobBackend;
import dev.diskstore.postgres.PostgresIndex;
import dev.diskstore.s3.S3BlobBackend;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.index.IndexProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/**
 * The backend and index beans of {@link DiskStoreAutoConfiguration}, one configuration class each,
 * so that the classes of an optional module are loaded only when its condition holds (conditions
 * name classes by string and are read without loading the class they annotate). The backends are
 * lazy: the store creates its backend after checking the index settings, so that a missing index
 * module is reported as such, and nothing is created on disk or in S3 for a store that cannot
 * open.
 */
final class StoreConfigurations {
  private StoreConfigurations() {}

  /** Blobs in S3, when {@code diskstore.s3.bucket} is set and the S3 backend is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.diskstore.s3.S3BlobBackend")
  static class S3Backend {
    @Bean
    @Lazy
    @ConditionalOnMissingBean(BlobBackend.class)
    @ConditionalOnProperty(prefix = "diskstore.s3", name = "bucket")
    BlobBackend diskStoreBlobBackend(DiskStoreProperties properties) {
      DiskStoreProperties.S3 s3 = properties.s3();
      if (s3.bucket() == null) {
        throw invalid("s3.bucket", "", "must name a bucket");
      }
      if (properties.blobsDirectory() != null) {
        throw invalid("blobs-directory", properties.blobsDirectory(),
            "cannot be set together with diskstore.s3.bucket (the blobs go to S3)");
      }
      if (s3.region() == null || s3.region().isBlank()) {
        throw invalid("s3.region", null,
            "required with diskstore.s3.bucket (for example eu-central-1 on AWS, us-east-1 for"
                + " MinIO, auto for Cloudflare R2)");
      }
      S3BlobBackend.Builder builder =
          S3BlobBackend.builder()
              .bucket(s3.bucket())
              .keyPrefix(s3.prefix())
              .region(s3.region())
              .pathStyleAccess(s3.pathStyle());
      if (s3.endpoint() != null) {
        builder.endpoint(s3.endpoint());
      }
      if (s3.accessKey() != null && s3.secretKey() != null) {
        builder.credentials(s3.accessKey(), s3.secretKey());
      }
      if (s3.chunkedEncoding() != null) {
        builder.chunkedEncoding(s3.chunkedEncoding());
      }
      try {
        return builder.build();
      } catch (InvalidRequestException | IllegalArgumentException e) {
        // the builder names its own setting (keyPrefix, endpoint, ...)
        throw invalid("s3", s3, e.getMessage());
      }
    }
  }

  /**
   * Blobs in a local directory, unless another {@code BlobBackend} bean exists: {@code
   * diskstore.blobs-directory}, or {@code blobs/} in {@code diskstore.directory}.
   */
  @Configuration(proxyBeanMethods = false)
  static class LocalBackend {
    @Bean
    @Lazy
    @ConditionalOnMissingBean(BlobBackend.class)
    BlobBackend diskStoreBlobBackend(DiskStoreProperties properties) {
      if (properties.s3().isConfigured()) {
        throw invalid("s3.bucket", properties.s3().bucket(),
            "blobs in S3 need dev.diskstore:diskstore-backend-s3 on the class path");
      }
      if (properties.postgres().isConfigured()) {
        // a host-local directory cannot serve a store that several hosts share (core refuses it)
        throw invalid("s3.bucket", null,
            "required with diskstore.postgres.url: the bytes of a store that several hosts share"
                + " go to S3, or to a BlobBackend bean every host reaches (such as"
                + " LocalBlobBackend.onSharedFileSystem(path) on a shared mount)");
      }
      if (properties.blobsDirectory() != null) {
        return LocalBlobBackend.at(properties.blobsDirectory());
      }
      if (properties.directory() == null) {
        throw invalid("directory", null,
            "required: the store's directory, for its SQLite index and, in blobs/, its bytes"
                + " (or set diskstore.s3.bucket for the bytes and diskstore.postgres.url for the"
                + " index)");
      }
      return LocalBlobBackend.at(properties.directory().resolve("blobs"));
    }
  }

  /** The index in PostgreSQL, when {@code diskstore.postgres.url} is set and the module present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.diskstore.postgres.PostgresIndex")
  static class PostgresIndexConfiguration {
    @Bean
    @ConditionalOnMissingBean(IndexProvider.class)
    @ConditionalOnProperty(prefix = "diskstore.postgres", name = "url")
    IndexProvider diskStoreIndex(DiskStoreProperties properties) {
      DiskStoreProperties.Postgres postgres = properties.postgres();
      if (postgres.url() == null) {
        throw invalid("postgres.url", "", "must be a JDBC URL, jdbc:postgresql://host:port/db");
      }
      try {
        PostgresIndex.Builder builder =
            PostgresIndex.builder()
                .jdbcUrl(postgres.url())
                .schema(postgres.schema())
                .maximumPoolSize(postgres.poolSize());
        if (postgres.user() != null) {
          builder.user(postgres.user());
        }
        if (postgres.password() != null) {
          builder.password(postgres.password());
        }
        return builder.build();
      } catch (IllegalArgumentException | InvalidRequestException e) {
        // an invalid schema name: the other settings were checked when they were bound
        throw invalid("postgres.schema", postgres.schema(), e.getMessage());
      }
    }
  }
}
