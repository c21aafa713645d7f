package dev.diskstore.cli;

/**
 * The exit codes of every {@code diskstore} command, one scheme for all of them (also listed in
 * the top-level {@code --help}).
 */
final class ExitCodes {
  /** Done; for verify: the store is clean. */
  static final int OK = 0;

  /** The store or the system failed (I/O, corrupt content), or verify found problems. */
  static final int FAILURE = 1;

  /** Bad usage or invalid input: options, paths, metadata, patterns, settings. */
  static final int USAGE = 2;

  /**
   * A store, disk, artifact, version, directory or local file named on the command line does not
   * exist.
   */
  static final int NOT_FOUND = 3;

  /** A condition (--if-match, --if-none-match, an existing move destination) did not hold. */
  static final int PRECONDITION_FAILED = 4;

  static final String HELP =
      "Exit codes: 0 ok, 1 failure or problems found, 2 usage or invalid input, 3 not found"
          + " (store, disk, artifact, version, local file), 4 precondition failed.";

  private ExitCodes() {}
}
