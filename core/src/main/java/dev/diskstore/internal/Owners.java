package dev.diskstore.internal;

import dev.diskstore.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Liveness of store instances, for garbage collection of abandoned writes. Each open store
 * instance holds an exclusive OS lock on {@code owners/<id>.lock} in the store directory for its
 * lifetime; the OS drops the lock when the process dies, however it dies. An owner is alive while
 * its lock file is locked (by any process) or while it is open in this JVM.
 */
final class Owners implements AutoCloseable {
  /** Instances open in this JVM: their files are locked by us, which tryLock cannot tell apart. */
  private static final Set<String> LIVE_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

  private final Path directory;
  private final String id;
  private final FileChannel channel;
  private final FileLock lock;

  Owners(Path storeDirectory) {
    this.directory = storeDirectory.resolve("owners");
    this.id = UUID.randomUUID().toString().replace("-", "");
    try {
      Files.createDirectories(directory);
      Path file = directory.resolve(id + ".lock");
      channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      lock = channel.lock();
    } catch (IOException e) {
      throw new StorageException("cannot create the owner lock in " + directory + ": " + e, e);
    }
    LIVE_IN_THIS_JVM.add(id);
  }

  /** This instance's owner id. */
  String id() {
    return id;
  }

  /** Whether the owner {@code ownerId} may still be writing. Errs on the side of "alive". */
  boolean isAlive(String ownerId) {
    if (LIVE_IN_THIS_JVM.contains(ownerId)) {
      return true;
    }
    if (!ownerId.matches("[0-9a-f]{32}")) {
      return false;
    }
    Path file = directory.resolve(ownerId + ".lock");
    try (FileChannel other = FileChannel.open(file, StandardOpenOption.WRITE)) {
      FileLock probe = other.tryLock();
      if (probe == null) {
        return true;
      }
      probe.release();
      return false;
    } catch (NoSuchFileException e) {
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    } catch (IOException e) {
      return true;
    }
  }

  /** Removes lock files of dead owners that no pending write mentions any more. */
  void forgetDead(Set<String> stillReferenced) {
    try (var files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".lock")) {
          continue;
        }
        String owner = name.substring(0, name.length() - ".lock".length());
        if (!owner.equals(id) && !stillReferenced.contains(owner) && !isAlive(owner)) {
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException e) {
      // housekeeping only; the next collection retries
    }
  }

  @Override
  public void close() {
    LIVE_IN_THIS_JVM.remove(id);
    try {
      lock.release();
      channel.close();
      Files.deleteIfExists(directory.resolve(id + ".lock"));
    } catch (IOException e) {
      // the OS releases the lock with the process anyway
    }
  }
}
