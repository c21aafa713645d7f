/**
 * DiskStore's core: the API applications use, the SPI backend and index authors implement, the
 * embedded SQLite index and the in-memory backend.
 *
 * <p>Exported: {@code dev.diskstore} (the API), {@code dev.diskstore.spi} and {@code
 * dev.diskstore.spi.index} (the SPI), {@code dev.diskstore.memory} ({@code InMemoryBlobBackend})
 * and {@code dev.diskstore.index.sqlite} ({@code SqliteIndexProvider}, the default index).
 * {@code dev.diskstore.internal} is not exported, not even to DiskStore's other modules: nothing
 * in it is API.
 *
 * <p>Discovered with {@link java.util.ServiceLoader}, each only when the configuration names none:
 * a {@code BlobBackendProvider} for {@code DiskStore.local} (the {@code
 * dev.diskstore.backend.local} module provides one), a {@code ContentParser} and a {@code
 * ContentTypeDetector} ({@code dev.diskstore.content.parsers} provides Tika's).
 */
module dev.diskstore.core {
  // @NullMarked and @Nullable are on the API; a consumer compiles fine without JSpecify
  requires static transitive org.jspecify;

  // implementation only: none of their types is in an exported signature
  requires com.fasterxml.jackson.core; // metadata JSON
  requires org.apache.commons.io;
  requires org.eclipse.jetty.server; // the loopback download-URL server
  requires org.slf4j; // only to keep SLF4J quiet when the application has no provider
  requires org.xerial.sqlitejdbc;
  requires java.sql;

  exports dev.diskstore;
  exports dev.diskstore.spi;
  exports dev.diskstore.spi.index;
  exports dev.diskstore.memory;
  exports dev.diskstore.index.sqlite;

  uses dev.diskstore.spi.BlobBackendProvider;
  uses dev.diskstore.spi.ContentParser;
  uses dev.diskstore.spi.ContentTypeDetector;
  uses org.slf4j.spi.SLF4JServiceProvider;
}
