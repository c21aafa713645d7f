package dev.diskstore.postgres;

import dev.diskstore.ContentUnavailable;
import dev.diskstore.spi.ContentParser;
import dev.diskstore.spi.index.ArtifactRow;
import dev.diskstore.spi.index.BlobRow;
import dev.diskstore.spi.index.CachedContent;
import dev.diskstore.spi.index.CompiledQuery;
import dev.diskstore.spi.index.DirectoryRow;
import dev.diskstore.spi.index.DiskRow;
import dev.diskstore.spi.index.IndexSession;
import dev.diskstore.spi.index.OwnerState;
import dev.diskstore.spi.index.QueryPage;
import dev.diskstore.spi.index.StoredArtifact;
import dev.diskstore.spi.index.TextHitRow;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * {@link IndexSession} on one PostgreSQL transaction: each operation delegates to the SQL of
 * {@link PgArtifacts}, {@link PgBlobs}, {@link PgDisks}, {@link PgOwners} and {@link PgText}. An
 * {@link SQLException} leaves as {@link SqlFailure}, which {@link PgMetadataIndex} unwraps so that
 * {@link PgTransactions} can retry a serialization failure or translate the error.
 *
 * <p>One object serves as every group of operations. Valid during one {@code IndexWork} call.
 */
final class PgSession
    implements IndexSession,
        IndexSession.ArtifactRows,
        IndexSession.BlobRows,
        IndexSession.DiskRows,
        IndexSession.Owners,
        IndexSession.TextRows,
        IndexSession.Maintenance {
  private final Connection c;
  private final PgVersions versions;

  PgSession(Connection c) {
    this.c = c;
    this.versions = new PgVersions(c);
  }

  /** An {@link SQLException} on its way out of the work, to be unwrapped by the index. */
  static final class SqlFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SqlFailure(SQLException cause) {
      super(cause.getMessage(), cause, false, false);
    }

    @Override
    public synchronized SQLException getCause() {
      return (SQLException) super.getCause();
    }
  }

  @FunctionalInterface
  private interface SqlCall<T> {
    T call() throws SQLException;
  }

  private static <T> T sql(SqlCall<T> call) {
    try {
      return call.call();
    } catch (SQLException e) {
      throw new SqlFailure(e);
    }
  }

  @Override
  public ArtifactRows artifacts() {
    return this;
  }

  @Override
  public BlobRows blobs() {
    return this;
  }

  @Override
  public VersionRows versions() {
    return versions;
  }

  @Override
  public DiskRows disks() {
    return this;
  }

  @Override
  public Owners owners() {
    return this;
  }

  @Override
  public TextRows text() {
    return this;
  }

  @Override
  public Maintenance maintenance() {
    return this;
  }

  @Override
  public Optional<String> storeMeta(String key) {
    return sql(() -> PgDisks.storeMeta(c, key));
  }

  @Override
  public void putStoreMeta(String key, String value) {
    sql(() -> {
      PgDisks.putStoreMeta(c, key, value);
      return null;
    });
  }

  // ------------------------------------------------------------------ artifacts

  @Override
  public Optional<ArtifactRow> find(String diskId, String path, String filename) {
    return sql(() -> PgArtifacts.find(c, diskId, path, filename));
  }

  @Override
  public long insert(ArtifactRow row, long rowCheck) {
    return sql(() -> PgArtifacts.insert(c, row, rowCheck));
  }

  @Override
  public void update(ArtifactRow row, long rowCheck) {
    sql(() -> {
      PgArtifacts.update(c, row, rowCheck);
      return null;
    });
  }

  @Override
  public void delete(long id) {
    sql(() -> {
      PgArtifacts.delete(c, id);
      return null;
    });
  }

  @Override
  public Map<String, Integer> blobUses(String diskId) {
    return sql(() -> PgArtifacts.blobUses(c, diskId));
  }

  @Override
  public void addToDirectories(String diskId, List<DirectoryRow> directories) {
    sql(() -> {
      PgArtifacts.addToDirectories(c, diskId, directories);
      return null;
    });
  }

  @Override
  public void removeFromDirectories(String diskId, List<String> paths) {
    sql(() -> {
      PgArtifacts.removeFromDirectories(c, diskId, paths);
      return null;
    });
  }

  @Override
  public List<String> childDirectories(
      String diskId, String parent, String afterName, long limit) {
    return sql(() -> PgArtifacts.childDirectories(c, diskId, parent, afterName, limit));
  }

  @Override
  public List<ArtifactRow> inDirectory(
      String diskId, String path, String afterFilename, long limit) {
    return sql(() -> PgArtifacts.inDirectory(c, diskId, path, afterFilename, limit));
  }

  @Override
  public void scan(
      String diskId,
      String fromPath,
      String toPath,
      @Nullable String afterPath,
      @Nullable String afterFilename,
      RowVisitor visitor) {
    sql(() -> {
      PgArtifacts.scan(c, diskId, fromPath, toPath, afterPath, afterFilename, visitor::visit);
      return null;
    });
  }

  @Override
  public QueryPage query(CompiledQuery query, @Nullable List<String> after, int limit) {
    return sql(() -> PgQueries.run(c, (PgQueries.Compiled) query, after, limit));
  }

  // ------------------------------------------------------------------ blobs

  @Override
  public Optional<String> keyOf(String sha256) {
    return sql(() -> PgBlobs.keyOf(c, sha256));
  }

  @Override
  public void insert(String sha256, String key, long size, long nowMicros) {
    sql(() -> {
      PgBlobs.insert(c, sha256, key, size, nowMicros);
      return null;
    });
  }

  @Override
  public void addReference(String sha256) {
    sql(() -> {
      PgBlobs.addReference(c, sha256);
      return null;
    });
  }

  @Override
  public Optional<String> release(String sha256, int count, long nowMicros) {
    return sql(() -> PgBlobs.release(c, sha256, count, nowMicros));
  }

  @Override
  public boolean any() {
    return sql(() -> PgBlobs.any(c));
  }

  @Override
  public List<String> someKeys(int limit) {
    return sql(() -> PgBlobs.someKeys(c, limit));
  }

  @Override
  public List<BlobRow> all() {
    return sql(() -> PgBlobs.all(c));
  }

  @Override
  public GarbageRows garbage() {
    return garbageRows;
  }

  /** The garbage keys and GC's questions about keys ({@link PgBlobs}). */
  private final GarbageRows garbageRows =
      new GarbageRows() {
        @Override
        public void add(String key, long nowMicros) {
          sql(() -> {
            PgBlobs.addGarbage(c, key, nowMicros);
            return null;
          });
        }

        @Override
        public Set<String> keys() {
          return sql(() -> PgBlobs.garbage(c));
        }

        @Override
        public void remove(Collection<String> keys) {
          sql(() -> {
            PgBlobs.removeGarbage(c, keys);
            return null;
          });
        }

        @Override
        public Map<String, String> legacyPendingWrites() {
          return sql(() -> PgBlobs.legacyPendingWrites(c));
        }

        @Override
        public void removeLegacyPendingWrites(Collection<String> keys) {
          sql(() -> {
            PgBlobs.removeLegacyPendingWrites(c, keys);
            return null;
          });
        }

        @Override
        public Set<String> accountedFor(Collection<String> keys) {
          return sql(() -> PgBlobs.accountedFor(c, keys));
        }
      };

  @Override
  public Optional<ContentParser.Result> extractedContent(
      String sha256, String contentType, String parserId, int maxChars) {
    return sql(() -> PgBlobs.extractedContent(c, sha256, contentType, parserId, maxChars))
        .map(e -> e.reason() != null
            ? new ContentParser.Unavailable(ContentUnavailable.valueOf(e.reason()),
                String.valueOf(e.detail()))
            : new ContentParser.Parsed(CachedContent.parsed(String.valueOf(e.type()),
                String.valueOf(e.raw()), e.truncated(), e.detail())));
  }

  @Override
  public boolean putExtractedContent(
      String sha256,
      String contentType,
      String parserId,
      int maxChars,
      ContentParser.Result result,
      long nowMicros) {
    PgBlobs.Extracted extracted =
        result instanceof ContentParser.Parsed p
            ? new PgBlobs.Extracted(p.content().type(), p.content().raw(), p.content().truncated(),
                null, CachedContent.detailOf(p.content()))
            : new PgBlobs.Extracted(null, null, false,
                ((ContentParser.Unavailable) result).reason().name(),
                ((ContentParser.Unavailable) result).detail());
    return sql(() -> PgBlobs.putExtractedContent(c, sha256, contentType, parserId, maxChars,
        extracted, nowMicros));
  }

  // ------------------------------------------------------------------ disks

  @Override
  public void insert(DiskRow disk) {
    sql(() -> {
      PgDisks.insert(c, disk);
      return null;
    });
  }

  @Override
  public Optional<DiskRow> find(String diskId) {
    return sql(() -> PgDisks.find(c, diskId));
  }

  @Override
  public boolean exists(String diskId) {
    return sql(() -> PgDisks.exists(c, diskId));
  }

  @Override
  public List<DiskRow> page(
      @Nullable String user,
      @Nullable String project,
      boolean descending,
      long afterCreatedAt,
      @Nullable String afterId,
      int limit) {
    return sql(() -> PgDisks.page(c, user, project, descending, afterCreatedAt, afterId, limit));
  }

  @Override
  public void delete(String diskId) {
    sql(() -> {
      PgDisks.delete(c, diskId);
      return null;
    });
  }

  // ------------------------------------------------------------------ owners

  @Override
  public void register(String ownerId, long nowMicros) {
    sql(() -> {
      PgOwners.register(c, ownerId, nowMicros);
      return null;
    });
  }

  @Override
  public Optional<OwnerState> state(String ownerId) {
    return sql(() -> PgOwners.state(c, ownerId)).map(PgSession::ownerState);
  }

  @Override
  public Map<String, OwnerState> states(Collection<String> ownerIds) {
    Map<String, String> raw = sql(() -> PgOwners.states(c, ownerIds));
    Map<String, OwnerState> out = new HashMap<>();
    raw.forEach((id, state) -> out.put(id, ownerState(state)));
    return out;
  }

  private static OwnerState ownerState(String state) {
    return PgOwners.ALIVE.equals(state) ? OwnerState.ALIVE : OwnerState.DEAD;
  }

  @Override
  public void declareDead(Collection<String> ownerIds, long nowMicros) {
    sql(() -> {
      PgOwners.declareDead(c, ownerIds, nowMicros);
      return null;
    });
  }

  @Override
  public int pruneDead(Set<String> named) {
    return sql(() -> PgOwners.pruneDead(c, named));
  }

  // ------------------------------------------------------------------ text

  @Override
  public void enqueue(long artifactId) {
    sql(() -> {
      PgText.enqueue(c, artifactId);
      return null;
    });
  }

  @Override
  public void enqueueDisk(String diskId) {
    sql(() -> {
      PgText.enqueueDisk(c, diskId);
      return null;
    });
  }

  @Override
  public void enqueueBlob(String sha256, String contentType) {
    sql(() -> {
      PgText.enqueueBlob(c, sha256, contentType);
      return null;
    });
  }

  @Override
  public List<TextHitRow> search(String diskId, List<String> terms, int limit) {
    List<PgText.Hit> hits = sql(() -> PgText.search(c, diskId, terms, limit));
    List<TextHitRow> out = new ArrayList<>(hits.size());
    for (PgText.Hit h : hits) {
      out.add(new TextHitRow(h.row(), h.score(), h.snippet()));
    }
    return out;
  }

  // ------------------------------------------------------------------ verification

  @Override
  public void scanArtifacts(Consumer<StoredArtifact> visitor) {
    sql(() -> {
      PgArtifacts.scanAll(c, visitor);
      return null;
    });
  }

  @Override
  public List<DirectoryRow> directories() {
    return sql(() -> PgArtifacts.directories(c));
  }

  @Override
  public void scanVersions(VersionVisitor visitor) {
    versions.scan(visitor);
  }
}
