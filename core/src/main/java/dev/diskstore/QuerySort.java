package dev.diskstore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The order of {@link Search#query} results: by one system field or one user metadata key,
 * ascending or descending, with ties always broken by the artifact's internal id (in the same
 * direction), so that the order is total and stable and pagination never repeats or skips an
 * unchanged artifact. Descending is the exact reverse of ascending, except that artifacts missing
 * a metadata sort key come last in both directions.
 *
 * <pre>{@code
 * QuerySort.by(ArtifactField.SIZE_BYTES).desc()      // largest first
 * QuerySort.byMeta("review", "score")               // nested user key, ascending
 * }</pre>
 *
 * <p>The default, {@link #DEFAULT}, is {@link ArtifactField#PATH} ascending: by directory, then
 * filename (served from the path index). Strings order by Unicode code point, timestamps and sizes
 * numerically.
 *
 * <p><b>Metadata keys</b> hold values of any JSON type; ascending order is by type first, then by
 * value within the type: numbers (integers and reals together, numerically), strings (code point
 * order), booleans ({@code false} before {@code true}), {@code null}, arrays, objects (arrays and
 * objects by their JSON text), and finally artifacts without the key. Descending reverses the
 * type order and the values, and still puts artifacts without the key last. Immutable.
 *
 * @param field the system field to sort by, or empty when sorting by {@code key}
 * @param key the user metadata key (top-level key then nested keys, taken literally, as in
 *     {@link Query#where}); empty when sorting by {@code field}
 * @param descending largest first
 */
public record QuerySort(Optional<ArtifactField> field, List<String> key, boolean descending) {
  /** By path, then filename, ascending. */
  public static final QuerySort DEFAULT = by(ArtifactField.PATH);

  public QuerySort {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(key, "key");
    if (field.isPresent() == !key.isEmpty()) {
      throw new InvalidQueryException("sort by either a system field or a metadata key");
    }
    key = key.isEmpty() ? List.of() : Query.KeyCondition.checkKey(key);
  }

  /** Ascending by a system field. */
  public static QuerySort by(ArtifactField field) {
    return new QuerySort(Optional.of(Objects.requireNonNull(field, "field")), List.of(), false);
  }

  /** Ascending by a user metadata key, or a key nested inside it. */
  public static QuerySort byMeta(String key, String... nestedKeys) {
    List<String> keys = new ArrayList<>(1 + nestedKeys.length);
    keys.add(key);
    keys.addAll(Arrays.asList(nestedKeys));
    return new QuerySort(Optional.empty(), keys, false);
  }

  /** This order, smallest first. */
  public QuerySort asc() {
    return new QuerySort(field, key, false);
  }

  /** This order, largest first. */
  public QuerySort desc() {
    return new QuerySort(field, key, true);
  }

  @Override
  public String toString() {
    return (field.isPresent() ? field.get().toString() : "meta(" + QueryChecks.keyText(key) + ")")
        + (descending ? " DESC" : " ASC");
  }
}
