package dev.diskstore.tika;

import dev.diskstore.ArtifactContent;
import dev.diskstore.ContentUnavailable;
import dev.diskstore.StorageException;
import dev.diskstore.spi.BuiltinContent;
import dev.diskstore.spi.ContentParser;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ContentParser} that adds documents to the core's text handling: PDF, Word (DOCX, DOC),
 * Excel (XLSX, XLS), PowerPoint (PPTX, PPT), OpenDocument, RTF, EPUB, HTML and the other formats
 * of the bundled Apache Tika modules become content type {@link ArtifactContent#DOCUMENT} with
 * their plain text.
 *
 * <h2>Which files go where</h2>
 *
 * <ol>
 *   <li>Names in the override table ({@link CodeAndConfigTypes}: {@code .tf}, {@code .jl},
 *       {@code Jenkinsfile}, ...): the built-in parser, reported as the table's kind ({@code code}
 *       or {@code text}).
 *   <li>HTML ({@code .html}, {@code .htm}, {@code .xhtml}, or a stored type {@code text/html} /
 *       {@code application/xhtml+xml} under a name the built-in parser does not read as text):
 *       Tika, as clean text without tags, scripts or styles.
 *   <li>Everything the built-in parser reads (text, Markdown, JSON, CSV, code, XML, YAML, ...): the
 *       built-in parser ({@link BuiltinContent#parser(java.util.function.Function)}). JSON stays
 *       the raw JSON and CSV the raw CSV. Text with a byte order mark is decoded by it; text
 *       that has none and is not UTF-8 is decoded in the encoding Tika's charset detector picks
 *       ({@link TikaCharsets}), named in {@link ArtifactContent#charset()}; bytes that look
 *       binary stay "unsupported".
 *   <li>Images, audio, video, fonts, archives and {@code application/octet-stream}: unsupported,
 *       without reading the content or initialising Tika.
 *   <li>Anything else: Tika detects the type from the whole content and parses it. A type Tika has
 *       no parser for is unsupported; one it would read as plain text goes to the built-in parser
 *       instead.
 * </ol>
 *
 * <h2>Bounds</h2>
 *
 * <ul>
 *   <li><b>Characters</b>: at most {@link Request#maxChars()} characters are kept; Tika's write
 *       limit stops the parse there, so memory for the text stays bounded, and the result is
 *       marked truncated. Extracted text is tidied (line ends, trailing blanks, runs of blank
 *       lines), which only shortens it.
 *   <li><b>Input size</b>: a file larger than {@link Builder#maxInputBytes} is {@link
 *       ContentUnavailable#TOO_LARGE} without being read; a stream that delivers more bytes than
 *       that (its recorded size was wrong) is stopped at the limit.
 *   <li><b>Time</b>: each parse runs on a daemon thread owned by this parser and is abandoned
 *       after {@link Builder#parseTimeout} ({@link ContentUnavailable#TIMEOUT}). The abandoned
 *       parse's stream is closed at once, so a parse that is still reading fails at its next read;
 *       one that computes without reading keeps its thread until it ends.
 *   <li><b>Zip bombs</b>: before a ZIP package (OOXML, OpenDocument, EPUB) is parsed, every entry
 *       is inflated once and counted; one that inflates past 1 MiB and more than {@link
 *       Builder#maxCompressionRatio} times its compressed size, or a package with more than
 *       10,000 entries, is {@link ContentUnavailable#TOO_LARGE}. During the parse, Tika's {@code
 *       SecureContentHandler} stops output of more than {@link Builder#maxCompressionRatio}
 *       characters per input byte once past {@link Builder#zipBombThresholdChars} characters
 *       (also {@code TOO_LARGE}). DOCX and PPTX are streamed (SAX), not loaded into a DOM. At
 *       most {@link Builder#maxEmbeddedDocuments} embedded documents (attachments, OLE objects)
 *       are parsed per file; the rest are skipped.
 * </ul>
 *
 * <h2>Failures</h2>
 *
 * Bad content never throws: an encrypted document is {@link ContentUnavailable#ENCRYPTED}, a
 * damaged one {@link ContentUnavailable#CORRUPT}, a format without an extractor {@link
 * ContentUnavailable#UNSUPPORTED}. A failure to read the bytes is a storage failure: a {@link
 * StorageException} from the opener or the stream propagates. If the calling thread is interrupted
 * while waiting, the parse is abandoned and a retryable {@link StorageException} is thrown (the
 * interrupt flag stays set).
 *
 * <h2>Caching, start-up, threads</h2>
 *
 * {@link #isCacheable()} is true: the store keeps each result in its index by content hash, so a
 * document is parsed once. {@link #id()} names the Tika version, this module's output version and
 * any non-default limit, so that upgrading or reconfiguring re-parses. Tika is initialised on the
 * first document this parser meets (about 0.45 s, once per JVM), never when the store opens.
 *
 * <p>Thread-safe; one instance may serve any number of stores and threads. Each call opens at most
 * one stream per opener call and closes it before returning (also on timeout). The parse threads
 * are daemon threads that end after 30 s without work, so the parser needs no closing.
 */
public final class TikaContentParser implements ContentParser {

  /**
   * Version of this module's output; raise it when the extracted text changes. 2: legacy-encoded
   * text is decoded (charset detection) instead of unsupported, and content carries its charset.
   */
  static final int OUTPUT_VERSION = 2;

  /**
   * The core's text parser, with Tika's charset detection for text that has no byte order mark
   * and is not UTF-8 ({@link TikaCharsets}).
   */
  private static final ContentParser TEXT = BuiltinContent.parser(TikaCharsets::guess);

  /** The defaults: 30 s, 64 MiB, ratio 100 past 1,000,000 characters, 100 embedded documents. */
  static final Limits DEFAULT_LIMITS =
      new Limits(Duration.ofSeconds(30), 64L * 1024 * 1024, 100, 1_000_000, 100);

  /** The id with the default limits; a compile-time constant, so no string is built at start-up. */
  private static final String DEFAULT_ID =
      "tika-" + TikaRuntime.TIKA_VERSION + "/" + OUTPUT_VERSION;

  private static final Set<String> HTML_EXTENSIONS = Set.of("html", "htm", "xhtml");
  private static final Set<String> HTML_TYPES = Set.of("text/html", "application/xhtml+xml");

  /** Stored types that never have text: no need to read them or to start Tika. */
  private static final Set<String> NO_TEXT_TYPES =
      Set.of(
          "application/octet-stream",
          "application/zip",
          "application/gzip",
          "application/x-gzip",
          "application/x-tar",
          "application/x-7z-compressed",
          "application/x-bzip2",
          "application/x-xz",
          "application/zstd",
          "application/vnd.rar",
          "application/x-rar-compressed",
          "application/java-archive",
          "application/java-vm",
          "application/wasm",
          "application/vnd.sqlite3",
          "application/x-sqlite3",
          "application/vnd.apache.parquet");

  private static final String[] NO_TEXT_PREFIXES = {"image/", "audio/", "video/", "font/"};

  private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

  private final Limits limits;
  private final String id;
  private final ExecutorService workers;
  private final Object extractionLock = new Object();
  private volatile @Nullable TikaExtraction extraction;

  /** A parser with the default limits; public for {@link java.util.ServiceLoader}. */
  public TikaContentParser() {
    this(DEFAULT_LIMITS);
  }

  private TikaContentParser(Limits limits) {
    this.limits = limits;
    this.id = limits.equals(DEFAULT_LIMITS) ? DEFAULT_ID : DEFAULT_ID + ";" + limits.describe();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, "diskstore-tika-parse-" + THREAD_NUMBER.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.workers = pool;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@code tika-3.3.1/1}, plus the limits when they are not the defaults. */
  @Override
  public String id() {
    return id;
  }

  /** True: parsing a document costs far more than reading the cached text. */
  @Override
  public boolean isCacheable() {
    return true;
  }

  @Override
  public Result parse(Request request) {
    Objects.requireNonNull(request, "request");
    String filename = request.filename();
    String contentType = baseType(request.contentType());
    Optional<CodeAndConfigTypes.Entry> override = CodeAndConfigTypes.forFilename(filename);
    if (override.isPresent()) {
      return parseOverride(request, override.get());
    }
    String extension = CodeAndConfigTypes.extension(filename);
    if (HTML_EXTENSIONS.contains(extension)) {
      return parseWithTika(request);
    }
    if (BuiltinProbes.builtinReadsNameAsText(filename)) {
      return TEXT.parse(request);
    }
    if (HTML_TYPES.contains(contentType)) {
      return parseWithTika(request);
    }
    if (BuiltinProbes.builtinReadsAsText(filename, contentType)) {
      return TEXT.parse(request);
    }
    if (hasNoText(contentType)) {
      return new Unavailable(
          ContentUnavailable.UNSUPPORTED, "no text in a file of type " + contentType);
    }
    return parseWithTika(request);
  }

  private static Result parseOverride(Request request, CodeAndConfigTypes.Entry entry) {
    Result result =
        TEXT
            .parse(
                new Request(
                    request.filename(), entry.mediaType(), request.sizeBytes(),
                    request.maxChars(), request.opener()));
    if (result instanceof Parsed parsed
        && entry.kind().equals(ArtifactContent.CODE)
        && parsed.content().type().equals(ArtifactContent.TEXT)) {
      ArtifactContent text = parsed.content();
      return new Parsed(
          new ArtifactContent(
              ArtifactContent.CODE, text.raw(), text.truncated(), text.charset(), text.lossy()));
    }
    return result;
  }

  private Result parseWithTika(Request request) {
    if (request.sizeBytes() > limits.maxInputBytes()) {
      return new Unavailable(
          ContentUnavailable.TOO_LARGE,
          request.sizeBytes() + " bytes is more than the parser's input limit of "
              + limits.maxInputBytes() + " bytes");
    }
    TikaExtraction tika;
    try {
      tika = extraction();
    } catch (RuntimeException | LinkageError e) {
      return new Unavailable(
          ContentUnavailable.UNSUPPORTED, "Apache Tika could not be initialised: " + e);
    }
    InputStream raw;
    try {
      raw = request.opener().open();
    } catch (UncheckedIOException e) {
      throw readFailure(request, e.getCause());
    }
    GuardedInputStream in = new GuardedInputStream(raw, limits.maxInputBytes());
    TikaExtraction.Outcome outcome;
    try {
      Future<TikaExtraction.Outcome> future =
          workers.submit(
              () -> tika.extract(in, request.filename(), request.contentType(),
                  request.maxChars()));
      try {
        outcome = future.get(limits.parseTimeout().toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        future.cancel(true);
        return new Unavailable(
            ContentUnavailable.TIMEOUT,
            "parsing took longer than " + limits.parseTimeout().toMillis() + " ms");
      } catch (InterruptedException e) {
        future.cancel(true);
        Thread.currentThread().interrupt();
        throw new StorageException(
            "interrupted while parsing the content of '" + request.filename() + "'", true, e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Error error) {
          throw error;
        }
        throw new IllegalStateException("content extraction failed unexpectedly", cause);
      }
    } finally {
      in.closeQuietly(); // stops an abandoned parse at its next read
    }
    if (outcome instanceof TikaExtraction.Extracted extracted) {
      return new Parsed(
          new ArtifactContent(ArtifactContent.DOCUMENT, extracted.text(), extracted.truncated()));
    }
    if (outcome instanceof TikaExtraction.Failed failed) {
      return new Unavailable(failed.reason(), failed.detail());
    }
    if (outcome instanceof TikaExtraction.ReadFailed readFailed) {
      throw readFailure(request, readFailed.cause());
    }
    return TEXT
        .parse(
            new Request(
                request.filename(), "text/plain", request.sizeBytes(), request.maxChars(),
                request.opener()));
  }

  /** The Tika parser, built on first use (double-checked: at most once per instance). */
  private TikaExtraction extraction() {
    TikaExtraction current = extraction;
    if (current == null) {
      synchronized (extractionLock) {
        current = extraction;
        if (current == null) {
          current = new TikaExtraction(limits);
          extraction = current;
        }
      }
    }
    return current;
  }

  private static StorageException readFailure(Request request, Throwable cause) {
    if (cause instanceof StorageException storage) {
      return storage;
    }
    return new StorageException(
        "failed to read the content of '" + request.filename() + "': " + cause, false, cause);
  }

  private static boolean hasNoText(String contentType) {
    if (contentType.endsWith("+xml")) {
      return false;
    }
    if (NO_TEXT_TYPES.contains(contentType)) {
      return true;
    }
    for (String prefix : NO_TEXT_PREFIXES) {
      if (contentType.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static String baseType(String mediaType) {
    int semicolon = mediaType.indexOf(';');
    String base = semicolon >= 0 ? mediaType.substring(0, semicolon) : mediaType;
    return base.strip().toLowerCase(Locale.ROOT);
  }

  /**
   * The parser's limits.
   *
   * @param parseTimeout longest time one parse may take
   * @param maxInputBytes largest file parsed
   * @param maxCompressionRatio most output characters per input byte (zip-bomb check)
   * @param zipBombThresholdChars output characters after which the ratio is checked
   * @param maxEmbeddedDocuments most embedded documents parsed per file
   */
  record Limits(
      Duration parseTimeout,
      long maxInputBytes,
      long maxCompressionRatio,
      long zipBombThresholdChars,
      int maxEmbeddedDocuments) {

    String describe() {
      return "timeout=" + parseTimeout.toMillis() + "ms,maxInput=" + maxInputBytes
          + ",ratio=" + maxCompressionRatio + ",threshold=" + zipBombThresholdChars
          + ",embedded=" + maxEmbeddedDocuments;
    }

    // equals and hashCode are written out, with the record's semantics, because the generated
    // ones bootstrap java.lang.runtime.ObjectMethods on first call: about 21 ms on a cold JVM,
    // and the constructor calls equals while the store opens (BENCHMARKS.md, section 6).

    @Override
    public boolean equals(@Nullable Object other) {
      return other instanceof Limits that
          && Objects.equals(parseTimeout, that.parseTimeout)
          && maxInputBytes == that.maxInputBytes
          && maxCompressionRatio == that.maxCompressionRatio
          && zipBombThresholdChars == that.zipBombThresholdChars
          && maxEmbeddedDocuments == that.maxEmbeddedDocuments;
    }

    @Override
    public int hashCode() {
      int hash = Objects.hashCode(parseTimeout);
      hash = 31 * hash + Long.hashCode(maxInputBytes);
      hash = 31 * hash + Long.hashCode(maxCompressionRatio);
      hash = 31 * hash + Long.hashCode(zipBombThresholdChars);
      return 31 * hash + maxEmbeddedDocuments;
    }
  }

  /** Builds a {@link TikaContentParser}. Not thread-safe; each {@link #build()} is independent. */
  public static final class Builder {
    private Duration parseTimeout = DEFAULT_LIMITS.parseTimeout();
    private long maxInputBytes = DEFAULT_LIMITS.maxInputBytes();
    private long maxCompressionRatio = DEFAULT_LIMITS.maxCompressionRatio();
    private long zipBombThresholdChars = DEFAULT_LIMITS.zipBombThresholdChars();
    private int maxEmbeddedDocuments = DEFAULT_LIMITS.maxEmbeddedDocuments();

    private Builder() {}

    /** Longest time one parse may take before it is abandoned as a timeout. Default 30 s. */
    public Builder parseTimeout(Duration parseTimeout) {
      Objects.requireNonNull(parseTimeout, "parseTimeout");
      if (parseTimeout.isNegative() || parseTimeout.isZero()) {
        throw new IllegalArgumentException("parseTimeout must be positive, was " + parseTimeout);
      }
      this.parseTimeout = parseTimeout;
      return this;
    }

    /** Largest file (in bytes) handed to Tika; larger ones are "too large". Default 64 MiB. */
    public Builder maxInputBytes(long maxInputBytes) {
      if (maxInputBytes <= 0) {
        throw new IllegalArgumentException("maxInputBytes must be positive, was " + maxInputBytes);
      }
      this.maxInputBytes = maxInputBytes;
      return this;
    }

    /**
     * Zip-bomb ratio, default 100: most bytes a ZIP entry may inflate to per compressed byte (past
     * 1 MiB), and most characters a parse may output per input byte (Tika's {@code
     * SecureContentHandler}, past {@link #zipBombThresholdChars}).
     */
    public Builder maxCompressionRatio(long maxCompressionRatio) {
      if (maxCompressionRatio <= 0) {
        throw new IllegalArgumentException(
            "maxCompressionRatio must be positive, was " + maxCompressionRatio);
      }
      this.maxCompressionRatio = maxCompressionRatio;
      return this;
    }

    /** Output characters after which the compression ratio is checked. Default 1,000,000. */
    public Builder zipBombThresholdChars(long zipBombThresholdChars) {
      if (zipBombThresholdChars < 0) {
        throw new IllegalArgumentException(
            "zipBombThresholdChars must be >= 0, was " + zipBombThresholdChars);
      }
      this.zipBombThresholdChars = zipBombThresholdChars;
      return this;
    }

    /** Most embedded documents (attachments, OLE objects) parsed per file. Default 100. */
    public Builder maxEmbeddedDocuments(int maxEmbeddedDocuments) {
      if (maxEmbeddedDocuments < 0) {
        throw new IllegalArgumentException(
            "maxEmbeddedDocuments must be >= 0, was " + maxEmbeddedDocuments);
      }
      this.maxEmbeddedDocuments = maxEmbeddedDocuments;
      return this;
    }

    /** A parser with these limits. Cheap: Tika is initialised on the first document. */
    public TikaContentParser build() {
      return new TikaContentParser(
          new Limits(parseTimeout, maxInputBytes, maxCompressionRatio, zipBombThresholdChars,
              maxEmbeddedDocuments));
    }
  }
}
