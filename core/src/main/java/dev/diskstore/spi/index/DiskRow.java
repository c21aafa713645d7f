package dev.diskstore.spi.index;

import org.jspecify.annotations.Nullable;

/**
 * One disk row.
 *
 * @param user the user the disk belongs to, if any
 * @param project the project the disk belongs to; {@code null} only in rows written before projects
 *     existed, which belong to the store's own project
 * @param createdAt microseconds since the epoch, like {@code updatedAt}
 */
public record DiskRow(
    String id, @Nullable String user, @Nullable String project, long createdAt, long updatedAt) {}
