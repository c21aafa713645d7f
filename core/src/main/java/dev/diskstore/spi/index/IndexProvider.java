package dev.diskstore.spi.index;

/**
 * Opens the metadata index of a store: what {@code DiskStoreConfig.Builder.index(IndexProvider)}
 * takes. Without one, the store uses the embedded SQLite index in its {@code directory}.
 *
 * <p>Implementations are immutable configuration (a URL, a pool size...) and thread-safe; {@link
 * #open} may be called once per store opened with the configuration.
 */
@FunctionalInterface
public interface IndexProvider {

  /**
   * Opens (creating and migrating as needed) the index and registers nothing yet: the core
   * registers the instance's owner in its first write. The caller owns the returned index and
   * closes it; on failure the provider has closed whatever it opened.
   *
   * @throws dev.diskstore.DiskStoreException if the index cannot be opened
   */
  MetadataIndex open(IndexContext context);

  /**
   * Whether the indexes this provider opens may be shared by store instances on several hosts (a
   * database server) rather than only by processes of one host (a local file). The core uses it to
   * refuse configurations that cannot work, such as a shared index with a host-local blob
   * directory. Defaults to {@code false}.
   */
  default boolean sharedAcrossHosts() {
    return false;
  }
}
