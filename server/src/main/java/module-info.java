/**
 * A local Acontext: {@code dev.diskstore.server.DiskStoreServer} serves the {@code /api/v1} disk
 * API over a store. {@code DiskStoreServer.Builder.mount} takes a Jetty {@code Handler}, so Jetty's
 * server module is required transitively.
 */
module dev.diskstore.server {
  requires transitive dev.diskstore.core;
  requires transitive org.eclipse.jetty.server;
  requires static org.jspecify;

  requires com.fasterxml.jackson.databind;

  exports dev.diskstore.server;
}
