package dev.diskstore.cli;

import dev.diskstore.DiskStore;
import dev.diskstore.StoreCopy;
import dev.diskstore.VerifyReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code diskstore} command. A store is named by a properties file ({@link StoreSettings}).
 *
 * <pre>
 * diskstore copy embedded.properties shared.properties   # SQLite + directory to PostgreSQL + S3
 * diskstore verify shared.properties [--deep]
 * </pre>
 *
 * <p>Exit codes: 0 done (verify: no problems), 1 the store reported a failure or problems, 2 bad
 * usage or settings.
 */
@Command(
    name = "diskstore",
    mixinStandardHelpOptions = true,
    version = "diskstore 0.1.0",
    description = "Operate on a DiskStore store described by a properties file.",
    subcommands = {DiskStoreCli.Copy.class, DiskStoreCli.Verify.class})
public final class DiskStoreCli {
  private DiskStoreCli() {}

  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs the command line; returns the exit code. */
  static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new DiskStoreCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          line.getErr().println("diskstore: " + e.getMessage());
          return e instanceof dev.diskstore.InvalidRequestException ? 2 : 1;
        });
    return cli.execute(args);
  }

  @Command(
      name = "copy",
      description = {
        "Copies every disk of SOURCE into TARGET (a new store, or an interrupted copy of the same"
            + " source: run again to resume), keeping disk ids, paths, metadata, etags, times and"
            + " content addressing. Stop SOURCE's writers first."
      })
  static final class Copy implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SOURCE", description = "settings of the store to copy")
    Path source;

    @Parameters(index = "1", paramLabel = "TARGET", description = "settings of the target store")
    Path target;

    @Option(names = "--verify", negatable = true, defaultValue = "true",
        description = "verify the target afterwards (default: ${DEFAULT-VALUE})")
    boolean verify;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      StoreSettings from = StoreSettings.load(source);
      from.requireExistingStore();
      StoreSettings to = StoreSettings.load(target);
      out.println("source: " + from);
      out.println("target: " + to);
      StoreCopy.Report report = StoreCopy.copy(from.toConfig(), to.toConfig(), out::println);
      out.printf("copied %d disks (%d already copied), %d artifacts, %d contents (%d bytes)%n",
          report.disksCopied(), report.disksSkipped(), report.artifacts(), report.blobsCopied(),
          report.bytesCopied());
      if (!verify) {
        return 0;
      }
      return Verify.verify(to, false, out);
    }
  }

  @Command(name = "verify", description = "Checks a store's index against its blobs.")
  static final class Verify implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "STORE", description = "settings of the store")
    Path store;

    @Option(names = "--deep", description = "also re-hash every blob and check every row")
    boolean deep;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      StoreSettings settings = StoreSettings.load(store);
      settings.requireExistingStore();
      return verify(settings, deep, spec.commandLine().getOut());
    }

    static int verify(StoreSettings settings, boolean deep, PrintWriter out) {
      try (DiskStore store = DiskStore.open(settings.toConfig())) {
        VerifyReport report = store.maintenance().verify(deep);
        out.println("verify: " + (report.problems().isEmpty()
            ? "clean" : report.problems().size() + " problem(s)"));
        report.problems().forEach(p -> out.println("  " + p));
        return report.problems().isEmpty() ? 0 : 1;
      }
    }
  }
}
