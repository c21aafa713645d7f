package dev.diskstore.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diskstore.Artifact;
import dev.diskstore.ArtifactListing;
import dev.diskstore.Artifacts;
import dev.diskstore.DiskStore;
import dev.diskstore.GetOptions;
import dev.diskstore.Precondition;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The commands on the files of a disk that move no bytes: {@code ls}, {@code rm}, {@code mv},
 * {@code meta} (and {@code meta set}) and {@code url}.
 */
final class FileCommands {
  private FileCommands() {}

  /** {@code ls DISK [PATH] [--recursive]}. */
  @Command(
      name = "ls",
      header = "Lists a directory of a disk.",
      mixinStandardHelpOptions = true,
      description = {
        "Lists a directory of a disk: sub-directories first (NAME/), then files with size, content"
            + " type, last modified and etag. With --recursive, every directory and file below"
            + " it, by full path. A PATH naming a file lists that file.",
        "JSON: {\"disk_id\": ..., \"path\": ..., \"directories\": [...], \"files\": [...]}"
            + " (directories by name, or by full path with --recursive)."
      })
  static final class ListFiles extends StoreCommand.Printing {
    @Parameters(index = "0", paramLabel = "DISK", description = "the disk's id")
    String disk;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PATH", defaultValue = "/",
        description = "a directory (default: the root) or a file")
    String path;

    @Option(names = {"-R", "--recursive"}, description = "everything below PATH")
    boolean recursive;

    @Override
    int run(DiskStore store) {
      Artifacts artifacts = store.disks().artifacts();
      String directory = RemotePath.directory(path);
      List<String> directories = new ArrayList<>();
      List<Artifact> files = new ArrayList<>();
      list(artifacts, directory, directories, files);
      String shown = directory;
      if (directories.isEmpty() && files.isEmpty() && !directory.equals("/")) {
        // not a directory (the store has no empty ones): perhaps a file
        Optional<Artifact> file = path.endsWith("/") ? Optional.empty()
            : artifacts.find(disk, RemotePath.of(path).directory(), RemotePath.of(path).filename())
                .map(r -> r.artifact());
        if (file.isEmpty()) {
          throw CommandException.notFound(
              "no file or directory " + RemotePath.directory(path).replaceAll("/$", "")
                  + " in disk " + disk);
        }
        files.add(file.get());
        shown = file.get().fullPath();
      }
      PrintStream out = io().out();
      if (json) {
        ObjectNode document = Json.object();
        document.put("disk_id", disk);
        document.put("path", shown);
        ArrayNode dirs = document.putArray("directories");
        directories.forEach(dirs::add);
        ArrayNode list = document.putArray("files");
        files.forEach(a -> list.add(Json.artifact(a)));
        Json.print(out, document);
        return ExitCodes.OK;
      }
      directories.forEach(d -> out.println(recursive ? d : d + "/"));
      for (Artifact a : files) {
        out.printf(Locale.ROOT, "%12d  %-24s  %-24s  %s  %s%n", a.sizeBytes(), a.contentType(),
            a.info().lastModified(), a.etag(), recursive ? a.fullPath() : a.filename());
      }
      return ExitCodes.OK;
    }

    private void list(
        Artifacts artifacts, String directory, List<String> directories, List<Artifact> files) {
      List<String> here = new ArrayList<>();
      String cursor = null;
      do {
        ArtifactListing page = artifacts.list(disk, directory, 1000, cursor);
        here.addAll(page.directories());
        files.addAll(page.artifacts());
        cursor = page.nextCursor().orElse(null);
      } while (cursor != null);
      for (String name : here) {
        if (recursive) {
          directories.add(directory + name + "/");
          list(artifacts, directory + name + "/", directories, files);
        } else {
          directories.add(name);
        }
      }
    }
  }

  /** {@code rm DISK REMOTE...}. */
  @Command(
      name = "rm",
      header = "Deletes artifacts.",
      mixinStandardHelpOptions = true,
      description = {
        "Deletes artifacts, in the order given; stops at the first that fails (those before it"
            + " stay deleted).",
        "JSON: {\"deleted\": [full paths]}."
      })
  static final class Remove extends StoreCommand.Printing {
    @Parameters(index = "0", paramLabel = "DISK", description = "the disk's id")
    String disk;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "REMOTE",
        description = "full paths of artifacts, like /docs/a.md")
    List<String> remotes;

    @Option(names = "--if-match", paramLabel = "ETAG",
        description = "only if the artifact still has this etag (one REMOTE only)")
    @Nullable String ifMatch;

    @Override
    int run(DiskStore store) {
      List<RemotePath> paths = remotes.stream().map(RemotePath::of).toList();
      if (ifMatch != null && paths.size() != 1) {
        throw CommandException.usage("--if-match names one version of one artifact, not "
            + paths.size());
      }
      Precondition condition = ifMatch == null ? Precondition.none() : Precondition.ifMatch(ifMatch);
      ArrayNode deleted = Json.array();
      for (RemotePath path : paths) {
        try {
          store.disks().artifacts().delete(disk, path.directory(), path.filename(), condition);
        } catch (RuntimeException e) {
          if (deleted.isEmpty()) {
            throw e;
          }
          throw CommandException.partway(e, deleted.size() + " of " + paths.size()
              + " deleted before it");
        }
        deleted.add(path.full());
        if (!json) {
          io().out().println("deleted " + path);
        }
      }
      if (json) {
        ObjectNode document = Json.object();
        document.set("deleted", deleted);
        Json.print(io().out(), document);
      }
      return ExitCodes.OK;
    }
  }

  /** {@code mv DISK FROM TO}. */
  @Command(
      name = "mv",
      header = "Moves (renames) an artifact.",
      mixinStandardHelpOptions = true,
      description = {
        "Moves (renames) an artifact within its disk; the bytes are not copied, metadata and"
            + " creation time are kept. TO ending with / is a directory keeping the filename. An"
            + " existing destination fails the move (exit 4) unless --overwrite.",
        "JSON: the moved artifact."
      })
  static final class Move extends StoreCommand.Printing {
    @Parameters(index = "0", paramLabel = "DISK", description = "the disk's id")
    String disk;

    @Parameters(index = "1", paramLabel = "FROM", description = "the artifact's full path")
    String from;

    @Parameters(index = "2", paramLabel = "TO", description = "the new full path, or a directory")
    String to;

    @Option(names = "--overwrite", description = "replace an artifact at TO")
    boolean overwrite;

    @Option(names = "--if-match", paramLabel = "ETAG",
        description = "only if FROM still has this etag")
    @Nullable String ifMatch;

    @Override
    int run(DiskStore store) {
      RemotePath source = RemotePath.of(from);
      RemotePath target = to.endsWith("/")
          ? new RemotePath(RemotePath.directory(to), source.filename()) : RemotePath.of(to);
      Artifact moved = store.disks().artifacts().move(disk, source.directory(), source.filename(),
          target.directory(), target.filename(),
          ifMatch == null ? Precondition.none() : Precondition.ifMatch(ifMatch), overwrite);
      if (json) {
        Json.print(io().out(), Json.artifact(moved));
      } else {
        io().out().println("moved " + source + " -> " + moved.fullPath());
      }
      return ExitCodes.OK;
    }
  }

  /** {@code meta DISK REMOTE}, and {@code meta set DISK REMOTE JSON}. */
  @Command(
      name = "meta",
      header = "Shows an artifact's metadata (meta set: replaces it).",
      mixinStandardHelpOptions = true,
      description = {
        "Shows an artifact's metadata: the user's keys and __artifact_info__ (size, content type,"
            + " last modified, sha256, etag), as indented JSON.",
        "JSON: the artifact (user metadata under \"meta\")."
      },
      subcommands = {FileCommands.Meta.Set.class})
  static final class Meta extends StoreCommand.Printing {
    // not two required parameters: picocli would then demand them before "meta set" too
    @Parameters(arity = "0..2", paramLabel = "DISK REMOTE",
        description = "the disk's id and the artifact's full path, like /docs/a.md")
    List<String> arguments = new ArrayList<>();

    @Override
    int run(DiskStore store) {
      if (arguments.size() != 2) {
        throw CommandException.usage("meta takes DISK and REMOTE (or: meta set DISK REMOTE JSON)");
      }
      RemotePath path = RemotePath.of(arguments.get(1));
      Artifact artifact = store.disks().artifacts()
          .get(arguments.get(0), path.directory(), path.filename()).artifact();
      if (json) {
        Json.print(io().out(), Json.artifact(artifact));
      } else {
        io().out().println(Json.pretty(artifact.meta()));
      }
      return ExitCodes.OK;
    }

    /** {@code meta set DISK REMOTE JSON}. */
    @Command(
        name = "set",
        header = "Replaces an artifact's user metadata.",
        mixinStandardHelpOptions = true,
        description = {
          "Replaces an artifact's user metadata with a JSON object ({} clears it); the bytes are"
              + " untouched, the etag changes.",
          "JSON: the updated artifact."
        })
    static final class Set extends StoreCommand.Printing {
      @Parameters(index = "0", paramLabel = "DISK", description = "the disk's id")
      String disk;

      @Parameters(index = "1", paramLabel = "REMOTE", description = "the artifact's full path")
      String remote;

      @Parameters(index = "2", paramLabel = "JSON", description = "the new user metadata, like"
          + " '{\"author\": \"alice\"}'")
      String metadata;

      @Option(names = "--if-match", paramLabel = "ETAG",
          description = "only if the artifact still has this etag")
      @Nullable String ifMatch;

      @Override
      int run(DiskStore store) {
        RemotePath path = RemotePath.of(remote);
        Map<String, Object> meta = Json.metadata(metadata);
        Artifact updated = store.disks().artifacts().update(disk, path.directory(),
            path.filename(), meta, ifMatch == null ? Precondition.none()
                : Precondition.ifMatch(ifMatch));
        if (json) {
          Json.print(io().out(), Json.artifact(updated));
        } else {
          io().out().println("updated the metadata of " + path + " (etag " + updated.etag() + ")");
        }
        return ExitCodes.OK;
      }
    }
  }

  /** {@code url DISK REMOTE [--expire SECONDS] [--wait]}. */
  @Command(
      name = "url",
      header = "Prints a signed download URL.",
      mixinStandardHelpOptions = true,
      description = {
        "Prints a signed download URL for an artifact, valid for --expire seconds. S3 stores"
            + " print a presigned S3 URL. A store with a local blob directory serves its URLs"
            + " from the process that signed them: they stop working when diskstore exits, so"
            + " add --wait to keep serving until the URL expires (or Ctrl-C).",
        "JSON: {\"url\": ..., \"expires_at\": ...}."
      })
  static final class Url extends StoreCommand.Printing {
    @Parameters(index = "0", paramLabel = "DISK", description = "the disk's id")
    String disk;

    @Parameters(index = "1", paramLabel = "REMOTE", description = "the artifact's full path")
    String remote;

    @Option(names = "--expire", paramLabel = "SECONDS", defaultValue = "3600",
        description = "lifetime, 1-604800 seconds (default: ${DEFAULT-VALUE})")
    long expire;

    @Option(names = "--wait", description = "keep serving the URL until it expires (stores with"
        + " a local blob directory)")
    boolean waitForExpiry;

    @Override
    int run(DiskStore store) {
      RemotePath path = RemotePath.of(remote);
      GetOptions options = GetOptions.builder().withPublicUrl(true).expireSeconds(expire).build();
      Instant expiresAt = Instant.now().plusSeconds(expire);
      URI url = store.disks().artifacts().get(disk, path.directory(), path.filename(), options)
          .publicUrl().orElseThrow(() -> new CommandException(ExitCodes.FAILURE,
              "the store gave no download URL for " + path));
      if (json) {
        ObjectNode document = Json.object();
        document.put("url", url.toString());
        document.put("expires_at", expiresAt.toString());
        Json.print(io().out(), document);
      } else {
        io().out().println(url);
      }
      io().out().flush();
      boolean inProcess = storeOptions().settings().urlsServedInProcess();
      if (inProcess && !waitForExpiry) {
        io().err().println("diskstore: note: this URL is served by this process and stops working"
            + " when it exits; add --wait to keep serving it");
      }
      if (inProcess && waitForExpiry) {
        try {
          Thread.sleep(Math.max(0, Duration.between(Instant.now(), expiresAt).toMillis()));
        } catch (InterruptedException e) {
          // asked to stop serving: the run ends normally (the flag is not restored, as closing
          // the store must not meet an interrupted thread)
        }
      }
      return ExitCodes.OK;
    }
  }
}
