package dev.diskstore;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How much history a store keeps of each artifact ({@link DiskStoreConfig.Builder#history}): every
 * upsert, metadata update, move, restore and delete of an artifact records a version ({@link
 * ArtifactVersion}), and {@link Maintenance#collectGarbage()} removes the versions this policy no
 * longer keeps, freeing the bytes nothing else uses.
 *
 * <p>A version is kept while it satisfies every limit set: it is one of the artifact's last {@code
 * keepLast} version numbers, and (when {@code maxAge} is present) it was recorded less than {@code
 * maxAge} ago. The newest version of an artifact is always kept — it is the artifact's current
 * state, or the record of its deletion — so that numbering never restarts while history is on.
 * Deletions count as versions: to undelete, the version before the deletion must still be kept.
 *
 * <p>{@link #off()} records nothing and lets garbage collection remove every version recorded
 * before. Limits apply when garbage collection runs, never on the write path: between collections
 * a store may hold more versions than the policy keeps.
 *
 * <p><b>The default, {@link #DEFAULT}: the last 10 versions, for 30 days.</b> History is an undo
 * button for agents, whose mistakes are found within a session or a review, not months later; ten
 * versions cover a burst of edits to the same file, and thirty days a review cycle. Both limits
 * together bound the cost: an agent rewriting one file in a loop keeps at most ten copies of it
 * (fewer when the bytes repeat: history holds references to content-addressed blobs, never copies),
 * and the old bytes of a file that is rarely written go a month later. A store that must keep more
 * says so ({@link #keepLast(int)}, {@link #unlimited()}); one that must keep nothing says {@link
 * #off()}.
 *
 * @param keepLast how many of an artifact's newest version numbers are kept, at least 1 when
 *     history is on ({@link Integer#MAX_VALUE}: no count limit); 0 means history is off
 * @param maxAge how long a version that is not its artifact's newest is kept, when limited
 */
public record History(int keepLast, Optional<Duration> maxAge) {
  /** The last 10 versions, for 30 days (see the class comment for why). */
  public static final History DEFAULT = new History(10, Optional.of(Duration.ofDays(30)));

  public History {
    Objects.requireNonNull(maxAge, "maxAge");
    if (keepLast < 0) {
      throw new InvalidRequestException("keepLast must be >= 0, was " + keepLast);
    }
    if (maxAge.isPresent() && (maxAge.get().isNegative() || maxAge.get().isZero())) {
      throw new InvalidRequestException("maxAge must be positive, was " + maxAge.get());
    }
    if (keepLast == 0 && maxAge.isPresent()) {
      throw new InvalidRequestException(
          "history is off (keepLast 0) but a maxAge was given; use History.off()");
    }
  }

  /** Records no versions; garbage collection removes those recorded before. */
  public static History off() {
    return new History(0, Optional.empty());
  }

  /** Keeps every version until it is deleted with {@link Artifacts#deleteVersions}. */
  public static History unlimited() {
    return new History(Integer.MAX_VALUE, Optional.empty());
  }

  /** Keeps the last {@code versions} versions of each artifact (at least 1), of any age. */
  public static History keepLast(int versions) {
    requirePositive(versions);
    return new History(versions, Optional.empty());
  }

  /** Keeps versions younger than {@code maxAge}, however many, and always the newest. */
  public static History keepFor(Duration maxAge) {
    return new History(Integer.MAX_VALUE, Optional.of(Objects.requireNonNull(maxAge, "maxAge")));
  }

  /** Keeps a version while it is one of the last {@code versions} and younger than {@code maxAge}. */
  public static History keep(int versions, Duration maxAge) {
    requirePositive(versions);
    return new History(versions, Optional.of(Objects.requireNonNull(maxAge, "maxAge")));
  }

  /** Whether versions are recorded. */
  public boolean enabled() {
    return keepLast > 0;
  }

  private static void requirePositive(int versions) {
    if (versions < 1) {
      throw new InvalidRequestException(
          "versions must be >= 1, was " + versions + " (History.off() keeps none)");
    }
  }
}
