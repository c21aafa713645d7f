package dev.diskstore.agent;

import static dev.diskstore.agent.ToolSpec.Param.optional;
import static dev.diskstore.agent.ToolSpec.Param.optionalInt;
import static dev.diskstore.agent.ToolSpec.Param.required;

import dev.diskstore.agent.ToolSpec.Param;
import dev.diskstore.agent.ToolSpec.Type;
import java.util.List;

/**
 * The eleven disk tools: names, descriptions and parameters, in Acontext's {@code DISK_TOOLS} order
 * followed by the four tools Acontext lacks (delete, move, and the history's list and restore). The descriptions state what the
 * executor actually does, including the limits of the {@link Settings} they are built for.
 */
final class ToolCatalog {
  static final String WRITE_FILE = "write_file_disk";
  static final String READ_FILE = "read_file_disk";
  static final String REPLACE_STRING = "replace_string_disk";
  static final String LIST = "list_disk";
  static final String GREP = "grep_disk";
  static final String GLOB = "glob_disk";
  static final String DOWNLOAD_FILE = "download_file_disk";
  static final String DELETE_FILE = "delete_file_disk";
  static final String MOVE_FILE = "move_file_disk";
  static final String LIST_VERSIONS = "list_versions_disk";
  static final String RESTORE_FILE = "restore_file_disk";

  /** Versions list_versions_disk shows without {@code limit}, and at most. */
  static final int DEFAULT_VERSIONS_LIMIT = 20;

  static final int MAX_VERSIONS_LIMIT = 100;

  static final List<String> NAMES =
      List.of(
          WRITE_FILE, READ_FILE, REPLACE_STRING, LIST, GREP, GLOB, DOWNLOAD_FILE, DELETE_FILE,
          MOVE_FILE, LIST_VERSIONS, RESTORE_FILE);

  private ToolCatalog() {}

  private static final Param FILE_PATH =
      optional(
          "file_path",
          Type.STRING,
          "Directory of the file, e.g. \"/docs/\". Default \"/\" (the root).");

  private static final Param FILENAME =
      required(
          "filename",
          Type.STRING,
          "Name of the file, e.g. \"notes.md\". May also be a path relative to file_path"
              + " (\"2024/notes.md\") or a full path (\"/docs/notes.md\").");

  static List<ToolSpec> specs(Settings settings) {
    return List.of(
        writeFile(), readFile(settings), replaceString(), list(), grep(), glob(), download(),
        delete(), move(), listVersions(), restoreFile());
  }

  private static ToolSpec writeFile() {
    return new ToolSpec(
        WRITE_FILE,
        "Create a file, or replace the whole content of an existing one, with the given text."
            + " For small changes to an existing file use replace_string_disk instead. An empty"
            + " content creates an empty file. The file's user metadata is kept. Returns the new"
            + " etag. To make sure you do not overwrite changes made since you read the file, pass"
            + " the etag from read_file_disk as expected_etag.",
        List.of(
            FILE_PATH,
            FILENAME,
            required(
                "content",
                Type.STRING,
                "The complete new content of the file (text, stored as UTF-8). An empty string"
                    + " creates an empty file."),
            optional(
                "expected_etag",
                Type.STRING,
                "Optional. The etag from read_file_disk or a previous write: write only if the"
                    + " file still has this etag, i.e. nobody changed it since. Omit to write"
                    + " unconditionally."),
            optional(
                "create_only",
                Type.BOOLEAN,
                "Optional. true: only create a new file and fail if one already exists."
                    + " Default false.")),
        "{\"file_path\":\"/notes/\",\"filename\":\"todo.md\","
            + "\"content\":\"# TODO\\n- call Bob\\n\"}");
  }

  private static ToolSpec readFile(Settings settings) {
    return new ToolSpec(
        READ_FILE,
        "Read a text file: text, Markdown, JSON, CSV or code (and documents such as PDF when"
            + " text extraction is installed). The result starts with a header line giving the"
            + " path, the line range shown, the total number of lines and the file's etag; then"
            + " each line follows, prefixed with its 1-based line number and \"| \" (the prefix"
            + " is not part of the file). Returns " + settings.defaultLineLimit() + " lines by"
            + " default; page through longer files with line_offset and line_limit. Binary files"
            + " (images, archives) cannot be read: use download_file_disk for them. With version,"
            + " reads an earlier version of the file (see list_versions_disk).",
        List.of(
            FILE_PATH,
            FILENAME,
            optionalInt(
                "version",
                "Optional. Read this earlier version of the file (a number from"
                    + " list_versions_disk) instead of the current one. Its etag is that"
                    + " version's, not usable as expected_etag.",
                0,
                Integer.MAX_VALUE),
            optionalInt(
                "line_offset",
                "Optional. Number of lines to skip before the first line returned: 0 (the"
                    + " default) starts at line 1; to start at line N use N-1.",
                0,
                Integer.MAX_VALUE),
            optionalInt(
                "line_limit",
                "Optional. Maximum number of lines to return, 1-" + Settings.MAX_LINE_LIMIT
                    + " (default " + settings.defaultLineLimit() + ").",
                1,
                Settings.MAX_LINE_LIMIT)),
        "{\"file_path\":\"/notes/\",\"filename\":\"todo.md\",\"line_offset\":0,"
            + "\"line_limit\":100}");
  }

  private static ToolSpec replaceString() {
    return new ToolSpec(
        REPLACE_STRING,
        "Edit a text file by replacing exact text: each occurrence of old_string becomes"
            + " new_string. old_string must match the file exactly, including whitespace,"
            + " indentation and line breaks, and must not include the line-number prefixes shown"
            + " by read_file_disk. By default every occurrence is replaced; set replace_all=false"
            + " to require exactly one occurrence, or expected_count to require that many. Nothing"
            + " is written when old_string is not found or the count does not match. The result"
            + " tells how many occurrences were replaced and on which lines, and the new etag."
            + " User metadata is kept.",
        List.of(
            FILE_PATH,
            FILENAME,
            required(
                "old_string",
                Type.STRING,
                "The exact text to replace; not empty. Include enough surrounding text to pick"
                    + " the right place."),
            required(
                "new_string",
                Type.STRING,
                "The replacement text. An empty string deletes old_string."),
            optional(
                "replace_all",
                Type.BOOLEAN,
                "Optional. true (the default): replace every occurrence. false: replace only if"
                    + " old_string occurs exactly once, otherwise fail without changing anything."),
            optionalInt(
                "expected_count",
                "Optional. Fail without changing anything unless old_string occurs exactly this"
                    + " many times.",
                1,
                Integer.MAX_VALUE),
            optional(
                "expected_etag",
                Type.STRING,
                "Optional. The etag from read_file_disk: fail without changing anything if the"
                    + " file changed since you read it.")),
        "{\"file_path\":\"/notes/\",\"filename\":\"todo.md\",\"old_string\":\"call Bob\","
            + "\"new_string\":\"call Bob and Alice\",\"replace_all\":false}");
  }

  private static ToolSpec list() {
    return new ToolSpec(
        LIST,
        "List the sub-directories and files directly inside one directory (not recursive):"
            + " directories first, then files with their size and type. Use glob_disk to find"
            + " files at any depth.",
        List.of(
            optional(
                "file_path",
                Type.STRING,
                "Directory to list, e.g. \"/docs/\". Default \"/\" (the root)."),
            optionalInt(
                "limit",
                "Optional. Maximum number of entries to return, 1-" + Settings.MAX_LIST_LIMIT
                    + " (default " + Settings.DEFAULT_LIST_LIMIT + ").",
                1,
                Settings.MAX_LIST_LIMIT),
            optional(
                "cursor",
                Type.STRING,
                "Optional. The cursor printed at the end of a previous list_disk result of the"
                    + " same directory, to get the entries that follow.")),
        "{\"file_path\":\"/notes/\"}");
  }

  private static ToolSpec grep() {
    return new ToolSpec(
        GREP,
        "Search inside text files for lines matching a regular expression (Java syntax, e.g."
            + " \"TODO|FIXME\" or \"^import \"). Each match is printed like grep -n: path:line:"
            + " text, with 1-based line numbers, grouped by file; context lines print as"
            + " path-line- text. Binary files are skipped. Use glob to search only some files.",
        List.of(
            required(
                "query",
                Type.STRING,
                "Regular expression (Java syntax) matched against each line. Escape characters"
                    + " such as ( [ . * + ? with a backslash to match them literally."),
            optional(
                "glob",
                Type.STRING,
                "Optional. Only search files whose path matches this glob pattern (see"
                    + " glob_disk), e.g. \"**/*.py\" or \"/docs/**\"."),
            optional(
                "case_insensitive",
                Type.BOOLEAN,
                "Optional. true: ignore upper and lower case. Default false."),
            optionalInt(
                "context_lines",
                "Optional. Lines of context to show before and after each match, 0-"
                    + Settings.MAX_CONTEXT_LINES + " (default 0).",
                0,
                Settings.MAX_CONTEXT_LINES),
            optionalInt(
                "limit",
                "Optional. Maximum number of matching files to return, 1-"
                    + Settings.MAX_GREP_FILES + " (default " + Settings.DEFAULT_GREP_FILES + ").",
                1,
                Settings.MAX_GREP_FILES)),
        "{\"query\":\"TODO\",\"glob\":\"**/*.md\",\"case_insensitive\":true,\"context_lines\":1}");
  }

  private static ToolSpec glob() {
    return new ToolSpec(
        GLOB,
        "Find files by path pattern. The pattern matches the full path from the root: * and ?"
            + " match within one directory level, ** matches any number of directories, {a,b}"
            + " matches either alternative and [abc] one character of a set. Examples: \"*.md\""
            + " (Markdown files in the root only), \"**/*.md\" (Markdown files anywhere),"
            + " \"/docs/**\" (everything under /docs/), \"/src/**/*.{py,js}\". Case-sensitive.",
        List.of(
            required(
                "query",
                Type.STRING,
                "Glob pattern matched against full file paths, e.g. \"**/*.md\"."),
            optionalInt(
                "limit",
                "Optional. Maximum number of paths to return, 1-" + Settings.MAX_GLOB_LIMIT
                    + " (default " + Settings.DEFAULT_GLOB_LIMIT + ").",
                1,
                Settings.MAX_GLOB_LIMIT)),
        "{\"query\":\"**/*.md\",\"limit\":50}");
  }

  private static ToolSpec download() {
    return new ToolSpec(
        DOWNLOAD_FILE,
        "Get a temporary download URL for a file, to share it with the user or to fetch a"
            + " binary file that read_file_disk cannot show. The URL expires after expire seconds"
            + " and may stop working once the file is changed or deleted.",
        List.of(
            FILE_PATH,
            FILENAME,
            optionalInt(
                "expire",
                "Optional. Seconds until the URL expires, 1-" + Settings.MAX_EXPIRE_SECONDS
                    + " (7 days). Default 3600.",
                1,
                Settings.MAX_EXPIRE_SECONDS)),
        "{\"file_path\":\"/reports/\",\"filename\":\"q3.pdf\",\"expire\":3600}");
  }

  private static ToolSpec delete() {
    return new ToolSpec(
        DELETE_FILE,
        "Delete one file. Pass the etag from read_file_disk as expected_etag to delete it only"
            + " if nobody changed it since you read it. A directory disappears when its last file"
            + " is deleted. While the store keeps history, restore_file_disk brings a deleted"
            + " file back (list_versions_disk shows its versions).",
        List.of(
            FILE_PATH,
            FILENAME,
            optional(
                "expected_etag",
                Type.STRING,
                "Optional. The etag from read_file_disk: delete only if the file has not changed"
                    + " since.")),
        "{\"file_path\":\"/notes/\",\"filename\":\"old.md\"}");
  }

  private static ToolSpec move() {
    return new ToolSpec(
        MOVE_FILE,
        "Move or rename a file, keeping its content, type and user metadata. destination_path"
            + " is the directory to move into (default: the file's current directory) and"
            + " destination_filename the new name (default: the current name); give at least one"
            + " of them. Fails if a file already exists at the destination, unless"
            + " overwrite=true. The moved file gets a new etag.",
        List.of(
            optional(
                "file_path",
                Type.STRING,
                "Directory of the file to move, e.g. \"/drafts/\". Default \"/\" (the root)."),
            required(
                "filename",
                Type.STRING,
                "Name of the file to move, e.g. \"plan.md\" (or its full path,"
                    + " \"/drafts/plan.md\")."),
            optional(
                "destination_path",
                Type.STRING,
                "Optional. Directory to move the file into, e.g. \"/archive/2024/\". Always a"
                    + " directory: to rename the file, set destination_filename."),
            optional(
                "destination_filename",
                Type.STRING,
                "Optional. New name of the file, e.g. \"plan-v2.md\". Default: the current name."),
            optional(
                "overwrite",
                Type.BOOLEAN,
                "Optional. true: replace a file that already exists at the destination. Default"
                    + " false."),
            optional(
                "expected_etag",
                Type.STRING,
                "Optional. The etag from read_file_disk: move only if the file has not changed"
                    + " since.")),
        "{\"file_path\":\"/drafts/\",\"filename\":\"plan.md\",\"destination_path\":\"/archive/\"}");
  }

  private static ToolSpec listVersions() {
    return new ToolSpec(
        LIST_VERSIONS,
        "List the versions of a file, newest first: every write, metadata change, move,"
            + " restore and delete of it made a version, numbered from 0. Works for deleted"
            + " files too. Each line gives the version number, when it was made, what made it,"
            + " and the size and etag of the file then (a delete or a move away has no content)."
            + " Read an old version with read_file_disk and version; bring it back with"
            + " restore_file_disk. The store keeps a limited history: old versions expire.",
        List.of(
            FILE_PATH,
            FILENAME,
            optionalInt(
                "limit",
                "Optional. Maximum number of versions to return, 1-" + MAX_VERSIONS_LIMIT
                    + " (default " + DEFAULT_VERSIONS_LIMIT + ").",
                1,
                MAX_VERSIONS_LIMIT),
            optional(
                "cursor",
                Type.STRING,
                "Optional. The cursor printed at the end of a previous list_versions_disk result"
                    + " of the same file, to get the older versions that follow.")),
        "{\"file_path\":\"/notes/\",\"filename\":\"todo.md\"}");
  }

  private static ToolSpec restoreFile() {
    return new ToolSpec(
        RESTORE_FILE,
        "Make an earlier version of a file current again: its content, type and user metadata"
            + " come back as a new version (nothing is lost: the version it replaces stays in"
            + " the history). Also undeletes a deleted file. Get the version numbers from"
            + " list_versions_disk. Returns the new etag.",
        List.of(
            FILE_PATH,
            FILENAME,
            new Param("version", Type.INTEGER,
                "The version to restore, a number from list_versions_disk.", true, 0,
                Integer.MAX_VALUE),
            optional(
                "expected_etag",
                Type.STRING,
                "Optional. The etag of the file as it is now (from read_file_disk): restore only"
                    + " if nobody changed it since.")),
        "{\"file_path\":\"/notes/\",\"filename\":\"todo.md\",\"version\":2}");
  }
}
