package dev.diskstore;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Parameters of {@link Disks#list(DiskListRequest)}: page size, cursor, order, user filter and
 * project filter.
 * Immutable; build with {@link #builder()} or use {@link #firstPage()}.
 *
 * <p>{@code limit} must be 1–200 (default 20). Order is keyset order on (createdAt, id), oldest
 * first unless {@code timeDesc}. A cursor is bound to the order and filters it was issued for.
 *
 * <p>{@code user}, when given and not blank, keeps only that user's disks; a blank user ({@code
 * ""}, whitespace) is no filter, as in Acontext, and {@link #user()} is then empty.
 *
 * <p>{@code projectId}, when given, keeps only the disks of that project (see {@link
 * Disks#createInProject}); without it every project's disks are listed.
 */
public record DiskListRequest(
    int limit,
    Optional<String> cursor,
    boolean timeDesc,
    Optional<String> user,
    Optional<String> projectId) {
  public static final int DEFAULT_LIMIT = 20;
  public static final int MAX_LIMIT = 200;

  public DiskListRequest {
    Objects.requireNonNull(cursor, "cursor");
    Objects.requireNonNull(user, "user");
    // Blank means "no filter", as in Acontext (GET /disk?user= lists every disk).
    user = user.filter(u -> !u.isBlank());
    Objects.requireNonNull(projectId, "projectId");
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidRequestException(
          "limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
    }
  }

  /** The first page: 20 disks, oldest first, all users. */
  public static DiskListRequest firstPage() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().limit(limit).cursor(cursor.orElse(null)).timeDesc(timeDesc)
        .user(user.orElse(null)).projectId(projectId.orElse(null));
  }

  /** Builder for {@link DiskListRequest}; not thread-safe. */
  public static final class Builder {
    private int limit = DEFAULT_LIMIT;
    private @Nullable String cursor;
    private boolean timeDesc;
    private @Nullable String user;
    private @Nullable String projectId;

    private Builder() {}

    public Builder limit(int limit) {
      this.limit = limit;
      return this;
    }

    /** The {@link DiskPage#nextCursor()} of the previous page; {@code null} for the first page. */
    public Builder cursor(@Nullable String cursor) {
      this.cursor = cursor;
      return this;
    }

    public Builder timeDesc(boolean timeDesc) {
      this.timeDesc = timeDesc;
      return this;
    }

    /**
     * Only disks created for this user identifier; {@code null} or a blank string for all disks
     * (as in Acontext).
     */
    public Builder user(@Nullable String user) {
      this.user = user;
      return this;
    }

    /** Only the disks of this project; {@code null} (the default) for every project. */
    public Builder projectId(@Nullable String projectId) {
      this.projectId = projectId;
      return this;
    }

    public DiskListRequest build() {
      return new DiskListRequest(
          limit,
          Optional.ofNullable(cursor),
          timeDesc,
          Optional.ofNullable(user),
          Optional.ofNullable(projectId));
    }
  }
}
