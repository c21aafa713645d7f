package dev.diskstore.cli;

import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import java.nio.file.Path;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The options naming the store a command works on, shared by every command (a picocli mixin):
 * {@code --store DIR}, an embedded store (SQLite index in {@code DIR/index.db}, blobs in {@code
 * DIR/blobs}), or {@code --config FILE}, a {@link StoreSettings} properties file (embedded, S3,
 * PostgreSQL). Exactly one of them.
 *
 * <p>An embedded store must already exist ({@code DIR/index.db}), so that a mistyped directory is
 * refused (exit 3) instead of silently becoming a new, empty store; only {@code disks create}
 * creates one. A PostgreSQL index cannot be checked without opening it, and is opened (its schema
 * created if needed) as named.
 */
final class StoreOptions {
  @Option(names = "--store", paramLabel = "DIR",
      description = "an embedded store: SQLite index and blobs in DIR")
  @Nullable Path directory;

  @Option(names = "--config", paramLabel = "FILE",
      description = "a store described by a properties file (embedded, S3, PostgreSQL;"
          + " see the README)")
  @Nullable Path config;

  /** Whether either option was given. */
  boolean isGiven() {
    return directory != null || config != null;
  }

  /** The settings named, without opening anything. */
  StoreSettings settings() {
    if (directory != null && config != null) {
      throw CommandException.usage("give either --store DIR or --config FILE, not both");
    }
    if (config != null) {
      return StoreSettings.load(config);
    }
    if (directory != null) {
      Properties properties = new Properties();
      properties.setProperty("directory", directory.toString());
      return StoreSettings.of("--store " + directory, properties,
          Path.of("").toAbsolutePath(), System::getenv);
    }
    throw CommandException.usage("name a store with --store DIR or --config FILE");
  }

  /** Opens the existing store named (exit 3 if an embedded one does not exist). */
  DiskStore open() {
    return open(false);
  }

  /**
   * Opens the store named; with {@code create}, an embedded store that does not exist yet is
   * created. Garbage collection does not run on open: a command's process is short-lived, and
   * {@code diskstore gc} collects explicitly.
   */
  DiskStore open(boolean create) {
    StoreSettings settings = settings();
    if (!create) {
      settings.requireExistingStore();
    }
    return open(settings);
  }

  static DiskStore open(StoreSettings settings) {
    DiskStoreConfig config = settings.toConfig().toBuilder().collectGarbageOnOpen(false).build();
    return DiskStore.open(config);
  }
}
