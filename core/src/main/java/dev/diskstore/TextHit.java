package dev.diskstore;

import java.util.Objects;

/**
 * One result of {@link Search#fullText}.
 *
 * @param artifact the matching artifact
 * @param score relevance: higher is better (the negated BM25 rank)
 * @param snippet a short excerpt with the matched terms wrapped in {@code [} and {@code ]}
 */
public record TextHit(Artifact artifact, double score, String snippet) {
  public TextHit {
    Objects.requireNonNull(artifact, "artifact");
    Objects.requireNonNull(snippet, "snippet");
  }
}
