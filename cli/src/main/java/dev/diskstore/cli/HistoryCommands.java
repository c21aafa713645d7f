package dev.diskstore.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diskstore.Artifact;
import dev.diskstore.ArtifactVersion;
import dev.diskstore.ArtifactVersionPage;
import dev.diskstore.DiskStore;
import dev.diskstore.Precondition;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The commands on an artifact's history ({@link dev.diskstore.History}): {@code versions} lists
 * what each change left, {@code restore} makes a version current again. {@code get --version} and
 * {@code cat --version} read an old version's bytes ({@link TransferCommands}).
 */
final class HistoryCommands {
  /** Versions fetched per page of the listing. */
  private static final int PAGE = 1000;

  /** Hex digits of the SHA-256 shown in the text listing. */
  private static final int SHA256_PREFIX = 12;

  private HistoryCommands() {}

  /** {@code versions DISK REMOTE [--limit N]}. */
  @Command(
      name = "versions",
      header = "Lists the versions of an artifact, newest first.",
      mixinStandardHelpOptions = true,
      description = {
        "Lists the versions the store keeps of an artifact, newest first, one a line: number,"
            + " change (UPSERTED, UPDATED, MOVED_IN, MOVED_AWAY, DELETED, RESTORED), time, size,"
            + " etag and the start of the SHA-256 (- for a change that removed the artifact)."
            + " Works after the artifact was deleted. Nothing is listed (exit code 0) when no"
            + " version is kept: the artifact never existed, or the store keeps no history.",
        "JSON: [{\"version\": N, \"change\": ..., \"changed_at\": ..., \"artifact\": {...} or"
            + " null}]."
      })
  static final class Versions extends StoreCommand.Printing {
    @Parameters(index = "0", paramLabel = "DISK", description = "the disk's id")
    String disk;

    @Parameters(index = "1", paramLabel = "REMOTE", description = "the artifact's full path, like"
        + " /docs/a.md")
    String remote;

    @Option(names = "--limit", paramLabel = "N",
        description = "only the N newest versions (default: all)")
    @Nullable Integer limit;

    @Override
    int run(DiskStore store) {
      if (limit != null && limit < 1) {
        throw CommandException.usage("--limit must be at least 1, not " + limit);
      }
      RemotePath path = RemotePath.of(remote);
      List<ArtifactVersion> versions = list(store, path);
      PrintStream out = io().out();
      if (json) {
        ArrayNode document = Json.array();
        versions.forEach(v -> document.add(Json.version(v)));
        Json.print(out, document);
        return ExitCodes.OK;
      }
      if (versions.isEmpty()) {
        io().err().println("diskstore: note: no versions of " + path + " in disk " + disk
            + " are kept (it never existed, or the store keeps no history)");
      }
      for (ArtifactVersion v : versions) {
        Artifact a = v.artifact().orElse(null);
        out.printf(Locale.ROOT, "%6d  %-10s  %-27s  %12s  %-32s  %s%n", v.version(), v.change(),
            v.changedAt(), a == null ? "-" : Long.toString(a.sizeBytes()),
            a == null ? "-" : a.etag(), a == null ? "-" : shortSha256(a));
      }
      return ExitCodes.OK;
    }

    private static String shortSha256(Artifact a) {
      return a.sha256().substring(0, Math.min(SHA256_PREFIX, a.sha256().length()));
    }

    /** Every version kept, newest first, up to {@code --limit}: page after page. */
    private List<ArtifactVersion> list(DiskStore store, RemotePath path) {
      List<ArtifactVersion> versions = new ArrayList<>();
      String cursor = null;
      do {
        int wanted = limit == null ? PAGE : Math.min(PAGE, limit - versions.size());
        ArtifactVersionPage page = store.disks().artifacts()
            .versions(disk, path.directory(), path.filename(), wanted, cursor);
        versions.addAll(page.items());
        cursor = page.nextCursor().orElse(null);
      } while (cursor != null && (limit == null || versions.size() < limit));
      return versions;
    }
  }

  /** {@code restore DISK REMOTE VERSION}. */
  @Command(
      name = "restore",
      header = "Makes an earlier version of an artifact current again.",
      mixinStandardHelpOptions = true,
      description = {
        "Makes VERSION (a number that versions lists) the artifact's current state again: its"
            + " bytes, content type and user metadata, with a new etag; the restore is itself a"
            + " new version. Works after the artifact was deleted or moved away (an undelete)."
            + " A version that does not exist, or records a removal, fails with exit code 3.",
        "JSON: the restored artifact."
      })
  static final class Restore extends StoreCommand.Printing {
    @Parameters(index = "0", paramLabel = "DISK", description = "the disk's id")
    String disk;

    @Parameters(index = "1", paramLabel = "REMOTE", description = "the artifact's full path, like"
        + " /docs/a.md")
    String remote;

    @Parameters(index = "2", paramLabel = "VERSION", description = "the version to restore")
    long version;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    TransferCommands.@Nullable Condition condition;

    @Override
    int run(DiskStore store) {
      if (version < 0) {
        throw CommandException.usage("VERSION must be a version number (0 or more), not "
            + version);
      }
      RemotePath path = RemotePath.of(remote);
      Artifact restored = store.disks().artifacts().restore(disk, path.directory(),
          path.filename(), version,
          condition == null ? Precondition.none() : condition.toPrecondition());
      if (json) {
        Json.print(io().out(), Json.artifact(restored));
      } else {
        io().out().printf(Locale.ROOT, "restored %s to the content of version %d (%s, etag %s)%n",
            restored.fullPath(), version, Progress.size(restored.sizeBytes()), restored.etag());
      }
      return ExitCodes.OK;
    }
  }
}
