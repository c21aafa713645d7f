package dev.diskstore.cli;

/**
 * A failure of the command line itself (not of the store), carrying the exit code it ends the run
 * with: no store named, a local file that does not exist, a malformed option value. Its message is
 * printed as the one line {@code diskstore: <message>}.
 */
final class CommandException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  CommandException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }

  /**
   * {@code failure}, one of several steps, with what the steps before it did: same exit code, the
   * message extended, {@code failure} as the cause (shown with --debug).
   */
  static CommandException partway(RuntimeException failure, String doneBefore) {
    CommandException e = new CommandException(DiskStoreCli.exitCode(failure),
        DiskStoreCli.message(failure) + " (" + doneBefore + ")");
    e.initCause(failure);
    return e;
  }

  static CommandException usage(String message) {
    return new CommandException(ExitCodes.USAGE, message);
  }

  static CommandException notFound(String message) {
    return new CommandException(ExitCodes.NOT_FOUND, message);
  }
}
