package dev.diskstore.index.sqlite;

import dev.diskstore.spi.index.IndexContext;
import dev.diskstore.spi.index.IndexProvider;
import dev.diskstore.spi.index.MetadataIndex;

/**
 * The default {@link IndexProvider}: the embedded SQLite index in the store's directory ({@code
 * index.db}, {@code text-<generation>.db}, lock files under {@code owners/}). Used when the
 * configuration names no index; it needs {@code DiskStoreConfig.Builder.directory}. Processes of
 * one host may share it; hosts may not ({@link #sharedAcrossHosts()} is false).
 *
 * <p>Immutable and thread-safe.
 */
public final class SqliteIndexProvider implements IndexProvider {
  private static final SqliteIndexProvider INSTANCE = new SqliteIndexProvider();

  private SqliteIndexProvider() {}

  /** The provider (stateless: everything comes from the {@link IndexContext}). */
  public static SqliteIndexProvider of() {
    return INSTANCE;
  }

  /**
   * @throws IllegalArgumentException if the context has no directory
   */
  @Override
  public MetadataIndex open(IndexContext context) {
    return SqliteMetadataIndex.open(context);
  }

  @Override
  public boolean sharedAcrossHosts() {
    return false;
  }

  @Override
  public String toString() {
    return "SqliteIndexProvider";
  }
}
