package dev.diskstore;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The bytes of one version of an artifact, with that version's {@link Artifact} (metadata, size,
 * type, etag), as returned by {@link Artifacts#open}. Both come from the same index lookup, so the
 * metadata always describes exactly the bytes being read, even if the artifact is replaced
 * meanwhile; reading an artifact's metadata and bytes this way costs one lookup instead of the two
 * of {@code get} followed by {@code open}.
 *
 * <p>Not thread-safe, like any stream. The caller closes it; the store closes streams still open
 * when the store is closed.
 */
public final class ArtifactStream extends FilterInputStream {
  private final Artifact artifact;

  /**
   * For {@link Artifacts} implementations: wraps {@code bytes}, which this stream then owns.
   */
  public ArtifactStream(InputStream bytes, Artifact artifact) {
    super(Objects.requireNonNull(bytes, "bytes"));
    this.artifact = Objects.requireNonNull(artifact, "artifact");
  }

  /** The version of the artifact whose bytes this stream reads. */
  public Artifact artifact() {
    return artifact;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    return in.read(b, off, len);
  }

  /** Reads what remains, in one array of the exact size where the stream knows it. */
  @Override
  public byte[] readAllBytes() throws IOException {
    return in.readAllBytes();
  }

  @Override
  public long transferTo(java.io.OutputStream out) throws IOException {
    return in.transferTo(out);
  }
}
