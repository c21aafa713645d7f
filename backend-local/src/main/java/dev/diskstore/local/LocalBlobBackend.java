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
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
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
 * so no key can name a path outside {@code <root>/objects}. A write in progress lives next to its
 * final file as {@code name.blob.partial}. Files and directories whose names do not follow this
 * scheme are never listed, read or deleted (they are not blobs). Empty directories left by {@link
 * #delete} are kept: they are cheap, and later keys reuse them.
 *
 * <p><b>Symbolic links are never followed below the root.</b> The root and the path to it are the
 * caller's choice and may involve links; {@code objects} and everything below it belong to this
 * class, which never creates a link there and never follows or removes one. Every operation walks
 * from {@code objects} down one level at a time, refusing a link at any level: {@code objects}
 * itself, each directory of the key, the {@code .blob} file, the {@code .partial} file. {@link
 * #write}, {@link #open}, {@link #stat} and {@link #delete} of a key whose path meets a link fail
 * with a non-retryable {@link StorageException} "cannot ... blob "key": refusing to follow a
 * symbolic link at path" — a link there means the directory was tampered with, which is reported
 * rather than passed off as a missing blob — and nothing is read, created, changed or deleted
 * through it (nor is the link itself removed). {@link #list} and {@link #listIncomplete} skip links.
 * {@link #at} refuses a root whose {@code objects} is a link.
 *
 * <p>On Linux and macOS (and wherever {@link java.nio.file.SecureDirectoryStream} is available for
 * the default file system) each level is opened relative to the handle of the level above with
 * {@code O_NOFOLLOW}, and files are created, opened, renamed, deleted and directories forced
 * relative to those handles ({@code openat}, {@code renameat}, {@code unlinkat}, {@code fsync} of
 * the handle), so a link swapped in for a directory while an operation runs is not followed either:
 * the operation carries on in the directory it opened. A link swapped in for the {@code .partial}
 * file while a write runs is detected after the rename (the published file must be the one the
 * write created: same device and inode) and fails the write. Directories are created in the root
 * under a unique name and renamed into place relative to both handles (Java has no {@code
 * mkdirat}), so the root must be writable and on the same file system as {@code objects}.
 * Elsewhere (Windows, other file system providers) each level is checked, without following links,
 * just before it is used; a link swapped in within that window can still be followed there.
 * Junctions count as links.
 *
 * <p><b>Durability.</b> {@link #write} streams into the {@code .partial} file, forces it to the
 * device ({@code fsync}), renames it atomically to the final name and forces the directory, so
 * that once {@code write} returns the blob survives a crash or power loss; directories it creates
 * are made durable the same way (their parent directory is forced). Directory forcing is skipped
 * on platforms that cannot do it (Windows, or a file system that rejects it when the backend is
 * opened). A reader never sees a half-written blob: the final name appears only when all bytes are
 * on disk. If {@code write} throws, the final file does not exist and the {@code .partial} file
 * has been removed (best effort; a crash can still leave one, which {@link #delete} of the same
 * key removes and {@link #list} never reports). Deletes are not forced to the device: after a
 * power loss a deleted blob may reappear, which garbage collection repairs.
 *
 * <p><b>Keys are written once.</b> As the SPI requires, each write uses a fresh key. A write to a
 * key that already has a {@code .partial} file (another write in progress, or one that crashed)
 * fails with a {@link StorageException} instead of interleaving bytes; {@code delete(key)} clears
 * it.
 *
 * <p><b>Errors.</b> A missing blob is a {@link BlobNotFoundException}; any other I/O failure is a
 * {@link StorageException} whose message names the key and whose cause is the original {@link
 * IOException}. Local file-system errors (permission denied, disk full, a stray file in the way, a
 * link) do not go away when the same call is repeated, so they are reported as not retryable.
 * Reading from a stream returned by {@link #open} reports failures as {@link IOException}, as the
 * {@link InputStream} contract demands.
 *
 * <p><b>Thread-safety.</b> All methods may be called concurrently from any number of threads, and
 * several processes may share one root directory: directories created concurrently, or removed or
 * replaced by another process, are handled. A stream returned by {@link #open} belongs to the
 * calling thread like any {@link InputStream}.
 *
 * <p><b>Ownership.</b> The caller closes the streams from {@link #open} and {@link #list}; they
 * stay usable after the backend is closed. The content stream passed to {@link #write} is read to
 * its end but never closed. The backend keeps directory handles open: one on {@code objects} and
 * up to 64 on the directories directly below it (two descriptors each), each checked against its
 * name before every use; {@link #close()} is idempotent, closes them, and does not delete data;
 * every other method then throws {@link StorageException}. The directory is never deleted by this
 * class.
 */
public final class LocalBlobBackend implements BlobBackend {
  private static final String BLOB_SUFFIX = ".blob";
  private static final String PARTIAL_SUFFIX = ".partial";
  private static final int COPY_BUFFER_BYTES = 64 * 1024;
  /**
   * How often a write opens its directory again when the directory vanished under it: removed by
   * another process, or (empty) replaced by a concurrent creator's. Each such loss needs another
   * creator racing for the same new directory within microseconds.
   */
  private static final int WRITE_ATTEMPTS = 8;
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

  private final Path root;

  /** {@code <root>/objects}; every blob file lies below it. */
  private final Path objects;

  /** The directories below the root, reached without following links. */
  private final BlobTree tree;

  /** Whether forcing a directory works here; probed once when the backend is opened. */
  private final boolean directorySyncSupported;

  /**
   * The {@link BlobDirectory#identity() identities} of directories known to exist with their entry
   * forced into their parent. A directory enters this set only after this process forced its
   * parent, so a thread that finds it here may rely on it.
   */
  private final Set<Object> durableDirectories = ConcurrentHashMap.newKeySet();

  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Per directory written into, by identity: coalesces the fsyncs of concurrent writers (see
   * {@link DirectorySyncer}).
   */
  private final ConcurrentHashMap<Object, DirectorySyncer> syncers = new ConcurrentHashMap<>();

  private DirectorySyncer syncerOf(Object directoryIdentity) {
    return syncers.computeIfAbsent(directoryIdentity, d -> new DirectorySyncer());
  }

  /**
   * Group fsync of one directory. A writer that renamed a file into the directory needs an fsync
   * of the directory that <em>started</em> after its rename; concurrent writers share one: while
   * an fsync runs, the writers that arrive wait, and one of them then runs the next fsync for all
   * of them, through its own handle on the same directory (writers are grouped by the directory's
   * identity, not its path). A failed fsync is reported to the thread that ran it; the writers that
   * waited for it try again themselves. Thread-safe.
   */
  private static final class DirectorySyncer {
    private long started;
    private long completed;
    private boolean running;

    void syncAfterChange(BlobDirectory directory) throws IOException {
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
            throw new InterruptedIOException("interrupted waiting for a directory fsync");
          }
        }
      }
      boolean ok = false;
      try {
        directory.force();
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

  /** Whether the owner declared the directory mounted by every host ({@link #onSharedFileSystem}). */
  private final boolean sharedAcrossHosts;

  private LocalBlobBackend(
      Path root, BlobTree tree, boolean directorySyncSupported, Object objectsIdentity,
      boolean sharedAcrossHosts) {
    this.sharedAcrossHosts = sharedAcrossHosts;
    this.root = root;
    this.objects = root.resolve(BlobTree.OBJECTS);
    this.tree = tree;
    this.directorySyncSupported = directorySyncSupported;
    durableDirectories.add(objectsIdentity);
  }

  /**
   * Opens the backend storing blobs under {@code root}, creating the directory (and its missing
   * parents) if needed. Several instances, also in several processes, may use the same root.
   *
   * @throws StorageException if the directory cannot be created or is not a directory, or if
   *     {@code <root>/objects} is a symbolic link
   */
  public static LocalBlobBackend at(Path root) {
    return at(root, null, false);
  }

  /**
   * {@link #at(Path)} for a directory that every host of the store mounts (NFS, a cluster file
   * system): the caller vouches that instances on other hosts see the same files, which DiskStore
   * cannot check. Only then may a store whose index is shared across hosts (PostgreSQL) keep its
   * blobs in a directory ({@link Capability#SHARED_ACROSS_HOSTS}); with {@link #at(Path)} such a
   * configuration is refused when the store opens.
   */
  public static LocalBlobBackend onSharedFileSystem(Path root) {
    return at(root, null, true);
  }

  /**
   * {@link #at(Path)} walking the tree the given way (null: the best the platform offers).
   * Package-private for tests of the fallback.
   */
  static LocalBlobBackend at(Path root, BlobTree.@Nullable Traversal traversal) {
    return at(root, traversal, false);
  }

  private static LocalBlobBackend at(
      Path root, BlobTree.@Nullable Traversal traversal, boolean sharedAcrossHosts) {
    Objects.requireNonNull(root, "root");
    Path absoluteRoot = root.toAbsolutePath().normalize();
    Path objects = absoluteRoot.resolve(BlobTree.OBJECTS);
    BlobTree tree = null;
    try {
      createDirectoryChain(absoluteRoot);
      if (!Files.exists(objects, LinkOption.NOFOLLOW_LINKS)) {
        createDirectoryIfMissing(objects);
        if (!WINDOWS) {
          probeDirectorySync(absoluteRoot);
        }
      }
      tree =
          new BlobTree(
              absoluteRoot, traversal != null ? traversal : BlobTree.bestTraversal(absoluteRoot));
      Object objectsIdentity;
      boolean directorySyncSupported;
      try (BlobDirectory objectsDirectory = tree.objects(false)) {
        objectsIdentity = objectsDirectory.identity();
        directorySyncSupported = !WINDOWS && probeDirectorySync(objectsDirectory);
      }
      tree.removeAbandonedNewDirectories();
      return new LocalBlobBackend(
          absoluteRoot, tree, directorySyncSupported, objectsIdentity, sharedAcrossHosts);
    } catch (IOException e) {
      if (tree != null) {
        tree.close();
      }
      throw new StorageException(
          "cannot open the local blob directory " + absoluteRoot + ": " + describe(e), false, e);
    }
  }

  /** The directory this backend stores its blobs under (absolute and normalised). */
  public Path root() {
    return root;
  }

  /** How this backend walks its directories. Package-private for tests. */
  BlobTree.Traversal traversal() {
    return tree.traversal();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Writes {@code <key>.blob.partial}, forces it, renames it to {@code <key>.blob} atomically,
   * checks that the file now under the final name is the one it wrote, and forces the directory.
   * {@code lengthHint} is not used: the file grows as bytes arrive.
   */
  @Override
  public long write(String key, InputStream content, OptionalLong lengthHint) {
    BlobKeys.requireValid(key);
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(lengthHint, "lengthHint");
    checkOpen();
    Layout layout = Layout.of(key);
    try {
      Partial partial = startWrite(key, layout);
      try (BlobDirectory directory = partial.directory()) {
        return finishWrite(key, content, layout, directory, partial);
      }
    } catch (IOException e) {
      throw failure("write blob", key, e);
    }
  }

  /** A {@code .partial} file just created: its directory and channel (both owned), its identity. */
  private record Partial(BlobDirectory directory, FileChannel channel, @Nullable Object identity) {}

  /** Opens (creating as needed) the key's directory and creates its {@code .partial} file. */
  private Partial startWrite(String key, Layout layout) throws IOException {
    for (int attempt = 1; ; attempt++) {
      BlobDirectory directory = null;
      try {
        directory = directoryForWrite(layout.directories());
        refuseLink(directory, layout.file());
        FileChannel channel = createPartial(key, directory, layout.partial());
        Object identity;
        try {
          identity = identityOfCreated(directory, layout.partial());
        } catch (IOException | RuntimeException e) {
          closeQuietly(channel);
          throw e;
        }
        Partial started = new Partial(directory, channel, identity);
        directory = null; // handed over
        return started;
      } catch (NoSuchFileException e) {
        // A directory on the way was removed by another process, or (empty) replaced by a
        // concurrent creator's, after we opened it: open the tree again.
        if (directory != null) {
          forgetDurable(directory);
        }
        if (attempt >= WRITE_ATTEMPTS) {
          throw e;
        }
      } finally {
        if (directory != null) {
          directory.close();
        }
      }
    }
  }

  private long finishWrite(
      String key, InputStream content, Layout layout, BlobDirectory directory, Partial partial)
      throws IOException {
    boolean succeeded = false;
    boolean published = false;
    try {
      long written;
      try (FileChannel channel = partial.channel()) {
        written = copy(key, content, channel);
        channel.force(true);
      }
      directory.rename(layout.partial(), layout.file());
      published = true;
      requirePublished(directory, layout, partial.identity());
      if (directorySyncSupported) {
        syncerOf(directory.identity()).syncAfterChange(directory);
      }
      succeeded = true;
      return written;
    } finally {
      if (!succeeded) {
        // Best effort: never leave a final file we could not make durable, nor a partial one;
        // never remove anything but the file this write created.
        removeIfCreated(directory, published ? layout.file() : layout.partial(), partial.identity());
      }
    }
  }

  @Override
  public InputStream open(String key, ByteRange range) {
    BlobKeys.requireValid(key);
    Objects.requireNonNull(range, "range");
    checkOpen();
    Layout layout = Layout.of(key);
    FileChannel channel;
    long size;
    try (BlobDirectory directory = directoryForRead(layout.directories())) {
      // The lstat stays before the open: opening a FIFO put in a blob's place would block. Its
      // size serves the read (no fstat): a blob file is never rewritten in place, and a file
      // swapped in between is refused if it is a link, and otherwise caught by the caller's size
      // and SHA-256 checks like any damage.
      BasicFileAttributes attributes = blobAttributes(directory, layout.file());
      if (attributes == null) {
        throw new BlobNotFoundException(key);
      }
      size = attributes.size();
      channel = directory.openFile(layout.file());
    } catch (NoSuchFileException | NotDirectoryException e) {
      throw new BlobNotFoundException(key);
    } catch (IOException e) {
      throw failure("open blob", key, e);
    }
    boolean handedOut = false;
    try {
      long start = Math.min(range.offset(), size);
      long length = Math.min(range.length().orElse(Long.MAX_VALUE), size - start);
      if (start > 0) {
        channel.position(start);
      }
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
    Layout layout = Layout.of(key);
    try (BlobDirectory directory = directoryForRead(layout.directories())) {
      BasicFileAttributes attributes = blobAttributes(directory, layout.file());
      return attributes == null
          ? Optional.empty()
          : Optional.of(new BlobStat(key, attributes.size()));
    } catch (NoSuchFileException | NotDirectoryException e) {
      return Optional.empty(); // a directory on the way is missing, or a stray file is in its place
    } catch (IOException e) {
      throw failure("stat blob", key, e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Removes {@code <key>.blob} and a leftover {@code <key>.blob.partial}. A {@code delete}
   * racing with a {@code write} of the same key makes that write fail. If either name is a link,
   * nothing is removed. The directory is not forced.
   */
  @Override
  public boolean delete(String key) {
    BlobKeys.requireValid(key);
    checkOpen();
    Layout layout = Layout.of(key);
    try (BlobDirectory directory = directoryForRead(layout.directories())) {
      BasicFileAttributes blob = directory.attributes(layout.file());
      BasicFileAttributes partial = directory.attributes(layout.partial());
      refuseLink(directory, layout.file(), blob);
      refuseLink(directory, layout.partial(), partial);
      // Only a regular file is ours to delete; a directory with that name is left alone. Removing
      // a name never affects what a link (swapped in meanwhile) points to.
      boolean existed = blob != null && blob.isRegularFile() && deleteIfPresent(directory, layout.file());
      if (partial != null && partial.isRegularFile()) {
        deleteIfPresent(directory, layout.partial());
      }
      return existed;
    } catch (NoSuchFileException | NotDirectoryException e) {
      return false;
    } catch (IOException e) {
      throw failure("delete blob", key, e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Walks only the directory that the prefix's directory part names, and below it only
   * directories whose names can be key segments; it follows no links (a link, wherever it is, is
   * skipped) and tolerates files that appear or vanish meanwhile. Lazy: the stream holds directory
   * handles until it is closed. Blobs written or deleted while the stream is consumed may or may
   * not be reported.
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
    List<String> startDirectories =
        lastSlash < 0 ? List.of() : List.of(prefix.substring(0, lastSlash).split("/"));
    BlobDirectory start;
    try {
      start = directoryForRead(startDirectories);
    } catch (NoSuchFileException | NotDirectoryException | LinkRefusedException e) {
      return Stream.empty(); // nothing of ours there; a link is skipped like anywhere in a walk
    } catch (IOException e) {
      throw failure("list blobs with prefix", prefix, e);
    }
    BlobWalk walk = new BlobWalk(prefix, suffix);
    walk.enter(start, prefix.substring(0, lastSlash + 1));
    Spliterator<BlobStat> blobs = Spliterators.spliteratorUnknownSize(walk, Spliterator.NONNULL);
    return StreamSupport.stream(blobs, false).onClose(walk::close);
  }

  /** {@link Capability#RANGED_READS} and {@link Capability#PERSISTENT}. */
  @Override
  public Set<Capability> capabilities() {
    return sharedAcrossHosts
        ? Set.of(Capability.RANGED_READS, Capability.PERSISTENT, Capability.SHARED_ACROSS_HOSTS)
        : Set.of(Capability.RANGED_READS, Capability.PERSISTENT);
  }

  /**
   * Marks the backend closed and closes its directory handles (once operations still running are
   * done with them). Open streams stay usable.
   */
  @Override
  public void close() {
    closed.set(true);
    tree.close();
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
    return resolveUnderObjects(key, BLOB_SUFFIX + PARTIAL_SUFFIX);
  }

  private Path resolveUnderObjects(String key, String suffix) {
    Layout layout = Layout.of(key);
    Path path = objects;
    for (String directory : layout.directories()) {
      path = path.resolve(directory);
    }
    return path.resolve(suffix.equals(BLOB_SUFFIX) ? layout.file() : layout.partial());
  }

  /**
   * The entries a key occupies: its directories below {@code objects} (each a single, valid key
   * segment, so none can be {@code ..} or contain a separator), its file and its partial file.
   */
  private record Layout(List<String> directories, String file, String partial) {
    static Layout of(String key) {
      // a valid key (BlobKeys) has non-empty segments; most have one directory level
      int last = key.lastIndexOf('/');
      String file = key.substring(last + 1) + BLOB_SUFFIX;
      List<String> directories;
      if (last < 0) {
        directories = List.of();
      } else if (key.indexOf('/') == last) {
        directories = List.of(key.substring(0, last));
      } else {
        directories = List.of(key.substring(0, last).split("/"));
      }
      return new Layout(directories, file, file + PARTIAL_SUFFIX);
    }
  }

  /**
   * The key's directory, for reading: walked down from {@code objects} without creating anything.
   * The caller closes it.
   *
   * @throws NoSuchFileException if a level is missing
   * @throws NotDirectoryException if a level is a file
   * @throws LinkRefusedException if a level is a link
   */
  private BlobDirectory directoryForRead(List<String> directories) throws IOException {
    BlobDirectory current = tree.objects(false);
    try {
      for (int i = 0; i < directories.size(); i++) {
        String name = directories.get(i);
        BlobDirectory child = i == 0 ? tree.shard(current, name) : current.openDirectory(name);
        current.close();
        current = child;
      }
      return current;
    } catch (IOException | RuntimeException e) {
      current.close();
      throw e;
    }
  }

  /**
   * The key's directory, for writing: walked down from {@code objects}, creating missing levels,
   * each made durable (its parent forced) unless this process already did. The caller closes it.
   */
  private BlobDirectory directoryForWrite(List<String> directories) throws IOException {
    BlobDirectory current = tree.objects(true);
    try {
      makeDurable(current, null);
      for (int i = 0; i < directories.size(); i++) {
        BlobDirectory child = openOrCreate(current, directories.get(i), i == 0);
        try {
          // Force the parent even if another thread or process created the child: it may not have
          // yet.
          makeDurable(child, current);
        } catch (IOException | RuntimeException e) {
          child.close();
          throw e;
        }
        current.close();
        current = child;
      }
      return current;
    } catch (IOException | RuntimeException e) {
      current.close();
      throw e;
    }
  }

  private BlobDirectory openOrCreate(BlobDirectory parent, String name, boolean isShard)
      throws IOException {
    try {
      return isShard ? tree.shard(parent, name) : parent.openDirectory(name);
    } catch (NoSuchFileException e) {
      parent.createDirectory(name);
      return isShard ? tree.shard(parent, name) : parent.openDirectory(name);
    }
  }

  /** Forces {@code parent} (null: the root) unless {@code directory} is known durable already. */
  private void makeDurable(BlobDirectory directory, @Nullable BlobDirectory parent)
      throws IOException {
    if (!directorySyncSupported) {
      return;
    }
    Object identity = directory.identity();
    if (durableDirectories.contains(identity)) {
      return;
    }
    if (parent == null) {
      tree.forceRoot();
    } else {
      parent.force();
    }
    durableDirectories.add(identity);
  }

  private void forgetDurable(BlobDirectory directory) {
    try {
      durableDirectories.remove(directory.identity());
    } catch (IOException ignored) {
      // Its identity was never known, so it was never recorded.
    }
  }

  /**
   * The attributes of {@code name} if it is a blob file: a regular file; null if there is nothing
   * or something else (a directory, a FIFO).
   *
   * @throws LinkRefusedException if it is a link
   */
  private static @Nullable BasicFileAttributes blobAttributes(BlobDirectory directory, String name)
      throws IOException {
    BasicFileAttributes attributes = directory.attributes(name);
    refuseLink(directory, name, attributes);
    return attributes != null && attributes.isRegularFile() ? attributes : null;
  }

  private static void refuseLink(BlobDirectory directory, String name) throws IOException {
    refuseLink(directory, name, directory.attributes(name));
  }

  private static void refuseLink(
      BlobDirectory directory, String name, @Nullable BasicFileAttributes attributes)
      throws LinkRefusedException {
    if (attributes != null && BlobDirectory.isLink(attributes)) {
      throw new LinkRefusedException(directory.path().resolve(name));
    }
  }

  private static boolean deleteIfPresent(BlobDirectory directory, String name) throws IOException {
    try {
      directory.delete(name);
      return true;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  private static FileChannel createPartial(String key, BlobDirectory directory, String partial)
      throws IOException {
    try {
      return directory.createFile(partial);
    } catch (FileAlreadyExistsException e) {
      refuseLink(directory, partial);
      throw new StorageException(
          "cannot write blob \""
              + key
              + "\": "
              + directory.path().resolve(partial)
              + " exists (another write of this key is in progress, or one crashed; delete(key)"
              + " removes it)",
          false,
          e);
    }
  }

  /**
   * The file key of the file just created as {@code name}, or null where the platform has none.
   * Fails if something else already took its place.
   */
  private static @Nullable Object identityOfCreated(BlobDirectory directory, String name)
      throws IOException {
    BasicFileAttributes attributes = directory.attributes(name);
    refuseLink(directory, name, attributes);
    if (attributes == null || !attributes.isRegularFile()) {
      throw new IOException(directory.path().resolve(name) + " was replaced while being written");
    }
    return attributes.fileKey();
  }

  /**
   * Checks that the file now under the final name is the partial file this write created: a link
   * (or anything else) swapped in for the partial file was renamed in its place.
   */
  private static void requirePublished(
      BlobDirectory directory, Layout layout, @Nullable Object identity) throws IOException {
    BasicFileAttributes attributes = directory.attributes(layout.file());
    if (attributes != null && BlobDirectory.isLink(attributes)) {
      throw new LinkRefusedException(directory.path().resolve(layout.partial()));
    }
    if (attributes == null
        || !attributes.isRegularFile()
        || (identity != null && !identity.equals(attributes.fileKey()))) {
      throw new IOException(
          directory.path().resolve(layout.partial()) + " was replaced while being written");
    }
  }

  /** Removes {@code name} if it is still the regular file this write created. Best effort. */
  private static void removeIfCreated(
      BlobDirectory directory, String name, @Nullable Object identity) {
    try {
      BasicFileAttributes attributes = directory.attributes(name);
      if (attributes != null
          && attributes.isRegularFile()
          && (identity == null || identity.equals(attributes.fileKey()))) {
        directory.delete(name);
      }
    } catch (IOException ignored) {
      // delete(key) removes it later.
    }
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
   * Creates the missing directories of the root, top-down, forcing each one's parent. Follows
   * links: the root's path is the caller's. Only used when opening, before it is known whether
   * directories can be forced here, so a failure to force is ignored (a parent outside the root may
   * also be unreadable).
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

  /** Forces {@code directory} (a path: the root or above); whether that worked. */
  private static boolean probeDirectorySync(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Forces {@code directory}; whether that worked. */
  private static boolean probeDirectorySync(BlobDirectory directory) {
    try {
      directory.force();
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
   * A lazy depth-first walk over the blob files (or, with the partial suffix, the files of writes
   * in progress) below one directory, yielding those whose key starts with the prefix. Judges
   * entries by name first, so it never stats a {@code .partial} or stray file; enters
   * subdirectories relative to their parent without following links, skips links, and skips
   * entries that vanish while it runs (a rename or delete by another thread or process), which
   * {@link Files#walk} would report as an error.
   */
  private final class BlobWalk implements Iterator<BlobStat> {
    /** An open directory, a stream of its entries, and the key prefix its entries extend. */
    private final class Level {
      final BlobDirectory directory;
      final DirectoryStream<Path> stream;
      final Iterator<Path> entries;
      final String keyPrefix;

      Level(BlobDirectory directory, DirectoryStream<Path> stream, String keyPrefix) {
        this.directory = directory;
        this.stream = stream;
        this.entries = stream.iterator();
        this.keyPrefix = keyPrefix;
      }

      void close() {
        closeQuietly(stream);
        directory.close();
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

    /** Pushes {@code directory} (owned from now on) as the next level, unless it vanished. */
    void enter(BlobDirectory directory, String keyPrefix) {
      try {
        levels.push(new Level(directory, directory.entries(), keyPrefix));
      } catch (NoSuchFileException | NotDirectoryException e) {
        directory.close();
      } catch (IOException e) {
        directory.close();
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
            levels.pop().close();
            continue;
          }
          entry = level.entries.next();
        } catch (DirectoryIteratorException e) {
          close();
          throw failure("list blobs with prefix", prefix, e.getCause());
        }
        visit(entry, level);
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

    private void visit(Path entry, Level level) {
      String name = entry.getFileName().toString();
      if (name.endsWith(suffix)) {
        String key = level.keyPrefix + name.substring(0, name.length() - suffix.length());
        if (BlobKeys.isValid(key) && key.startsWith(prefix)) {
          BasicFileAttributes attributes;
          try {
            attributes = level.directory.attributes(name);
          } catch (IOException e) {
            close();
            throw failure("list blob", key, e);
          }
          // Links (and anything else but a regular file) are not blobs.
          next =
              attributes != null && attributes.isRegularFile()
                  ? new BlobStat(key, attributes.size())
                  : null;
        }
      } else if (isKeySegment(name)) {
        String childPrefix = level.keyPrefix + name + "/";
        boolean mayMatch = childPrefix.startsWith(prefix) || prefix.startsWith(childPrefix);
        if (mayMatch && childPrefix.length() < 200) {
          BlobDirectory child;
          try {
            child = level.directory.openDirectory(name);
          } catch (NoSuchFileException | NotDirectoryException | LinkRefusedException e) {
            return; // vanished, a stray file, or a link: nothing of ours to walk
          } catch (IOException e) {
            close();
            throw failure("list blobs with prefix", prefix, e);
          }
          enter(child, childPrefix);
        }
      }
    }

    void close() {
      while (!levels.isEmpty()) {
        levels.pop().close();
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
