package dev.diskstore.cli;

import dev.diskstore.DiskStore;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A command that opens the store named by {@code --store} / {@code --config} ({@link
 * StoreOptions}, accepted after the command or before it), runs on it and closes it. Subclasses implement {@link #run(DiskStore)}, return
 * an exit code and let exceptions through: {@link DiskStoreCli} turns them into one line on
 * standard error and an exit code.
 */
abstract class StoreCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Spec CommandSpec spec;

  /** Whether the command may create a store that does not exist yet (only {@code disks create}). */
  boolean createsStore() {
    return false;
  }

  abstract int run(DiskStore store);

  @Override
  public Integer call() {
    try (DiskStore opened = storeOptions().open(createsStore())) {
      return run(opened);
    }
  }

  /**
   * The store options given nearest to this command: its own ({@code diskstore ls --store d}),
   * else its parent command's ({@code diskstore disks --store d create}), else the top level's
   * ({@code diskstore --store d ls}).
   */
  StoreOptions storeOptions() {
    for (CommandSpec s = spec; s != null; s = s.parent()) {
      Object command = s.userObject();
      StoreOptions options = command instanceof StoreCommand c ? c.store
          : command instanceof DiskStoreCli root ? root.store : null;
      if (options != null && options.isGiven()) {
        return options;
      }
    }
    return store;
  }

  /** The streams of this run. */
  Io io() {
    return ((DiskStoreCli) spec.root().userObject()).io();
  }

  /**
   * A store command that prints data, as text for people or, with {@code --json}, as one JSON
   * document on standard output.
   */
  abstract static class Printing extends StoreCommand {
    @Option(names = "--json", description = "print one JSON document instead of text")
    boolean json;
  }
}
