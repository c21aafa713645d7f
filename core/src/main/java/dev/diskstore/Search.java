package dev.diskstore;

import java.util.List;

/**
 * Finding artifacts in a disk: {@code store.search()}. Everything is evaluated on the SQLite index
 * and, for {@link #grep}, on the artifacts' text; nothing lists blob storage. Thread-safe.
 *
 * <h2>Glob patterns</h2>
 *
 * Matched against the full path of each artifact ({@code /docs/2024/plan.md}). {@code *} and
 * {@code ?} match within one path segment, {@code **} matches any number of whole segments
 * (including none), {@code [abc]}, {@code [a-z]} and {@code [!abc]} match one character of a set,
 * {@code {a,b}} matches either alternative, and {@code \} escapes the next character. A pattern
 * without a leading {@code /} is relative to the root. Matching is case-sensitive and NFC-normalised
 * like paths.
 */
public interface Search {
  /** Default and maximum result counts. */
  int DEFAULT_LIMIT = 100;

  int MAX_LIMIT = 10_000;

  /**
   * The artifacts whose full path matches {@code pattern}, ordered by path then filename.
   *
   * @param limit 1–10,000
   * @throws InvalidQueryException for a malformed pattern
   * @throws DiskNotFoundException if the disk does not exist
   */
  List<Artifact> glob(String diskId, String pattern, int limit);

  /**
   * Lines matching a Java regular expression, per file, with line numbers and optional context.
   * Searches each file's text: text, JSON, CSV and code files as stored (valid UTF-8), documents
   * through their extracted text when a document parser is installed. Binary files are skipped.
   * Lines end at LF, CRLF or CR; of a line longer than 1 Mi characters only the first 1 Mi characters
   * are searched.
   *
   * @throws InvalidQueryException for an invalid regular expression or glob
   * @throws DiskNotFoundException if the disk does not exist
   */
  GrepResult grep(String diskId, String regex, GrepOptions options);

  /** {@link #grep(String, String, GrepOptions)} with default options. */
  default GrepResult grep(String diskId, String regex) {
    return grep(diskId, regex, GrepOptions.defaults());
  }

  /**
   * Full-text search over extracted text, filename and path, ranked by relevance (BM25), best
   * first, with a highlighted snippet per hit. The query is plain words (all must occur, in any
   * order; a word matches its stemmed forms); {@code "quoted phrases"} match as phrases. Any input is
   * safe: characters with a meaning in SQLite's FTS syntax are treated as text.
   *
   * @param limit 1–10,000
   * @throws DiskNotFoundException if the disk does not exist
   */
  List<TextHit> fullText(String diskId, String query, int limit);

  /**
   * One page of the artifacts of a disk matching a metadata query: conditions on user metadata
   * keys and system fields, combined with and/or/not (see {@link Query} for the type, null and
   * negation semantics). Evaluated in the SQLite index, one page at a time; the cost is the index
   * range or scan SQLite needs, never loading the disk into memory.
   *
   * <p>Results follow {@link QueryOptions#sort()} with ties broken by artifact id, so the order is
   * total. Pagination is keyset-based: pass {@link ArtifactPage#nextCursor()} back in
   * {@link QueryOptions#withCursor}. While other artifacts are written, paging returns no artifact
   * twice, and returns every artifact that matched when paging started and still matches when its
   * page is read; artifacts added meanwhile appear if they sort after the current page. An
   * artifact whose sort value changes between pages (e.g. sorting by {@code UPDATED_AT} while it
   * is updated) may be missed or seen again.
   *
   * @throws InvalidCursorException for a cursor that is malformed or was issued for another disk,
   *     query or sort
   * @throws DiskNotFoundException if the disk does not exist
   */
  ArtifactPage query(String diskId, Query query, QueryOptions options);

  /** The first page of {@link #query(String, Query, QueryOptions)} with default options. */
  default ArtifactPage query(String diskId, Query query) {
    return query(diskId, query, QueryOptions.defaults());
  }
}
