package dev.diskstore.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diskstore.Artifact;
import dev.diskstore.ArtifactListing;
import dev.diskstore.Disk;
import dev.diskstore.DiskListRequest;
import dev.diskstore.DiskPage;
import dev.diskstore.DiskStore;
import dev.diskstore.GcOptions;
import dev.diskstore.GcReport;
import dev.diskstore.StoreCopy;
import dev.diskstore.VerifyReport;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The commands on a whole store: {@code verify}, {@code gc}, {@code stats} and {@code copy}.
 */
final class MaintenanceCommands {
  private MaintenanceCommands() {}

  /** {@code verify [STORE] [--deep]}. */
  @Command(
      name = "verify",
      header = "Checks the index against the blobs.",
      mixinStandardHelpOptions = true,
      description = {
        "Checks a store's index against its blobs and prints every problem found; exit code 1"
            + " when there is any. The store is named by --store / --config, or by a settings"
            + " file given as STORE.",
        "JSON: {\"clean\": ..., \"artifacts_checked\": N, \"blobs_checked\": N, \"problems\":"
            + " [{\"kind\": ..., \"subject\": ..., \"detail\": ...}]}."
      })
  static final class Verify extends StoreCommand.Printing {
    @Parameters(index = "0", arity = "0..1", paramLabel = "STORE",
        description = "settings file of the store (instead of --store / --config)")
    @Nullable Path settingsFile;

    @Option(names = "--deep", description = "also re-hash every blob and check every row")
    boolean deep;

    @Override
    public Integer call() {
      StoreSettings settings;
      if (settingsFile != null) {
        if (storeOptions().isGiven()) {
          throw CommandException.usage("name the store as STORE or with --store / --config,"
              + " not both");
        }
        settings = StoreSettings.load(settingsFile);
      } else {
        settings = storeOptions().settings();
      }
      settings.requireExistingStore();
      try (DiskStore opened = StoreOptions.open(settings)) {
        return run(opened);
      }
    }

    @Override
    int run(DiskStore store) {
      VerifyReport report = store.maintenance().verify(deep);
      PrintStream out = io().out();
      if (json) {
        Json.print(out, json(report));
      } else {
        print(report, out);
      }
      return report.isClean() ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    static ObjectNode json(VerifyReport report) {
      ObjectNode document = Json.object();
      document.put("clean", report.isClean());
      document.put("artifacts_checked", report.artifactsChecked());
      document.put("blobs_checked", report.blobsChecked());
      ArrayNode problems = document.putArray("problems");
      for (VerifyReport.Problem p : report.problems()) {
        problems.addObject().put("kind", p.kind().name()).put("subject", p.subject())
            .put("detail", p.detail());
      }
      return document;
    }

    static void print(VerifyReport report, PrintStream out) {
      out.printf(Locale.ROOT, "verify: %s (%d artifacts, %d blobs checked)%n",
          report.isClean() ? "clean" : report.problems().size() + " problem(s)",
          report.artifactsChecked(), report.blobsChecked());
      report.problems().forEach(p -> out.println("  " + p.kind() + " " + p.subject() + ": "
          + DiskStoreCli.oneLine(p.detail())));
    }
  }

  /** {@code gc [--delete-unknown]}. */
  @Command(
      name = "gc",
      header = "Collects garbage.",
      mixinStandardHelpOptions = true,
      description = {
        "Collects garbage: the versions the store's history no longer keeps (history.keep-last,"
            + " history.max-age; default: the last 10, for 30 days), blobs nothing references any"
            + " more and what crashed or abandoned writes left behind. Safe while other processes"
            + " use the store. Commands do not collect on their own; applications opening the"
            + " store do, in the background.",
        "JSON: {\"deleted\": N, \"abandoned_writes\": N, \"unreferenced_blobs\": N,"
            + " \"orphan_objects\": N, \"unknown_objects_kept\": N, \"expired_versions\": N}."
      })
  static final class Gc extends StoreCommand.Printing {
    @Option(names = "--delete-unknown",
        description = "also delete backend objects no writer of this store made (another"
            + " store's, or put there by hand): only when they are knowingly given up")
    boolean deleteUnknown;

    @Override
    int run(DiskStore store) {
      GcReport report = store.maintenance().collectGarbage(
          deleteUnknown ? GcOptions.deletingUnknownObjects() : GcOptions.defaults());
      if (json) {
        ObjectNode document = Json.object();
        document.put("deleted", report.total());
        document.put("abandoned_writes", report.abandonedWrites());
        document.put("unreferenced_blobs", report.unreferencedBlobs());
        document.put("orphan_objects", report.orphanObjects());
        document.put("unknown_objects_kept", report.unknownObjectsKept());
        document.put("expired_versions", report.expiredVersions());
        Json.print(io().out(), document);
      } else {
        io().out().printf(Locale.ROOT, "gc: deleted %d object(s): %d of abandoned writes, %d"
                + " unreferenced blobs, %d orphans; %d unknown object(s) kept; %d expired"
                + " version(s) removed%n",
            report.total(), report.abandonedWrites(), report.unreferencedBlobs(),
            report.orphanObjects(), report.unknownObjectsKept(), report.expiredVersions());
      }
      return ExitCodes.OK;
    }
  }

  /** {@code stats}: counted through the public API, walking every disk's directories. */
  @Command(
      name = "stats",
      header = "Counts disks, artifacts, bytes and blobs.",
      mixinStandardHelpOptions = true,
      description = {
        "Counts disks, artifacts, their bytes, and the distinct contents (blobs) storing them"
            + " (each distinct content is stored once). Reads the whole index: time grows with"
            + " the store.",
        "JSON: {\"disks\": N, \"artifacts\": N, \"bytes\": N, \"blobs\": N, \"blob_bytes\": N}."
      })
  static final class Stats extends StoreCommand.Printing {
    @Override
    int run(DiskStore store) {
      long disks = 0;
      long artifacts = 0;
      long bytes = 0;
      Map<String, Long> blobs = new HashMap<>();
      String cursor = null;
      do {
        DiskPage page = store.disks().list(
            DiskListRequest.builder().limit(DiskListRequest.MAX_LIMIT).cursor(cursor).build());
        for (Disk disk : page.items()) {
          disks++;
          Deque<String> directories = new ArrayDeque<>();
          directories.push("/");
          while (!directories.isEmpty()) {
            String directory = directories.pop();
            String next = null;
            do {
              ArtifactListing listing =
                  store.disks().artifacts().list(disk.id(), directory, 1000, next);
              for (String name : listing.directories()) {
                directories.push(directory + name + "/");
              }
              for (Artifact a : listing.artifacts()) {
                artifacts++;
                bytes += a.sizeBytes();
                blobs.put(a.sha256(), a.sizeBytes());
              }
              next = listing.nextCursor().orElse(null);
            } while (next != null);
          }
        }
        cursor = page.nextCursor().orElse(null);
      } while (cursor != null);
      long blobBytes = blobs.values().stream().mapToLong(Long::longValue).sum();
      if (json) {
        ObjectNode document = Json.object();
        document.put("disks", disks);
        document.put("artifacts", artifacts);
        document.put("bytes", bytes);
        document.put("blobs", blobs.size());
        document.put("blob_bytes", blobBytes);
        Json.print(io().out(), document);
      } else {
        PrintStream out = io().out();
        out.printf(Locale.ROOT, "disks       %d%n", disks);
        out.printf(Locale.ROOT, "artifacts   %d%n", artifacts);
        out.printf(Locale.ROOT, "bytes       %d (%s)%n", bytes, Progress.size(bytes));
        out.printf(Locale.ROOT, "blobs       %d (distinct contents)%n", blobs.size());
        out.printf(Locale.ROOT, "blob bytes  %d (%s)%n", blobBytes, Progress.size(blobBytes));
      }
      return ExitCodes.OK;
    }
  }

  /** {@code copy SOURCE TARGET}: the settings of two stores, each a properties file. */
  @Command(
      name = "copy",
      header = "Copies a store into another (e.g. embedded to PostgreSQL + S3).",
      mixinStandardHelpOptions = true,
      description = {
        "Copies every disk of SOURCE into TARGET (a new store, or an interrupted copy of the same"
            + " source: run again to resume), keeping disk ids, paths, metadata, etags, times and"
            + " content addressing. Stop SOURCE's writers first. Both are settings files.",
        "JSON: {\"disks_copied\": N, \"disks_skipped\": N, \"artifacts\": N, \"blobs_copied\": N,"
            + " \"bytes_copied\": N, \"resumed\": ..., \"verify\": {...}}."
      })
  static final class Copy implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SOURCE", description = "settings of the store to copy")
    Path source;

    @Parameters(index = "1", paramLabel = "TARGET", description = "settings of the target store")
    Path target;

    @Option(names = "--verify", negatable = true, defaultValue = "true",
        description = "verify the target afterwards (default: ${DEFAULT-VALUE})")
    boolean verify;

    @Option(names = "--json", description = "print one JSON document instead of text")
    boolean json;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintStream out = ((DiskStoreCli) spec.root().userObject()).io().out();
      StoreSettings from = StoreSettings.load(source);
      from.requireExistingStore();
      StoreSettings to = StoreSettings.load(target);
      if (!json) {
        out.println("source: " + from);
        out.println("target: " + to);
      }
      StoreCopy.Report report = StoreCopy.copy(from.toConfig(), to.toConfig(),
          json ? line -> { } : out::println);
      VerifyReport checked = null;
      if (verify) {
        try (DiskStore store = StoreOptions.open(to)) {
          checked = store.maintenance().verify(false);
        }
      }
      if (json) {
        ObjectNode document = Json.object();
        document.put("disks_copied", report.disksCopied());
        document.put("disks_skipped", report.disksSkipped());
        document.put("artifacts", report.artifacts());
        document.put("blobs_copied", report.blobsCopied());
        document.put("bytes_copied", report.bytesCopied());
        document.put("resumed", report.resumed());
        if (checked != null) {
          document.set("verify", Verify.json(checked));
        }
        Json.print(out, document);
      } else {
        out.printf(Locale.ROOT,
            "copied %d disks (%d already copied), %d artifacts, %d contents (%d bytes)%n",
            report.disksCopied(), report.disksSkipped(), report.artifacts(),
            report.blobsCopied(), report.bytesCopied());
        if (checked != null) {
          Verify.print(checked, out);
        }
      }
      return checked == null || checked.isClean() ? ExitCodes.OK : ExitCodes.FAILURE;
    }
  }
}
