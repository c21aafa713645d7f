package dev.diskstore.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diskstore.Artifact;
import dev.diskstore.DiskStore;
import dev.diskstore.GrepOptions;
import dev.diskstore.GrepResult;
import dev.diskstore.Search;
import dev.diskstore.TextHit;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Finding artifacts: {@code grep} (regular expressions over text), {@code glob} (path patterns)
 * and {@code search} (ranked full text). Finding nothing is not a failure: exit code 0 and empty
 * output (an empty array or list in JSON).
 */
final class SearchCommands {
  private SearchCommands() {}

  /** {@code grep DISK REGEX}. */
  @Command(
      name = "grep",
      header = "Finds lines matching a regular expression.",
      mixinStandardHelpOptions = true,
      description = {
        "Prints the lines of a disk's text files matching a Java regular expression, as"
            + " /path/file:LINE:text. Binary files are skipped.",
        "JSON: {\"files\": [{\"artifact\": ..., \"matches\": [{\"line_number\": N, \"line\": ...}],"
            + " \"more_matches\": ...}], \"files_searched\": N, \"truncated\": ...,"
            + " \"timed_out\": ...}."
      })
  static final class Grep extends StoreCommand.Printing {
    @Parameters(index = "0", paramLabel = "DISK", description = "the disk's id")
    String disk;

    @Parameters(index = "1", paramLabel = "REGEX", description = "a Java regular expression")
    String regex;

    @Option(names = "--path", paramLabel = "GLOB",
        description = "only files whose path matches this glob; a directory ending with /"
            + " means everything below it")
    @Nullable String path;

    @Option(names = {"-i", "--ignore-case"}, description = "match ignoring case")
    boolean ignoreCase;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
        description = "at most N matching files, 1-10000 (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    int run(DiskStore store) {
      String glob = path == null ? null : path.endsWith("/") ? path + "**" : path;
      GrepResult result = store.search().grep(disk, regex, GrepOptions.builder()
          .caseInsensitive(ignoreCase).glob(glob).maxFiles(limit).build());
      PrintStream out = io().out();
      if (json) {
        ObjectNode document = Json.object();
        ArrayNode files = document.putArray("files");
        for (GrepResult.FileMatches file : result.files()) {
          ObjectNode node = files.addObject();
          node.set("artifact", Json.artifact(file.artifact()));
          ArrayNode matches = node.putArray("matches");
          for (GrepResult.LineMatch match : file.matches()) {
            matches.addObject().put("line_number", match.lineNumber()).put("line", match.line());
          }
          node.put("more_matches", file.moreMatches());
        }
        document.put("files_searched", result.filesSearched());
        document.put("truncated", result.truncated());
        document.put("timed_out", result.timedOut());
        Json.print(out, document);
        return ExitCodes.OK;
      }
      for (GrepResult.FileMatches file : result.files()) {
        for (GrepResult.LineMatch match : file.matches()) {
          out.println(file.artifact().fullPath() + ":" + match.lineNumber() + ":" + match.line());
        }
      }
      if (result.truncated() || result.timedOut()) {
        io().err().println("diskstore: note: the search stopped early ("
            + (result.timedOut() ? "time budget" : "--limit " + limit + " files")
            + "); results are partial");
      }
      return ExitCodes.OK;
    }
  }

  /** {@code glob DISK PATTERN}. */
  @Command(
      name = "glob",
      header = "Finds artifacts by path pattern.",
      mixinStandardHelpOptions = true,
      description = {
        "Prints the full paths of the artifacts matching a glob pattern: * and ? within a"
            + " segment, ** across segments, [abc], {a,b}. *.md is the root only, **/*.md is"
            + " everywhere.",
        "JSON: an array of artifacts."
      })
  static final class Glob extends StoreCommand.Printing {
    @Parameters(index = "0", paramLabel = "DISK", description = "the disk's id")
    String disk;

    @Parameters(index = "1", paramLabel = "PATTERN", description = "a glob pattern")
    String pattern;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "" + Search.DEFAULT_LIMIT,
        description = "at most N artifacts, 1-10000 (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    int run(DiskStore store) {
      List<Artifact> artifacts = store.search().glob(disk, pattern, limit);
      if (json) {
        ArrayNode array = Json.array();
        artifacts.forEach(a -> array.add(Json.artifact(a)));
        Json.print(io().out(), array);
      } else {
        artifacts.forEach(a -> io().out().println(a.fullPath()));
      }
      return ExitCodes.OK;
    }
  }

  /** {@code search DISK QUERY}. */
  @Command(
      name = "search",
      header = "Full-text search, best first.",
      mixinStandardHelpOptions = true,
      description = {
        "Full-text search over a disk's extracted text, filenames and paths, best first: plain"
            + " words (all must occur), \"quoted phrases\". Prints score, full path and a snippet"
            + " with the matched terms in [brackets].",
        "JSON: an array of {\"artifact\": ..., \"score\": ..., \"snippet\": ...}."
      })
  static final class FullText extends StoreCommand.Printing {
    @Parameters(index = "0", paramLabel = "DISK", description = "the disk's id")
    String disk;

    @Parameters(index = "1", paramLabel = "QUERY", description = "words or \"phrases\"")
    String query;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
        description = "at most N hits, 1-10000 (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    int run(DiskStore store) {
      List<TextHit> hits = store.search().fullText(disk, query, limit);
      if (json) {
        ArrayNode array = Json.array();
        for (TextHit hit : hits) {
          ObjectNode node = array.addObject();
          node.set("artifact", Json.artifact(hit.artifact()));
          node.put("score", hit.score());
          node.put("snippet", hit.snippet());
        }
        Json.print(io().out(), array);
      } else {
        for (TextHit hit : hits) {
          io().out().printf(Locale.ROOT, "%8.3f  %s  %s%n", hit.score(), hit.artifact().fullPath(),
              DiskStoreCli.oneLine(hit.snippet()));
        }
      }
      return ExitCodes.OK;
    }
  }
}
