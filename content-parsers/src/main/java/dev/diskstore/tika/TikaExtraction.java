package dev.diskstore.tika;

import dev.diskstore.ContentUnavailable;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.tika.config.TikaConfig;
import org.apache.tika.detect.Detector;
import org.apache.tika.exception.EncryptedDocumentException;
import org.apache.tika.exception.TikaMemoryLimitException;
import org.apache.tika.exception.UnsupportedFormatException;
import org.apache.tika.exception.WriteLimitReachedException;
import org.apache.tika.extractor.DocumentSelector;
import org.apache.tika.extractor.ParsingEmbeddedDocumentExtractorFactory;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MediaTypeRegistry;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.AutoDetectParserConfig;
import org.apache.tika.parser.CompositeParser;
import org.apache.tika.parser.EmptyParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.Parser;
import org.apache.tika.parser.csv.TextAndCSVParser;
import org.apache.tika.parser.microsoft.OfficeParserConfig;
import org.apache.tika.sax.BodyContentHandler;
import org.apache.tika.sax.ContentHandlerDecorator;
import org.apache.tika.sax.ToTextContentHandler;
import org.apache.tika.sax.WriteOutContentHandler;
import org.jspecify.annotations.Nullable;
import org.xml.sax.Attributes;
import org.xml.sax.ContentHandler;
import org.xml.sax.SAXException;

/**
 * One configured Tika parser and the code that runs it: detection on the whole stream, the choice
 * of parser, the bounded text handler, and the mapping of failures to {@link ContentUnavailable}.
 * Only {@link TikaContentParser} uses it, lazily, so that loading the parser class loads no Tika
 * class.
 *
 * <p>{@link #extract} runs on a parse thread and never throws for bad content: every failure is an
 * {@link Outcome}. Thread-safe: Tika's {@link AutoDetectParser} may be shared by concurrent
 * parses, and each call has its own handler, metadata and context.
 */
final class TikaExtraction {

  /** What one extraction produced. */
  sealed interface Outcome permits Extracted, Failed, PlainText, ReadFailed {}

  /** Cleaned text, and whether the text was cut at the limit. */
  record Extracted(String text, boolean truncated) implements Outcome {}

  /** No text, and why. */
  record Failed(ContentUnavailable reason, String detail) implements Outcome {}

  /** Tika would use its plain-text parser: the built-in parser reads such files instead. */
  record PlainText() implements Outcome {}

  /** The underlying stream failed: a storage failure, not bad content. */
  record ReadFailed(Throwable cause) implements Outcome {}

  private static final int MAX_DETAIL_CHARS = 300;
  private static final String PDFBOX_INVALID_PASSWORD =
      "org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException";
  private static final String POI_ENCRYPTED = "org.apache.poi.EncryptedDocumentException";

  private final AutoDetectParser parser;
  private final Detector detector;
  private final MediaTypeRegistry registry;
  private final int maxEmbeddedDocuments;
  private final long maxCompressionRatio;
  private final OfficeParserConfig officeConfig;

  /** Builds the parser; the first call in a JVM initialises Tika (about 0.45 s). */
  TikaExtraction(TikaContentParser.Limits limits) {
    TikaConfig config = TikaRuntime.config();
    this.registry = config.getMediaTypeRegistry();
    this.detector = config.getDetector();
    this.maxEmbeddedDocuments = limits.maxEmbeddedDocuments();
    this.maxCompressionRatio = limits.maxCompressionRatio();
    AutoDetectParserConfig parserConfig =
        new AutoDetectParserConfig(
            null, limits.zipBombThresholdChars(), limits.maxCompressionRatio(), null, null);
    // An empty file is an empty document (or a corrupt one, for formats that need a header).
    parserConfig.setThrowOnZeroBytes(false);
    ParsingEmbeddedDocumentExtractorFactory embedded = new ParsingEmbeddedDocumentExtractorFactory();
    // The text of embedded documents, without their file names as headings.
    embedded.setWriteFileNameToContent(false);
    parserConfig.setEmbeddedDocumentExtractorFactory(embedded);
    // Stream DOCX and PPTX with SAX instead of loading them into a DOM: memory stays bounded, and
    // the write limit and the zip-bomb check stop the parse early.
    this.officeConfig = new OfficeParserConfig();
    officeConfig.setUseSAXDocxExtractor(true);
    officeConfig.setUseSAXPptxExtractor(true);
    this.parser = new AutoDetectParser(config);
    this.parser.setAutoDetectParserConfig(parserConfig);
  }

  /**
   * Detects the document's type from the whole stream and extracts its text, at most {@code
   * maxChars} characters. Closes {@code in} (through Tika's stream, which also deletes Tika's
   * temporary files) before returning; closing it again is harmless.
   */
  Outcome extract(GuardedInputStream in, String filename, String contentType, int maxChars) {
    Metadata metadata = new Metadata();
    metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, filename);
    metadata.set(Metadata.CONTENT_TYPE, contentType);
    ParseContext context = new ParseContext();
    context.set(Parser.class, parser);
    context.set(OfficeParserConfig.class, officeConfig);
    AtomicInteger embeddedDocuments = new AtomicInteger();
    context.set(
        DocumentSelector.class,
        embeddedMetadata -> embeddedDocuments.incrementAndGet() <= maxEmbeddedDocuments);
    StringWriter text = new StringWriter();
    CharacterCounter counter =
        new CharacterCounter(
            new WriteOutContentHandler(new ToTextContentHandler(text), maxChars, true, context));
    TikaInputStream tis = TikaInputStream.get(in);
    try {
      MediaType type = detector.detect(tis, metadata).getBaseType();
      Parser chosen = parserFor(type, context);
      if (chosen == null || chosen instanceof EmptyParser) {
        return new Failed(ContentUnavailable.UNSUPPORTED, "no text extractor for " + type);
      }
      if (chosen instanceof TextAndCSVParser) {
        return new PlainText();
      }
      if (isZip(tis)) {
        String bomb = ZipBombCheck.check(tis.getPath(), maxCompressionRatio);
        if (bomb != null) {
          return new Failed(ContentUnavailable.TOO_LARGE, bomb);
        }
      }
      metadata.set(Metadata.CONTENT_TYPE, type.toString());
      TikaRuntime.countParse();
      parser.parse(tis, new BodyContentHandler(new BlockBreaks(counter)), metadata, context);
      return new Extracted(clean(text.toString()), counter.count > maxChars);
    } catch (Throwable t) {
      return failure(t, in, text, counter, maxChars);
    } finally {
      try {
        tis.close(); // closes `in` and deletes Tika's temporary files
      } catch (IOException e) {
        // Only read from; a failing close loses nothing.
      }
    }
  }

  /** Whether the stream starts like a ZIP file (a local file header). */
  private static boolean isZip(TikaInputStream tis) throws IOException {
    byte[] magic = new byte[4];
    return tis.peek(magic) == 4
        && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
  }

  /** The leaf parser Tika would use for {@code type}, or null when it has none. */
  private @Nullable Parser parserFor(MediaType type, ParseContext context) {
    MediaType normalised = registry.normalize(type);
    Parser current = parser;
    while (current instanceof CompositeParser composite) {
      Map<MediaType, Parser> parsers = composite.getParsers(context);
      Parser next = null;
      for (MediaType t = normalised; t != null && next == null; t = registry.getSupertype(t)) {
        next = parsers.get(t);
      }
      if (next == null || next == current) {
        return null;
      }
      current = next;
    }
    return current;
  }

  private static Outcome failure(
      Throwable t, GuardedInputStream in, StringWriter text, CharacterCounter counter,
      int maxChars) {
    if (in.isClosed() && !(t instanceof Error)) {
      return new Failed(ContentUnavailable.TIMEOUT, "abandoned after the time limit");
    }
    Throwable readFailure = in.readFailure();
    if (readFailure != null) {
      return new ReadFailed(readFailure);
    }
    if (in.limitExceeded()) {
      return new Failed(ContentUnavailable.TOO_LARGE, detail(t));
    }
    if (WriteLimitReachedException.isWriteLimitReached(t) && counter.count > maxChars) {
      return new Extracted(clean(text.toString()), true);
    }
    if (t instanceof OutOfMemoryError) {
      return new Failed(ContentUnavailable.TOO_LARGE, "out of memory while parsing");
    }
    if (t instanceof StackOverflowError) {
      return new Failed(ContentUnavailable.CORRUPT, "nesting too deep (stack overflow)");
    }
    if (t instanceof LinkageError) {
      return new Failed(
          ContentUnavailable.UNSUPPORTED, "a library this format needs is missing: " + t);
    }
    if (t instanceof Error error) {
      throw error;
    }
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      String name = c.getClass().getName();
      if (c instanceof EncryptedDocumentException
          || name.equals(PDFBOX_INVALID_PASSWORD)
          || name.equals(POI_ENCRYPTED)) {
        return new Failed(ContentUnavailable.ENCRYPTED, detail(c));
      }
      String message = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
      if (c instanceof TikaMemoryLimitException || message.contains("zip bomb")) {
        return new Failed(ContentUnavailable.TOO_LARGE, detail(c));
      }
    }
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof UnsupportedFormatException) {
        return new Failed(ContentUnavailable.UNSUPPORTED, detail(c));
      }
    }
    return new Failed(ContentUnavailable.CORRUPT, detail(t));
  }

  /** The failure and its root cause, short enough for a log line and the index. */
  private static String detail(Throwable t) {
    Throwable root = t;
    for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 20; depth++) {
      root = root.getCause();
    }
    String detail = t.getClass().getSimpleName() + ": " + t.getMessage();
    if (root != t) {
      detail += " (cause: " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
    return detail.length() <= MAX_DETAIL_CHARS ? detail : detail.substring(0, MAX_DETAIL_CHARS);
  }

  /**
   * Tidies extracted text: line ends become {@code \n}, trailing blanks go, runs of blank lines
   * become one, and blank lines at the start and end go. Never makes the text longer. A high
   * surrogate left alone at the end by the character limit is dropped.
   */
  static String clean(String raw) {
    String text = raw;
    if (!text.isEmpty() && Character.isHighSurrogate(text.charAt(text.length() - 1))) {
      text = text.substring(0, text.length() - 1);
    }
    StringBuilder out = new StringBuilder(text.length());
    boolean started = false;
    boolean blankPending = false;
    for (String line : text.split("\r\n|\r|\n", -1)) {
      String stripped = line.stripTrailing();
      if (stripped.isEmpty()) {
        blankPending = started;
        continue;
      }
      if (started) {
        out.append(blankPending ? "\n\n" : "\n");
      }
      out.append(stripped);
      started = true;
      blankPending = false;
    }
    return out.toString();
  }

  /**
   * Starts block elements (paragraph, heading, list item, table row, ...) on a new line when the
   * current line already has text, so that the text of adjacent blocks does not run
   * together. (Tika's XHTML output writes a line break after most blocks, but not after all, and
   * not after headings of every parser.)
   */
  private static final class BlockBreaks extends ContentHandlerDecorator {
    private static final Set<String> BLOCKS =
        Set.of(
            "p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "li", "dt", "dd", "tr", "br", "title",
            "blockquote", "pre", "table", "ul", "ol", "section", "article", "header", "footer");
    private static final char[] NEWLINE = {'\n'};
    private boolean lineHasText;

    BlockBreaks(ContentHandler handler) {
      super(handler);
    }

    @Override
    public void characters(char[] ch, int start, int length) throws SAXException {
      track(ch, start, length);
      super.characters(ch, start, length);
    }

    @Override
    public void ignorableWhitespace(char[] ch, int start, int length) throws SAXException {
      track(ch, start, length);
      super.ignorableWhitespace(ch, start, length);
    }

    private void track(char[] ch, int start, int length) {
      for (int i = start; i < start + length; i++) {
        if (ch[i] == '\n') {
          lineHasText = false;
        } else if (!Character.isWhitespace(ch[i])) {
          lineHasText = true;
        }
      }
    }

    @Override
    public void startElement(String uri, String localName, String name, Attributes atts)
        throws SAXException {
      breakLine(localName, name);
      super.startElement(uri, localName, name, atts);
    }

    private void breakLine(String localName, String name) throws SAXException {
      if (lineHasText && BLOCKS.contains(localName.isEmpty() ? name : localName)) {
        characters(NEWLINE, 0, 1);
      }
    }
  }

  /** Counts every character offered, including those past the write limit. */
  private static final class CharacterCounter extends ContentHandlerDecorator {
    long count;

    CharacterCounter(ContentHandler handler) {
      super(handler);
    }

    @Override
    public void characters(char[] ch, int start, int length) throws SAXException {
      count += length;
      super.characters(ch, start, length);
    }

    @Override
    public void ignorableWhitespace(char[] ch, int start, int length) throws SAXException {
      count += length;
      super.ignorableWhitespace(ch, start, length);
    }
  }
}
