package dev.diskstore.spi.index;

import org.jspecify.annotations.Nullable;

/**
 * One disk row.
 *
 * @param user the user the disk belongs to, if any
 * @param createdAt microseconds since the epoch, like {@code updatedAt}
 */
public record DiskRow(String id, @Nullable String user, long createdAt, long updatedAt) {}
