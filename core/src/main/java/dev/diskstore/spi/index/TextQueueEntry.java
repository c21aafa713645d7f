package dev.diskstore.spi.index;

import org.jspecify.annotations.Nullable;

/**
 * One entry of the full-text queue, with the state of its artifact when the batch was claimed
 * ({@link FullTextIndex#claim}).
 *
 * @param seq the entry's position in the queue (increasing)
 * @param artifactId the artifact whose document is to be brought up to date
 * @param artifact the artifact row, or null when the artifact is gone (its document is then to be
 *     deleted)
 * @param extractedText text a content parser extracted earlier from the artifact's bytes, when the
 *     claim was asked for it and the cache has it
 */
public record TextQueueEntry(
    long seq, long artifactId, @Nullable ArtifactRow artifact, @Nullable String extractedText) {}
