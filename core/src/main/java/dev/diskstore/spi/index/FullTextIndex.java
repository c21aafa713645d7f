package dev.diskstore.spi.index;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The documents of full-text search, kept up to date from the queue that write transactions append
 * to ({@link IndexSession.TextRows#enqueue}). The core's indexer claims batches of queue entries,
 * reads and decodes the artifacts' text, stores documents into the batch and acknowledges it.
 *
 * <p><b>Exactly once.</b> A batch's documents and its acknowledgement are one atomic step: an entry
 * acknowledged is applied, and an entry claimed but not acknowledged (a crash, {@link
 * TextBatch#close()} without {@link TextBatch#acknowledge}) is claimed again later, by this or
 * another instance. Two instances never hold the same entry at once (SQLite: the text database's
 * write lock; a database server: {@code FOR UPDATE SKIP LOCKED}). A batch's entries show their
 * artifacts from one snapshot; a later change of an artifact has a later entry.
 *
 * <p>Thread-safe. Owned by its {@link MetadataIndex}, which closes it.
 */
public interface FullTextIndex {

  /**
   * Claims up to {@code maxEntries} queue entries, oldest first; empty when none is waiting (or
   * all are claimed by others). The caller closes the batch.
   *
   * @param wantsExtractedText for which artifacts the entries should carry cached extracted text
   *     (documents, whose text a parser extracts), so that it comes from the batch's snapshot
   */
  Optional<TextBatch> claim(int maxEntries, Predicate<ArtifactRow> wantsExtractedText);

  /**
   * The index's own check of its documents' storage; the lines it reports, empty when sound. A
   * damaged store is rebuilt by {@link #rebuild()}.
   */
  List<String> check(boolean deep);

  /** Sets the documents aside and rebuilds them from the artifacts (everything is queued again). */
  void rebuild();

  /**
   * When {@code failure} (from a search or a batch) means the documents are damaged: rebuilds them
   * and returns true. Otherwise returns false.
   */
  boolean recoverIfDamaged(Throwable failure);

  /** Called by the core when it stops indexing (the store closes); releases what it holds. */
  void close();

  /** A claimed batch of queue entries. Used by one thread; close it in every case. */
  interface TextBatch extends AutoCloseable {
    /** The claimed entries, in queue order. */
    List<TextQueueEntry> entries();

    /**
     * Whether the document of {@code artifactId} was made from these bytes and content type, so
     * that a move only needs {@link #rename}.
     */
    boolean indexedFrom(long artifactId, String sha256, String contentType);

    /** Stores (replaces) the document of an artifact. */
    void put(ArtifactRow artifact, String body);

    /** Changes the path and filename of an existing document. */
    void rename(long artifactId, @Nullable String path, @Nullable String filename);

    /** Deletes the document of an artifact, if any. */
    void delete(long artifactId);

    /**
     * Makes the documents stored so far permanent and acknowledges the entries up to and
     * including {@code lastSeq} (a prefix of {@link #entries()}: the rest is claimed again later).
     */
    void acknowledge(long lastSeq);

    /** Releases the batch; what was not acknowledged is undone and stays queued. */
    @Override
    void close();
  }
}
