package dev.diskstore.local;

import dev.diskstore.ByteRange;
import dev.diskstore.StorageException;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.BlobKeys;
import dev.diskstore.spi.BlobNotFoundException;
import dev.diskstore.spi.BlobStat;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * A {@link BlobBackend} that keeps every blob as one file in a local directory.
 *
 * <p><b>Layout.</b> A blob key {@code s1/s2/name} is stored in {@code
 * <root>/objects/s1/s2/name.blob}: each {@code /}-separated segment but the last becomes a
 * directory, the last segment becomes a file with the suffix {@code .blob}. The suffix keeps the
 * key {@code a/b} (file {@code a/b.blob}) and the key {@code a/b/c} (directory {@code a/b}) apart.
 * Keys are checked with {@link BlobKeys#requireValid(String)} and contain only {@code [0-9a-z/-]},
 * so no key can name a path outside {@code <root>/objects}; the resolved path is still checked to
 * stay there. A write in progress lives next to its final file as {@code name.blob.partial}. Files
 * and directories whose names do not follow this scheme, and symbolic links, are never listed, read
 * or deleted (they are not blobs; {@code list} does not descend into linked directories). Empty
 * directories left by {@link #delete} are kept: they are cheap, and later keys reuse them.
 *
 * <p><b>Durability.</b> {@link #write} streams into the {@code .partial} file, forces it to the
 * device ({@code fsync}), renames it atomically to the final name and forces the parent directory,
 * so that once {@code write} returns the blob survives a crash or power loss; directories it
 * creates are made durable the same way (their parent directory is forced). Directory forcing is
 * skipped on platforms that cannot do it (Windows, or a file system that rejects it when the
 * backend is opened). A reader never sees a half-written blob: the final name appears only when all
 * bytes are on disk. If {@code write} throws, the final file does not exist and the {@code
 * .partial} file has been removed (best effort; a crash can still leave one, which {@link #delete}
 * of the same key removes and {@link #list} never reports). Deletes are not forced to the device:
 * after a power loss a deleted blob may reappear, which garbage collection repairs.
 *
 * <p><b>Keys are written once.</b> As the SPI requires, each write uses a fresh key. A write to a
 * key that already has a {@code .partial} file (another write in progress, or one that crashed)
 * fails with a {@link StorageException} instead of interleaving bytes; {@code delete(key)} clears
 * it.
 *
 * <p><b>Errors.</b> A missing blob is a {@link BlobNotFoundException}; any other I/O failure is a
 * {@link StorageException} whose message names the key and whose cause is the original {@link
 * IOException}. Local file-system errors (permission denied, disk full, a stray file in the way) do
 * not go away when the same call is repeated, so they are reported as not retryable. Reading from a
 * stream returned by {@link #open} reports failures as {@link IOException}, as the {@link
 * InputStream} contract demands.
 *
 * <p><b>Thread-safety.</b> All methods may be called concurrently from any number of threads, and
 * several processes may share one root directory. A stream returned by {@link #open} belongs to the
 * calling thread like any {@link InputStream}.
 *
 * <p><b>Ownership.</b> The caller closes the streams from {@link #open} and {@link #list}; they
 * stay usable after the backend is closed. The content stream passed to {@link #write} is read to
 * its end but never closed. {@link #close()} is idempotent and does not delete data; every other
 * method then throws {@link StorageException}. The directory is never deleted by this class.
 */
public final class LocalBlobBackend implements BlobBackend {
  private static final String BLOB_SUFFIX = ".blob";
  private static final String PARTIAL_SUFFIX = ".partial";
  private static final int COPY_BUFFER_BYTES = 64 * 1024;
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

  private final Path root;

  /** {@code <root>/objects}; every blob file lies below it. */
  private final Path objects;

  /** Whether forcing a directory works here; probed once when the backend is opened. */
  private final boolean directorySyncSupported;

  /**
   * Directories known to exist with their entry forced into their parent. A directory enters this
   * set only after this process forced its parent, so a thread that finds it here may rely on it.
   */
  private final Set<Path> durableDirectories = ConcurrentHashMap.newKeySet();

  private final AtomicBoolean closed = new AtomicBoolean();

  /** Per directory written into: coalesces the fsyncs of concurrent writers (see {@link DirectorySyncer}). */
  private final ConcurrentHashMap<Path, DirectorySyncer> syncers = new ConcurrentHashMap<>();

  private DirectorySyncer syncerOf(Path directory) {
    return syncers.computeIfAbsent(directory, d -> new DirectorySyncer());
  }

  /**
   * Group fsync of one directory. A writer that renamed a file into the directory needs an fsync
   * of the directory that <em>started</em> after its rename; concurrent writers share one: while
   * an fsync runs, the writers that arrive wait, and one of them then runs the next fsync for all
   * of them. A failed fsync is reported to the thread that ran it; the writers that waited for it
   * try again themselves. Thread-safe.
   */
  private static final class DirectorySyncer {
    private long started;
    private long completed;
    private boolean running;

    void syncAfterChange(Path directory) throws IOException {
      long generation;
      synchronized (this) {
        long needed = started + 1; // a sync already running began before our change
        while (true) {
          if (completed >= needed) {
            return;
          }
          if (!running) {
            running = true;
            generation = ++started;
            break;
          }
          try {
            wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted waiting for a directory fsync");
          }
        }
      }
      boolean ok = false;
      try {
        forceDirectory(directory);
        ok = true;
      } finally {
        synchronized (this) {
          running = false;
          if (ok) {
            completed = generation;
          }
          notifyAll();
        }
      }
    }
  }

  private LocalBlobBackend(Path root, Path objects, boolean directorySyncSupported) {
    this.root = root;
    this.objects = objects;
    this.directorySyncSupported = directorySyncSupported;
    durableDirectories.add(objects);
  }

  /**
   * Opens the backend storing blobs under {@code root}, creating the directory (and its missing
   * parents) if needed. Several instances, also in several processes, may use the same root.
   *
   * @throws StorageException if the directory cannot be created or is not a directory
   */
  public static LocalBlobBackend at(Path root) {
    Objects.requireNonNull(root, "root");
    Path absoluteRoot = root.toAbsolutePath().normalize();
    Path objects = absoluteRoot.resolve("objects");
    try {
      createDirectoryChain(objects);
      return new LocalBlobBackend(absoluteRoot, objects, !WINDOWS && probeDirectorySync(objects));
    } catch (IOException e) {
      throw new StorageException(
          "cannot open the local blob directory " + absoluteRoot + ": " + describe(e), false, e);
    }
  }

  /** The directory this backend stores its blobs under (absolute and normalised). */
  public Path root() {
    return root;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Writes {@code <key>.blob.partial}, forces it, renames it to {@code <key>.blob} atomically
   * and forces the directory. {@code lengthHint} is not used: the file grows as bytes arrive.
   */
  @Override
  public long write(String key, InputStream content, OptionalLong lengthHint) {
    BlobKeys.requireValid(key);
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(lengthHint, "lengthHint");
    checkOpen();
    Path target = fileOf(key);
    Path directory = target.getParent();
    Path partial = partialOf(target);
    ensureDirectory(directory, key);
    FileChannel channel = createPartial(partial, directory, key);
    boolean succeeded = false;
    boolean published = false;
    try {
      long written;
      try (channel) {
        written = copy(key, content, channel);
        channel.force(true);
      }
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      published = true;
      if (directorySyncSupported) {
        syncerOf(directory).syncAfterChange(directory);
      }
      succeeded = true;
      return written;
    } catch (IOException e) {
      throw failure("write blob", key, e);
    } finally {
      if (!succeeded) {
        // Best effort: never leave a final file we could not make durable, nor a partial one.
        deleteQuietly(published ? target : partial);
      }
    }
  }

  @Override
  public InputStream open(String key, ByteRange range) {
    BlobKeys.requireValid(key);
    Objects.requireNonNull(range, "range");
    checkOpen();
    Path file = fileOf(key);
    FileChannel channel;
    try {
      if (blobAttributes(file).isEmpty()) {
        throw new BlobNotFoundException(key);
      }
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new BlobNotFoundException(key);
    } catch (IOException e) {
      throw failure("open blob", key, e);
    }
    boolean handedOut = false;
    try {
      long size = channel.size();
      long start = Math.min(range.offset(), size);
      long length = Math.min(range.length().orElse(Long.MAX_VALUE), size - start);
      channel.position(start);
      RangeInputStream stream = new RangeInputStream(channel, length);
      handedOut = true;
      return stream;
    } catch (IOException e) {
      throw failure("open blob", key, e);
    } finally {
      if (!handedOut) {
        closeQuietly(channel);
      }
    }
  }

  @Override
  public Optional<BlobStat> stat(String key) {
    BlobKeys.requireValid(key);
    checkOpen();
    try {
      return blobAttributes(fileOf(key)).map(attributes -> new BlobStat(key, attributes.size()));
    } catch (IOException e) {
      throw failure("stat blob", key, e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Removes {@code <key>.blob} and a leftover {@code <key>.blob.partial}. A {@code delete}
   * racing with a {@code write} of the same key makes that write fail. The directory is not forced.
   */
  @Override
  public boolean delete(String key) {
    BlobKeys.requireValid(key);
    checkOpen();
    Path target = fileOf(key);
    try {
      // Only a regular file is a blob; a directory or link with that name is not ours to delete.
      boolean existed = blobAttributes(target).isPresent() && Files.deleteIfExists(target);
      Path partial = partialOf(target);
      if (Files.isRegularFile(partial, LinkOption.NOFOLLOW_LINKS)) {
        Files.deleteIfExists(partial);
      }
      return existed;
    } catch (IOException e) {
      throw failure("delete blob", key, e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Walks only the directory that the prefix's directory part names, and below it only
   * directories whose names can be key segments; it follows no links and tolerates files that
   * appear or vanish meanwhile. Lazy: the stream holds directory handles until it is closed. Blobs
   * written or deleted while the stream is consumed may or may not be reported.
   */
  @Override
  public Stream<BlobStat> list(String prefix) {
    return walk(prefix, BLOB_SUFFIX);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The keys of {@code <key>.blob.partial} files: writes in progress, or left by a process that
   * died while writing. Walks like {@link #list}.
   */
  @Override
  public Stream<String> listIncomplete(String prefix) {
    return walk(prefix, BLOB_SUFFIX + PARTIAL_SUFFIX).map(BlobStat::key);
  }

  private Stream<BlobStat> walk(String prefix, String suffix) {
    Objects.requireNonNull(prefix, "prefix");
    checkOpen();
    if (!prefix.isEmpty() && !BlobKeys.isValid(prefix) && !BlobKeys.isValid(prefix + "x")) {
      // Keys cannot start with such a prefix (a bad character, a leading or doubled slash).
      return Stream.empty();
    }
    int lastSlash = prefix.lastIndexOf('/');
    Path start = lastSlash < 0 ? objects : resolveUnderObjects(prefix.substring(0, lastSlash), "");
    String startKeyPrefix = prefix.substring(0, lastSlash + 1);
    BlobWalk walk = new BlobWalk(prefix, suffix);
    // The objects directory itself may be reached through a link (the root is the user's choice).
    if (!walk.enter(start, startKeyPrefix, start.equals(objects))) {
      return Stream.empty();
    }
    Spliterator<BlobStat> blobs = Spliterators.spliteratorUnknownSize(walk, Spliterator.NONNULL);
    return StreamSupport.stream(blobs, false).onClose(walk::close);
  }

  /** {@link Capability#RANGED_READS} and {@link Capability#PERSISTENT}. */
  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.RANGED_READS, Capability.PERSISTENT);
  }

  /** Marks the backend closed. Holds no handles of its own; open streams stay usable. */
  @Override
  public void close() {
    closed.set(true);
  }

  @Override
  public String toString() {
    return "LocalBlobBackend[" + root + "]";
  }

  /** The final file of {@code key} (which must be valid). Package-private for tests. */
  Path fileOf(String key) {
    return resolveUnderObjects(key, BLOB_SUFFIX);
  }

  /** The in-progress file of {@code key} (which must be valid). Package-private for tests. */
  Path partialFileOf(String key) {
    return partialOf(fileOf(key));
  }

  private static Path partialOf(Path target) {
    return target.resolveSibling(target.getFileName() + PARTIAL_SUFFIX);
  }

  private Path resolveUnderObjects(String keyOrDirectory, String suffix) {
    Path path = objects;
    String[] segments = keyOrDirectory.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      path = path.resolve(i == segments.length - 1 ? segments[i] + suffix : segments[i]);
    }
    Path normalized = path.normalize();
    if (!normalized.startsWith(objects) || normalized.equals(objects)) {
      // Unreachable for valid keys; guards against a change in the key rules.
      throw new StorageException(
          "blob key \"" + keyOrDirectory + "\" resolves outside " + objects, false, null);
    }
    return normalized;
  }

  /**
   * The attributes of {@code file} if it is a blob: a regular file, not a directory or a symbolic
   * link (links are not followed, so a blob cannot point outside the root).
   */
  private Optional<BasicFileAttributes> blobAttributes(Path file) throws IOException {
    try {
      BasicFileAttributes attributes =
          Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return attributes.isRegularFile() ? Optional.of(attributes) : Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (FileSystemException e) {
      if (hasNonDirectoryAncestor(file)) {
        return Optional.empty(); // ENOTDIR: a stray file where a directory would be; no blob here
      }
      throw e;
    }
  }

  /** Whether something other than a directory sits between {@code objects} and {@code file}. */
  private boolean hasNonDirectoryAncestor(Path file) {
    for (Path d = file.getParent(); d != null && !d.equals(objects); d = d.getParent()) {
      if (Files.exists(d, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(d)) {
        return true;
      }
    }
    return false;
  }

  private long copy(String key, InputStream content, FileChannel channel) throws IOException {
    byte[] buffer = new byte[COPY_BUFFER_BYTES];
    long total = 0;
    while (true) {
      int n;
      try {
        n = content.read(buffer);
      } catch (IOException e) {
        // The caller's stream failed, not the disk: report it as such.
        throw new StorageException(
            "cannot read the content to write to blob \"" + key + "\": " + describe(e), false, e);
      }
      if (n < 0) {
        return total;
      }
      ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
      while (chunk.hasRemaining()) {
        channel.write(chunk);
      }
      total += n;
    }
  }

  private FileChannel createPartial(Path partial, Path directory, String key) {
    for (int attempt = 0; ; attempt++) {
      try {
        return FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException e) {
        throw new StorageException(
            "cannot write blob \""
                + key
                + "\": "
                + partial
                + " exists (another write of this key is in progress, or one crashed; delete(key)"
                + " removes it)",
            false,
            e);
      } catch (NoSuchFileException e) {
        if (attempt > 0) {
          throw failure("write blob", key, e);
        }
        // The directory was removed behind our back (by another process): create it again.
        forgetDirectory(directory);
        ensureDirectory(directory, key);
      } catch (IOException e) {
        throw failure("write blob", key, e);
      }
    }
  }

  /** Makes {@code directory} and its ancestors below {@code objects} exist durably. */
  private void ensureDirectory(Path directory, String key) {
    if (durableDirectories.contains(directory)) {
      return;
    }
    Deque<Path> missing = new ArrayDeque<>();
    for (Path d = directory; !durableDirectories.contains(d); d = d.getParent()) {
      missing.push(d);
    }
    try {
      while (!missing.isEmpty()) {
        Path d = missing.pop();
        createDirectoryIfMissing(d);
        // Force the parent even if another thread or process created d: it may not have yet.
        syncDirectory(d.getParent());
        durableDirectories.add(d);
      }
    } catch (IOException e) {
      throw failure("write blob", key, e);
    }
  }

  private void forgetDirectory(Path directory) {
    for (Path d = directory; d != null && !d.equals(objects); d = d.getParent()) {
      durableDirectories.remove(d);
    }
  }

  private static void createDirectoryIfMissing(Path directory) throws IOException {
    try {
      Files.createDirectory(directory);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
        throw e;
      }
    }
  }

  /**
   * Creates the missing directories of {@code directory} top-down, forcing each one's parent. Only
   * used when opening, before it is known whether directories can be forced here, so a failure to
   * force is ignored (a parent outside the root may also be unreadable).
   */
  private static void createDirectoryChain(Path directory) throws IOException {
    Deque<Path> missing = new ArrayDeque<>();
    for (Path d = directory; d != null && !Files.isDirectory(d); d = d.getParent()) {
      missing.push(d);
    }
    while (!missing.isEmpty()) {
      Path d = missing.pop();
      createDirectoryIfMissing(d);
      if (!WINDOWS && d.getParent() != null) {
        probeDirectorySync(d.getParent());
      }
    }
  }

  private void syncDirectory(Path directory) throws IOException {
    if (directorySyncSupported) {
      forceDirectory(directory);
    }
  }

  private static void forceDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /** Forces {@code directory}; whether that worked. */
  private static boolean probeDirectorySync(Path directory) {
    try {
      forceDirectory(directory);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException ignored) {
      // Nothing depends on it any more; a failure being reported, if any, matters more.
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // Best effort; delete(key) removes it later.
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new StorageException("the local blob backend at " + root + " is closed", false, null);
    }
  }

  /** A non-retryable StorageException "cannot {action} "{subject}": {cause}". */
  private static StorageException failure(String action, String subject, IOException e) {
    if (e instanceof ClosedByInterruptException || e instanceof InterruptedIOException) {
      Thread.currentThread().interrupt(); // keep the interrupt visible to the caller
    }
    return new StorageException(
        "cannot " + action + " \"" + subject + "\": " + describe(e), false, e);
  }

  private static String describe(IOException e) {
    if (e instanceof FileSystemException) {
      // Its message is "file[ -> other][: reason]"; keep the exception type, which is the reason
      // when none is given (AccessDeniedException, DirectoryNotEmptyException, ...).
      return e.getClass().getSimpleName() + " " + e.getMessage();
    }
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message;
  }

  /** Whether {@code name} can be one segment of a key: non-empty {@code [0-9a-z-]}. */
  private static boolean isKeySegment(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /**
   * A lazy depth-first walk over the blob files (or, with the partial suffix, the files of writes in
   * progress) below one directory, yielding those whose key starts with the prefix. Judges entries by name first, so it never stats a {@code .partial} or
   * stray file, and skips entries that vanish while it runs (a rename or delete by another thread
   * or process), which {@link Files#walk} would report as an error.
   */
  private final class BlobWalk implements Iterator<BlobStat> {
    /** An open directory and the key prefix its entries extend ({@code ""} or {@code "a/b/"}). */
    private final class Level {
      final DirectoryStream<Path> directory;
      final Iterator<Path> entries;
      final String keyPrefix;

      Level(DirectoryStream<Path> directory, String keyPrefix) {
        this.directory = directory;
        this.entries = directory.iterator();
        this.keyPrefix = keyPrefix;
      }
    }

    private final String prefix;
    private final String suffix;
    private final Deque<Level> levels = new ArrayDeque<>();
    private @Nullable BlobStat next;

    BlobWalk(String prefix, String suffix) {
      this.prefix = prefix;
      this.suffix = suffix;
    }

    /**
     * Opens {@code directory} as the next level; false if it is missing, not a directory, or
     * (unless {@code followLink}) a symbolic link.
     */
    boolean enter(Path directory, String keyPrefix, boolean followLink) {
      boolean isDirectory =
          followLink
              ? Files.isDirectory(directory)
              : Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS);
      if (!isDirectory) {
        return false;
      }
      try {
        levels.push(new Level(Files.newDirectoryStream(directory), keyPrefix));
        return true;
      } catch (NoSuchFileException | NotDirectoryException e) {
        return false;
      } catch (IOException e) {
        close();
        throw failure("list blobs with prefix", prefix, e);
      }
    }

    @Override
    public boolean hasNext() {
      while (next == null && !levels.isEmpty()) {
        Level level = levels.peek();
        Path entry;
        try {
          if (!level.entries.hasNext()) {
            closeQuietly(levels.pop().directory);
            continue;
          }
          entry = level.entries.next();
        } catch (DirectoryIteratorException e) {
          close();
          throw failure("list blobs with prefix", prefix, e.getCause());
        }
        visit(entry, level.keyPrefix);
      }
      return next != null;
    }

    @Override
    public BlobStat next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      BlobStat result = next;
      next = null;
      return result;
    }

    private void visit(Path entry, String keyPrefix) {
      String name = entry.getFileName().toString();
      if (name.endsWith(suffix)) {
        String key = keyPrefix + name.substring(0, name.length() - suffix.length());
        if (BlobKeys.isValid(key) && key.startsWith(prefix)) {
          try {
            next = blobAttributes(entry).map(a -> new BlobStat(key, a.size())).orElse(null);
          } catch (IOException e) {
            close();
            throw failure("list blob", key, e);
          }
        }
      } else if (isKeySegment(name)) {
        String childPrefix = keyPrefix + name + "/";
        boolean mayMatch = childPrefix.startsWith(prefix) || prefix.startsWith(childPrefix);
        if (mayMatch && childPrefix.length() < 200) {
          enter(entry, childPrefix, false);
        }
      }
    }

    void close() {
      while (!levels.isEmpty()) {
        closeQuietly(levels.pop().directory);
      }
    }
  }

  /**
   * Reads at most {@code remaining} bytes from the channel's current position. Owns the channel.
   * Not thread-safe, like any stream.
   */
  private static final class RangeInputStream extends InputStream {
    private final FileChannel channel;
    private long remaining;

    RangeInputStream(FileChannel channel, long remaining) {
      this.channel = channel;
      this.remaining = remaining;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      Objects.checkFromIndexSize(offset, length, buffer.length);
      if (length == 0) {
        return 0;
      }
      if (remaining <= 0) {
        return -1;
      }
      int wanted = (int) Math.min(length, remaining);
      int n = channel.read(ByteBuffer.wrap(buffer, offset, wanted));
      if (n < 0) {
        remaining = 0; // the file was truncated behind our back
        return -1;
      }
      remaining -= n;
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      if (n <= 0 || remaining <= 0) {
        return 0;
      }
      long skipped = Math.min(n, remaining);
      channel.position(channel.position() + skipped);
      remaining -= skipped;
      return skipped;
    }

    @Override
    public int available() throws IOException {
      if (!channel.isOpen()) {
        throw new IOException("stream closed");
      }
      return (int) Math.min(remaining, Integer.MAX_VALUE);
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
