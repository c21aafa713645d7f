package dev.diskstore.agent;

import java.time.Duration;

/**
 * The limits of one {@link DiskTools}, fixed when it is built.
 *
 * @param defaultLineLimit lines {@code read_file_disk} returns when {@code line_limit} is absent
 * @param maxOutputChars the longest result any tool returns
 * @param maxLineChars the longest line {@code read_file_disk} shows before cutting it
 * @param defaultUrlExpiry lifetime of a download URL when {@code expire} is absent
 * @param maxEditBytes the largest file {@code replace_string_disk} edits
 * @param grepTimeBudget how long one {@code grep_disk} call may search
 */
record Settings(
    int defaultLineLimit,
    int maxOutputChars,
    int maxLineChars,
    Duration defaultUrlExpiry,
    long maxEditBytes,
    Duration grepTimeBudget) {

  /** Largest {@code line_limit}; larger values are capped. */
  static final int MAX_LINE_LIMIT = 2_000;

  static final int DEFAULT_LIST_LIMIT = 200;
  static final int MAX_LIST_LIMIT = 1_000;
  static final int DEFAULT_GLOB_LIMIT = 100;
  static final int MAX_GLOB_LIMIT = 1_000;
  static final int DEFAULT_GREP_FILES = 50;
  static final int MAX_GREP_FILES = 1_000;
  static final int GREP_MATCHES_PER_FILE = 50;
  static final int MAX_CONTEXT_LINES = 20;
  static final int MAX_EXPIRE_SECONDS = 604_800;
}
