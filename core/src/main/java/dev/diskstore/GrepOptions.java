package dev.diskstore;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Options of {@link Search#grep}.
 *
 * @param caseInsensitive match ignoring case (Unicode-aware)
 * @param glob only search files whose path matches this glob pattern
 * @param contextLines lines of context before and after each match, 0–20
 * @param maxFiles stop after this many matching files, 1–10,000 (default 100)
 * @param maxMatchesPerFile report at most this many matching lines per file, 1–10,000 (default 50)
 * @param timeBudget stop searching (with {@link GrepResult#timedOut()}) after this long, 1 ms – 10
 *     minutes (default 10 s); also bounds a single catastrophic regular expression
 */
public record GrepOptions(
    boolean caseInsensitive,
    Optional<String> glob,
    int contextLines,
    int maxFiles,
    int maxMatchesPerFile,
    Duration timeBudget) {

  public GrepOptions {
    Objects.requireNonNull(glob, "glob");
    Objects.requireNonNull(timeBudget, "timeBudget");
    range("contextLines", contextLines, 0, 20);
    range("maxFiles", maxFiles, 1, 10_000);
    range("maxMatchesPerFile", maxMatchesPerFile, 1, 10_000);
    if (timeBudget.compareTo(Duration.ofMillis(1)) < 0
        || timeBudget.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new InvalidRequestException(
          "timeBudget must be between 1 ms and 10 minutes, was " + timeBudget);
    }
  }

  private static void range(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new InvalidRequestException(
          name + " must be between " + min + " and " + max + ", was " + value);
    }
  }

  public static GrepOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link GrepOptions}; not thread-safe. */
  public static final class Builder {
    private boolean caseInsensitive;
    private @Nullable String glob;
    private int contextLines;
    private int maxFiles = 100;
    private int maxMatchesPerFile = 50;
    private Duration timeBudget = Duration.ofSeconds(10);

    private Builder() {}

    public Builder caseInsensitive(boolean caseInsensitive) {
      this.caseInsensitive = caseInsensitive;
      return this;
    }

    public Builder glob(@Nullable String glob) {
      this.glob = glob;
      return this;
    }

    public Builder contextLines(int contextLines) {
      this.contextLines = contextLines;
      return this;
    }

    public Builder maxFiles(int maxFiles) {
      this.maxFiles = maxFiles;
      return this;
    }

    public Builder maxMatchesPerFile(int maxMatchesPerFile) {
      this.maxMatchesPerFile = maxMatchesPerFile;
      return this;
    }

    public Builder timeBudget(Duration timeBudget) {
      this.timeBudget = Objects.requireNonNull(timeBudget, "timeBudget");
      return this;
    }

    public GrepOptions build() {
      return new GrepOptions(
          caseInsensitive, Optional.ofNullable(glob), contextLines, maxFiles, maxMatchesPerFile,
          timeBudget);
    }
  }
}
