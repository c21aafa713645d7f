package dev.diskstore.spi.index;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What an index needs from the store's configuration.
 *
 * @param directory the store's local directory, if one was configured (the SQLite index keeps its
 *     files and lock files there; an index on a database server needs none)
 * @param busyTimeout how long a transaction waits for a lock held by another instance before it
 *     fails with a retryable {@link dev.diskstore.StorageException}
 * @param readConnections how many read transactions may run at once
 * @param durableCommits whether a durable write is on stable storage when it returns ({@code
 *     false}: it survives a process crash but may be lost with a power failure)
 * @param clock the store's clock, for the index's own bookkeeping
 */
public record IndexContext(
    Optional<Path> directory,
    Duration busyTimeout,
    int readConnections,
    boolean durableCommits,
    Clock clock) {
  public IndexContext {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(busyTimeout, "busyTimeout");
    Objects.requireNonNull(clock, "clock");
    if (readConnections < 1) {
      throw new IllegalArgumentException("readConnections must be positive: " + readConnections);
    }
  }
}
