package dev.diskstore.local;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import org.jspecify.annotations.Nullable;

/**
 * The fallback {@link BlobDirectory} for platforms without {@link
 * java.nio.file.SecureDirectoryStream} (Windows) and for file systems other than the default one:
 * a path, whose every level was checked not to be a link (symbolic link or junction) when it was
 * opened, and whose entries are checked again just before each use.
 *
 * <p>Best effort against a link swapped in between a check and the use that follows it: the
 * operating system resolves the whole path again at each use, so in that window (microseconds) a
 * link put in place of this directory or one above it is followed. Links present before an
 * operation starts are always refused. Stateless apart from its path; thread-safe; {@link #close()}
 * does nothing.
 */
final class CheckedPathDirectory implements BlobDirectory {
  private final Path path;

  CheckedPathDirectory(Path path) {
    this.path = path;
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public @Nullable BasicFileAttributes attributes(String name) throws IOException {
    try {
      return Files.readAttributes(
          path.resolve(name), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  @Override
  public BlobDirectory openDirectory(String name) throws IOException {
    Path child = path.resolve(name);
    BlobDirectory.requireDirectory(attributes(name), child);
    return new CheckedPathDirectory(child);
  }

  @Override
  public void createDirectory(String name) throws IOException {
    try {
      Files.createDirectory(path.resolve(name));
    } catch (FileAlreadyExistsException e) {
      // A concurrent creator won, or something else is in the way: openDirectory judges it.
    }
  }

  @Override
  public FileChannel openFile(String name) throws IOException {
    try {
      return FileChannel.open(
          path.resolve(name), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw e;
    } catch (FileSystemException e) {
      BasicFileAttributes now = attributes(name);
      if (now != null && BlobDirectory.isLink(now)) {
        LinkRefusedException refused = new LinkRefusedException(path.resolve(name));
        refused.initCause(e);
        throw refused;
      }
      throw e;
    }
  }

  @Override
  public FileChannel createFile(String name) throws IOException {
    return FileChannel.open(
        path.resolve(name), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  @Override
  public void rename(String source, String target) throws IOException {
    Files.move(path.resolve(source), path.resolve(target), StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void delete(String name) throws IOException {
    Files.delete(path.resolve(name));
  }

  @Override
  public void force() throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  @Override
  public Object identity() {
    return path;
  }

  @Override
  public DirectoryStream<Path> entries() throws IOException {
    return Files.newDirectoryStream(path);
  }

  @Override
  public void close() {
    // Holds nothing.
  }

  @Override
  public String toString() {
    return "CheckedPathDirectory[" + path + "]";
  }
}
