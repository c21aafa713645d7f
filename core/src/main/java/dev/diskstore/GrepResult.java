package dev.diskstore;

import java.util.List;

/**
 * The result of {@link Search#grep}: matching files in path order, each with its matching lines.
 *
 * @param files files with at least one match, ordered by path then filename
 * @param filesSearched how many files' text was searched
 * @param truncated the search stopped at {@link GrepOptions#maxFiles()}
 * @param timedOut the search stopped at {@link GrepOptions#timeBudget()}; results are partial
 */
public record GrepResult(
    List<FileMatches> files, int filesSearched, boolean truncated, boolean timedOut) {
  public GrepResult {
    files = List.copyOf(files);
  }

  /**
   * The matches in one file.
   *
   * @param artifact the file
   * @param matches matching lines in order
   * @param moreMatches more lines matched than {@link GrepOptions#maxMatchesPerFile()}
   */
  public record FileMatches(Artifact artifact, List<LineMatch> matches, boolean moreMatches) {
    public FileMatches {
      matches = List.copyOf(matches);
    }
  }

  /**
   * One matching line.
   *
   * @param lineNumber 1-based line number
   * @param line the line's text, without its line terminator (cut at 2,000 characters)
   * @param before up to {@link GrepOptions#contextLines()} preceding lines
   * @param after up to {@link GrepOptions#contextLines()} following lines
   */
  public record LineMatch(int lineNumber, String line, List<String> before, List<String> after) {
    public LineMatch {
      before = List.copyOf(before);
      after = List.copyOf(after);
    }
  }
}
