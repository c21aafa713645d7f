package dev.diskstore.internal;

import dev.diskstore.Artifacts;
import dev.diskstore.Disk;
import dev.diskstore.DiskListRequest;
import dev.diskstore.DiskNotFoundException;
import dev.diskstore.DiskPage;
import dev.diskstore.Disks;
import dev.diskstore.InvalidRequestException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** {@link Disks} on the index. */
final class DiskOps implements Disks {
  private static final int MAX_USER_LENGTH = 1024;
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
    engine.checkOpen();
    if (user != null) {
      checkUser(user);
    }
    String id = UUID.randomUUID().toString();
    Instant now = engine.now();
    engine.index.write(
        true,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO disks (id, user, created_at, updated_at) VALUES (?, ?, ?, ?)")) {
            s.setString(1, id);
            s.setString(2, user);
            s.setLong(3, Engine.micros(now));
            s.setLong(4, Engine.micros(now));
            s.executeUpdate();
          }
          return null;
        });
    return new Disk(id, engine.projectId, user, now, now);
  }

  private static void checkUser(String user) {
    if (user.isBlank() || user.length() > MAX_USER_LENGTH) {
      throw new InvalidRequestException(
          "user must be a non-blank identifier of at most " + MAX_USER_LENGTH + " characters");
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
    return Optional.ofNullable(engine.index.read(c -> select(c, diskId)));
  }

  @Override
  public Disk get(String diskId) {
    return find(diskId).orElseThrow(() -> new DiskNotFoundException(diskId));
  }

  private @Nullable Disk select(Connection c, String diskId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT id, user, created_at, updated_at FROM disks WHERE id = ?")) {
      s.setString(1, diskId);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? toDisk(rs) : null;
      }
    }
  }

  private Disk toDisk(ResultSet rs) throws SQLException {
    return new Disk(
        rs.getString(1),
        engine.projectId,
        rs.getString(2),
        Engine.instant(rs.getLong(3)),
        Engine.instant(rs.getLong(4)));
  }

  /** Throws {@link DiskNotFoundException} unless the disk exists (in this transaction). */
  static void requireDisk(Connection c, String diskId) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM disks WHERE id = ?")) {
      s.setString(1, diskId);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          throw new DiskNotFoundException(diskId);
        }
      }
    }
  }

  @Override
  public DiskPage list(DiskListRequest request) {
    engine.checkOpen();
    Objects.requireNonNull(request, "request");
    String scope = "disks\0" + request.timeDesc() + "\0" + request.user().orElse("\1");
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
    String cmp = request.timeDesc() ? "<" : ">";
    String order = request.timeDesc() ? "DESC" : "ASC";
    StringBuilder sql =
        new StringBuilder("SELECT id, user, created_at, updated_at FROM disks WHERE 1 = 1");
    if (request.user().isPresent()) {
      sql.append(" AND user = ?");
    }
    if (afterId != null) {
      sql.append(" AND (created_at ").append(cmp).append(" ? OR (created_at = ? AND id ")
          .append(cmp).append(" ?))");
    }
    sql.append(" ORDER BY created_at ").append(order).append(", id ").append(order)
        .append(" LIMIT ?");
    long cursorTime = afterTime;
    String cursorId = afterId;
    List<Disk> rows =
        engine.index.read(
            c -> {
              try (PreparedStatement s = c.prepareStatement(sql.toString())) {
                int i = 1;
                if (request.user().isPresent()) {
                  s.setString(i++, request.user().get());
                }
                if (cursorId != null) {
                  s.setLong(i++, cursorTime);
                  s.setLong(i++, cursorTime);
                  s.setString(i++, cursorId);
                }
                s.setInt(i, request.limit() + 1);
                List<Disk> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                  while (rs.next()) {
                    out.add(toDisk(rs));
                  }
                }
                return out;
              }
            });
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
              List<Object[]> uses = new ArrayList<>();
              try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT sha256, count(*) FROM artifacts WHERE disk_id = ? GROUP BY sha256")) {
                s.setString(1, diskId);
                try (ResultSet rs = s.executeQuery()) {
                  while (rs.next()) {
                    uses.add(new Object[] {rs.getString(1), rs.getInt(2)});
                  }
                }
              }
              for (Object[] use : uses) {
                ArtifactOps.releaseBlob(c, (String) use[0], (Integer) use[1], keys, engine.now());
              }
              TextIndex.enqueueDisk(c, diskId);
              try (PreparedStatement s = c.prepareStatement("DELETE FROM disks WHERE id = ?")) {
                s.setString(1, diskId);
                s.executeUpdate();
              }
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
