package dev.diskstore.spi.index;

/**
 * One full-text hit ({@link IndexSession.TextRows#search}).
 *
 * @param score relevance, higher is better (comparable within one search only)
 * @param snippet a short extract around the match, matched terms in {@code [} and {@code ]}
 */
public record TextHitRow(ArtifactRow row, double score, String snippet) {}
