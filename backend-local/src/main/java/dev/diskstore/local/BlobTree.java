package dev.diskstore.local;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The directory tree of a local blob root: gives out {@code <root>/objects} as a {@link
 * BlobDirectory}, from which every directory and file of a blob is reached one level at a time
 * without following links. The root and the path to it are the user's choice and are followed;
 * {@code objects} and everything below it are the backend's own and never are.
 *
 * <p>With {@link Traversal#DIRECTORY_HANDLES} one handle on {@code objects} is kept open and shared
 * by all operations, and so are handles on up to {@value #CACHED_SHARDS} directories directly below
 * it (the shards of the store's keys), so that a typical operation opens no directory at all. Each
 * use of a kept handle first checks that the name still denotes the directory the handle holds:
 * one {@code lstat} of {@code <root>/objects}, one {@code fstatat} of the shard relative to {@code
 * objects} (which an operation needs anyway to refuse a link), comparing device and inode (an open
 * handle keeps its inode from being reused, so equal means the same directory). If the directory
 * was removed, recreated or replaced (by another process, or by hand), the stale handle is dropped
 * and a new one opened, or the operation refused when a link is there now. The check is for
 * freshness only: a handle itself never leads through a link.
 *
 * <p>Thread-safe. {@link #close()} closes the kept handles once the operations using them are done.
 */
final class BlobTree implements Closeable {
  /** How the tree is walked. */
  enum Traversal {
    /** Relative to open directory handles ({@link HandleDirectory}): Linux, macOS. */
    DIRECTORY_HANDLES,
    /** Paths checked level by level ({@link CheckedPathDirectory}): the fallback. */
    CHECKED_PATHS
  }

  static final String OBJECTS = "objects";

  /** How long a directory prepared by {@link HandleDirectory#createDirectory} may take to move. */
  private static final Duration ABANDONED_AFTER = Duration.ofMinutes(10);

  /** How often in a row {@code objects} may change under one call before the call gives up. */
  private static final int OBJECTS_ATTEMPTS = 4;

  /**
   * How many handles on directories directly below {@code objects} are kept: each holds two
   * descriptors and a 32 KiB directory buffer. The store's keys spread over 256 shards, written 16
   * keys per shard in turn, so writers use one at a time and reads of recent blobs hit; reads
   * spread evenly over all 256 shards find a kept handle about one time in four.
   */
  static final int CACHED_SHARDS = 64;

  private final Path root;
  private final Path objects;
  private final Traversal traversal;
  private final AtomicReference<@Nullable HandleDirectory> sharedObjects = new AtomicReference<>();
  /** Kept handles on directories directly below {@code objects}, by name; each holds a reference. */
  private final ConcurrentHashMap<String, HandleDirectory> sharedShards = new ConcurrentHashMap<>();
  private volatile boolean closed;

  BlobTree(Path root, Traversal traversal) {
    this.root = root;
    this.objects = root.resolve(OBJECTS);
    this.traversal = traversal;
  }

  /**
   * {@link Traversal#DIRECTORY_HANDLES} where the platform has {@link
   * java.nio.file.SecureDirectoryStream} for the default file system, else {@link
   * Traversal#CHECKED_PATHS}.
   */
  static Traversal bestTraversal(Path root) throws IOException {
    if (root.getFileSystem() != FileSystems.getDefault()) {
      return Traversal.CHECKED_PATHS; // other providers need not hand out FileChannels
    }
    try (HandleDirectory handle = HandleDirectory.openRoot(root)) {
      return handle != null ? Traversal.DIRECTORY_HANDLES : Traversal.CHECKED_PATHS;
    }
  }

  Traversal traversal() {
    return traversal;
  }

  /**
   * {@code <root>/objects}, which the caller closes.
   *
   * @param create whether to create it if it is missing
   * @throws NoSuchFileException if it is missing (and not {@code create})
   * @throws java.nio.file.NotDirectoryException if something else than a directory has its name
   * @throws LinkRefusedException if it is a link
   */
  BlobDirectory objects(boolean create) throws IOException {
    for (int attempt = 1; ; attempt++) {
      if (closed) {
        throw new IOException("the local blob backend at " + root + " is closed");
      }
      BasicFileAttributes now = attributesOf(objects);
      if (now == null && create) {
        try {
          // Only the root's path is resolved, and mkdir never follows a link at the new name.
          Files.createDirectory(objects);
        } catch (FileAlreadyExistsException e) {
          // created concurrently, or something else is there: checked below
        }
        now = attributesOf(objects);
      }
      BlobDirectory.requireDirectory(now, objects);
      if (traversal == Traversal.CHECKED_PATHS) {
        return new CheckedPathDirectory(objects);
      }
      HandleDirectory shared = sharedObjects.get();
      if (shared != null && Objects.equals(shared.identity(), now.fileKey()) && shared.retain()) {
        return shared;
      }
      if (attempt >= OBJECTS_ATTEMPTS) {
        throw new IOException(objects + " keeps being replaced");
      }
      HandleDirectory fresh = openObjects();
      if (sharedObjects.compareAndSet(shared, fresh)) {
        if (shared != null) {
          shared.close(); // the tree's reference; operations still using it keep it open
        }
        if (closed) {
          retireShared();
        }
      } else {
        fresh.close();
      }
    }
  }

  /**
   * The directory {@code name} directly below {@code objects} (which the caller obtained from
   * {@link #objects} and still holds), which the caller closes: a kept handle if it still denotes
   * the directory under that name, else a newly opened one (then kept).
   *
   * @throws NoSuchFileException if there is no such entry
   * @throws java.nio.file.NotDirectoryException if it is not a directory
   * @throws LinkRefusedException if it is a link
   */
  BlobDirectory shard(BlobDirectory objects, String name) throws IOException {
    if (traversal == Traversal.CHECKED_PATHS) {
      return objects.openDirectory(name);
    }
    BasicFileAttributes now = objects.attributes(name);
    BlobDirectory.requireDirectory(now, objects.path().resolve(name));
    HandleDirectory kept = sharedShards.get(name);
    if (kept != null && Objects.equals(kept.identity(), now.fileKey()) && kept.retain()) {
      return kept;
    }
    HandleDirectory fresh = (HandleDirectory) objects.openDirectory(name);
    try {
      fresh.identity();
    } catch (IOException | RuntimeException e) {
      fresh.close();
      throw e;
    }
    if (fresh.retain()) { // the cache's reference; the caller keeps the first
      HandleDirectory replaced = sharedShards.put(name, fresh);
      if (replaced != null) {
        replaced.close();
      }
      evictBeyondLimit(name);
      if (closed) {
        retireShards();
      }
    }
    return fresh;
  }

  /** Forces the root directory, which holds the entry of {@code objects}. */
  void forceRoot() throws IOException {
    try (FileChannel channel = FileChannel.open(root, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /**
   * Removes the empty directories that {@link HandleDirectory#createDirectory} prepared in the root
   * and never moved (the process died in between), once they are old enough that no live process
   * can still be about to move them. Best effort.
   */
  void removeAbandonedNewDirectories() {
    Instant before = Instant.now().minus(ABANDONED_AFTER);
    try (DirectoryStream<Path> entries =
        Files.newDirectoryStream(root, HandleDirectory.NEW_DIRECTORY_PREFIX + "*")) {
      for (Path entry : entries) {
        BasicFileAttributes attributes = attributesOf(entry);
        if (attributes != null
            && attributes.isDirectory()
            && !BlobDirectory.isLink(attributes)
            && attributes.lastModifiedTime().toInstant().isBefore(before)) {
          try {
            Files.delete(entry); // an empty directory; fails harmlessly if not empty
          } catch (IOException ignored) {
            // left for the next open
          }
        }
      }
    } catch (IOException ignored) {
      // best effort: nothing depends on it
    }
  }

  /** Closes the kept handles (once in-flight operations release them); later calls fail. */
  @Override
  public void close() {
    closed = true;
    retireShared();
    retireShards();
  }

  private void retireShards() {
    for (String name : sharedShards.keySet()) {
      HandleDirectory removed = sharedShards.remove(name);
      if (removed != null) {
        removed.close();
      }
    }
  }

  /** Drops kept shard handles (other than {@code keep}'s) while there are too many. */
  private void evictBeyondLimit(String keep) {
    Iterator<String> names = sharedShards.keySet().iterator();
    while (sharedShards.size() > CACHED_SHARDS && names.hasNext()) {
      String name = names.next();
      if (!name.equals(keep)) {
        HandleDirectory removed = sharedShards.remove(name);
        if (removed != null) {
          removed.close();
        }
      }
    }
  }

  private void retireShared() {
    HandleDirectory shared = sharedObjects.getAndSet(null);
    if (shared != null) {
      shared.close();
    }
  }

  private HandleDirectory openObjects() throws IOException {
    try (HandleDirectory rootDirectory = HandleDirectory.openRoot(root)) {
      if (rootDirectory == null) {
        throw new IOException("the root " + root + " cannot be opened as a directory handle");
      }
      HandleDirectory opened = (HandleDirectory) rootDirectory.openDirectory(OBJECTS);
      try {
        opened.identity(); // known from now on, for the check above
        return opened;
      } catch (IOException | RuntimeException e) {
        opened.close();
        throw e;
      }
    }
  }

  private static @Nullable BasicFileAttributes attributesOf(Path path) throws IOException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
  }
}
