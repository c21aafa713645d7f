package dev.diskstore.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.diskstore.ArtifactNotFoundException;
import dev.diskstore.DiskNotFoundException;
import dev.diskstore.DiskStoreException;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.PreconditionFailedException;
import dev.diskstore.VersionNotFoundException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * The {@code diskstore} command: the DiskStore API on the command line, on a store named by
 * {@code --store DIR} (embedded) or {@code --config FILE} ({@link StoreSettings}: embedded, S3,
 * PostgreSQL).
 *
 * <pre>
 * diskstore --store data disks create --user alice          # creates the store if needed
 * diskstore --store data put DISK ./docs --to /docs/         # a whole directory, recursively
 * diskstore --store data ls DISK /docs/ --json
 * diskstore --config shared.properties get DISK /docs/a.md -o a.md
 * diskstore --store data versions DISK /docs/a.md            # newest first; cat --version N
 * diskstore --store data restore DISK /docs/a.md 3           # undelete: version 3 is current
 * diskstore copy embedded.properties shared.properties       # SQLite + directory to PostgreSQL + S3
 * </pre>
 *
 * <p>Errors are one line on standard error, {@code diskstore: <message>} (with {@code --debug},
 * followed by the stack trace); exit codes are listed in {@link ExitCodes} and in {@code --help}.
 *
 * <p>The top-level command only groups the commands; each opens and closes the store itself,
 * {@code serve} (the Acontext HTTP API, {@link ServeCommand}) when it is stopped.
 */
@Command(
    name = "diskstore",
    mixinStandardHelpOptions = true,
    version = "diskstore 0.1.0",
    description = "Work with a DiskStore store: disks, files, history, search and maintenance.",
    footer = {"", ExitCodes.HELP,
        "Every command takes --store DIR (an embedded store) or --config FILE (a properties file"
            + " for embedded, S3 or PostgreSQL stores; see the README)."},
    subcommands = {
      CommandLine.HelpCommand.class,
      DiskCommands.class,
      FileCommands.ListFiles.class,
      TransferCommands.Put.class,
      TransferCommands.Get.class,
      TransferCommands.Cat.class,
      FileCommands.Remove.class,
      FileCommands.Move.class,
      FileCommands.Meta.class,
      FileCommands.Url.class,
      HistoryCommands.Versions.class,
      HistoryCommands.Restore.class,
      SearchCommands.Grep.class,
      SearchCommands.Glob.class,
      SearchCommands.FullText.class,
      MaintenanceCommands.Verify.class,
      MaintenanceCommands.Gc.class,
      MaintenanceCommands.Stats.class,
      MaintenanceCommands.Copy.class,
      ServeCommand.class,
      McpCommand.class,
    })
public final class DiskStoreCli implements Callable<Integer> {
  private final Io io;

  /** Store options given before the command name; a command's own take precedence. */
  @Mixin StoreOptions store;

  @Option(names = "--debug", scope = ScopeType.INHERIT,
      description = "print the stack trace of an error")
  boolean debug;

  private DiskStoreCli(Io io) {
    this.io = io;
  }

  /** Runs the command line on the process's streams and exits with its exit code. */
  public static void main(String[] args) {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, UTF_8);
    PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, UTF_8);
    System.exit(run(new Io(out, err, System.console() != null), args));
  }

  /** Runs the command line; returns the exit code. */
  static int run(Io io, String... args) {
    CommandLine cli = new CommandLine(new DiskStoreCli(io));
    PrintWriter out = new PrintWriter(new OutputStreamWriter(io.out(), UTF_8), true);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(io.err(), UTF_8), true);
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler(
        (e, arguments) -> {
          err.println("diskstore: " + oneLine(e.getMessage()) + " (see: "
              + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
          return ExitCodes.USAGE;
        });
    cli.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          io.out().flush();
          err.println("diskstore: " + message(e));
          if (debug(parsed)) {
            e.printStackTrace(err);
          }
          return exitCode(e);
        });
    try {
      return cli.execute(args);
    } finally {
      out.flush();
      err.flush();
      io.out().flush();
      io.err().flush();
    }
  }

  Io io() {
    return io;
  }

  /** Without a command: the usage, on standard error, as a usage error. */
  @Override
  public Integer call() {
    PrintWriter err = new PrintWriter(new OutputStreamWriter(io.err(), UTF_8), true);
    err.println("diskstore: name a command");
    new CommandLine(this).usage(err);
    return ExitCodes.USAGE;
  }

  private static boolean debug(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--debug")) {
        return true;
      }
    }
    return false;
  }

  /** The exit code for a failure; see {@link ExitCodes}. */
  static int exitCode(Throwable e) {
    if (e instanceof CommandException c) {
      return c.exitCode();
    }
    if (e instanceof DiskNotFoundException || e instanceof ArtifactNotFoundException) {
      return ExitCodes.NOT_FOUND;
    }
    if (e instanceof PreconditionFailedException) {
      return ExitCodes.PRECONDITION_FAILED;
    }
    if (e instanceof InvalidRequestException) {
      return ExitCodes.USAGE;
    }
    return ExitCodes.FAILURE;
  }

  /** The one line describing a failure. */
  static String message(Throwable e) {
    if (e instanceof VersionNotFoundException v) {
      return "version " + v.version() + " of " + v.path() + v.filename() + " in disk "
          + v.diskId() + " " + reason(v) + " (see the versions kept with: diskstore versions "
          + v.diskId() + " " + v.path() + v.filename() + ")";
    }
    if (e instanceof ArtifactNotFoundException a) {
      return "no artifact " + a.path() + a.filename() + " in disk " + a.diskId()
          + " (names are case-sensitive; see what exists with: diskstore ls " + a.diskId() + " "
          + a.path() + ")";
    }
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e.getClass().getSimpleName();
    }
    if (!(e instanceof DiskStoreException || e instanceof CommandException)) {
      // not one of ours: the type tells what kind of failure it was
      message = e.getClass().getSimpleName() + ": " + message;
    }
    return oneLine(message);
  }

  /**
   * Why a version was not found, as the store said it ({@code does not exist (...)}, {@code
   * records a removal ...}), without the API advice around it.
   */
  private static String reason(VersionNotFoundException v) {
    String message = v.getMessage() == null ? "" : oneLine(v.getMessage());
    String before = "version " + v.version() + " of artifact " + v.path() + v.filename()
        + " on disk " + v.diskId() + " ";
    int advice = message.lastIndexOf(" (list the versions with");
    if (message.startsWith(before) && advice > before.length()) {
      return message.substring(before.length(), advice);
    }
    return "does not exist or records a removal";
  }

  static String oneLine(String message) {
    return message.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
