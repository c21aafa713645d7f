package dev.diskstore.local;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.jspecify.annotations.Nullable;

/**
 * One directory of a local blob tree ({@code <root>/objects} or a directory below it), reached
 * without following symbolic links. Every {@code name} is a single entry of this directory (no
 * separator), and no method follows a symbolic link at that name: {@link #openDirectory} and {@link
 * #openFile} refuse one with a {@link LinkRefusedException}, {@link #attributes} describes the link
 * itself, {@link #delete} and {@link #rename} act on the link itself.
 *
 * <p>Two implementations: {@link HandleDirectory} works relative to an open directory handle, so a
 * link swapped in for this directory (or for any directory above it) after it was opened is not
 * followed either; {@link CheckedPathDirectory}, the fallback where the platform offers no such
 * handles, checks each level just before it uses a path.
 *
 * <p><b>Thread-safety.</b> Safe for concurrent use (the {@code objects} directory is shared by all
 * operations of a backend). <b>Ownership.</b> Whoever opened or obtained the directory closes it;
 * {@link #close()} does not throw.
 */
interface BlobDirectory extends Closeable {

  /** The directory's absolute path, for messages. Operations do not resolve it again. */
  Path path();

  /** The attributes of entry {@code name}, not following a link; null if there is none. */
  @Nullable BasicFileAttributes attributes(String name) throws IOException;

  /**
   * Opens the subdirectory {@code name}.
   *
   * @throws java.nio.file.NoSuchFileException if there is no such entry
   * @throws java.nio.file.NotDirectoryException if the entry is a file (or anything else but a
   *     directory or a link)
   * @throws LinkRefusedException if the entry is a symbolic link
   */
  BlobDirectory openDirectory(String name) throws IOException;

  /**
   * Creates the subdirectory {@code name} if nothing has that name. Returns normally also when a
   * concurrent thread or process created it first, or something else has the name; the following
   * {@link #openDirectory} judges what is there. Does not force anything to the device.
   */
  void createDirectory(String name) throws IOException;

  /** Opens the file {@code name} for reading. Refuses a link ({@link LinkRefusedException}). */
  FileChannel openFile(String name) throws IOException;

  /**
   * Creates the file {@code name} for writing; fails with {@link
   * java.nio.file.FileAlreadyExistsException} if any entry (a link included) has that name.
   */
  FileChannel createFile(String name) throws IOException;

  /** Renames entry {@code source} to {@code target} atomically, replacing a file at the target. */
  void rename(String source, String target) throws IOException;

  /** Removes the file (or link) {@code name}; never what a link points to. */
  void delete(String name) throws IOException;

  /** Forces this directory's entries to the device ({@code fsync} of the directory). */
  void force() throws IOException;

  /**
   * What identifies this directory while it is open: its file key (device and inode) where the
   * platform has one, else its path. Two open directories with equal identities are the same.
   */
  Object identity() throws IOException;

  /** A fresh stream of this directory's entries (only their file names are meaningful). */
  DirectoryStream<Path> entries() throws IOException;

  @Override
  void close();

  /**
   * Whether {@code attributes} (read without following links) describe a link: a symbolic link, or
   * on Windows a directory junction (a directory that is also a reparse point).
   */
  static boolean isLink(BasicFileAttributes attributes) {
    return attributes.isSymbolicLink() || (attributes.isDirectory() && attributes.isOther());
  }

  /**
   * Checks that {@code attributes} (of {@code path}, read without following links) describe a
   * directory that is not a link.
   *
   * @throws NoSuchFileException if {@code attributes} is null (nothing there)
   * @throws LinkRefusedException if it is a link
   * @throws NotDirectoryException if it is anything else but a directory
   */
  static void requireDirectory(@Nullable BasicFileAttributes attributes, Path path)
      throws IOException {
    if (attributes == null) {
      throw new NoSuchFileException(path.toString());
    }
    if (isLink(attributes)) {
      throw new LinkRefusedException(path);
    }
    if (!attributes.isDirectory()) {
      throw new NotDirectoryException(path.toString());
    }
  }
}
