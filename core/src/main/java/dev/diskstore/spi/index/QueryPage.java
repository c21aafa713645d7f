package dev.diskstore.spi.index;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One page of a compiled metadata query ({@link IndexSession.ArtifactRows#query}).
 *
 * @param rows the rows of the page, in the query's order
 * @param lastKey when more rows follow: the sort-key values of the page's last row, in the index's
 *     own encoding ({@link CompiledQuery#keyLength()} strings), which the core puts into a cursor
 *     and hands back as {@code after}; null on the last page
 */
public record QueryPage(List<ArtifactRow> rows, @Nullable List<String> lastKey) {
  public QueryPage {
    rows = List.copyOf(Objects.requireNonNull(rows, "rows"));
    lastKey = lastKey == null ? null : List.copyOf(lastKey);
  }
}
