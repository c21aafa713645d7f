package dev.diskstore.internal;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactPage;
import dev.diskstore.ByteRange;
import dev.diskstore.GrepOptions;
import dev.diskstore.GrepResult;
import dev.diskstore.GrepResult.FileMatches;
import dev.diskstore.GrepResult.LineMatch;
import dev.diskstore.InvalidQueryException;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.Query;
import dev.diskstore.QueryOptions;
import dev.diskstore.Search;
import dev.diskstore.StorageException;
import dev.diskstore.TextHit;
import dev.diskstore.spi.BlobNotFoundException;
import dev.diskstore.spi.ContentParser;
import dev.diskstore.spi.index.ArtifactRow;
import dev.diskstore.spi.index.CompiledQuery;
import dev.diskstore.spi.index.QueryPage;
import dev.diskstore.spi.index.TextHitRow;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * {@link Search} on the index: metadata queries compiled by the index ({@link
 * dev.diskstore.spi.index.MetadataIndex#compile}) with cursors made here, glob over the index's
 * directory ranges, full-text hits from the index, grep over each file's text.
 */
final class SearchOps implements Search {
  /** Longest line considered by grep; the rest of a longer line is skipped. */
  static final int MAX_LINE_CHARS = 1 << 20;
  /** Longest line text returned in a match. */
  static final int MAX_REPORTED_LINE_CHARS = 2000;
  private static final int GREP_BATCH = 512;
  private static final String MAX_CHAR = new String(Character.toChars(Character.MAX_CODE_POINT));

  private final Engine engine;
  /** The kind of metadata query cursors ({@link Cursors}). */
  private static final String QUERY_CURSOR = "q1";
  private final ArtifactOps artifacts;

  SearchOps(Engine engine, ArtifactOps artifacts) {
    this.engine = engine;
    this.artifacts = artifacts;
  }

  private static void checkLimit(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidRequestException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
    }
  }

  // ------------------------------------------------------------------ metadata query

  @Override
  public ArtifactPage query(String diskId, Query query, QueryOptions options) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(options, "options");
    CompiledQuery compiled = engine.index.compile(diskId, query, options.sort());
    List<String> after =
        options.cursor().isEmpty()
            ? null
            : Cursors.decode(
                options.cursor().get(), QUERY_CURSOR, compiled.scope(), compiled.keyLength());
    int limit = options.limit();
    QueryPage page =
        engine.index.read(
            c -> {
              DiskOps.requireDisk(c, diskId);
              return c.artifacts().query(compiled, after, limit);
            });
    List<Artifact> items = new ArrayList<>(page.rows().size());
    for (ArtifactRow row : page.rows()) {
      items.add(artifacts.toArtifact(row));
    }
    Optional<String> next =
        page.lastKey() == null
            ? Optional.empty()
            : Optional.of(Cursors.encode(QUERY_CURSOR, compiled.scope(), page.lastKey()));
    return new ArtifactPage(items, next);
  }

  // ------------------------------------------------------------------ glob

  @Override
  public List<Artifact> glob(String diskId, String pattern, int limit) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(pattern, "pattern");
    checkLimit(limit);
    Glob glob = Glob.compile(pattern);
    List<Artifact> out = new ArrayList<>();
    scan(diskId, glob, null, row -> {
      if (out.size() < limit) {
        out.add(artifacts.toArtifact(row));
      }
      return out.size() < limit;
    });
    return out;
  }

  @FunctionalInterface
  private interface RowVisitor {
    /** @return whether to continue */
    boolean visit(ArtifactRow row);
  }

  /**
   * Visits the rows of a disk whose path matches {@code glob} (all rows when null), in path and
   * filename order, after the given position (exclusive; null for the start), within one read
   * transaction; only the glob's literal directory range is read.
   */
  private void scan(
      String diskId,
      @Nullable Glob glob,
      @Nullable ArtifactRow after,
      RowVisitor visitor) {
    String prefix = glob == null ? "/" : glob.directoryPrefix();
    engine.index.read(
        c -> {
          DiskOps.requireDisk(c, diskId);
          c.artifacts().scan(
              diskId, prefix, prefix + MAX_CHAR, after == null ? null : after.path(),
              after == null ? null : after.filename(),
              row -> (glob != null && !glob.matches(row.path() + row.filename()))
                  || visitor.visit(row));
          return null;
        });
  }

  // ------------------------------------------------------------------ grep

  @Override
  public GrepResult grep(String diskId, String regex, GrepOptions options) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(regex, "regex");
    Objects.requireNonNull(options, "options");
    Pattern pattern;
    try {
      int flags = options.caseInsensitive() ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0;
      pattern = Pattern.compile(regex, flags);
    } catch (PatternSyntaxException e) {
      throw new InvalidQueryException(
          "invalid regular expression \"" + abbreviate(regex) + "\": " + e.getDescription()
              + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
    }
    Glob glob = options.glob().map(Glob::compile).orElse(null);
    long deadline = System.nanoTime() + options.timeBudget().toNanos();
    List<FileMatches> files = new ArrayList<>();
    int searched = 0;
    boolean truncated = false;
    boolean timedOut = false;
    ArtifactRow after = null;
    // Candidates come in batches, so that memory does not grow with the disk and no index
    // transaction stays open while files are read.
    batches:
    while (true) {
      List<ArtifactRow> batch = new ArrayList<>(GREP_BATCH);
      scan(diskId, glob, after, row -> {
        batch.add(row);
        return batch.size() < GREP_BATCH;
      });
      for (ArtifactRow row : batch) {
        if (System.nanoTime() > deadline) {
          timedOut = true;
          break batches;
        }
        FileMatches found;
        try {
          found = grepFile(row, pattern, options, deadline);
        } catch (DeadlineExceeded e) {
          timedOut = true;
          break batches;
        }
        if (found == null) {
          continue; // binary or no text
        }
        searched++;
        if (!found.matches().isEmpty()) {
          if (files.size() == options.maxFiles()) {
            truncated = true;
            break batches;
          }
          files.add(found);
        }
      }
      if (batch.size() < GREP_BATCH) {
        break;
      }
      after = batch.get(batch.size() - 1);
    }
    return new GrepResult(files, searched, truncated, timedOut);
  }

  /** The matches in one file, or null when the file has no searchable text. */
  private @Nullable FileMatches grepFile(
      ArtifactRow row, Pattern pattern, GrepOptions options, long deadline) {
    Reader reader = openText(row);
    if (reader == null) {
      return null;
    }
    int context = options.contextLines();
    List<LineMatch> matches = new ArrayList<>();
    List<PendingMatch> waiting = new ArrayList<>();
    Deque<String> before = new ArrayDeque<>();
    boolean more = false;
    try (Reader in = reader) {
      LineReader lines = new LineReader(in);
      Matcher matcher = pattern.matcher("");
      String line;
      int number = 0;
      while ((line = lines.next()) != null) {
        number++;
        if (number == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
          line = line.substring(1); // byte order mark
        }
        if (line.indexOf('\0') >= 0) {
          return null; // binary after all
        }
        String shown = cut(line);
        for (PendingMatch p : waiting) {
          p.after.add(shown);
        }
        waiting.removeIf(p -> p.complete(context, matches));
        if (!more && find(matcher, line, deadline)) {
          if (matches.size() < options.maxMatchesPerFile()) {
            PendingMatch p = new PendingMatch(number, shown, List.copyOf(before), matches.size());
            matches.add(null);
            if (!p.complete(context, matches)) {
              waiting.add(p);
            }
          } else {
            more = true;
          }
        }
        if (more && waiting.isEmpty()) {
          break;
        }
        if (context > 0) {
          before.addLast(shown);
          if (before.size() > context) {
            before.removeFirst();
          }
        }
      }
    } catch (CharacterCodingException e) {
      return null; // not UTF-8: a binary file
    } catch (IOException e) {
      throw new StorageException("reading " + row.path() + row.filename() + " failed: " + e, e);
    }
    for (PendingMatch p : waiting) {
      p.complete(0, matches); // end of file: fewer following lines
    }
    return new FileMatches(artifacts.toArtifact(row), matches, more);
  }

  /**
   * Whether the line matches, giving up when the time budget is spent or the regex engine's
   * recursion would overflow the stack (nested repetitions over very long lines).
   */
  private static boolean find(Matcher matcher, String line, long deadline) {
    try {
      return matcher.reset(new DeadlineCharSequence(line, deadline)).find();
    } catch (StackOverflowError e) {
      throw new DeadlineExceeded();
    }
  }

  /** A match whose following context lines are still being collected. */
  private static final class PendingMatch {
    private final int lineNumber;
    private final String line;
    private final List<String> before;
    private final int slot;
    private final List<String> after = new ArrayList<>();

    PendingMatch(int lineNumber, String line, List<String> before, int slot) {
      this.lineNumber = lineNumber;
      this.line = line;
      this.before = before;
      this.slot = slot;
    }

    /** Stores the match in its slot once it has {@code context} following lines. */
    boolean complete(int context, List<LineMatch> matches) {
      if (after.size() < context) {
        return false;
      }
      matches.set(slot, new LineMatch(lineNumber, line, before, after));
      return true;
    }
  }

  /**
   * The searchable text of an artifact, or null: text files are read as strict UTF-8 from the
   * backend; other files through the content parser when it caches extractions (documents).
   */
  private @Nullable Reader openText(ArtifactRow row) {
    if (BuiltinContentParser.kindOf(row.filename(), row.contentType()) != null) {
      InputStream in;
      try {
        in = engine.backend.open(row.blobKey(), ByteRange.from(0));
      } catch (BlobNotFoundException e) {
        return null; // replaced while we searched
      }
      return new InputStreamReader(
          in,
          StandardCharsets.UTF_8.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT));
    }
    if (!engine.parser.isCacheable()) {
      return null;
    }
    ContentParser.Result result;
    try {
      result = engine.content(row);
    } catch (BlobNotFoundException e) {
      return null;
    }
    return result instanceof ContentParser.Parsed p ? new StringReader(p.content().raw()) : null;
  }

  private static String cut(String line) {
    return line.length() <= MAX_REPORTED_LINE_CHARS
        ? line
        : line.substring(0, MAX_REPORTED_LINE_CHARS) + "…";
  }

  // ------------------------------------------------------------------ full text

  @Override
  public List<TextHit> fullText(String diskId, String query, int limit) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(query, "query");
    checkLimit(limit);
    List<String> terms = TextIndex.terms(query);
    if (terms.isEmpty()) {
      engine.index.read(c -> {
        DiskOps.requireDisk(c, diskId);
        return null;
      });
      return List.of();
    }
    // read-your-writes: index whatever upserts queued before this query
    engine.textIndexer.catchUp();
    List<TextHitRow> hits;
    try {
      hits = fullTextHits(diskId, terms, limit);
    } catch (StorageException e) {
      // damaged documents are set aside and rebuilt (they are derived data); ask again
      if (!engine.textIndexer.recoverIfDamaged(e)) {
        throw e;
      }
      engine.textIndexer.catchUp();
      hits = fullTextHits(diskId, terms, limit);
    }
    List<TextHit> result = new ArrayList<>(hits.size());
    for (TextHitRow h : hits) {
      result.add(new TextHit(artifacts.toArtifact(h.row()), h.score(), h.snippet()));
    }
    return result;
  }

  private List<TextHitRow> fullTextHits(String diskId, List<String> terms, int limit) {
    return engine.index.read(
        c -> {
          DiskOps.requireDisk(c, diskId);
          return c.text().search(diskId, terms, limit);
        });
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }

  /** Thrown from a matcher's input when the time budget is spent. */
  private static final class DeadlineExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DeadlineExceeded() {
      super(null, null, false, false);
    }
  }

  /**
   * A line that makes the regex engine give up once the deadline passes: the matcher reads its
   * input through {@link #charAt}, so even catastrophic backtracking is bounded in time.
   */
  private static final class DeadlineCharSequence implements CharSequence {
    private final CharSequence text;
    private final long deadline;
    private int calls;

    DeadlineCharSequence(CharSequence text, long deadline) {
      this.text = text;
      this.deadline = deadline;
    }

    @Override
    public char charAt(int index) {
      if ((++calls & 0xfff) == 0 && System.nanoTime() > deadline) {
        throw new DeadlineExceeded();
      }
      return text.charAt(index);
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new DeadlineCharSequence(text.subSequence(start, end), deadline);
    }

    @Override
    public String toString() {
      return text.toString();
    }
  }

  /** Reads lines ending in \n, \r\n or \r; keeps at most {@link #MAX_LINE_CHARS} of each. */
  private static final class LineReader {
    private final Reader in;
    private final char[] buffer = new char[8192];
    private int position;
    private int limit;
    private boolean pendingCr;

    LineReader(Reader in) {
      this.in = in;
    }

    @Nullable String next() throws IOException {
      StringBuilder line = null;
      while (true) {
        if (position == limit) {
          limit = in.read(buffer, 0, buffer.length);
          position = 0;
          if (limit <= 0) {
            limit = 0;
            return line == null ? null : line.toString();
          }
        }
        char ch = buffer[position++];
        if (pendingCr) {
          pendingCr = false;
          if (ch == '\n') {
            continue;
          }
        }
        if (line == null) {
          line = new StringBuilder();
        }
        if (ch == '\n') {
          return line.toString();
        }
        if (ch == '\r') {
          pendingCr = true;
          return line.toString();
        }
        if (line.length() < MAX_LINE_CHARS) {
          line.append(ch);
        }
      }
    }
  }
}
