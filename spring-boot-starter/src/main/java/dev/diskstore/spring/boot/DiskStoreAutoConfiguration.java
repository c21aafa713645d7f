package dev.diskstore.spring.boot;

import static dev.diskstore.spring.boot.DiskStoreProperties.invalid;

import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.index.IndexProvider;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration of a {@link DiskStore} bean from the {@code diskstore.*} properties ({@link
 * DiskStoreProperties}): the embedded SQLite index in {@code diskstore.directory}, or PostgreSQL
 * ({@code diskstore.postgres.url}, with {@code diskstore-index-postgres}); blobs in a local
 * directory, or an S3 bucket ({@code diskstore.s3.bucket}, with {@code diskstore-backend-s3}).
 *
 * <p>Beans, each of which the application can replace by defining its own:
 *
 * <ul>
 *   <li>{@code diskStore}, the {@link DiskStore}, opened when the context starts and closed when it
 *       closes. An application-defined {@code DiskStore} replaces everything here.
 *   <li>{@code diskStoreBlobBackend}, the {@link BlobBackend} where the bytes go: the S3 bucket, or
 *       else the local directory. An application-defined {@code BlobBackend} bean (a {@code
 *       LocalBlobBackend.onSharedFileSystem(path)}, an {@code S3BlobBackend} on the application's
 *       own {@code S3Client}, a decorator) is used instead, and the blob properties are then not
 *       read.
 *   <li>{@code diskStoreIndex}, the PostgreSQL {@link IndexProvider}, when {@code
 *       diskstore.postgres.url} is set. An application-defined {@code IndexProvider} (for example a
 *       {@code PostgresIndex} on the application's {@code DataSource}) is used instead. Without
 *       either, the store keeps its index in SQLite in {@code diskstore.directory}.
 * </ul>
 *
 * <p>{@link DiskStoreConfigCustomizer} beans adjust the rest of the configuration.
 *
 * <p><b>Ownership.</b> The store closes the backend and the index it opened when the context
 * closes; the backend bean's own {@code close()}, which the context calls after that, does nothing
 * more (backends close idempotently). A misconfiguration fails the context when it starts, with an
 * exception that names the property, and whatever was opened by then is closed.
 */
@AutoConfiguration
@ConditionalOnMissingBean(DiskStore.class)
@EnableConfigurationProperties(DiskStoreProperties.class)
@Import({
  // in this order: the S3 backend, if configured, before the local-directory fallback
  StoreConfigurations.S3Backend.class,
  StoreConfigurations.LocalBackend.class,
  StoreConfigurations.PostgresIndexConfiguration.class
})
public final class DiskStoreAutoConfiguration {

  /**
   * The store, opened from the properties, the backend and index beans, and the customizers (in
   * their order).
   */
  @Bean(destroyMethod = "close")
  public DiskStore diskStore(
      DiskStoreProperties properties,
      ObjectProvider<BlobBackend> backend,
      ObjectProvider<IndexProvider> index,
      ObjectProvider<DiskStoreConfigCustomizer> customizers) {
    DiskStoreConfig.Builder config = DiskStoreConfig.builder();
    if (properties.directory() != null) {
      config.directory(properties.directory());
    }
    IndexProvider indexProvider = index.getIfAvailable();
    if (indexProvider != null) {
      config.index(indexProvider);
    } else if (properties.postgres().isConfigured()) {
      throw invalid("postgres.url", properties.postgres().url(),
          "the PostgreSQL index needs dev.diskstore:diskstore-index-postgres on the class path");
    } else if (properties.directory() == null) {
      throw invalid("directory", null,
          "required for the embedded SQLite index (index.db goes there); or set"
              + " diskstore.postgres.url for an index in PostgreSQL");
    }
    // after the index checks, so that a missing index module is reported before the blobs
    config.backend(backend.getObject());
    properties.findProjectId().ifPresent(config::projectId);
    if (properties.urlServer().address() != null) {
      config.urlServerAddress(properties.urlServer().address());
    }
    config.urlServerPort(properties.urlServer().port());
    config.history(properties.history().toHistory());
    customizers.orderedStream().forEach(customizer -> customizer.customize(config));
    return DiskStore.open(config.build());
  }
}
