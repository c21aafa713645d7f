package dev.diskstore.tika;

import dev.diskstore.spi.BuiltinContent;
import dev.diskstore.spi.ContentTypeDetector;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Decides an artifact's media type ({@code __artifact_info__.content_type}) from its filename, its
 * first bytes and the type the uploader declared, using the core's built-in detector first and
 * Apache Tika only for what that does not know.
 *
 * <h2>Without a declared type</h2>
 *
 * The first of these that answers wins:
 *
 * <ol>
 *   <li><b>Override table</b> ({@link CodeAndConfigTypes}): code and configuration names the
 *       built-in table lacks and Tika names badly ({@code .tf}, {@code .jl}, {@code .nix}, {@code
 *       CMakeLists.txt}, {@code Jenkinsfile}, ...), when the head is text (well-formed UTF-8
 *       without NUL bytes). Binary bytes under such a name fall through.
 *   <li><b>Built-in detector</b> ({@link BuiltinContent#detector()}): magic numbers of common
 *       binary formats, then its filename table (which already fixes what Tika gets wrong:
 *       {@code .rs}, {@code .ts}, {@code .tsx}, {@code .toml}, {@code .jsonl}, {@code .ipynb},
 *       JSON/Markdown/CSV by name, a {@code .py} that starts with a shell shebang), then a
 *       text/binary sniff. Its answer stands unless it is only a fallback: {@code text/plain} or
 *       {@code application/octet-stream} for a name it does not know, {@code application/xml}
 *       for an extension it does not know, or {@code application/zip} for a file not named
 *       {@code .zip}. An empty file stays with the built-in answer.
 *   <li><b>JSON sniff</b>: text under a name the tables do not know that is exactly one JSON
 *       object or array (or a valid start of one, when the head may be cut) is {@code
 *       application/json}; Tika calls it {@code text/plain}. Markdown and CSV have no reliable
 *       signature and stay {@code text/plain} without a name (their text is returned all the
 *       same). Other text under a name without an extension ({@code LICENSE}, {@code README})
 *       keeps the built-in answer without asking Tika.
 *   <li><b>Apache Tika</b> (name and bytes, {@code DefaultDetector}: the MIME database plus the
 *       ZIP and OLE container detectors), for the fallbacks above: an unknown extension ({@code
 *       .msg}, {@code .f90}, {@code .rss}), binary bytes the built-in detector does not recognise
 *       (legacy Office files without a name), a ZIP that is really an OOXML document or an APK.
 *       When Tika has nothing better ({@code application/octet-stream}), the built-in answer
 *       stays.
 * </ol>
 *
 * <h2>With a declared type</h2>
 *
 * The core passes {@code declaredType = null} for generic declarations ({@code
 * application/octet-stream}, {@code text/plain}, blank, ...), so a browser's octet-stream never
 * beats detection. A specific declared type is trusted unless the bytes contradict it:
 *
 * <ul>
 *   <li>empty content: the declared type (nothing to contradict it);
 *   <li>text bytes and a declared type that only binary formats have (images, audio, video, PDF,
 *       archives, Office/OpenDocument, {@code application/vnd.ms-*}): detection wins. This fixes
 *       the common browser mistakes {@code data.csv} as {@code application/vnd.ms-excel} and
 *       {@code app.ts} (TypeScript) as {@code video/mp2t};
 *   <li>binary bytes and a declared text type ({@code text/*}, JSON, XML, ...): detection wins (a
 *       PDF declared {@code text/html} is a PDF);
 *   <li>binary bytes and a declared binary type: a magic number of a different specific format
 *       wins (PNG bytes declared {@code image/jpeg} are {@code image/png}); the declared type
 *       stays when the magic number is only a generic container ({@code application/zip}), which
 *       the declared type may refine ({@code application/vnd.android.package-archive}), or when
 *       there is none. The filename is not evidence against a declared type, and Tika is not
 *       asked;
 *   <li>otherwise the declared type, in lower case and without parameters.
 * </ul>
 *
 * <h2>Cost</h2>
 *
 * Detection is in-memory on the head the core passes (at most 8 KiB). Tika is initialised lazily,
 * once per JVM (about 0.4 s), the first time step 4 is reached; opening a store and upserting
 * files with common names never initialises it. If Tika cannot be initialised, the built-in answer
 * is used.
 *
 * <p>Stateless and thread-safe; one instance may serve any number of stores. Public no-argument
 * constructor for {@link java.util.ServiceLoader}.
 */
public final class TikaContentTypeDetector implements ContentTypeDetector {

  private static final String TEXT_PLAIN = "text/plain";
  private static final String ZIP = "application/zip";
  private static final String JSON = "application/json";
  private static final String XML = "application/xml";

  private static final Pattern MEDIA_TYPE =
      Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*");

  /** Declarations that say nothing a detector would not know better (as in the core). */
  private static final Set<String> GENERIC_DECLARATIONS =
      Set.of(BuiltinProbes.OCTET_STREAM, "binary/octet-stream", "application/unknown", TEXT_PLAIN);

  /** Magic-number results that a declared binary type may refine. */
  private static final Set<String> GENERIC_CONTAINERS = Set.of(ZIP, BuiltinProbes.OCTET_STREAM);

  /** Declared types whose files are never text (exact types; prefixes below). */
  private static final Set<String> BINARY_ONLY =
      Set.of(
          "application/pdf",
          ZIP,
          "application/x-zip-compressed",
          "application/gzip",
          "application/x-gzip",
          "application/x-tar",
          "application/x-7z-compressed",
          "application/vnd.rar",
          "application/x-rar-compressed",
          "application/x-bzip2",
          "application/x-xz",
          "application/zstd",
          "application/java-archive",
          "application/java-vm",
          "application/wasm",
          "application/vnd.sqlite3",
          "application/x-sqlite3",
          "application/vnd.apache.parquet",
          "application/msword",
          "application/epub+zip",
          "application/x-msdownload",
          "application/x-executable",
          "application/vnd.microsoft.portable-executable",
          "application/x-tika-msoffice",
          "application/x-tika-ooxml");

  private static final String[] BINARY_ONLY_PREFIXES = {
    "image/",
    "audio/",
    "video/",
    "font/",
    "application/vnd.ms-",
    "application/vnd.openxmlformats-officedocument.",
    "application/vnd.oasis.opendocument."
  };

  /** Where a detected type came from (for tests and the detection table). */
  enum Source {
    DECLARED,
    OVERRIDE,
    BUILTIN,
    SNIFF,
    TIKA
  }

  /** A detected media type and the rule that decided it. */
  record Detection(String mediaType, Source source) {}

  /** Public for {@link java.util.ServiceLoader}; the detector has no configuration. */
  public TikaContentTypeDetector() {}

  @Override
  public String detect(String filename, byte[] head, @Nullable String declaredType) {
    return detectWithSource(filename, head, declaredType).mediaType();
  }

  /** {@link #detect} with the rule that decided it. */
  Detection detectWithSource(String filename, byte[] head, @Nullable String declaredType) {
    Objects.requireNonNull(filename, "filename");
    Objects.requireNonNull(head, "head");
    String declared = declaredType == null ? null : specific(declaredType);
    if (declared == null) {
      return detectFromContent(filename, head);
    }
    if (head.length == 0) {
      return new Detection(declared, Source.DECLARED);
    }
    if (BuiltinProbes.isText(head)) {
      return isBinaryOnly(declared)
          ? detectFromContent(filename, head)
          : new Detection(declared, Source.DECLARED);
    }
    if (BuiltinProbes.builtinReadsAsText("", declared)) {
      return detectFromContent(filename, head);
    }
    // Binary bytes, binary declared type: only a magic number is evidence against the caller
    // (the built-in detector without a filename answers from magic numbers alone).
    String magic = BuiltinContent.detector().detect("", head, null);
    if (GENERIC_CONTAINERS.contains(magic) || magic.equals(declared)) {
      return new Detection(declared, Source.DECLARED);
    }
    return new Detection(magic, Source.BUILTIN);
  }

  /** Detection from the name and bytes alone (steps 1 to 4 of the class comment). */
  private static Detection detectFromContent(String filename, byte[] head) {
    boolean text = BuiltinProbes.isText(head);
    if (text) {
      var entry = CodeAndConfigTypes.forFilename(filename);
      if (entry.isPresent()) {
        return new Detection(entry.get().mediaType(), Source.OVERRIDE);
      }
    }
    String builtin = BuiltinContent.detector().detect(filename, head, null);
    if (!isFallback(builtin, filename) || head.length == 0) {
      return new Detection(builtin, Source.BUILTIN);
    }
    if (text && builtin.equals(TEXT_PLAIN) && BuiltinProbes.looksLikeJson(head)) {
      return new Detection(JSON, Source.SNIFF);
    }
    if (text && CodeAndConfigTypes.extension(filename).isEmpty()) {
      return new Detection(builtin, Source.BUILTIN);
    }
    String tika;
    try {
      tika = TikaRuntime.detect(filename, head);
    } catch (Exception | LinkageError e) {
      // Tika failed to initialise or to read the head: the built-in answer is still sound.
      return new Detection(builtin, Source.BUILTIN);
    }
    if (tika.equals(BuiltinProbes.OCTET_STREAM)
        || tika.equals(builtin)
        || !MEDIA_TYPE.matcher(tika).matches()) {
      return new Detection(builtin, Source.BUILTIN);
    }
    return new Detection(tika, Source.TIKA);
  }

  /** Whether the built-in detector's answer is only a fallback that Tika may improve on. */
  private static boolean isFallback(String builtin, String filename) {
    if (builtin.equals(TEXT_PLAIN) || builtin.equals(BuiltinProbes.OCTET_STREAM)) {
      return BuiltinProbes.builtinTypeOfName(filename) == null;
    }
    if (builtin.equals(XML)) {
      // "<?xml" under an unknown extension: Tika knows many XML formats (.rss, .kml, .xsd, ...).
      return BuiltinProbes.builtinTypeOfName(filename) == null
          && !CodeAndConfigTypes.extension(filename).isEmpty();
    }
    return builtin.equals(ZIP) && !CodeAndConfigTypes.extension(filename).equals("zip");
  }

  /**
   * The declared type as a bare lower-case base type, or null when generic or malformed. The core
   * already passes null for the generic ones; the same list applies when this detector is called
   * directly.
   */
  private static @Nullable String specific(String declaredType) {
    int semicolon = declaredType.indexOf(';');
    String base =
        (semicolon >= 0 ? declaredType.substring(0, semicolon) : declaredType)
            .strip()
            .toLowerCase(Locale.ROOT);
    if (!MEDIA_TYPE.matcher(base).matches() || GENERIC_DECLARATIONS.contains(base)) {
      return null;
    }
    return base;
  }

  /** Whether a declared type is one only binary files have (so text bytes contradict it). */
  static boolean isBinaryOnly(String type) {
    if (type.endsWith("+xml") || type.endsWith("+json")) {
      return false;
    }
    if (BINARY_ONLY.contains(type)) {
      return true;
    }
    for (String prefix : BINARY_ONLY_PREFIXES) {
      if (type.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
