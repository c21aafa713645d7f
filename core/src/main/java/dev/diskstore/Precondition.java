package dev.diskstore;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A condition on the current state of an artifact, checked atomically with a write. When it does
 * not hold, the write throws {@link PreconditionFailedException} and changes nothing.
 *
 * <ul>
 *   <li>{@link #none()}: unconditional (last writer wins);
 *   <li>{@link #ifMatch(String)}: the artifact exists and its etag equals the given one;
 *   <li>{@link #ifNoneMatch()}: the artifact does not exist (create only: upsert, and restore as an
 *       undelete only).
 * </ul>
 */
public final class Precondition {
  private static final Precondition NONE = new Precondition(null, false);
  private static final Precondition IF_NONE_MATCH = new Precondition(null, true);

  private final @Nullable String ifMatch;
  private final boolean ifNoneMatch;

  private Precondition(@Nullable String ifMatch, boolean ifNoneMatch) {
    this.ifMatch = ifMatch;
    this.ifNoneMatch = ifNoneMatch;
  }

  public static Precondition none() {
    return NONE;
  }

  public static Precondition ifMatch(String etag) {
    Objects.requireNonNull(etag, "etag");
    return new Precondition(etag, false);
  }

  public static Precondition ifNoneMatch() {
    return IF_NONE_MATCH;
  }

  /** The etag required by {@link #ifMatch(String)}, if this is such a condition. */
  public Optional<String> requiredEtag() {
    return Optional.ofNullable(ifMatch);
  }

  public boolean requiresAbsent() {
    return ifNoneMatch;
  }

  public boolean isNone() {
    return ifMatch == null && !ifNoneMatch;
  }

  @Override
  public String toString() {
    return ifMatch != null ? "ifMatch(" + ifMatch + ")" : ifNoneMatch ? "ifNoneMatch()" : "none()";
  }
}
