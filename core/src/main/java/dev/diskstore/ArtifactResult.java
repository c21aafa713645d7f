package dev.diskstore;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Artifacts#get} returns: the artifact, plus a download URL and parsed content when
 * requested and available.
 *
 * @param artifact the artifact
 * @param publicUrl a signed, expiring download URL; present when {@link GetOptions#withPublicUrl()}
 * @param content parsed text; present when {@link GetOptions#withContent()} and the file is a kind
 *     the configured content parser understands
 * @param contentUnavailable why there is no content although {@link GetOptions#withContent()} was
 *     requested; empty when content is present or was not requested
 */
public record ArtifactResult(
    Artifact artifact,
    Optional<URI> publicUrl,
    Optional<ArtifactContent> content,
    Optional<ContentUnavailable> contentUnavailable) {
  public ArtifactResult {
    Objects.requireNonNull(artifact, "artifact");
    Objects.requireNonNull(publicUrl, "publicUrl");
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(contentUnavailable, "contentUnavailable");
    if (content.isPresent() && contentUnavailable.isPresent()) {
      throw new IllegalArgumentException("content and contentUnavailable are exclusive");
    }
  }
}
