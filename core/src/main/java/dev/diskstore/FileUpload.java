package dev.diskstore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.commons.io.input.CloseShieldInputStream;
import org.jspecify.annotations.Nullable;

/**
 * A file to upsert: a filename, its bytes, and optionally the media type the caller declares. The
 * forms mirror the Acontext SDK's upload shapes:
 *
 * <pre>{@code
 * FileUpload.of("doc.txt", bytes)                    // name + bytes
 * FileUpload.of("doc.txt", bytes, "text/plain")      // name + bytes + content type
 * FileUpload.of("doc.txt", inputStream)              // name + stream, streamed, never buffered whole
 * FileUpload.of(Path.of("report.pdf"))               // a local file (name taken from the path)
 * }</pre>
 *
 * <p><b>Ownership.</b> A stream given to {@link #of(String, InputStream)} is read to its end by the
 * upsert but <em>not closed</em>: the caller opened it and closes it. Such an upload can be used
 * once. Byte-array and path uploads are repeatable. A byte array is not copied: do not modify it
 * until the upsert returns.
 *
 * <p><b>Content type.</b> A declared type is used only when it is specific: {@code null},
 * blank, {@code application/octet-stream}, {@code binary/octet-stream} (what browsers send when
 * they do not know) and {@code text/plain} (what SDKs send for any text) are ignored, and the type
 * is detected from the filename and bytes.
 *
 * <p>The filename is validated by the store on upsert (one path segment, see {@link Artifacts}).
 */
public final class FileUpload {
  private final String filename;
  private final @Nullable String contentType;
  private final Source source;

  private FileUpload(String filename, @Nullable String contentType, Source source) {
    this.filename = Objects.requireNonNull(filename, "filename");
    this.contentType = contentType;
    this.source = source;
  }

  public static FileUpload of(String filename, byte[] content) {
    return of(filename, content, null);
  }

  public static FileUpload of(String filename, byte[] content, @Nullable String contentType) {
    Objects.requireNonNull(content, "content");
    return new FileUpload(filename, contentType, new BytesSource(content));
  }

  /** UTF-8 text. */
  public static FileUpload ofText(String filename, String text) {
    Objects.requireNonNull(text, "text");
    return of(filename, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  public static FileUpload of(String filename, InputStream content) {
    return of(filename, content, null);
  }

  public static FileUpload of(String filename, InputStream content, @Nullable String contentType) {
    Objects.requireNonNull(content, "content");
    return new FileUpload(filename, contentType, new StreamSource(content));
  }

  /** A local file, uploaded under its own file name. */
  public static FileUpload of(Path file) {
    Objects.requireNonNull(file, "file");
    Path name = file.getFileName();
    if (name == null) {
      throw new InvalidPathException(file.toString(), "the path has no file name");
    }
    return of(name.toString(), file, null);
  }

  public static FileUpload of(String filename, Path file, @Nullable String contentType) {
    Objects.requireNonNull(file, "file");
    return new FileUpload(filename, contentType, new PathSource(file));
  }

  public String filename() {
    return filename;
  }

  /** The content type the caller declared, if any (see the class comment for how it is used). */
  public Optional<String> declaredContentType() {
    return Optional.ofNullable(contentType);
  }

  /** The length, when known before reading (byte arrays and files). */
  public OptionalLong knownLength() {
    return source.knownLength();
  }

  /** Whether {@link #openStream()} may be called more than once. */
  public boolean isRepeatable() {
    return !(source instanceof StreamSource);
  }

  /**
   * Opens the content. The caller closes the returned stream; for a stream-based upload, closing
   * it does not close the caller's stream, and a second call fails.
   *
   * @throws StorageException if the file cannot be opened or the stream was already used
   */
  public InputStream openStream() {
    return source.open(filename);
  }

  @Override
  public String toString() {
    return "FileUpload[" + filename + (contentType == null ? "" : ", " + contentType) + "]";
  }

  private interface Source {
    InputStream open(String filename);

    OptionalLong knownLength();
  }

  private record BytesSource(byte[] bytes) implements Source {
    @Override
    public InputStream open(String filename) {
      return new ByteArrayInputStream(bytes);
    }

    @Override
    public OptionalLong knownLength() {
      return OptionalLong.of(bytes.length);
    }
  }

  private record PathSource(Path file) implements Source {
    @Override
    public InputStream open(String filename) {
      try {
        return Files.newInputStream(file);
      } catch (IOException e) {
        throw new StorageException("cannot read upload " + filename + " from " + file + ": " + e, e);
      }
    }

    @Override
    public OptionalLong knownLength() {
      try {
        return OptionalLong.of(Files.size(file));
      } catch (IOException e) {
        return OptionalLong.empty();
      }
    }
  }

  private static final class StreamSource implements Source {
    private final InputStream in;
    private boolean used;

    StreamSource(InputStream in) {
      this.in = in;
    }

    @Override
    public synchronized InputStream open(String filename) {
      if (used) {
        throw new InvalidRequestException(
            "the stream of upload " + filename + " was already consumed; an InputStream upload can"
                + " be used once");
      }
      used = true;
      return CloseShieldInputStream.wrap(in);
    }

    @Override
    public OptionalLong knownLength() {
      return OptionalLong.empty();
    }
  }
}
