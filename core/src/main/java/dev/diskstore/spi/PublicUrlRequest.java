package dev.diskstore.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Everything a {@link PublicUrlSigner} may need to sign a download URL for one artifact version.
 *
 * @param diskId the disk
 * @param path the normalised directory path
 * @param filename the filename, for {@code Content-Disposition}
 * @param blobKey the backend key of the bytes
 * @param etag the artifact's etag when the URL was issued
 * @param contentType the artifact's media type, for {@code Content-Type}
 * @param sizeBytes the length
 * @param expire requested lifetime (1 s – 7 days)
 * @param expiresAt the instant the URL stops working ({@code now + expire})
 */
public record PublicUrlRequest(
    String diskId,
    String path,
    String filename,
    String blobKey,
    String etag,
    String contentType,
    long sizeBytes,
    Duration expire,
    Instant expiresAt) {
  public PublicUrlRequest {
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(filename, "filename");
    Objects.requireNonNull(blobKey, "blobKey");
    Objects.requireNonNull(etag, "etag");
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(expire, "expire");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
