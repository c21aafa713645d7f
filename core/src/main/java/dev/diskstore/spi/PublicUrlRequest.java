package dev.diskstore.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Everything a {@link PublicUrlSigner} may need to sign a download URL for one artifact's bytes.
 *
 * <p>A download URL names the <em>bytes</em> it was issued for, not the artifact version: a signer
 * binds it to {@link #sha256()} (or to {@link #blobKey()}, which holds exactly those bytes), so that
 * a metadata-only update keeps it working while new bytes end it. {@link #etag()} is given for
 * signers that want it, but binding a URL to it would end the URL on every metadata update.
 *
 * @param diskId the disk
 * @param path the normalised directory path
 * @param filename the filename, for {@code Content-Disposition}
 * @param blobKey the backend key of the bytes
 * @param sha256 SHA-256 of the bytes, lowercase hex: the content identity a URL is bound to
 * @param etag the artifact's etag when the URL was issued (changes with metadata too)
 * @param contentType the artifact's media type, for {@code Content-Type}
 * @param sizeBytes the length
 * @param expire requested lifetime (1 s – 7 days)
 * @param expiresAt the instant the URL stops working ({@code now + expire})
 * @param version the artifact version the URL is for ({@link dev.diskstore.GetOptions#version()}),
 *     empty for the current one: a URL of an earlier version serves that version's bytes for as
 *     long as the version is kept, whatever the artifact holds now
 */
public record PublicUrlRequest(
    String diskId,
    String path,
    String filename,
    String blobKey,
    String sha256,
    String etag,
    String contentType,
    long sizeBytes,
    Duration expire,
    Instant expiresAt,
    OptionalLong version) {

  /** A request for the artifact's current bytes. */
  public PublicUrlRequest(String diskId, String path, String filename, String blobKey,
      String sha256, String etag, String contentType, long sizeBytes, Duration expire,
      Instant expiresAt) {
    this(diskId, path, filename, blobKey, sha256, etag, contentType, sizeBytes, expire, expiresAt,
        OptionalLong.empty());
  }

  public PublicUrlRequest {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(filename, "filename");
    Objects.requireNonNull(blobKey, "blobKey");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(etag, "etag");
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(expire, "expire");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
