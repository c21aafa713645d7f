package dev.diskstore;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of {@link Disks#list(DiskListRequest)}.
 *
 * @param items the disks of this page, in the requested order
 * @param hasMore whether another page follows
 * @param nextCursor the opaque cursor for the next page; present exactly when {@code hasMore}
 */
public record DiskPage(List<Disk> items, boolean hasMore, Optional<String> nextCursor) {
  public DiskPage {
    items = List.copyOf(items);
    Objects.requireNonNull(nextCursor, "nextCursor");
    if (hasMore != nextCursor.isPresent()) {
      throw new IllegalArgumentException("nextCursor must be present exactly when hasMore");
    }
  }
}
