/**
 * A modular application on DiskStore's published jars: compiled and run on the module path by
 * {@code ModularApplicationIT}, never by Maven. It reads only what the modules export.
 */
module app {
  requires dev.diskstore.core;
  requires dev.diskstore.backend.local; // found by DiskStore.local through ServiceLoader
  requires dev.diskstore.backend.s3;
  requires dev.diskstore.index.postgres;
  requires dev.diskstore.content.parsers; // found by the core through ServiceLoader
  requires dev.diskstore.agent.tools;
  requires dev.diskstore.server;
  requires dev.diskstore.mcp;
  requires dev.diskstore.testkit;
  requires java.net.http;
}
