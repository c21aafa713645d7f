package dev.diskstore.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diskstore.Disk;
import dev.diskstore.DiskListRequest;
import dev.diskstore.DiskPage;
import dev.diskstore.DiskStore;
import java.io.PrintStream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code diskstore disks}: lists disks one page at a time; {@code disks create} and {@code disks
 * delete} are its subcommands.
 */
@Command(
    name = "disks",
    header = "Lists disks (subcommands: create, delete).",
    mixinStandardHelpOptions = true,
    description = {
      "Lists disks, one page at a time in creation order (id, user, created).",
      "JSON: {\"disks\": [...], \"has_more\": ..., \"next_cursor\": ...}."
    },
    subcommands = {DiskCommands.Create.class, DiskCommands.Delete.class})
final class DiskCommands extends StoreCommand.Printing {
  @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
      description = "disks per page, 1-200 (default: ${DEFAULT-VALUE})")
  int limit;

  @Option(names = "--cursor", paramLabel = "CURSOR",
      description = "continue after the page that printed this cursor")
  @Nullable String cursor;

  @Option(names = "--user", paramLabel = "USER", description = "only this user's disks")
  @Nullable String user;

  @Option(names = "--time-desc", description = "newest first")
  boolean timeDesc;

  @Override
  int run(DiskStore store) {
    DiskPage page = store.disks().list(DiskListRequest.builder().limit(limit).cursor(cursor)
        .user(user).timeDesc(timeDesc).build());
    PrintStream out = io().out();
    if (json) {
      ObjectNode document = Json.object();
      ArrayNode disks = document.putArray("disks");
      page.items().forEach(d -> disks.add(Json.disk(d)));
      document.put("has_more", page.hasMore());
      document.put("next_cursor", page.nextCursor().orElse(null));
      Json.print(out, document);
      return ExitCodes.OK;
    }
    for (Disk disk : page.items()) {
      out.println(disk.id() + "  " + disk.findUser().orElse("-") + "  " + disk.createdAt());
    }
    page.nextCursor().ifPresent(c -> out.println("(more: --cursor " + c + ")"));
    return ExitCodes.OK;
  }

  /** {@code disks create}: the one command that creates an embedded store that does not exist. */
  @Command(
      name = "create",
      header = "Creates a disk (and an embedded store that does not exist yet).",
      mixinStandardHelpOptions = true,
      description = {
        "Creates a disk and prints its id. Creates the store too if --store DIR holds none yet"
            + " (the only command that does).",
        "JSON: the disk."
      })
  static final class Create extends StoreCommand.Printing {
    @Option(names = "--user", paramLabel = "USER", description = "the disk's owner identifier")
    @Nullable String user;

    @Override
    boolean createsStore() {
      return true;
    }

    @Override
    int run(DiskStore store) {
      Disk disk = store.disks().create(user);
      if (json) {
        Json.print(io().out(), Json.disk(disk));
      } else {
        io().out().println(disk.id());
      }
      return ExitCodes.OK;
    }
  }

  /** {@code disks delete ID}. */
  @Command(
      name = "delete",
      header = "Deletes a disk and everything in it.",
      mixinStandardHelpOptions = true,
      description = {
        "Deletes a disk and every artifact in it.",
        "JSON: {\"deleted\": ID}."
      })
  static final class Delete extends StoreCommand.Printing {
    @Parameters(paramLabel = "DISK", description = "the disk's id")
    String disk;

    @Override
    int run(DiskStore store) {
      store.disks().delete(disk);
      if (json) {
        ObjectNode document = Json.object();
        document.put("deleted", disk);
        Json.print(io().out(), document);
      } else {
        io().out().println("deleted disk " + disk);
      }
      return ExitCodes.OK;
    }
  }
}
