package dev.diskstore.internal;

import dev.diskstore.Artifacts;
import dev.diskstore.Disk;
import dev.diskstore.DiskListRequest;
import dev.diskstore.DiskNotFoundException;
import dev.diskstore.DiskPage;
import dev.diskstore.Disks;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.spi.index.DiskRow;
import dev.diskstore.spi.index.IndexSession;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** {@link Disks} on the index. */
final class DiskOps implements Disks {
  private static final int MAX_USER_LENGTH = 1024;
  private static final int MAX_PROJECT_LENGTH = 128;
  private static final java.util.regex.Pattern PROJECT_ID =
      java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1," + MAX_PROJECT_LENGTH + "}");
  private final Engine engine;
  private final ArtifactOps artifacts;

  DiskOps(Engine engine, ArtifactOps artifacts) {
    this.engine = engine;
    this.artifacts = artifacts;
  }

  ArtifactOps artifactOps() {
    return artifacts;
  }

  @Override
  public Disk create() {
    return create(null);
  }

  @Override
  public Disk create(@Nullable String user) {
    return createInProject(engine.projectId, user);
  }

  @Override
  public Disk createInProject(String projectId, @Nullable String user) {
    engine.checkOpen();
    checkProject(projectId);
    if (user != null && user.isBlank()) {
      user = null; // as Acontext: blank is no user, like a blank list filter
    }
    if (user != null) {
      checkUser(user);
    }
    String id = UUID.randomUUID().toString();
    Instant now = engine.now();
    DiskRow row = new DiskRow(id, user, projectId, Engine.micros(now), Engine.micros(now));
    engine.index.write(
        true,
        c -> {
          c.disks().insert(row);
          return null;
        });
    return new Disk(id, projectId, user, now, now);
  }

  /** Project ids go into URLs and headers unescaped by servers: a small safe alphabet. */
  static void checkProject(String projectId) {
    Objects.requireNonNull(projectId, "projectId");
    if (!PROJECT_ID.matcher(projectId).matches()) {
      throw new InvalidRequestException(
          "projectId must be 1-" + MAX_PROJECT_LENGTH + " characters from [A-Za-z0-9._:-], was \""
              + (projectId.length() > 40 ? projectId.substring(0, 40) + "..." : projectId) + "\"");
    }
  }

  private static void checkUser(String user) {
    if (user.length() > MAX_USER_LENGTH) {
      throw new InvalidRequestException(
          "user must be an identifier of at most " + MAX_USER_LENGTH + " characters");
    }
    for (int i = 0; i < user.length(); i++) {
      char c = user.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new InvalidRequestException("user must not contain control characters");
      }
    }
  }

  @Override
  public Optional<Disk> find(String diskId) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    return engine.index.read(c -> c.disks().find(diskId)).map(this::toDisk);
  }

  @Override
  public Disk get(String diskId) {
    return find(diskId).orElseThrow(() -> new DiskNotFoundException(diskId));
  }

  private Disk toDisk(DiskRow row) {
    return new Disk(
        row.id(),
        row.project() != null ? row.project() : engine.projectId,
        row.user(),
        Engine.instant(row.createdAt()),
        Engine.instant(row.updatedAt()));
  }

  /**
   * Drops the references a disk's artifacts and versions hold, before the disk's rows go; keys
   * left without references go to {@code garbage}.
   */
  static void releaseBlobs(
      IndexSession c, String diskId, List<String> garbage, java.time.Instant now) {
    Map<String, Integer> uses = new java.util.HashMap<>(c.artifacts().blobUses(diskId));
    c.versions().blobUses(diskId).forEach((sha256, count) -> uses.merge(sha256, count, Integer::sum));
    for (Map.Entry<String, Integer> use : uses.entrySet()) {
      ArtifactOps.releaseBlob(c, use.getKey(), use.getValue(), garbage, now);
    }
  }

  /** Throws {@link DiskNotFoundException} unless the disk exists (in this transaction). */
  static void requireDisk(IndexSession c, String diskId) {
    if (!c.disks().exists(diskId)) {
      throw new DiskNotFoundException(diskId);
    }
  }

  @Override
  public DiskPage list(DiskListRequest request) {
    engine.checkOpen();
    Objects.requireNonNull(request, "request");
    request.projectId().ifPresent(DiskOps::checkProject);
    String scope = "disks\0" + request.timeDesc() + "\0" + request.user().orElse("\1")
        + request.projectId().map(p -> "\0" + p).orElse("");
    long afterTime = 0;
    String afterId = null;
    if (request.cursor().isPresent()) {
      List<String> fields = Cursors.decode(request.cursor().get(), "d1", scope, 2);
      try {
        afterTime = Long.parseLong(fields.get(0));
      } catch (NumberFormatException e) {
        throw new dev.diskstore.InvalidCursorException("malformed cursor");
      }
      afterId = fields.get(1);
    }
    long cursorTime = afterTime;
    String cursorId = afterId;
    String user = request.user().orElse(null);
    String project = request.projectId().orElse(null);
    List<Disk> rows =
        engine.index.read(
            c -> c.disks().page(user, project, request.timeDesc(), cursorTime, cursorId,
                request.limit() + 1))
            .stream().map(this::toDisk).toList();
    boolean hasMore = rows.size() > request.limit();
    List<Disk> items = hasMore ? rows.subList(0, request.limit()) : rows;
    Optional<String> next = Optional.empty();
    if (hasMore) {
      Disk last = items.get(items.size() - 1);
      next = Optional.of(Cursors.encode(
          "d1", scope, List.of(Long.toString(Engine.micros(last.createdAt())), last.id())));
    }
    return new DiskPage(items, hasMore, next);
  }

  @Override
  public void delete(String diskId) {
    engine.checkOpen();
    Objects.requireNonNull(diskId, "diskId");
    List<String> garbage =
        engine.index.write(
            true,
            c -> {
              requireDisk(c, diskId);
              List<String> keys = new ArrayList<>();
              releaseBlobs(c, diskId, keys, engine.now());
              c.text().enqueueDisk(diskId);
              c.disks().delete(diskId);
              return keys;
            });
    engine.deleteGarbage(garbage);
  }

  @Override
  public Artifacts artifacts() {
    engine.checkOpen();
    return artifacts;
  }
}
