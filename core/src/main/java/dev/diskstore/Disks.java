package dev.diskstore;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The disks of a store: {@code store.disks()}. Thread-safe; every call is one atomic operation on
 * the index.
 */
public interface Disks {

  /** Creates a disk with no user. */
  Disk create();

  /**
   * Creates a disk owned by {@code user} (an identifier such as an e-mail address, at most 1,024
   * characters, no control characters). {@code null} or a blank string ({@code ""}, whitespace)
   * creates a disk with no user, as Acontext does for {@code POST /disk {"user": ""}}: blank means
   * "no user" here exactly as it means "no filter" in {@link #list(int, String, boolean, String)}.
   *
   * @throws InvalidRequestException for a user that is too long or contains control characters
   */
  Disk create(@Nullable String user);

  /**
   * Creates a disk that belongs to {@code projectId} instead of the store's own project ({@link
   * Disk#projectId()}). Projects let one store serve several tenants, as an HTTP server does with
   * one project per API token: a tenant lists its disks with {@link
   * DiskListRequest.Builder#projectId} and checks a disk's project before using it. A disk's project
   * never changes. Nothing else is scoped by project: any caller holding a disk id can use it
   * through this API.
   *
   * @param projectId 1–128 characters from {@code [A-Za-z0-9._:-]}
   * @param user as for {@link #create(String)}
   * @throws InvalidRequestException for a malformed project id or user
   */
  Disk createInProject(String projectId, @Nullable String user);

  Optional<Disk> find(String diskId);

  /** @throws DiskNotFoundException if the disk does not exist */
  Disk get(String diskId);

  /** The first page: 20 disks, oldest first. */
  default DiskPage list() {
    return list(DiskListRequest.firstPage());
  }

  /**
   * A page of disks in keyset order on (createdAt, id).
   *
   * @param limit 1–200
   * @param cursor the previous page's {@link DiskPage#nextCursor()}, or {@code null}
   * @param timeDesc newest first
   * @param user only this user's disks; {@code null} or blank for all (as in Acontext)
   * @throws InvalidRequestException for a limit outside 1–200
   * @throws InvalidCursorException for a cursor that is malformed or from another query
   */
  default DiskPage list(int limit, @Nullable String cursor, boolean timeDesc, @Nullable String user) {
    return list(
        DiskListRequest.builder().limit(limit).cursor(cursor).timeDesc(timeDesc).user(user).build());
  }

  DiskPage list(DiskListRequest request);

  /**
   * Deletes the disk and every artifact in it, atomically in the index; bytes no other artifact
   * shares are deleted from the backend after the commit.
   *
   * @throws DiskNotFoundException if the disk does not exist
   */
  void delete(String diskId);

  /** The artifacts of all disks of this store. */
  Artifacts artifacts();
}
