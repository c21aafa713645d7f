package dev.diskstore.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.diskstore.ArtifactNotFoundException;
import dev.diskstore.DiskNotFoundException;
import dev.diskstore.DiskStore;
import dev.diskstore.InvalidPathException;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.PreconditionFailedException;
import dev.diskstore.StorageException;
import dev.diskstore.StoreClosedException;
import dev.diskstore.VersionNotFoundException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * LLM agent tools over one disk: Acontext's {@code DISK_TOOLS} (write, read, replace, list, grep,
 * glob, download) plus delete and move, their schemas for OpenAI, Anthropic and Gemini function
 * calling, a context prompt, and an executor.
 *
 * <pre>{@code
 * DiskTools tools = DiskTools.forDisk(store, disk.id());
 * String toolsJson = tools.openAiTools();              // put in the request's "tools"
 * String system = tools.contextPrompt();               // add to the system prompt
 * // for each tool call the model makes:
 * String result = tools.execute(call.name(), call.argumentsJson());  // send back as the result
 * }</pre>
 *
 * <h2>The tools</h2>
 *
 * <ul>
 *   <li>{@code write_file_disk}: create or replace a file with text; an empty text writes an empty
 *       file; user metadata is kept; optional {@code expected_etag} (write only if unchanged) or
 *       {@code create_only}.
 *   <li>{@code read_file_disk}: a header {@code [path | lines a-b of n | etag: e | type, size]}
 *       then the lines prefixed with their 1-based number and {@code "| "}; {@code line_offset}
 *       (lines to skip, 0-based like Acontext) and {@code line_limit}; binary files are reported,
 *       with a pointer to {@code download_file_disk}.
 *   <li>{@code replace_string_disk}: replace exact text; counts the occurrences first and
 *       replaces exactly those it reports (all by default; {@code replace_all=false} requires
 *       exactly one, {@code expected_count} exactly that many); the write is conditional on the
 *       etag it read, so a concurrent change is reported instead of lost.
 *   <li>{@code list_disk}: one directory, sub-directories first, files with size and type; a
 *       cursor for the next page.
 *   <li>{@code grep_disk}: lines matching a Java regular expression, grep -n style ({@code
 *       path:line: text}), optional glob filter, case-insensitivity and context lines.
 *   <li>{@code glob_disk}: paths matching a glob ({@code *} within a directory level, {@code **}
 *       across levels).
 *   <li>{@code download_file_disk}: a signed, expiring download URL.
 *   <li>{@code delete_file_disk}: delete a file, optionally only if its etag still matches.
 *   <li>{@code move_file_disk}: copy to the destination (create-only unless {@code overwrite}),
 *       keeping content type and user metadata, then delete the source only if its etag is the
 *       one checked; a partial failure is reported as such.
 *   <li>{@code list_versions_disk}: the file's versions ({@link dev.diskstore.Artifacts#versions}),
 *       newest first, one line each (number, time, change, size, type, etag), with a cursor.
 *   <li>{@code restore_file_disk}: make an earlier version current again (also an undelete),
 *       optionally only if the current etag matches. {@code read_file_disk} takes an optional
 *       {@code version} to read an earlier version.
 * </ul>
 *
 * <h2>Arguments</h2>
 *
 * A file is named by {@code file_path} (its directory, default the root) and {@code filename}.
 * {@code filename} may also be a relative path ({@code "2024/a.md"}) or a full path ({@code
 * "/docs/a.md"}); without {@code filename}, a {@code file_path} not ending in {@code /} is taken as
 * the file's full path; and a {@code file_path} that already ends with the filename ({@code
 * "/docs/a.md"} + {@code "a.md"}) is not doubled. {@code null} is the same as an absent argument,
 * so OpenAI's strict mode (where optional arguments arrive as {@code null}) works. Unknown fields
 * are ignored. Numbers may be sent as JSON numbers or numeric strings; any other wrong type is an
 * error that names the argument.
 *
 * <h2>Results</h2>
 *
 * {@link #execute} always returns text and never throws for bad input or store failures: a failed
 * call returns {@code "Error: ..."} saying what went wrong and what to do next (nothing was changed
 * unless the text says {@code "Partly done"}). No result is longer than {@link
 * Builder#maxOutputChars(int)}; a longer one says how to get the rest.
 *
 * <p><b>Thread-safety.</b> Immutable and thread-safe: any number of threads may call {@link
 * #execute} at once (the store serialises writes; etags make concurrent edits safe).
 *
 * <p><b>Ownership.</b> A {@code DiskTools} does not own the store: it never closes it, and it must
 * not be used after the application closes the store (calls then return an error result).
 */
public final class DiskTools {
  private static final System.Logger LOG = System.getLogger(DiskTools.class.getName());

  private final DiskStore store;
  private final String diskId;
  private final Settings settings;
  private final List<ToolSpec> specs;
  private final Map<String, ToolSpec> byName;
  private final ToolRunner runner;

  private DiskTools(
      DiskStore store, String diskId, Settings settings, Consumer<String> fileChanged) {
    this.store = store;
    this.diskId = diskId;
    this.settings = settings;
    this.specs = ToolCatalog.specs(settings);
    Map<String, ToolSpec> map = new LinkedHashMap<>();
    for (ToolSpec spec : specs) {
      map.put(spec.name(), spec);
    }
    this.byName = Map.copyOf(map);
    this.runner = new ToolRunner(store, diskId, settings, fileChanged);
  }

  /**
   * Tools for one disk with the default limits.
   *
   * @throws DiskNotFoundException if the disk does not exist
   */
  public static DiskTools forDisk(DiskStore store, String diskId) {
    return builder(store, diskId).build();
  }

  /** A builder for tools with other limits than the defaults. */
  public static Builder builder(DiskStore store, String diskId) {
    return new Builder(store, diskId);
  }

  /** The disk these tools work on. */
  public String diskId() {
    return diskId;
  }

  /**
   * The tool names: Acontext's seven in its order, then {@code delete_file_disk}, {@code
   * move_file_disk}, {@code list_versions_disk} and {@code restore_file_disk}.
   */
  public List<String> toolNames() {
    return ToolCatalog.NAMES;
  }

  /** The eleven tools, provider-neutral. */
  public List<ToolDefinition> definitions() {
    return specs.stream()
        .map(s -> new ToolDefinition(
            s.name(), s.description(), SchemaExport.jsonSchema(s), s.exampleArguments()))
        .toList();
  }

  /** The tool list in {@code format}, as a fresh JSON array. */
  public JsonNode toolsJson(ToolFormat format) {
    Objects.requireNonNull(format, "format");
    return switch (format) {
      case OPENAI_CHAT -> SchemaExport.openAiChatTools(specs);
      case OPENAI_RESPONSES -> SchemaExport.openAiResponsesTools(specs);
      case ANTHROPIC -> SchemaExport.anthropicTools(specs);
      case GEMINI -> SchemaExport.geminiTools(specs);
    };
  }

  /** The tool list in {@code format}, as JSON text. */
  public String tools(ToolFormat format) {
    ArrayNode json = (ArrayNode) toolsJson(format);
    try {
      return Arguments.MAPPER.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e); // a tree of plain nodes always serialises
    }
  }

  /** {@link ToolFormat#OPENAI_CHAT}: the {@code tools} of a Chat Completions request. */
  public String openAiTools() {
    return tools(ToolFormat.OPENAI_CHAT);
  }

  /** {@link ToolFormat#OPENAI_RESPONSES}: the {@code tools} of a Responses API request. */
  public String openAiResponsesTools() {
    return tools(ToolFormat.OPENAI_RESPONSES);
  }

  /** {@link ToolFormat#ANTHROPIC}: the {@code tools} of a Messages API request. */
  public String anthropicTools() {
    return tools(ToolFormat.ANTHROPIC);
  }

  /** {@link ToolFormat#GEMINI}: the {@code tools} of a generateContent request. */
  public String geminiTools() {
    return tools(ToolFormat.GEMINI);
  }

  /**
   * A {@code <disk>} block for the system prompt: what the disk is, how paths work, which tool
   * does what, and the etag workflow for safe edits.
   */
  public String contextPrompt() {
    return """
        <disk>
        You have a disk: a file store shared with the user, like a shared drive. The tools whose \
        names end in _disk list, find, read, write, edit, move, delete, restore and share its \
        files. The disk only stores files; it cannot run code.
        - Paths: a file is named by its directory (file_path, e.g. "/docs/2024/") and its name \
        (filename, e.g. "plan.md"); its full path is then /docs/2024/plan.md. "/" is the root. \
        Names are case-sensitive. Directories exist while they contain files; there is no need \
        to create them.
        - Finding: list_disk shows one directory; glob_disk finds files by path pattern \
        ("**/*.md" anywhere, "*.md" only in the root); grep_disk finds lines matching a regular \
        expression.
        - Reading: read_file_disk returns a header with the file's etag, then numbered lines \
        ("12| text"; the number and "| " are not part of the file). Read long files in pages \
        with line_offset and line_limit.
        - Editing: use replace_string_disk for changes (old_string must match the file exactly) \
        and write_file_disk to create a file or replace it whole.
        - Others may change files too. Pass the etag you read as expected_etag to \
        write_file_disk, replace_string_disk, delete_file_disk or move_file_disk: if the file \
        changed since, the tool refuses instead of overwriting; read the file again and redo \
        your change.
        - Undo: the disk keeps earlier versions of each file for a while. list_versions_disk \
        shows them (deleted files too), read_file_disk with version reads one, and \
        restore_file_disk makes one current again, or brings a deleted file back.
        - Sharing: download_file_disk returns a temporary URL for the user, or for binary files \
        you cannot read as text.
        - A result starting with "Error:" means the call changed nothing; it says why and what \
        to do next.
        </disk>""";
  }

  /**
   * Runs one tool call and returns its result text, to hand back to the model as the tool result.
   * Never throws for bad arguments or store failures (see the class comment); {@code Error}s such
   * as {@code OutOfMemoryError} propagate.
   *
   * @param toolName the tool the model called, e.g. {@code read_file_disk}
   * @param jsonArguments the call's arguments as the model sent them: a JSON object (blank or
   *     {@code null} means no arguments)
   */
  public String execute(@Nullable String toolName, @Nullable String jsonArguments) {
    String name = toolName == null ? "" : toolName.strip();
    ToolSpec spec = byName.get(name);
    if (spec == null) {
      return "Error: unknown tool \"" + name + "\". The disk tools are: "
          + String.join(", ", ToolCatalog.NAMES) + ".";
    }
    try {
      Arguments args = Arguments.parse(spec, jsonArguments);
      String result = runner.run(spec.name(), args).strip();
      for (String note : args.notes()) {
        result += "\n[note: " + note + "]";
      }
      return cap(result);
    } catch (ToolFailure e) {
      return error(e.getMessage());
    } catch (VersionNotFoundException e) {
      return error("version " + e.version() + " of " + e.path() + e.filename() + " cannot be"
          + " read or restored: it is not in the file's history any more, never existed, or"
          + " records a delete or a move away (no content). Call list_versions_disk to see the"
          + " versions there are.");
    } catch (ArtifactNotFoundException e) {
      return error(runner.notFound(e.path(), e.filename()));
    } catch (DiskNotFoundException e) {
      return error("the disk " + diskId + " does not exist any more, so no disk tool can work."
          + " Tell the user.");
    } catch (InvalidPathException e) {
      return error(e.getMessage() + ". file_path is a directory such as \"/docs/2024/\" and"
          + " filename a name such as \"plan.md\"; names must not be \".\" or \"..\", contain"
          + " backslashes, control or invisible characters, or start or end with a space.");
    } catch (PreconditionFailedException e) {
      return error(ToolRunner.stale("the file", null, e.currentEtag(), "nothing was changed")
          .getMessage());
    } catch (InvalidRequestException e) {
      return error(e.getMessage() + ".");
    } catch (StorageException e) {
      return error("the file store failed: " + e.getMessage()
          + (e.isRetryable()
              ? ". This is temporary: try the same call again."
              : ". Retrying will probably not help; tell the user."));
    } catch (StoreClosedException e) {
      return error("the file store has been closed, so no disk tool can work any more. Tell the"
          + " user.");
    } catch (RuntimeException | StackOverflowError e) {
      LOG.log(System.Logger.Level.WARNING, "disk tool " + name + " failed unexpectedly", e);
      return error("the tool " + name + " failed unexpectedly (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "). Retrying will probably"
          + " not help; tell the user.");
    }
  }

  private String error(@Nullable String message) {
    return cap("Error: " + (message == null ? "unknown error" : message.strip()));
  }

  /** Cuts a result to the output limit, saying so. */
  private String cap(String result) {
    int max = settings.maxOutputChars();
    if (result.length() <= max) {
      return result;
    }
    String note =
        "\n[result cut at " + max + " characters: ask for less, e.g. with a smaller limit or"
            + " line_limit, or a more specific pattern]";
    int cut = max - note.length();
    if (Character.isHighSurrogate(result.charAt(cut - 1))) {
      cut--;
    }
    return result.substring(0, cut) + note;
  }

  @Override
  public String toString() {
    return "DiskTools[disk " + diskId + " of " + store + "]";
  }

  /**
   * Builder for {@link DiskTools}; not thread-safe. Every limit has a default, so {@code
   * builder(store, diskId).build()} equals {@link #forDisk}.
   */
  public static final class Builder {
    private final DiskStore store;
    private final String diskId;
    private int defaultLineLimit = 100;
    private int maxOutputChars = 20_000;
    private int maxLineChars = 2_000;
    private Duration defaultUrlExpiry = Duration.ofHours(1);
    private long maxEditBytes = 8L << 20;
    private Duration grepTimeBudget = Duration.ofSeconds(10);
    private Consumer<String> fileChanged = fullPath -> {};

    private Builder(DiskStore store, String diskId) {
      this.store = Objects.requireNonNull(store, "store");
      this.diskId = Objects.requireNonNull(diskId, "diskId");
    }

    /** Lines {@code read_file_disk} returns without {@code line_limit}: 1-2,000, default 100. */
    public Builder defaultLineLimit(int lines) {
      if (lines < 1 || lines > Settings.MAX_LINE_LIMIT) {
        throw new IllegalArgumentException(
            "defaultLineLimit must be 1-" + Settings.MAX_LINE_LIMIT + ", was " + lines);
      }
      this.defaultLineLimit = lines;
      return this;
    }

    /** The longest result of any tool: 2,000-1,000,000 characters, default 20,000. */
    public Builder maxOutputChars(int chars) {
      if (chars < 2_000 || chars > 1_000_000) {
        throw new IllegalArgumentException(
            "maxOutputChars must be 2000-1000000, was " + chars);
      }
      this.maxOutputChars = chars;
      return this;
    }

    /**
     * Lines longer than this are cut in {@code read_file_disk}: 100-100,000 characters, default
     * 2,000; also capped at half of {@link #maxOutputChars(int)}.
     */
    public Builder maxLineChars(int chars) {
      if (chars < 100 || chars > 100_000) {
        throw new IllegalArgumentException("maxLineChars must be 100-100000, was " + chars);
      }
      this.maxLineChars = chars;
      return this;
    }

    /** Lifetime of download URLs without {@code expire}: 1 s to 7 days, default one hour. */
    public Builder defaultUrlExpiry(Duration expiry) {
      Objects.requireNonNull(expiry, "expiry");
      if (expiry.compareTo(Duration.ofSeconds(1)) < 0
          || expiry.compareTo(Duration.ofSeconds(Settings.MAX_EXPIRE_SECONDS)) > 0) {
        throw new IllegalArgumentException(
            "defaultUrlExpiry must be between 1 second and 7 days, was " + expiry);
      }
      this.defaultUrlExpiry = expiry;
      return this;
    }

    /**
     * The largest file {@code replace_string_disk} loads to edit: at least 1 byte, at most 1 GiB,
     * default 8 MiB.
     */
    public Builder maxEditBytes(long bytes) {
      if (bytes < 1 || bytes > (1L << 30)) {
        throw new IllegalArgumentException("maxEditBytes must be 1 to 1 GiB, was " + bytes);
      }
      this.maxEditBytes = bytes;
      return this;
    }

    /** How long one {@code grep_disk} call may search: 1 ms to 10 minutes, default 10 s. */
    public Builder grepTimeBudget(Duration budget) {
      Objects.requireNonNull(budget, "budget");
      if (budget.compareTo(Duration.ofMillis(1)) < 0
          || budget.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(
            "grepTimeBudget must be between 1 ms and 10 minutes, was " + budget);
      }
      this.grepTimeBudget = budget;
      return this;
    }

    /**
     * Called after a tool call changed a file, with the file's full path ({@code "/docs/a.md"}):
     * once after {@code write_file_disk}, {@code replace_string_disk} and {@code
     * delete_file_disk}, twice (source, then destination) after {@code move_file_disk}; never for
     * a call that failed. It runs on the thread that called {@link DiskTools#execute}, before the
     * result is returned; an exception it throws is logged and ignored. Changes made to the store
     * without these tools are not reported. Default: nothing.
     */
    public Builder onFileChanged(Consumer<String> listener) {
      this.fileChanged = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * @throws DiskNotFoundException if the disk does not exist
     */
    public DiskTools build() {
      store.disks().get(diskId);
      return new DiskTools(
          store,
          diskId,
          new Settings(
              defaultLineLimit, maxOutputChars, Math.min(maxLineChars, maxOutputChars / 2),
              defaultUrlExpiry, maxEditBytes, grepTimeBudget),
          fileChanged);
    }
  }
}
