package dev.diskstore.postgres;

import dev.diskstore.DiskStoreException;

/**
 * The PostgreSQL schema holding the index was written by a newer DiskStore than this one: its
 * {@code schema_version} is higher than any version this code knows. Nothing was changed; upgrade
 * DiskStore on this host (every instance sharing a store must run a version that knows the schema),
 * or point it at another schema. Not retryable.
 */
public final class UnsupportedSchemaVersionException extends DiskStoreException {
  private static final long serialVersionUID = 1L;
  private final int found;
  private final int supported;

  UnsupportedSchemaVersionException(String where, int found, int supported) {
    super(where + " has index schema version " + found + ", newer than this DiskStore knows ("
        + supported + "); upgrade DiskStore to open it");
    this.found = found;
    this.supported = supported;
  }

  /** The version recorded in the database. */
  public int found() {
    return found;
  }

  /** The newest version this code can read and write. */
  public int supported() {
    return supported;
  }
}
