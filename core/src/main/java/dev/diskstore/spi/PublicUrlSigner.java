package dev.diskstore.spi;

import java.net.URI;

/**
 * Produces signed, expiring download URLs. Implemented by backends whose medium serves downloads
 * itself (S3 presigned URLs); without one, the store serves URLs from its built-in loopback HTTP
 * server. Must be thread-safe.
 */
@FunctionalInterface
public interface PublicUrlSigner {
  /** A URL that downloads exactly the requested blob until {@link PublicUrlRequest#expiresAt()}. */
  URI sign(PublicUrlRequest request);
}
