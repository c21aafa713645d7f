package dev.diskstore.agent;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactContent;
import dev.diskstore.ArtifactListing;
import dev.diskstore.ArtifactNotFoundException;
import dev.diskstore.ArtifactResult;
import dev.diskstore.ArtifactVersion;
import dev.diskstore.ArtifactVersionPage;
import dev.diskstore.Artifacts;
import dev.diskstore.ContentUnavailable;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import dev.diskstore.GrepOptions;
import dev.diskstore.GrepResult;
import dev.diskstore.InvalidCursorException;
import dev.diskstore.InvalidQueryException;
import dev.diskstore.Precondition;
import dev.diskstore.PreconditionFailedException;
import dev.diskstore.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.text.Normalizer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The nine tools' behaviour on one disk. Every method takes the parsed {@link Arguments} and
 * returns the text result, or throws {@link ToolFailure} (or a {@code DiskStoreException}, which
 * {@link DiskTools#execute} turns into text). Stateless apart from its configuration, so
 * thread-safe.
 */
final class ToolRunner {
  /** Room kept at the end of a result for the note that says how to get more. */
  private static final int FOOTER_RESERVE = 400;

  private final DiskStore store;
  private final String diskId;
  private final Settings settings;
  private final Consumer<String> changed;

  ToolRunner(DiskStore store, String diskId, Settings settings, Consumer<String> changed) {
    this.store = store;
    this.diskId = diskId;
    this.settings = settings;
    this.changed = changed;
  }

  /** Tells the listener that the file at {@code fullPath} was written, deleted or moved. */
  private void changed(String fullPath) {
    try {
      changed.accept(fullPath);
    } catch (RuntimeException e) {
      System.getLogger(DiskTools.class.getName())
          .log(System.Logger.Level.WARNING, "file change listener failed for " + fullPath, e);
    }
  }

  String run(String tool, Arguments args) {
    return switch (tool) {
      case ToolCatalog.WRITE_FILE -> writeFile(args);
      case ToolCatalog.READ_FILE -> readFile(args);
      case ToolCatalog.REPLACE_STRING -> replaceString(args);
      case ToolCatalog.LIST -> list(args);
      case ToolCatalog.GREP -> grep(args);
      case ToolCatalog.GLOB -> glob(args);
      case ToolCatalog.DOWNLOAD_FILE -> download(args);
      case ToolCatalog.DELETE_FILE -> delete(args);
      case ToolCatalog.MOVE_FILE -> move(args);
      case ToolCatalog.LIST_VERSIONS -> listVersions(args);
      case ToolCatalog.RESTORE_FILE -> restoreFile(args);
      default -> throw new IllegalArgumentException("no such tool: " + tool);
    };
  }

  private Artifacts artifacts() {
    return store.disks().artifacts();
  }

  private static FileRef file(Arguments args) {
    return FileRef.resolve(args.string("file_path"), args.string("filename"), "file_path",
        "filename");
  }

  // ---------------------------------------------------------------- write_file_disk

  private String writeFile(Arguments args) {
    FileRef ref = file(args);
    String content = args.requiredString("content");
    String expectedEtag = args.text("expected_etag");
    boolean createOnly = args.bool("create_only", false);
    if (createOnly && expectedEtag != null) {
      throw new ToolFailure(
          "create_only=true and expected_etag contradict each other: create_only writes only a"
              + " new file, expected_etag only replaces an existing one. Send one of them.");
    }
    Precondition condition =
        createOnly
            ? Precondition.ifNoneMatch()
            : expectedEtag != null ? Precondition.ifMatch(expectedEtag) : Precondition.none();
    boolean existed =
        expectedEtag != null
            || (!createOnly
                && artifacts().find(diskId, ref.directory(), ref.filename()).isPresent());
    Artifact written;
    try {
      // meta null: the user metadata of an existing file is kept.
      written =
          artifacts().upsert(
              diskId, FileUpload.of(ref.filename(), content.getBytes(UTF_8)), ref.directory(),
              null, condition);
    } catch (PreconditionFailedException e) {
      if (createOnly) {
        throw new ToolFailure(
            ref.display() + " already exists (etag: " + e.currentEtag() + "); nothing was"
                + " written. To replace it, read it with read_file_disk and call write_file_disk"
                + " with its etag as expected_etag, or choose another filename.");
      }
      throw stale(ref.display(), expectedEtag, e.currentEtag(), "nothing was written");
    }
    changed(written.fullPath());
    String what =
        existed
            ? "Replaced the content of " + written.fullPath()
            : "Created " + written.fullPath();
    return what + " (" + written.sizeBytes() + " bytes, " + written.contentType()
        + (existed ? "; user metadata kept" : "") + "). etag: " + written.etag();
  }

  // ---------------------------------------------------------------- read_file_disk

  private String readFile(Arguments args) {
    FileRef ref = file(args);
    Integer offsetArgument = args.integer("line_offset", 0, Integer.MAX_VALUE, false);
    Integer limitArgument = args.integer("line_limit", 1, Settings.MAX_LINE_LIMIT, true);
    Integer version = args.integer("version", 0, Integer.MAX_VALUE, false);
    int offset = offsetArgument == null ? 0 : offsetArgument;
    int limit = limitArgument == null ? settings.defaultLineLimit() : limitArgument;
    GetOptions.Builder options = GetOptions.builder().withContent(true);
    if (version != null) {
      options.version(version);
    }
    ArtifactResult result =
        artifacts().get(diskId, ref.directory(), ref.filename(), options.build());
    Artifact artifact = result.artifact();
    if (result.content().isEmpty()) {
      throw new ToolFailure(
          unreadable(artifact, result.contentUnavailable().orElse(ContentUnavailable.UNSUPPORTED)));
    }
    ArtifactContent content = result.content().get();
    List<String> lines = lines(content.raw());
    String kind =
        content.type().equals(ArtifactContent.DOCUMENT)
            ? "text extracted from " + artifact.contentType() + " (read-only)"
            : artifact.contentType();
    String total = (content.truncated() ? "at least " : "") + lines.size() + " lines";
    String about = (version == null ? "" : " | version " + version + ", not the current file")
        + " | etag: " + artifact.etag() + " | " + kind + ", " + artifact.sizeBytes() + " bytes]";
    if (lines.isEmpty() && offset == 0) {
      return "[" + artifact.fullPath() + " | empty, 0 lines" + about;
    }
    if (offset >= lines.size()) {
      throw new ToolFailure(
          "line_offset " + offset + " is past the end of " + artifact.fullPath() + ", which has "
              + total + (lines.isEmpty()
                  ? ""
                  : "; use a line_offset from 0 to " + (lines.size() - 1))
              + " (etag: " + artifact.etag() + ")");
    }
    int end = (int) Math.min(lines.size(), (long) offset + limit);
    int width = String.valueOf(end).length();
    int budget = settings.maxOutputChars() - FOOTER_RESERVE - about.length()
        - artifact.fullPath().length() - 60;
    StringBuilder body = new StringBuilder();
    int shownEnd = offset;
    boolean sizeLimited = false;
    boolean cutLines = false;
    for (int i = offset; i < end; i++) {
      String line = lines.get(i);
      if (line.length() > settings.maxLineChars()) {
        int cut = safeCut(line, settings.maxLineChars());
        line = line.substring(0, cut) + " [... line cut: " + (line.length() - cut)
            + " more characters]";
        cutLines = true;
      }
      String number = String.valueOf(i + 1);
      String rendered = " ".repeat(width - number.length()) + number + "| " + line + "\n";
      if (i > offset && body.length() + rendered.length() > budget) {
        sizeLimited = true;
        break;
      }
      body.append(rendered);
      shownEnd = i + 1;
    }
    StringBuilder out = new StringBuilder();
    out.append('[').append(artifact.fullPath()).append(" | lines ").append(offset + 1)
        .append('-').append(shownEnd).append(" of ").append(total).append(about).append('\n');
    out.append(body);
    if (shownEnd < lines.size()) {
      out.append('[').append(lines.size() - shownEnd).append(" more lines")
          .append(sizeLimited ? " (this result reached its size limit)" : "")
          .append(": call read_file_disk with line_offset=").append(shownEnd)
          .append(" to continue]\n");
    } else if (content.truncated()) {
      out.append("[the store extracts only the first ").append(content.raw().length())
          .append(" characters of this file's text; the rest cannot be read here. Use")
          .append(" download_file_disk to get the whole file]\n");
    }
    if (cutLines) {
      out.append("[lines longer than ").append(settings.maxLineChars())
          .append(" characters were cut]\n");
    }
    return out.toString();
  }

  /** Lines as an editor shows them: split on \n, a trailing \r dropped, no phantom last line. */
  static List<String> lines(String text) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int newline = text.indexOf('\n', start);
      int stop = newline < 0 ? text.length() : newline;
      int visibleStop = stop > start && text.charAt(stop - 1) == '\r' ? stop - 1 : stop;
      lines.add(text.substring(start, visibleStop));
      start = newline < 0 ? text.length() : newline + 1;
    }
    return lines;
  }

  private static int safeCut(String s, int at) {
    return Character.isHighSurrogate(s.charAt(at - 1)) ? at - 1 : at;
  }

  private static String unreadable(Artifact artifact, ContentUnavailable reason) {
    String what = " (" + artifact.contentType() + ", " + artifact.sizeBytes() + " bytes)";
    String download = " Use download_file_disk to get a download URL for it instead.";
    return switch (reason) {
      case UNSUPPORTED ->
          artifact.fullPath() + " is not a text file" + what + ", so read_file_disk cannot show"
              + " it." + download;
      case ENCRYPTED ->
          artifact.fullPath() + " is an encrypted or password-protected document" + what
              + "; its text cannot be extracted." + download;
      case CORRUPT ->
          artifact.fullPath() + " is damaged or not what its type says" + what
              + "; no text could be extracted." + download;
      case TOO_LARGE ->
          artifact.fullPath() + " is too large to extract its text" + what + "." + download;
      case TIMEOUT ->
          "extracting the text of " + artifact.fullPath() + what + " took too long. Try again"
              + " later." + download;
    };
  }

  // ---------------------------------------------------------------- replace_string_disk

  private String replaceString(Arguments args) {
    FileRef ref = file(args);
    String oldString = args.requiredString("old_string");
    String newString = args.requiredString("new_string");
    boolean replaceAll = args.bool("replace_all", true);
    Integer expectedCount = args.integer("expected_count", 1, Integer.MAX_VALUE, false);
    String expectedEtag = args.text("expected_etag");
    if (oldString.isEmpty()) {
      throw new ToolFailure(
          "old_string must not be empty. To insert text, put some existing neighbouring text in"
              + " old_string and the same text plus the insertion in new_string; to write a whole"
              + " file use write_file_disk.");
    }
    if (!replaceAll && expectedCount != null && expectedCount != 1) {
      throw new ToolFailure(
          "replace_all=false requires exactly one occurrence but expected_count is "
              + expectedCount + "; send only one of them.");
    }
    if (oldString.equals(newString)) {
      throw new ToolFailure("old_string and new_string are identical; there is nothing to change.");
    }
    Artifact artifact = artifacts().get(diskId, ref.directory(), ref.filename()).artifact();
    if (expectedEtag != null && !expectedEtag.equals(artifact.etag())) {
      throw stale(artifact.fullPath(), expectedEtag, artifact.etag(), "nothing was changed");
    }
    byte[] bytes = readEditableBytes(artifact);
    if (!sha256Hex(bytes).equals(artifact.sha256())) {
      // Replaced between the look-up and the read: edit only the version whose etag we checked.
      String current =
          artifacts().find(diskId, artifact.path(), artifact.filename())
              .map(r -> r.artifact().etag())
              .orElse(null);
      throw stale(artifact.fullPath(), artifact.etag(), current, "nothing was changed");
    }
    String text = strictUtf8(bytes);
    if (text == null) {
      throw new ToolFailure(
          artifact.fullPath() + " is not a UTF-8 text file (" + artifact.contentType()
              + "); replace_string_disk only edits text files.");
    }

    String search = oldString;
    String replacement = newString;
    List<Integer> positions = occurrences(text, search);
    if (positions.isEmpty()
        && text.contains("\r\n")
        && oldString.contains("\n")
        && !oldString.contains("\r")) {
      // The file has Windows line breaks; the model copied the lines with \n.
      search = oldString.replace("\n", "\r\n");
      replacement = newString.replace("\r\n", "\n").replace("\n", "\r\n");
      positions = occurrences(text, search);
    }
    if (positions.isEmpty()) {
      throw new ToolFailure(notFoundHint(artifact, text, oldString));
    }
    int count = positions.size();
    List<Integer> lineNumbers = lineNumbers(text, positions);
    if (expectedCount != null && count != expectedCount) {
      throw new ToolFailure(
          "old_string occurs " + times(count) + " in " + artifact.fullPath() + " ("
              + lineList(lineNumbers) + ") but expected_count is " + expectedCount
              + "; nothing was changed. Make old_string more specific, or set expected_count="
              + count + " to replace all of them.");
    }
    if (!replaceAll && count != 1) {
      throw new ToolFailure(
          "old_string occurs " + times(count) + " in " + artifact.fullPath() + " ("
              + lineList(lineNumbers) + ") but replace_all=false requires exactly one; nothing"
              + " was changed. Include more surrounding text in old_string to make it unique, or"
              + " set replace_all=true to replace all " + count + ".");
    }
    StringBuilder edited = new StringBuilder(text.length() + count * (replacement.length() + 1));
    int from = 0;
    for (int position : positions) {
      edited.append(text, from, position).append(replacement);
      from = position + search.length();
    }
    edited.append(text, from, text.length());

    Artifact written;
    try {
      // ifMatch: a concurrent change between our read and this write is reported, not lost;
      // meta null keeps the user metadata.
      written =
          artifacts().upsert(
              diskId,
              FileUpload.of(
                  artifact.filename(), edited.toString().getBytes(UTF_8), artifact.contentType()),
              artifact.path(), null, Precondition.ifMatch(artifact.etag()));
    } catch (PreconditionFailedException e) {
      throw stale(artifact.fullPath(), artifact.etag(), e.currentEtag(), "nothing was changed");
    }
    changed(written.fullPath());
    return "Replaced " + times(count).replace("time", "occurrence") + " of old_string in "
        + written.fullPath() + " (" + lineList(lineNumbers) + "). etag: " + written.etag();
  }

  /** The whole file, for editing. */
  private byte[] readEditableBytes(Artifact artifact) {
    String tooLarge =
        " is too large to edit with replace_string_disk (limit " + settings.maxEditBytes()
            + " bytes). Use write_file_disk to replace it whole, or ask the user.";
    if (artifact.sizeBytes() > settings.maxEditBytes()) {
      throw new ToolFailure(
          artifact.fullPath() + " (" + artifact.sizeBytes() + " bytes)" + tooLarge);
    }
    byte[] bytes;
    try (InputStream in = artifacts().open(diskId, artifact.path(), artifact.filename())) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, settings.maxEditBytes() + 1));
    } catch (IOException e) {
      throw new StorageException(
          "reading " + artifact.fullPath() + " failed: " + e.getMessage(), true, e);
    }
    if (bytes.length > settings.maxEditBytes()) {
      throw new ToolFailure(artifact.fullPath() + tooLarge);
    }
    return bytes;
  }

  private static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static @Nullable String strictUtf8(byte[] bytes) {
    for (byte b : bytes) {
      if (b == 0) {
        return null; // NUL: a binary file, even if the bytes happen to be valid UTF-8
      }
    }
    try {
      return UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** Start indexes of the non-overlapping occurrences, left to right. */
  private static List<Integer> occurrences(String text, String search) {
    List<Integer> positions = new ArrayList<>();
    int at = text.indexOf(search);
    while (at >= 0) {
      positions.add(at);
      at = text.indexOf(search, at + search.length());
    }
    return positions;
  }

  /** 1-based line numbers of ascending character positions. */
  private static List<Integer> lineNumbers(String text, List<Integer> positions) {
    List<Integer> numbers = new ArrayList<>(positions.size());
    int line = 1;
    int scanned = 0;
    for (int position : positions) {
      for (int i = scanned; i < position; i++) {
        if (text.charAt(i) == '\n') {
          line++;
        }
      }
      scanned = position;
      numbers.add(line);
    }
    return numbers;
  }

  private static String lineList(List<Integer> lineNumbers) {
    List<Integer> shown = lineNumbers.size() > 20 ? lineNumbers.subList(0, 20) : lineNumbers;
    StringBuilder s = new StringBuilder(shown.size() == 1 ? "line " : "lines ");
    for (int i = 0; i < shown.size(); i++) {
      s.append(i == 0 ? "" : ", ").append(shown.get(i));
    }
    if (shown.size() < lineNumbers.size()) {
      s.append(", ...");
    }
    return s.toString();
  }

  private static String times(int count) {
    return count == 1 ? "1 time" : count + " times";
  }

  private static String notFoundHint(Artifact artifact, String text, String oldString) {
    StringBuilder message =
        new StringBuilder("old_string was not found in ").append(artifact.fullPath())
            .append("; nothing was changed. It must match the file exactly, including whitespace,"
                + " indentation and line breaks, and must not include the line-number prefixes"
                + " of read_file_disk.");
    String stripped = oldString.strip();
    int at;
    if (!stripped.isEmpty() && !stripped.equals(oldString) && (at = text.indexOf(stripped)) >= 0) {
      message.append(" Without its leading and trailing whitespace it occurs on line ")
          .append(lineNumbers(text, List.of(at)).get(0)).append('.');
    } else {
      Matcher ignoringCase =
          Pattern.compile(Pattern.quote(oldString), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE)
              .matcher(text);
      if (ignoringCase.find()) {
        message.append(" It occurs with different upper/lower case on line ")
            .append(lineNumbers(text, List.of(ignoringCase.start())).get(0)).append('.');
      }
    }
    message.append(" Read the file again with read_file_disk and copy the text exactly.");
    return message.toString();
  }

  // ---------------------------------------------------------------- list_disk

  private String list(Arguments args) {
    String pathArgument = args.string("file_path");
    String path = pathArgument == null || pathArgument.isEmpty() ? "/" : pathArgument;
    Integer limitArgument = args.integer("limit", 1, Settings.MAX_LIST_LIMIT, true);
    int limit = limitArgument == null ? Settings.DEFAULT_LIST_LIMIT : limitArgument;
    String cursor = args.text("cursor");
    ArtifactListing page = listPage(path, limit, cursor);
    String dir =
        page.artifacts().isEmpty()
            ? FileRef.displayDirectory(path)
            : page.artifacts().get(0).path();
    if (page.artifacts().isEmpty() && page.directories().isEmpty()) {
      return emptyListing(dir, cursor != null);
    }
    int budget = settings.maxOutputChars() - FOOTER_RESERVE;
    Listing listing = renderListing(dir, page, cursor, budget);
    if (listing.shownEntries() == page.directories().size() + page.artifacts().size()) {
      return listing.text();
    }
    // Too long for one result: ask for exactly the entries that fit, so that the cursor
    // continues right after them.
    ArtifactListing smaller = listPage(path, listing.shownEntries(), cursor);
    return renderListing(dir, smaller, cursor, Integer.MAX_VALUE).text()
        + "[this result reached its size limit]\n";
  }

  private ArtifactListing listPage(String path, int limit, @Nullable String cursor) {
    try {
      return artifacts().list(diskId, path, limit, cursor);
    } catch (InvalidCursorException e) {
      throw new ToolFailure(
          "the cursor is not valid for " + FileRef.displayDirectory(path) + ": it must be copied"
              + " exactly from a previous list_disk result of the same directory. Call list_disk"
              + " without cursor to start from the first entries.");
    }
  }

  private record Listing(String text, int shownEntries) {}

  private static Listing renderListing(
      String dir, ArtifactListing page, @Nullable String cursor, int budget) {
    StringBuilder entries = new StringBuilder();
    int shown = 0;
    int dirs = 0;
    int files = 0;
    if (!page.directories().isEmpty()) {
      entries.append("Directories:\n");
      for (String name : page.directories()) {
        String line = "  " + name + "/\n";
        if (shown > 0 && entries.length() + line.length() > budget) {
          return finishListing(dir, entries, dirs, files, shown, null, cursor);
        }
        entries.append(line);
        shown++;
        dirs++;
      }
    }
    if (!page.artifacts().isEmpty()) {
      entries.append("Files:\n");
      for (Artifact a : page.artifacts()) {
        String line =
            "  " + a.filename() + " (" + a.sizeBytes() + " bytes, " + a.contentType() + ")\n";
        if (shown > 0 && entries.length() + line.length() > budget) {
          return finishListing(dir, entries, dirs, files, shown, null, cursor);
        }
        entries.append(line);
        shown++;
        files++;
      }
    }
    return finishListing(
        dir, entries, dirs, files, shown, page.nextCursor().orElse(null), cursor);
  }

  private static Listing finishListing(
      String dir,
      StringBuilder entries,
      int dirs,
      int files,
      int shown,
      @Nullable String nextCursor,
      @Nullable String cursor) {
    StringBuilder out = new StringBuilder();
    out.append('[').append(dir).append(" | ").append(dirs)
        .append(dirs == 1 ? " directory, " : " directories, ").append(files)
        .append(files == 1 ? " file" : " files")
        .append(cursor != null ? ", continued" : "")
        .append(nextCursor != null ? ", more follow" : "").append("]\n");
    out.append(entries);
    if (nextCursor != null) {
      out.append("[more entries follow: call list_disk with file_path=\"").append(dir)
          .append("\" and cursor=\"").append(nextCursor).append("\"]\n");
    }
    return new Listing(out.toString(), shown);
  }

  private String emptyListing(String dir, boolean continued) {
    if (continued) {
      return "[" + dir + " | no more entries]";
    }
    if (dir.equals("/")) {
      return "[/ | 0 directories, 0 files] The disk is empty.";
    }
    String withoutSlash = dir.substring(0, dir.length() - 1);
    int slash = withoutSlash.lastIndexOf('/');
    String parent = withoutSlash.substring(0, slash + 1);
    String last = withoutSlash.substring(slash + 1);
    Optional<ArtifactResult> asFile;
    try {
      asFile = artifacts().find(diskId, parent, last);
    } catch (dev.diskstore.InvalidPathException e) {
      asFile = Optional.empty();
    }
    if (asFile.isPresent()) {
      Artifact a = asFile.get().artifact();
      return "[" + dir + " | not a directory] " + a.fullPath() + " is a file (" + a.sizeBytes()
          + " bytes, " + a.contentType() + "); read it with read_file_disk.";
    }
    return "[" + dir + " | 0 directories, 0 files] The directory " + dir + " is empty or does"
        + " not exist. Use list_disk with file_path=\"" + parent + "\" to see what exists there.";
  }

  // ---------------------------------------------------------------- grep_disk

  private String grep(Arguments args) {
    String query = args.requiredString("query");
    if (query.isEmpty()) {
      throw new ToolFailure("query must not be empty: give a regular expression, e.g. \"TODO\".");
    }
    String glob = args.text("glob");
    boolean ignoreCase = args.bool("case_insensitive", false);
    Integer contextArgument =
        args.integer("context_lines", 0, Settings.MAX_CONTEXT_LINES, true);
    int context = contextArgument == null ? 0 : contextArgument;
    Integer limitArgument = args.integer("limit", 1, Settings.MAX_GREP_FILES, true);
    int limit = limitArgument == null ? Settings.DEFAULT_GREP_FILES : limitArgument;
    GrepResult result;
    try {
      result =
          store.search().grep(
              diskId,
              query,
              GrepOptions.builder()
                  .caseInsensitive(ignoreCase)
                  .glob(glob)
                  .contextLines(context)
                  .maxFiles(limit)
                  .maxMatchesPerFile(Settings.GREP_MATCHES_PER_FILE)
                  .timeBudget(settings.grepTimeBudget())
                  .build());
    } catch (InvalidQueryException e) {
      String message = e.getMessage();
      boolean aboutGlob = glob != null && message != null && message.contains("glob");
      throw new ToolFailure(
          message + (aboutGlob
              ? ". glob uses the syntax of glob_disk, e.g. \"**/*.md\"."
              : ". query is a Java regular expression: escape ( ) [ ] { } . * + ? ^ $ | and \\"
                  + " with a backslash to match them literally."));
    }
    String scope = glob == null ? "" : " in files matching \"" + glob + "\"";
    String caseNote = ignoreCase ? ", ignoring case" : "";
    if (result.files().isEmpty()) {
      StringBuilder out =
          new StringBuilder("No lines match \"").append(query).append('"').append(scope)
              .append(caseNote).append(" (").append(result.filesSearched())
              .append(" text files searched).");
      if (result.timedOut()) {
        out.append(" The search stopped at its time limit, so files may have been missed:"
            + " narrow it with glob.");
      }
      if (!ignoreCase) {
        out.append(" Matching is case-sensitive: try case_insensitive=true.");
      }
      return out.toString();
    }
    int matchingLines = 0;
    boolean moreInSomeFile = false;
    for (GrepResult.FileMatches file : result.files()) {
      matchingLines += file.matches().size();
      moreInSomeFile |= file.moreMatches();
    }
    StringBuilder out = new StringBuilder();
    out.append("Found ").append(moreInSomeFile ? "at least " : "").append(matchingLines)
        .append(matchingLines == 1 ? " matching line" : " matching lines").append(" in ")
        .append(result.files().size()).append(result.files().size() == 1 ? " file" : " files")
        .append(" for \"").append(query).append('"').append(scope).append(caseNote).append(" (")
        .append(result.filesSearched()).append(" text files searched):\n");
    int budget = settings.maxOutputChars() - FOOTER_RESERVE;
    int filesShown = 0;
    boolean sizeLimited = false;
    files:
    for (GrepResult.FileMatches file : result.files()) {
      List<String> rendered = renderMatches(file, context);
      StringBuilder block = new StringBuilder(filesShown > 0 ? "\n" : "");
      for (String line : rendered) {
        if (out.length() + block.length() + line.length() + 1 > budget) {
          if (block.length() > 1) {
            out.append(block).append("[... more lines of this file not shown]\n");
            filesShown++;
          }
          sizeLimited = true;
          break files;
        }
        block.append(line).append('\n');
      }
      if (file.moreMatches()) {
        block.append("[... more than ").append(Settings.GREP_MATCHES_PER_FILE)
            .append(" matching lines in this file; only the first ")
            .append(Settings.GREP_MATCHES_PER_FILE).append(" are shown]\n");
      }
      out.append(block);
      filesShown++;
    }
    if (sizeLimited) {
      out.append("[this result reached its size limit");
      if (filesShown < result.files().size()) {
        out.append("; ").append(result.files().size() - filesShown)
            .append(" more matching files are not shown");
      }
      out.append(": narrow the search with glob or a more specific query]\n");
    }
    if (result.truncated()) {
      out.append("[stopped after ").append(limit).append(" matching files; more files may"
          + " match: raise limit (at most ").append(Settings.MAX_GREP_FILES)
          .append(") or narrow the search with glob]\n");
    }
    if (result.timedOut()) {
      out.append("[the search stopped at its time limit, so the results are incomplete: narrow"
          + " it with glob]\n");
    }
    return out.toString();
  }

  /** grep -n style lines of one file: matches "path:N: text", context "path-N- text". */
  private static List<String> renderMatches(GrepResult.FileMatches file, int context) {
    String path = file.artifact().fullPath();
    TreeMap<Integer, String> lines = new TreeMap<>();
    for (GrepResult.LineMatch match : file.matches()) {
      List<String> before = match.before();
      for (int i = 0; i < before.size(); i++) {
        int number = match.lineNumber() - before.size() + i;
        lines.putIfAbsent(number, path + "-" + number + "- " + before.get(i));
      }
      List<String> after = match.after();
      for (int i = 0; i < after.size(); i++) {
        int number = match.lineNumber() + 1 + i;
        lines.putIfAbsent(number, path + "-" + number + "- " + after.get(i));
      }
    }
    for (GrepResult.LineMatch match : file.matches()) {
      lines.put(match.lineNumber(), path + ":" + match.lineNumber() + ": " + match.line());
    }
    List<String> out = new ArrayList<>(lines.size());
    Integer previous = null;
    for (var entry : lines.entrySet()) {
      if (context > 0 && previous != null && entry.getKey() != previous + 1) {
        out.add("--");
      }
      out.add(entry.getValue());
      previous = entry.getKey();
    }
    return out;
  }

  // ---------------------------------------------------------------- glob_disk

  private String glob(Arguments args) {
    String query = args.requiredString("query");
    if (query.isEmpty()) {
      throw new ToolFailure("query must not be empty: give a glob pattern, e.g. \"**/*.md\".");
    }
    Integer limitArgument = args.integer("limit", 1, Settings.MAX_GLOB_LIMIT, true);
    int limit = limitArgument == null ? Settings.DEFAULT_GLOB_LIMIT : limitArgument;
    List<Artifact> found;
    try {
      found = store.search().glob(diskId, query, limit + 1);
    } catch (InvalidQueryException e) {
      throw new ToolFailure(
          e.getMessage() + ". See glob_disk's description for the pattern syntax, e.g."
              + " \"**/*.md\".");
    }
    if (found.isEmpty()) {
      StringBuilder out = new StringBuilder("No files match \"").append(query).append("\".");
      if (!query.contains("**")) {
        String relative = query.startsWith("/") ? query.substring(1) : query;
        out.append(" * and ? match within one directory level only; to search all directories"
            + " use \"**/").append(relative).append("\".");
      }
      return out.toString();
    }
    boolean more = found.size() > limit;
    List<Artifact> shown = more ? found.subList(0, limit) : found;
    StringBuilder out = new StringBuilder();
    out.append(more ? "Showing the first " : "Found ").append(shown.size())
        .append(shown.size() == 1 ? " file" : " files").append(" matching \"").append(query)
        .append("\"").append(more ? " (more match)" : "").append(":\n");
    int budget = settings.maxOutputChars() - FOOTER_RESERVE;
    int count = 0;
    for (Artifact a : shown) {
      String line = a.fullPath() + " (" + a.sizeBytes() + " bytes)\n";
      if (out.length() + line.length() > budget) {
        out.append("[this result reached its size limit; ").append(shown.size() - count)
            .append(" more paths not shown: use a more specific pattern]\n");
        return out.toString();
      }
      out.append(line);
      count++;
    }
    if (more) {
      out.append("[more files match: raise limit (at most ").append(Settings.MAX_GLOB_LIMIT)
          .append(") or use a more specific pattern]\n");
    }
    return out.toString();
  }

  // ---------------------------------------------------------------- download_file_disk

  private String download(Arguments args) {
    FileRef ref = file(args);
    Integer expireArgument = args.integer("expire", 1, Settings.MAX_EXPIRE_SECONDS, true);
    long expire =
        expireArgument == null ? settings.defaultUrlExpiry().toSeconds() : expireArgument;
    Instant until = Instant.now().plusSeconds(expire).truncatedTo(ChronoUnit.SECONDS);
    ArtifactResult result =
        artifacts().get(
            diskId, ref.directory(), ref.filename(),
            GetOptions.builder().withPublicUrl(true).expire(Duration.ofSeconds(expire)).build());
    Artifact artifact = result.artifact();
    URI url =
        result.publicUrl()
            .orElseThrow(() -> new ToolFailure(
                "the store gave no download URL for " + artifact.fullPath() + "."));
    return "Download URL for " + artifact.fullPath() + " (" + artifact.contentType() + ", "
        + artifact.sizeBytes() + " bytes), valid for " + expire + " seconds (until " + until
        + "):\n" + url;
  }

  // ---------------------------------------------------------------- delete_file_disk

  private String delete(Arguments args) {
    FileRef ref = file(args);
    String expectedEtag = args.text("expected_etag");
    try {
      artifacts().delete(
          diskId, ref.directory(), ref.filename(),
          expectedEtag == null ? Precondition.none() : Precondition.ifMatch(expectedEtag));
    } catch (PreconditionFailedException e) {
      throw stale(ref.display(), expectedEtag, e.currentEtag(), "nothing was deleted");
    }
    changed(Normalizer.normalize(ref.display(), Normalizer.Form.NFC));
    return "Deleted " + ref.display() + ".";
  }

  // ---------------------------------------------------------------- list_versions_disk

  private String listVersions(Arguments args) {
    FileRef ref = file(args);
    Integer limitArgument =
        args.integer("limit", 1, ToolCatalog.MAX_VERSIONS_LIMIT, true);
    int limit = limitArgument == null ? ToolCatalog.DEFAULT_VERSIONS_LIMIT : limitArgument;
    String cursor = args.text("cursor");
    ArtifactVersionPage page;
    try {
      page = artifacts().versions(diskId, ref.directory(), ref.filename(), limit, cursor);
    } catch (InvalidCursorException e) {
      throw new ToolFailure("the cursor is not one list_versions_disk printed for "
          + ref.display() + "; call it without cursor to start from the newest version.");
    }
    if (page.items().isEmpty()) {
      return cursor == null
          ? "No versions of " + ref.display() + " are kept (it never existed, or the store"
              + " keeps no history)."
          : "No more versions of " + ref.display() + ".";
    }
    StringBuilder out = new StringBuilder();
    out.append("Versions of ").append(ref.display()).append(", newest first:\n");
    for (ArtifactVersion v : page.items()) {
      out.append("version ").append(v.version()).append(" | ")
          .append(v.changedAt().truncatedTo(ChronoUnit.SECONDS)).append(" | ")
          .append(describe(v.change()));
      if (v.artifact().isPresent()) {
        Artifact a = v.artifact().get();
        out.append(" | ").append(a.sizeBytes()).append(" bytes, ").append(a.contentType())
            .append(" | etag: ").append(a.etag());
      } else {
        out.append(" | no content");
      }
      out.append('\n');
    }
    page.nextCursor().ifPresent(next -> out.append("[older versions follow: call")
        .append(" list_versions_disk with cursor=\"").append(next).append("\"]\n"));
    return out.toString();
  }

  private static String describe(ArtifactVersion.Change change) {
    return switch (change) {
      case UPSERTED -> "written";
      case UPDATED -> "metadata changed";
      case MOVED_IN -> "moved here";
      case MOVED_AWAY -> "moved away";
      case DELETED -> "deleted";
      case RESTORED -> "restored";
    };
  }

  // ---------------------------------------------------------------- restore_file_disk

  private String restoreFile(Arguments args) {
    FileRef ref = file(args);
    Integer version = args.integer("version", 0, Integer.MAX_VALUE, false);
    if (version == null) {
      throw args.missing("version");
    }
    String expectedEtag = args.text("expected_etag");
    Artifact restored;
    try {
      restored =
          artifacts().restore(
              diskId, ref.directory(), ref.filename(), version,
              expectedEtag == null ? Precondition.none() : Precondition.ifMatch(expectedEtag));
    } catch (PreconditionFailedException e) {
      throw stale(ref.display(), expectedEtag, e.currentEtag(), "nothing was restored");
    }
    changed(Normalizer.normalize(restored.fullPath(), Normalizer.Form.NFC));
    return "Restored " + restored.fullPath() + " to the content of version " + version + " ("
        + restored.sizeBytes() + " bytes, " + restored.contentType() + "). etag: "
        + restored.etag();
  }

  // ---------------------------------------------------------------- move_file_disk

  private String move(Arguments args) {
    FileRef source = file(args);
    String destinationPath = args.text("destination_path");
    String destinationName = args.text("destination_filename");
    boolean overwrite = args.bool("overwrite", false);
    String expectedEtag = args.text("expected_etag");
    if (destinationPath == null && destinationName == null) {
      throw new ToolFailure(
          "give destination_path (the directory to move the file into) and/or"
              + " destination_filename (its new name).");
    }
    Artifact original = artifacts().get(diskId, source.directory(), source.filename()).artifact();
    String baseDirectory =
        destinationPath != null
            ? destinationPath
            : destinationName.startsWith("/") ? null : original.path();
    FileRef target =
        FileRef.resolve(
            baseDirectory, destinationName != null ? destinationName : original.filename(),
            "destination_path", "destination_filename");
    if (target.display().equals(original.fullPath())) {
      throw new ToolFailure(
          "the destination is the file itself (" + original.fullPath() + "); nothing to move.");
    }
    if (expectedEtag != null && !expectedEtag.equals(original.etag())) {
      throw stale(original.fullPath(), expectedEtag, original.etag(), "nothing was moved");
    }
    boolean replaced =
        overwrite && artifacts().find(diskId, target.directory(), target.filename()).isPresent();
    Artifact moved;
    try {
      // One transaction in the store: no byte copy, metadata, type and createdAt stay; a
      // replaced destination's metadata goes with it.
      moved =
          artifacts().move(
              diskId, original.path(), original.filename(), target.directory(),
              target.filename(), Precondition.ifMatch(original.etag()), overwrite);
    } catch (PreconditionFailedException e) {
      Artifact now = artifacts().find(diskId, original.path(), original.filename())
          .map(r -> r.artifact()).orElse(null);
      if (now == null || !now.etag().equals(original.etag())) {
        throw stale(original.fullPath(), original.etag(), now == null ? null : now.etag(),
            "nothing was moved");
      }
      throw new ToolFailure(
          target.display() + " already exists (etag: " + e.currentEtag() + "); nothing was"
              + " moved. Set overwrite=true to replace it, or choose another"
              + " destination_filename.");
    }
    changed(original.fullPath());
    changed(moved.fullPath());
    return "Moved " + original.fullPath() + " to " + moved.fullPath()
        + (replaced ? " (replacing the file that was there)" : "")
        + ". User metadata kept. etag: " + moved.etag();
  }

  // ---------------------------------------------------------------- shared messages

  /** The failure for a conditional write whose etag did not match. */
  static ToolFailure stale(
      String display, @Nullable String expectedEtag, @Nullable String currentEtag,
      String nothingDone) {
    if (currentEtag == null) {
      return new ToolFailure(
          display + " does not exist" + (expectedEtag == null ? "" : " (any more)") + "; "
              + nothingDone + ". Use list_disk to see what exists"
              + (expectedEtag == null ? "" : ", or leave out expected_etag to create it") + ".");
    }
    return new ToolFailure(
        display + " changed since you read it: its etag is now " + currentEtag
            + (expectedEtag == null ? "" : ", not " + expectedEtag) + "; " + nothingDone
            + ". Read it again with read_file_disk and retry with the new etag.");
  }

  /** The message for a file that does not exist, with a hint about what does. */
  String notFound(String directory, String filename) {
    String full = directory + filename;
    StringBuilder message = new StringBuilder("file not found: ").append(full).append('.');
    try {
      ArtifactListing listing = artifacts().list(diskId, directory, Settings.MAX_LIST_LIMIT, null);
      String sameIgnoringCase = null;
      for (Artifact a : listing.artifacts()) {
        if (a.filename().equalsIgnoreCase(filename)) {
          sameIgnoringCase = a.filename();
        }
      }
      if (listing.directories().contains(filename)) {
        message.append(' ').append(full).append("/ is a directory: use list_disk with file_path=\"")
            .append(full).append("/\" to see its files.");
      } else if (sameIgnoringCase != null) {
        message.append(" Did you mean \"").append(sameIgnoringCase)
            .append("\"? Names are case-sensitive.");
      } else if (listing.artifacts().isEmpty() && listing.directories().isEmpty()) {
        message.append(" The directory ").append(directory).append(" is empty or does not exist;")
            .append(" use list_disk with file_path=\"/\" or glob_disk with query=\"**/")
            .append(filename).append("\" to find the file.");
      } else {
        message.append(" Names are case-sensitive; use list_disk with file_path=\"")
            .append(directory).append("\" to see what is there, or glob_disk with query=\"**/")
            .append(filename).append("\" to search everywhere.");
      }
    } catch (RuntimeException e) {
      message.append(" Use list_disk with file_path=\"").append(directory)
          .append("\" to see what exists.");
    }
    if (directory.endsWith("/" + filename + "/")) {
      message.append(" Note: file_path is the directory only, e.g. file_path=\"")
          .append(directory, 0, directory.length() - filename.length() - 1)
          .append("\" with filename=\"").append(filename).append("\".");
    }
    return message.toString();
  }
}
