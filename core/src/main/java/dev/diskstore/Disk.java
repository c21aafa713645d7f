package dev.diskstore;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An isolated container of artifacts, like an Acontext disk. Immutable value.
 *
 * @param id unique id (a UUID string)
 * @param projectId the owning store's project id (one per store)
 * @param user the optional owner identifier given to {@link Disks#create(String)}, or {@code null}
 * @param createdAt creation time
 * @param updatedAt last time the disk itself changed (equals {@code createdAt}: disks carry no
 *     mutable fields yet)
 */
public record Disk(
    String id, String projectId, @Nullable String user, Instant createdAt, Instant updatedAt) {
  public Disk {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(projectId, "projectId");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** The owner identifier, if the disk was created for a user. */
  public Optional<String> findUser() {
    return Optional.ofNullable(user);
  }
}
