package dev.diskstore.spring.boot;

import dev.diskstore.DiskStoreConfig;

/**
 * Adjusts the configuration of the auto-configured {@code DiskStore} beyond what the {@code
 * diskstore.*} properties cover: a content parser, upload and metadata limits, a clock, durable
 * commits, and so on.
 *
 * <pre>{@code
 * @Bean
 * DiskStoreConfigCustomizer uploadLimit() {
 *   return config -> config.maxUploadBytes(512L << 20).contentParser(new TikaContentParser());
 * }
 * }</pre>
 *
 * <p>Every customizer bean is called once, in {@code @Order} order, on the builder the properties
 * filled (directory, index, backend, project id, URL server, history), just before the store
 * opens; what a customizer sets wins over the properties. To put the bytes or the index
 * elsewhere, define a {@code BlobBackend} or {@code IndexProvider} bean rather than replacing them
 * here. Called on the thread that creates the store bean, with a builder no one else sees.
 */
@FunctionalInterface
public interface DiskStoreConfigCustomizer {
  void customize(DiskStoreConfig.Builder config);
}
