/**
 * The {@code diskstore} command: {@code dev.diskstore.cli.DiskStoreCli} (run it with {@code java -p
 * <jars> -m dev.diskstore.cli/dev.diskstore.cli.DiskStoreCli}, or as {@code java -jar
 * diskstore.jar}, the shaded class-path jar this module also builds) and {@code StoreSettings}, the
 * properties file that names a store.
 *
 * <p>The command classes are opened to picocli, which reads their annotated fields and creates them
 * reflectively; nothing else is opened.
 */
module dev.diskstore.cli {
  requires transitive dev.diskstore.core; // StoreSettings.toConfig() returns a DiskStoreConfig
  requires dev.diskstore.backend.local;
  requires dev.diskstore.backend.s3;
  requires dev.diskstore.index.postgres;
  requires dev.diskstore.mcp;
  requires dev.diskstore.server;
  requires static org.jspecify;

  requires com.fasterxml.jackson.databind;
  requires info.picocli;

  exports dev.diskstore.cli;

  opens dev.diskstore.cli to
      info.picocli;
}
