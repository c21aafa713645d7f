package dev.diskstore.spi.index;

/**
 * A metadata query compiled by an index ({@link MetadataIndex#compile}), to be run by {@link
 * IndexSession.ArtifactRows#query}. Opaque to the core but for what cursors need.
 *
 * <p>Immutable and thread-safe; may be run in any session of the index that compiled it.
 */
public interface CompiledQuery {

  /**
   * Everything that decides which rows the query returns and in which order (disk, filter with its
   * values, sort), as text: a cursor is bound to it, so that a cursor of another query is refused.
   */
  String scope();

  /** How many sort-key values a position in the result has ({@link QueryPage#lastKey()}). */
  int keyLength();
}
