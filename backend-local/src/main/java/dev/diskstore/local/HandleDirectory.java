package dev.diskstore.local;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A {@link BlobDirectory} that is an open directory handle ({@link SecureDirectoryStream}: on Linux
 * and macOS every operation is an {@code openat}, {@code fstatat}, {@code renameat} or {@code
 * unlinkat} relative to the handle's descriptor, with {@code O_NOFOLLOW} or {@code
 * AT_SYMLINK_NOFOLLOW}). Whatever happens to the path of this directory after it was opened — a
 * directory above it renamed, a link put in its place — its operations still act on the directory
 * that was opened, and never through a link.
 *
 * <p>Java has no {@code mkdirat}, so {@link #createDirectory} prepares the new, empty directory in
 * the root (whose path is the user's choice and may involve links) under a unique name, and renames
 * it into this directory relative to both handles ({@code renameat}); see {@link
 * #NEW_DIRECTORY_PREFIX}.
 *
 * <p>Reference-counted, so that one handle can be shared: it is created with one reference, {@link
 * #retain()} adds one, {@link #close()} drops one, and the handle is closed with the last. Thread-safe.
 */
final class HandleDirectory implements BlobDirectory {
  /**
   * Names of the directories {@link #createDirectory} prepares in the root. One lives for the
   * microseconds between its {@code mkdir} and its rename; one left by a crash in between is empty
   * and removed when a backend is next opened ({@link BlobTree#removeAbandonedNewDirectories}).
   */
  static final String NEW_DIRECTORY_PREFIX = ".diskstore-new-directory-";

  private static final Path SELF = Path.of(".");
  private static final Set<OpenOption> READ_NOFOLLOW =
      Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
  private static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ);
  private static final Set<OpenOption> CREATE_NEW =
      Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

  private final SecureDirectoryStream<Path> stream;
  private final Path path;
  private final Path root;
  private final AtomicInteger references = new AtomicInteger(1);
  private volatile @Nullable Object identity;

  private HandleDirectory(SecureDirectoryStream<Path> stream, Path path, Path root) {
    this.stream = stream;
    this.path = path;
    this.root = root;
  }

  /**
   * Opens the root directory itself, following links on its path (the user chose it), or returns
   * null where the platform offers no {@link SecureDirectoryStream}.
   */
  static @Nullable HandleDirectory openRoot(Path root) throws IOException {
    DirectoryStream<Path> opened = Files.newDirectoryStream(root);
    if (opened instanceof SecureDirectoryStream<Path> secure) {
      return new HandleDirectory(secure, root, root);
    }
    opened.close();
    return null;
  }

  /** Adds a reference; false (and no reference) if the handle is already closed. */
  boolean retain() {
    while (true) {
      int current = references.get();
      if (current == 0) {
        return false;
      }
      if (references.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public @Nullable BasicFileAttributes attributes(String name) throws IOException {
    BasicFileAttributeView view =
        stream.getFileAttributeView(
            entry(name), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    try {
      return view.readAttributes();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  @Override
  public BlobDirectory openDirectory(String name) throws IOException {
    Path child = path.resolve(name);
    // Checked first so that a link is named as such, and a FIFO is never opened (that would block).
    BlobDirectory.requireDirectory(attributes(name), child);
    try {
      return new HandleDirectory(
          stream.newDirectoryStream(entry(name), LinkOption.NOFOLLOW_LINKS), child, root);
    } catch (NoSuchFileException | NotDirectoryException e) {
      throw e;
    } catch (FileSystemException e) {
      throw linkOr(name, e); // ELOOP: a link was swapped in since the check
    }
  }

  @Override
  public void createDirectory(String name) throws IOException {
    if (attributes(name) != null) {
      return;
    }
    String prepared =
        NEW_DIRECTORY_PREFIX + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    Path preparedPath = root.resolve(prepared);
    // In the root itself: nothing below the root is resolved, and mkdir never follows a link at
    // the new name.
    Files.createDirectory(preparedPath);
    boolean moved = false;
    try (HandleDirectory rootDirectory = openRoot(root)) {
      if (rootDirectory == null) {
        throw new IOException("the root " + root + " cannot be opened as a directory handle");
      }
      if (attributes(name) != null) {
        return; // a concurrent creator won while this one prepared: no need to race it
      }
      // renameat: no link is followed on either side. If a directory appeared under the name in
      // the microseconds since the check, it is replaced only if it is still empty; its creator's
      // handle then holds a removed directory, in which creating fails with ENOENT, and the
      // creator opens the tree again.
      rootDirectory.stream.move(entry(prepared), stream, entry(name));
      moved = true;
    } catch (IOException e) {
      if (attributes(name) == null) {
        throw e;
      }
      // Something has the name now (a concurrent creator won, or a file or link is in the way):
      // openDirectory judges it.
    } finally {
      if (!moved) {
        try {
          Files.deleteIfExists(preparedPath);
        } catch (IOException ignored) {
          // Empty; removed when a backend is next opened.
        }
      }
    }
  }

  @Override
  public FileChannel openFile(String name) throws IOException {
    try {
      return fileChannel(
          stream.newByteChannel(entry(name), READ_NOFOLLOW));
    } catch (NoSuchFileException e) {
      throw e;
    } catch (FileSystemException e) {
      throw linkOr(name, e);
    }
  }

  @Override
  public FileChannel createFile(String name) throws IOException {
    // O_CREAT | O_EXCL: fails on any existing entry, a link included, and never follows one.
    return fileChannel(stream.newByteChannel(entry(name), CREATE_NEW));
  }

  @Override
  public void rename(String source, String target) throws IOException {
    stream.move(entry(source), stream, entry(target));
  }

  @Override
  public void delete(String name) throws IOException {
    stream.deleteFile(entry(name));
  }

  @Override
  public void force() throws IOException {
    // "." relative to the handle is the directory that was opened, whatever its path is now.
    try (FileChannel channel = fileChannel(stream.newByteChannel(SELF, READ))) {
      channel.force(true);
    }
  }

  @Override
  public Object identity() throws IOException {
    Object known = identity;
    if (known == null) {
      BasicFileAttributes attributes =
          stream.getFileAttributeView(BasicFileAttributeView.class).readAttributes();
      Object fileKey = attributes.fileKey();
      known = fileKey != null ? fileKey : path;
      identity = known;
    }
    return known;
  }

  @Override
  public DirectoryStream<Path> entries() throws IOException {
    // A new handle on the same directory: a SecureDirectoryStream iterates only once, and this
    // one may be shared.
    return stream.newDirectoryStream(SELF, LinkOption.NOFOLLOW_LINKS);
  }

  /** Drops a reference; the handle is closed with the last one. */
  @Override
  public void close() {
    if (references.decrementAndGet() == 0) {
      try {
        stream.close();
      } catch (IOException ignored) {
        // Closing a directory handle frees it whatever the result; nothing was written through it.
      }
    }
  }

  @Override
  public String toString() {
    return "HandleDirectory[" + path + "]";
  }

  private Path entry(String name) {
    return path.getFileSystem().getPath(name);
  }

  /** A link refusal if {@code name} is a link now, else {@code failure}. */
  private IOException linkOr(String name, IOException failure) {
    try {
      BasicFileAttributes now = attributes(name);
      if (now != null && BlobDirectory.isLink(now)) {
        LinkRefusedException refused = new LinkRefusedException(path.resolve(name));
        refused.initCause(failure);
        return refused;
      }
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
    return failure;
  }

  private static FileChannel fileChannel(SeekableByteChannel channel) throws IOException {
    if (channel instanceof FileChannel file) {
      return file;
    }
    channel.close();
    throw new IOException("the platform's directory handle did not open a FileChannel");
  }
}
