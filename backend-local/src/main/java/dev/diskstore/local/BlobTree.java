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
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The directory tree of a local blob root: gives out {@code <root>/objects} as a {@link
 * BlobDirectory}, from which every directory and file of a blob is reached one level at a time
 * without following links. The root and the path to it are the user's choice and are followed;
 * {@code objects} and everything below it are the backend's own and never are.
 *
 * <p>With {@link Traversal#DIRECTORY_HANDLES} one handle on {@code objects} is kept open and shared
 * by all operations, so that an operation opens only the directories below it. Each use first
 * checks, with one {@code lstat} of {@code <root>/objects}, that the name still denotes the
 * directory the handle holds (same device and inode: the open handle keeps the inode from being
 * reused); if {@code objects} was removed, recreated or replaced (by another process, or by hand),
 * the stale handle is dropped and a new one opened, or the operation refused when a link is there
 * now. The check is for freshness only: the handle itself never leads through a link.
 *
 * <p>Thread-safe. {@link #close()} closes the shared handle once the operations using it are done.
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

  private final Path root;
  private final Path objects;
  private final Traversal traversal;
  private final AtomicReference<@Nullable HandleDirectory> sharedObjects = new AtomicReference<>();
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

  /** Closes the shared handle (once in-flight operations release it); later calls fail. */
  @Override
  public void close() {
    closed = true;
    retireShared();
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
