package dev.diskstore;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of {@link Search#query} results.
 *
 * @param items the matching artifacts of this page, in the requested order
 * @param nextCursor the opaque cursor of the next page, present when more results may follow
 */
public record ArtifactPage(List<Artifact> items, Optional<String> nextCursor) {
  public ArtifactPage {
    items = List.copyOf(items);
    Objects.requireNonNull(nextCursor, "nextCursor");
  }

  /** Whether another page follows ({@link #nextCursor()} is present). */
  public boolean hasMore() {
    return nextCursor.isPresent();
  }
}
