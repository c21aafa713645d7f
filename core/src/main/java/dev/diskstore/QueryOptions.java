package dev.diskstore;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Order, page size and position of {@link Search#query}. Immutable; build with {@link #builder()}
 * or use {@link #defaults()}.
 *
 * @param sort the order of the results ({@link QuerySort#DEFAULT}: path, then filename)
 * @param limit the page size, 1–{@value #MAX_LIMIT} (default {@value #DEFAULT_LIMIT})
 * @param cursor the previous page's {@link ArtifactPage#nextCursor()}; empty for the first page. A
 *     cursor is bound to the disk, query and sort it was issued for; the limit may change between
 *     pages
 */
public record QueryOptions(QuerySort sort, int limit, Optional<String> cursor) {
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1_000;

  /** @throws InvalidRequestException for a limit outside 1–{@value #MAX_LIMIT} */
  public QueryOptions {
    Objects.requireNonNull(sort, "sort");
    Objects.requireNonNull(cursor, "cursor");
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidRequestException(
          "limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
    }
  }

  /** The first page of {@value #DEFAULT_LIMIT}, ordered by path then filename. */
  public static QueryOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().sort(sort).limit(limit).cursor(cursor.orElse(null));
  }

  /** These options with another cursor, e.g. {@code options.withCursor(page.nextCursor().get())}. */
  public QueryOptions withCursor(@Nullable String cursor) {
    return new QueryOptions(sort, limit, Optional.ofNullable(cursor));
  }

  /** Builder for {@link QueryOptions}; not thread-safe. */
  public static final class Builder {
    private QuerySort sort = QuerySort.DEFAULT;
    private int limit = DEFAULT_LIMIT;
    private @Nullable String cursor;

    private Builder() {}

    public Builder sort(QuerySort sort) {
      this.sort = Objects.requireNonNull(sort, "sort");
      return this;
    }

    public Builder limit(int limit) {
      this.limit = limit;
      return this;
    }

    /** The {@link ArtifactPage#nextCursor()} of the previous page; {@code null} for the first. */
    public Builder cursor(@Nullable String cursor) {
      this.cursor = cursor;
      return this;
    }

    public QueryOptions build() {
      return new QueryOptions(sort, limit, Optional.ofNullable(cursor));
    }
  }
}
