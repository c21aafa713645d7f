package dev.diskstore.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diskstore.Artifact;
import dev.diskstore.ArtifactStream;
import dev.diskstore.Artifacts;
import dev.diskstore.ByteRange;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import dev.diskstore.InvalidMetadataException;
import dev.diskstore.Precondition;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The commands that move bytes between local files and a disk: {@code put}, {@code get} and
 * {@code cat}. All stream: no file is ever held in memory whole. {@code get} and {@code cat} read
 * the current bytes, or with {@code --version N} those of an earlier version ({@link
 * HistoryCommands}).
 */
final class TransferCommands {
  private TransferCommands() {}

  /** {@code put DISK LOCAL... [--to PATH]}: files and whole directory trees into a disk. */
  @Command(
      name = "put",
      header = "Uploads local files and directory trees.",
      mixinStandardHelpOptions = true,
      description = {
        "Uploads local files and directories into a disk, streaming. A file goes into the --to"
            + " directory under its own name; a directory's files go under --to keeping their"
            + " relative paths (the directory's own name is not added; empty directories are not"
            + " stored, as the store has none). An existing artifact is replaced.",
        "Prints a summary line. JSON: {\"artifacts\": [...], \"files\": N, \"bytes\": N}."
      })
  static final class Put extends StoreCommand.Printing {
    @Parameters(index = "0", paramLabel = "DISK", description = "the disk's id")
    String disk;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "LOCAL",
        description = "local files or directories")
    List<Path> locals;

    @Option(names = "--to", paramLabel = "PATH", defaultValue = "/",
        description = "the directory in the disk (default: ${DEFAULT-VALUE})")
    String to;

    @Option(names = "--meta", paramLabel = "JSON|KEY=VALUE",
        description = "user metadata for every file uploaded: a JSON object, or KEY=VALUE (a"
            + " string; repeatable). Replaces the artifact's metadata; without --meta an existing"
            + " artifact keeps its metadata.")
    List<String> meta = new ArrayList<>();

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    @Nullable Condition condition;

    @Override
    int run(DiskStore store) {
      String base = RemotePath.directory(to);
      Map<String, Object> metadata = metadata(meta);
      List<Upload> uploads = plan(base);
      Precondition precondition = condition == null ? Precondition.none() : condition.toPrecondition();
      if (precondition.requiredEtag().isPresent() && uploads.size() != 1) {
        throw CommandException.usage(
            "--if-match names one version of one artifact; this put uploads " + uploads.size()
                + " files");
      }
      long total = uploads.stream().mapToLong(Upload::size).sum();
      Artifacts artifacts = store.disks().artifacts();
      List<Artifact> written = new ArrayList<>();
      try (Progress progress = Progress.start(io(), json, "put", total, uploads.size())) {
        for (Upload upload : uploads) {
          try {
            written.add(upload(artifacts, upload, metadata, precondition, progress));
          } catch (RuntimeException e) {
            if (written.isEmpty()) {
              throw e;
            }
            throw CommandException.partway(e, "stopped at " + upload.file() + "; " + written.size()
                + " of " + uploads.size() + " files were uploaded before it");
          }
          progress.fileDone();
        }
      }
      long bytes = written.stream().mapToLong(Artifact::sizeBytes).sum();
      if (json) {
        ObjectNode document = Json.object();
        ArrayNode list = document.putArray("artifacts");
        written.forEach(a -> list.add(Json.artifact(a)));
        document.put("files", written.size());
        document.put("bytes", bytes);
        Json.print(io().out(), document);
      } else {
        io().out().printf(Locale.ROOT, "put %d file%s (%s) into disk %s under %s%n",
            written.size(), written.size() == 1 ? "" : "s", Progress.size(bytes), disk, base);
      }
      return ExitCodes.OK;
    }

    private Artifact upload(Artifacts artifacts, Upload upload,
        @Nullable Map<String, Object> metadata, Precondition precondition, Progress progress) {
      if (!progress.isDrawing()) {
        return artifacts.upsert(disk, FileUpload.of(upload.file()), upload.directory(), metadata,
            precondition);
      }
      // counted as it is read; the upload then has no length hint, which only matters to
      // backends that size their requests ahead
      try (InputStream in = progress.counting(Files.newInputStream(upload.file()))) {
        return artifacts.upsert(disk, FileUpload.of(upload.name(), in), upload.directory(),
            metadata, precondition);
      } catch (IOException e) {
        throw local("cannot read", upload.file(), e);
      }
    }

    /** The files to upload and where each goes, in path order per argument. */
    private List<Upload> plan(String base) {
      List<Upload> uploads = new ArrayList<>();
      for (Path local : locals) {
        if (Files.isDirectory(local)) {
          List<Path> files;
          try (Stream<Path> walk = Files.walk(local)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
          } catch (IOException | java.io.UncheckedIOException e) {
            throw new CommandException(ExitCodes.FAILURE,
                "cannot read the directory " + local + ": " + e.getMessage());
          }
          for (Path file : files) {
            Path relative = local.relativize(file);
            StringBuilder directory = new StringBuilder(base);
            for (int i = 0; i < relative.getNameCount() - 1; i++) {
              directory.append(relative.getName(i)).append('/');
            }
            uploads.add(new Upload(file, directory.toString(),
                relative.getFileName().toString(), size(file)));
          }
        } else if (Files.isRegularFile(local)) {
          Path name = local.getFileName();
          uploads.add(new Upload(local, base, name == null ? "" : name.toString(), size(local)));
        } else if (Files.exists(local)) {
          throw CommandException.usage(local + " is neither a regular file nor a directory");
        } else {
          throw CommandException.notFound("no local file or directory " + local);
        }
      }
      return uploads;
    }

    private static long size(Path file) {
      try {
        return Files.size(file);
      } catch (IOException e) {
        throw local("cannot read", file, e);
      }
    }

    private record Upload(Path file, String directory, String name, long size) {}
  }

  /** {@code get DISK REMOTE [-o LOCAL|-] [--version N]}. */
  @Command(
      name = "get",
      header = "Downloads an artifact to a file or standard output.",
      description = {
        "Downloads an artifact, streaming, into a local file (written to a temporary file beside"
            + " it and renamed when complete: a failed or damaged read leaves no partial file)"
            + " or, with -o -, to standard output. The bytes are checked against their SHA-256."
            + " With --version N, the bytes of that version (see: diskstore versions).",
        "Prints a summary line. JSON: {\"artifact\": {...}, \"local\": PATH, \"bytes\": N}"
            + " (and \"version\": N with --version)."
      })
  static final class Get extends StoreCommand.Printing {
    @Parameters(index = "0", paramLabel = "DISK", description = "the disk's id")
    String disk;

    @Parameters(index = "1", paramLabel = "REMOTE", description = "the artifact's full path, like"
        + " /docs/a.md")
    String remote;

    @Mixin ReadVersion readVersion;

    @Option(names = {"-o", "--output"}, paramLabel = "LOCAL",
        description = "the local file, an existing directory to write into, or - for standard"
            + " output (default: the artifact's filename in the current directory)")
    @Nullable String output;

    @Option(names = "--range", paramLabel = "FIRST-LAST",
        description = "only these bytes: FIRST-LAST (inclusive, from 0) or FIRST- (to the end)")
    @Nullable String range;

    @Override
    int run(DiskStore store) {
      RemotePath path = RemotePath.of(remote);
      ByteRange bytes = range(range);
      GetOptions options = readVersion.options();
      if ("-".equals(output)) {
        if (json) {
          throw CommandException.usage("--json and -o - both claim standard output");
        }
        return Cat.write(store, disk, path, bytes, options, io());
      }
      Path target = output == null ? Path.of(path.filename()) : Path.of(output);
      if (Files.isDirectory(target)) {
        target = target.resolve(path.filename());
      }
      Path parent = target.toAbsolutePath().getParent();
      if (parent == null || !Files.isDirectory(parent)) {
        throw CommandException.notFound("no local directory " + parent);
      }
      long written;
      Artifact artifact;
      try (ArtifactStream in = store.disks().artifacts()
          .open(disk, path.directory(), path.filename(), bytes, options)) {
        artifact = in.artifact();
        long expected = expectedLength(artifact.sizeBytes(), bytes);
        Path temporary = temporaryBeside(parent, target);
        try {
          try (OutputStream out = Files.newOutputStream(temporary);
              Progress progress = Progress.start(io(), json, "get", expected, 1)) {
            written = copy(in, out, progress);
          }
          move(temporary, target);
        } finally {
          Files.deleteIfExists(temporary);
        }
      } catch (IOException e) {
        throw local("cannot write", target, e);
      }
      if (json) {
        ObjectNode document = Json.object();
        document.set("artifact", Json.artifact(artifact));
        if (readVersion.version != null) {
          document.put("version", readVersion.version);
        }
        document.put("local", target.toString());
        document.put("bytes", written);
        Json.print(io().out(), document);
      } else {
        io().out().printf(Locale.ROOT, "got %s%s (%s) -> %s%n", path,
            readVersion.version == null ? "" : " version " + readVersion.version,
            Progress.size(written), target);
      }
      return ExitCodes.OK;
    }

    private static Path temporaryBeside(Path parent, Path target) throws IOException {
      Path name = target.getFileName();
      return Files.createTempFile(parent, "." + (name == null ? "get" : name), ".diskstore-part");
    }

    private static void move(Path from, Path to) throws IOException {
      try {
        Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /** {@code cat DISK REMOTE [--version N]}. */
  @Command(
      name = "cat",
      header = "Writes an artifact to standard output.",
      description = "Writes an artifact's bytes to standard output, streaming; they are checked"
          + " against their SHA-256 (a damaged artifact ends with exit code 1). With --version N,"
          + " the bytes of that version (see: diskstore versions).")
  static final class Cat extends StoreCommand {
    @Parameters(index = "0", paramLabel = "DISK", description = "the disk's id")
    String disk;

    @Parameters(index = "1", paramLabel = "REMOTE", description = "the artifact's full path, like"
        + " /docs/a.md")
    String remote;

    @Mixin ReadVersion readVersion;

    @Option(names = "--range", paramLabel = "FIRST-LAST",
        description = "only these bytes: FIRST-LAST (inclusive, from 0) or FIRST- (to the end)")
    @Nullable String range;

    @Override
    int run(DiskStore store) {
      return write(store, disk, RemotePath.of(remote), range(range), readVersion.options(), io());
    }

    static int write(DiskStore store, String disk, RemotePath path, ByteRange range,
        GetOptions options, Io io) {
      try (ArtifactStream in = store.disks().artifacts()
          .open(disk, path.directory(), path.filename(), range, options)) {
        copy(in, io.out(), Progress.start(io, true, "", 0, 0));
        io.out().flush();
      } catch (IOException e) {
        throw new CommandException(ExitCodes.FAILURE, "cannot read " + path + ": " + e);
      }
      return ExitCodes.OK;
    }
  }

  /**
   * The {@code --version N} option of {@code get} and {@code cat}, with their {@code -h, --help}:
   * picocli's standard help options would also claim {@code --version} (for printing the program's
   * version, which {@code diskstore --version} still does).
   */
  static final class ReadVersion {
    @Option(names = {"-h", "--help"}, usageHelp = true,
        description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--version", paramLabel = "N",
        description = "read version N (see: diskstore versions) instead of the current bytes")
    @Nullable Long version;

    /** The version to read, or the current one. */
    GetOptions options() {
      if (version == null) {
        return GetOptions.NONE;
      }
      if (version < 0) {
        throw CommandException.usage("--version must be a version number (0 or more), not "
            + version);
      }
      return GetOptions.builder().version(version).build();
    }
  }

  /** The --if-match / --if-none-match pair; at most one of them. */
  static final class Condition {
    @Option(names = "--if-match", paramLabel = "ETAG",
        description = "only if the artifact exists with this etag")
    @Nullable String ifMatch;

    @Option(names = "--if-none-match", description = "only if the artifact does not exist")
    boolean ifNoneMatch;

    Precondition toPrecondition() {
      return ifMatch != null ? Precondition.ifMatch(ifMatch)
          : ifNoneMatch ? Precondition.ifNoneMatch() : Precondition.none();
    }
  }

  /**
   * Parses {@code --meta} values: JSON objects (merged) and {@code KEY=VALUE} strings, or {@code
   * null} when none was given (the store then keeps an artifact's metadata).
   */
  static @Nullable Map<String, Object> metadata(List<String> items) {
    if (items.isEmpty()) {
      return null;
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    for (String item : items) {
      if (item.strip().startsWith("{")) {
        metadata.putAll(Json.metadata(item));
      } else {
        int equals = item.indexOf('=');
        if (equals <= 0) {
          throw new InvalidMetadataException(
              "--meta takes a JSON object or KEY=VALUE, not \"" + item + "\"");
        }
        metadata.put(item.substring(0, equals), item.substring(equals + 1));
      }
    }
    return metadata;
  }

  private static final Pattern RANGE = Pattern.compile("(\\d{1,18})-(\\d{1,18})?");

  /** {@code FIRST-LAST} or {@code FIRST-}, or everything when {@code spec} is null. */
  static ByteRange range(@Nullable String spec) {
    if (spec == null) {
      return ByteRange.from(0);
    }
    Matcher m = RANGE.matcher(spec.strip());
    if (!m.matches()) {
      throw CommandException.usage(
          "--range takes FIRST-LAST or FIRST- (byte offsets from 0, inclusive), not \"" + spec
              + "\"");
    }
    long first = Long.parseLong(m.group(1));
    if (m.group(2) == null) {
      return ByteRange.from(first);
    }
    long last = Long.parseLong(m.group(2));
    if (last < first) {
      throw CommandException.usage("--range " + spec + ": LAST is before FIRST");
    }
    return ByteRange.of(first, last - first + 1);
  }

  static long expectedLength(long size, ByteRange range) {
    long available = Math.max(0, size - range.offset());
    return range.length().isPresent() ? Math.min(available, range.length().getAsLong()) : available;
  }

  static long copy(InputStream in, OutputStream out, Progress progress) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    for (int n; (n = in.read(buffer)) >= 0; ) {
      out.write(buffer, 0, n);
      total += n;
      progress.addBytes(n);
    }
    return total;
  }

  /** A local I/O failure as one line, exit code 1. */
  static CommandException local(String what, Path file, IOException e) {
    String reason = e.getMessage() == null || e.getMessage().equals(file.toString())
        ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    return new CommandException(ExitCodes.FAILURE, what + " " + file + ": " + reason);
  }
}
