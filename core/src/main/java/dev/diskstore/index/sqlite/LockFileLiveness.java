package dev.diskstore.index.sqlite;

import dev.diskstore.spi.index.Liveness;

import dev.diskstore.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * {@link Liveness} by OS file locks: each open store instance holds an exclusive lock on {@code
 * owners/<id>.lock} in the store directory for its lifetime; the OS drops the lock when the process
 * dies, however it dies. An owner is alive while its lock file exists and is locked (by any
 * process), or while it is open in this JVM.
 *
 * <p><b>No lock on an unlinked file.</b> A lock file is only ever deleted by a process that holds its
 * lock at that moment: {@link #forgetDead()} deletes a dead owner's file while holding the lock it
 * just acquired, and {@link #close()} deletes its own file before releasing its lock. A new owner
 * creates its file, locks it, and only then checks that the file still exists at its path: if a
 * cleaner had acquired the lock in between (the file was not locked yet, so it looked dead) and
 * deleted it, the new owner's lock comes after that deletion and the check fails; it then starts over
 * with a new id. So a live owner's lock file always exists and is locked, and no other process can
 * take it for dead. Within this JVM, {@link java.nio.channels.FileChannel#tryLock} cannot see locks
 * of the same JVM (and a second lock would throw), so owners open in this JVM are known from a set,
 * entered before their file is created.
 *
 * <p>POSIX record locks belong to the process and are all dropped when <em>any</em> descriptor of the
 * file is closed by it: this class never opens another instance's file in the process that owns it
 * (owners of this JVM are answered from the set).
 */
final class LockFileLiveness implements Liveness {
  /** Owners open in this JVM: their files are locked by us, which tryLock cannot tell apart. */
  private static final Set<String> LIVE_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

  private static final int MAX_ATTEMPTS = 100;

  private final Path directory;
  private final String id;
  private final FileChannel channel;
  private final FileLock lock;
  private boolean closed;

  LockFileLiveness(Path storeDirectory) {
    this(storeDirectory, file -> {});
  }

  /**
   * @param afterCreate for tests: runs between the creation of a candidate lock file and its
   *     locking, where another process's cleaner may delete it
   */
  LockFileLiveness(Path storeDirectory, java.util.function.Consumer<Path> afterCreate) {
    this.directory = storeDirectory.resolve("owners");
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new StorageException("cannot create the owner lock directory " + directory + ": " + e, e);
    }
    for (int attempt = 1; ; attempt++) {
      String candidate = UUID.randomUUID().toString().replace("-", "");
      LIVE_IN_THIS_JVM.add(candidate);
      Path file = directory.resolve(candidate + ".lock");
      FileChannel opened = null;
      try {
        opened = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        afterCreate.accept(file);
        FileLock locked = opened.lock(); // waits only while a prober or cleaner holds it briefly
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
          this.id = candidate;
          this.channel = opened;
          this.lock = locked;
          return;
        }
        // a cleaner took the file for dead and deleted it before we locked it: start over
      } catch (IOException e) {
        LIVE_IN_THIS_JVM.remove(candidate);
        closeQuietly(opened);
        throw new StorageException("cannot create the owner lock in " + directory + ": " + e, e);
      }
      LIVE_IN_THIS_JVM.remove(candidate);
      closeQuietly(opened);
      if (attempt >= MAX_ATTEMPTS) {
        throw new StorageException(
            "cannot create the owner lock in " + directory + ": its file was deleted " + attempt
                + " times before it could be locked",
            true, null);
      }
    }
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public boolean isAlive(String ownerId) {
    if (LIVE_IN_THIS_JVM.contains(ownerId)) {
      return true;
    }
    if (!ownerId.matches("[0-9a-f]{32}")) {
      return false;
    }
    Path file = directory.resolve(ownerId + ".lock");
    try (FileChannel other = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      FileLock probe = other.tryLock();
      if (probe == null) {
        return true;
      }
      probe.release();
      return false;
    } catch (NoSuchFileException e) {
      return false;
    } catch (OverlappingFileLockException e) {
      return true; // another thread of this JVM is probing it right now
    } catch (IOException e) {
      return true;
    }
  }

  /** Deletes the lock files of dead owners, each while holding its lock (see the class comment). */
  @Override
  public void forgetDead() {
    try (var files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".lock")) {
          continue;
        }
        String owner = name.substring(0, name.length() - ".lock".length());
        if (LIVE_IN_THIS_JVM.contains(owner)) {
          continue;
        }
        try (FileChannel other =
            FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
          FileLock held = other.tryLock();
          if (held != null) {
            Files.deleteIfExists(file);
            held.release();
          }
        } catch (OverlappingFileLockException | IOException e) {
          // alive, being probed, or already gone: leave it to the next collection
        }
      }
    } catch (IOException e) {
      // housekeeping only; the next collection retries
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Files.deleteIfExists(directory.resolve(id + ".lock")); // while still holding the lock
      lock.release();
    } catch (IOException e) {
      // the OS releases the lock with the process anyway
    } finally {
      closeQuietly(channel);
      LIVE_IN_THIS_JVM.remove(id);
    }
  }

  private static void closeQuietly(@Nullable FileChannel c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }
}
