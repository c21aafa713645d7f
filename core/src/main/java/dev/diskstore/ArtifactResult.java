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
 */
public record ArtifactResult(
    Artifact artifact, Optional<URI> publicUrl, Optional<ArtifactContent> content) {
  public ArtifactResult {
    Objects.requireNonNull(artifact, "artifact");
    Objects.requireNonNull(publicUrl, "publicUrl");
    Objects.requireNonNull(content, "content");
  }
}
