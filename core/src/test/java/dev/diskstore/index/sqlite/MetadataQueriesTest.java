package dev.diskstore.index.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactField;
import dev.diskstore.ArtifactPage;
import dev.diskstore.Artifacts;
import dev.diskstore.DiskNotFoundException;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.InvalidCursorException;
import dev.diskstore.InvalidPathException;
import dev.diskstore.InvalidQueryException;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.Query;
import dev.diskstore.QueryOptions;
import dev.diskstore.QuerySort;
import dev.diskstore.Search;
import dev.diskstore.StoreClosedException;
import dev.diskstore.internal.Cursors;
import dev.diskstore.memory.InMemoryBlobBackend;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Search#query} end to end on a real SQLite index (in-memory blobs). */
class MetadataQueriesTest {
  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));
  private DiskStore store;
  private String disk;

  @BeforeEach
  void open() {
    store =
        DiskStore.open(
            DiskStoreConfig.builder()
                .directory(dir)
                .backend(new InMemoryBlobBackend())
                .clock(clock)
                .build());
    disk = store.disks().create().id();
  }

  @AfterEach
  void close() {
    store.close();
  }

  // ------------------------------------------------------------------ helpers

  private Artifacts artifacts() {
    return store.disks().artifacts();
  }

  private Search search() {
    return store.search();
  }

  private static Map<String, Object> meta(Object... keyValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put((String) keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  private Artifact put(String path, String name, Map<String, ?> meta) {
    return artifacts().upsert(disk, FileUpload.ofText(name, "x"), path, meta);
  }

  /** Full paths of every match, paging with {@code limit}. */
  private List<String> run(Query query, QuerySort sort, int limit) {
    List<String> out = new ArrayList<>();
    QueryOptions options = QueryOptions.builder().sort(sort).limit(limit).build();
    for (int pages = 0; pages < 10_000; pages++) {
      ArtifactPage page = search().query(disk, query, options);
      assertThat(page.items().size()).isLessThanOrEqualTo(limit);
      page.items().forEach(a -> out.add(a.fullPath()));
      if (!page.hasMore()) {
        return out;
      }
      assertThat(page.items()).hasSize(limit);
      options = options.withCursor(page.nextCursor().orElseThrow());
    }
    throw new AssertionError("did not finish paging");
  }

  private List<String> run(Query query, QuerySort sort) {
    return run(query, sort, QueryOptions.MAX_LIMIT);
  }

  /** Filenames of every match (any order). */
  private Set<String> names(Query query) {
    return search().query(disk, query, QueryOptions.builder().limit(1000).build()).items()
        .stream().map(Artifact::filename).collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> set(String... names) {
    return new TreeSet<>(List.of(names));
  }

  // ------------------------------------------------------------------ user metadata operators

  @Nested
  class TypedOperators {
    /** a01..a15: one value of "v" each, of every JSON type, plus a missing key. */
    @BeforeEach
    void fixture() {
      put("/t", "a01", meta("v", "5"));
      put("/t", "a02", meta("v", 5));
      put("/t", "a03", meta("v", 5.0));
      put("/t", "a04", meta("v", 7.5));
      put("/t", "a05", meta("v", true));
      put("/t", "a06", meta("v", false));
      put("/t", "a07", meta("v", null));
      put("/t", "a08", meta("other", 1));
      put("/t", "a09", meta("v", "alice"));
      put("/t", "a10", meta("v", List.of(1, 2)));
      put("/t", "a11", meta("v", Map.of("w", 1)));
      put("/t", "a12", meta("v", -3));
      put("/t", "a13", meta("v", "Alice"));
      put("/t", "a14", meta("v", 1));
      put("/t", "a15", meta("v", new BigInteger("12345678901234567890")));
    }

    private Set<String> allBut(String... excluded) {
      Set<String> all = new TreeSet<>();
      for (int i = 1; i <= 15; i++) {
        all.add(String.format("a%02d", i));
      }
      all.removeAll(List.of(excluded));
      return all;
    }

    @Test
    void eqMatchesOnlyTheSameJsonType() {
      Query.KeyBuilder v = Query.where("v");
      assertThat(names(v.eq("5"))).isEqualTo(set("a01"));
      assertThat(names(v.eq(5))).isEqualTo(set("a02", "a03"));
      assertThat(names(v.eq(5.0))).isEqualTo(set("a02", "a03"));
      assertThat(names(v.eq(1))).isEqualTo(set("a14"));
      assertThat(names(v.eq(true))).isEqualTo(set("a05"));
      assertThat(names(v.eq(false))).isEqualTo(set("a06"));
      assertThat(names(v.eq("true"))).isEmpty();
      assertThat(names(v.eq("alice"))).isEqualTo(set("a09"));
      assertThat(names(v.eq(-3L))).isEqualTo(set("a12"));
      assertThat(names(v.eq(12345678901234567890.0))).isEqualTo(set("a15"));
    }

    @Test
    void nullExistsAndNotExists() {
      Query.KeyBuilder v = Query.where("v");
      assertThat(names(v.isNull())).isEqualTo(set("a07"));
      assertThat(names(v.exists())).isEqualTo(allBut("a08"));
      assertThat(names(v.notExists())).isEqualTo(set("a08"));
      assertThat(names(Query.where("nope").exists())).isEmpty();
      assertThat(names(Query.not(v.isNull()))).isEqualTo(allBut("a07"));
    }

    @Test
    void neIsNotEqIncludingMissingKeysAndOtherTypes() {
      Query.KeyBuilder v = Query.where("v");
      assertThat(names(v.ne("5"))).isEqualTo(allBut("a01"));
      assertThat(names(v.ne(5))).isEqualTo(allBut("a02", "a03"));
      assertThat(names(v.ne(true))).isEqualTo(allBut("a05"));
      assertThat(names(v.ne(false))).isEqualTo(allBut("a06"));
      assertThat(names(v.ne(2.5))).isEqualTo(allBut());
      assertThat(names(v.ne("5"))).isEqualTo(names(Query.not(v.eq("5"))));
      // requiring the key is explicit
      assertThat(names(v.exists().and(v.ne("5")))).isEqualTo(allBut("a01", "a08"));
    }

    @Test
    void orderingComparesNumbersNumericallyAndStringsByCodePoint() {
      Query.KeyBuilder v = Query.where("v");
      assertThat(names(v.lt(5))).isEqualTo(set("a12", "a14"));
      assertThat(names(v.le(5))).isEqualTo(set("a02", "a03", "a12", "a14"));
      assertThat(names(v.gt(5))).isEqualTo(set("a04", "a15"));
      assertThat(names(v.ge(5.0))).isEqualTo(set("a02", "a03", "a04", "a15"));
      assertThat(names(v.gt(Long.MAX_VALUE))).isEqualTo(set("a15"));
      assertThat(names(v.lt(1.5))).isEqualTo(set("a12", "a14"));
      assertThat(names(v.lt("alice"))).isEqualTo(set("a01", "a13"));
      assertThat(names(v.le("alice"))).isEqualTo(set("a01", "a09", "a13"));
      assertThat(names(v.gt("Alice"))).isEqualTo(set("a09"));
      assertThat(names(v.ge("5"))).isEqualTo(set("a01", "a09", "a13"));
      // an ordering never matches other types, null or a missing key; its negation does
      assertThat(names(Query.not(v.lt(5)))).isEqualTo(allBut("a12", "a14"));
    }

    @Test
    void inMatchesEachValueByItsOwnType() {
      Query.KeyBuilder v = Query.where("v");
      assertThat(names(v.in("5", "alice", "nobody"))).isEqualTo(set("a01", "a09"));
      assertThat(names(v.in(5, -3))).isEqualTo(set("a02", "a03", "a12"));
      assertThat(names(v.in(2.5, 7.5))).isEqualTo(set("a04"));
      assertThat(names(v.in(List.of("5", 5L, true)))).isEqualTo(set("a01", "a02", "a03", "a05"));
      assertThat(names(v.in(List.of(false)))).isEqualTo(set("a06"));
      assertThat(names(v.in(List.of()))).isEmpty();
      assertThat(names(Query.not(v.in(List.of())))).isEqualTo(allBut());
      assertThat(names(Query.not(v.in("5")))).isEqualTo(allBut("a01"));
    }

    @Test
    void sortsMixedTypesByTypeThenValueWithMissingLast() {
      List<String> asc = run(Query.all(), QuerySort.byMeta("v"));
      assertThat(asc)
          .containsExactly(
              "/t/a12", "/t/a14", "/t/a02", "/t/a03", "/t/a04", "/t/a15", // numbers
              "/t/a01", "/t/a13", "/t/a09", // strings
              "/t/a06", "/t/a05", // false, true
              "/t/a07", "/t/a10", "/t/a11", // null, array, object
              "/t/a08"); // missing
      List<String> desc = run(Query.all(), QuerySort.byMeta("v").desc());
      assertThat(desc)
          .containsExactly(
              "/t/a11", "/t/a10", "/t/a07", "/t/a05", "/t/a06", "/t/a09", "/t/a13", "/t/a01",
              "/t/a15", "/t/a04", "/t/a03", "/t/a02", "/t/a14", "/t/a12", "/t/a08");
      // the same order one artifact per page: the cursor carries each type
      assertThat(run(Query.all(), QuerySort.byMeta("v"), 1)).isEqualTo(asc);
      assertThat(run(Query.all(), QuerySort.byMeta("v").desc(), 1)).isEqualTo(desc);
      assertThat(run(Query.all(), QuerySort.byMeta("v").desc(), 4)).isEqualTo(desc);
    }

    @Test
    void combinatorsAreTwoValuedBooleanAlgebra() {
      Query.KeyBuilder v = Query.where("v");
      List<Query> leaves =
          List.of(
              v.eq("5"), v.gt(1), v.lt(6), v.exists(), v.notExists(), v.isNull(), v.eq(true),
              v.in("alice", "Alice"), Query.where("other").eq(1), v.ge("A"),
              Query.field(ArtifactField.FILENAME).in("a01", "a07", "a08", "a15"));
      Map<Query, Set<String>> expected = new LinkedHashMap<>();
      for (Query leaf : leaves) {
        expected.put(leaf, names(leaf));
      }
      Set<String> all = allBut();
      Random random = new Random(42);
      for (int i = 0; i < 150; i++) {
        Query[] built = new Query[1];
        Set<String> want = randomQuery(random, leaves, expected, all, 3, built);
        assertThat(names(built[0])).as(built[0].toString()).isEqualTo(want);
      }
      // identities
      Query a = v.gt(1);
      Query b = Query.where("other").eq(1);
      assertThat(names(Query.not(a.and(b)))).isEqualTo(names(Query.not(a).or(Query.not(b))));
      assertThat(names(Query.not(a.or(b)))).isEqualTo(names(Query.not(a).and(Query.not(b))));
      assertThat(names(a.negate().negate())).isEqualTo(names(a));
      assertThat(names(Query.allOf())).isEqualTo(all);
      assertThat(names(Query.anyOf())).isEmpty();
      assertThat(names(Query.all())).isEqualTo(all);
      assertThat(names(Query.anyOf(v.eq("5"), v.eq(5), v.isNull())))
          .isEqualTo(set("a01", "a02", "a03", "a07"));
      assertThat(names(Query.allOf(v.gt(0), v.lt(6), Query.not(v.eq(1)))))
          .isEqualTo(set("a02", "a03"));
    }

    private Set<String> randomQuery(
        Random random,
        List<Query> leaves,
        Map<Query, Set<String>> expected,
        Set<String> all,
        int depth,
        Query[] out) {
      int choice = depth == 0 ? 0 : random.nextInt(4);
      if (choice == 0) {
        Query leaf = leaves.get(random.nextInt(leaves.size()));
        out[0] = leaf;
        return expected.get(leaf);
      }
      if (choice == 3) {
        Set<String> inner = randomQuery(random, leaves, expected, all, depth - 1, out);
        out[0] = Query.not(out[0]);
        Set<String> result = new TreeSet<>(all);
        result.removeAll(inner);
        return result;
      }
      Query[] left = new Query[1];
      Query[] right = new Query[1];
      Set<String> l = randomQuery(random, leaves, expected, all, depth - 1, left);
      Set<String> r = randomQuery(random, leaves, expected, all, depth - 1, right);
      Set<String> result = new TreeSet<>(l);
      if (choice == 1) {
        out[0] = left[0].and(right[0]);
        result.retainAll(r);
      } else {
        out[0] = left[0].or(right[0]);
        result.addAll(r);
      }
      return result;
    }
  }

  // ------------------------------------------------------------------ keys

  @Test
  void nestedKeysAddressInsideObjects() {
    put("/", "draft", meta("review", meta("state", "draft", "score", 3)));
    put("/", "done", meta("review", meta("state", "done", "score", 9, "by", meta("name", "bo"))));
    put("/", "flat", meta("review", "draft"));
    put("/", "none", meta());
    assertThat(names(Query.where("review", "state").eq("draft"))).isEqualTo(set("draft"));
    assertThat(names(Query.where("review", "score").gt(5))).isEqualTo(set("done"));
    assertThat(names(Query.where("review", "by", "name").eq("bo"))).isEqualTo(set("done"));
    assertThat(names(Query.where("review", "state").notExists()))
        .isEqualTo(set("flat", "none"));
    assertThat(names(Query.where("review").eq("draft"))).isEqualTo(set("flat"));
    assertThat(names(Query.where("review").exists())).isEqualTo(set("draft", "done", "flat"));
    // "flat" and "none" both lack review.score: last, ties by id in the sort direction
    assertThat(run(Query.all(), QuerySort.byMeta("review", "score").desc()))
        .containsExactly("/done", "/draft", "/none", "/flat");
    assertThat(run(Query.all(), QuerySort.byMeta("review", "score")))
        .containsExactly("/draft", "/done", "/flat", "/none");
  }

  @Test
  void keysAreLiteralWhateverTheyContain() {
    put("/", "dotted", meta("a.b", 1));
    put("/", "nested", meta("a", meta("b", 2)));
    List<String> keys =
        List.of(
            "quote\"key", "back\\slash", "ünïcödé😀", "$.x", "$", "'; DROP TABLE artifacts; --",
            "", "[0]", "a]b[", "ctl\u0001\n", "\\u0041", "A", "key with spaces", "a\".\"b",
            "\\\"", "*", "%_");
    for (int i = 0; i < keys.size(); i++) {
      put("/keys", "k" + i, meta(keys.get(i), i));
    }
    assertThat(names(Query.where("a.b").eq(1))).isEqualTo(set("dotted"));
    assertThat(names(Query.where("a", "b").eq(2))).isEqualTo(set("nested"));
    assertThat(names(Query.where("a.b").exists())).isEqualTo(set("dotted"));
    for (int i = 0; i < keys.size(); i++) {
      assertThat(names(Query.where(keys.get(i)).eq(i))).as(keys.get(i)).isEqualTo(set("k" + i));
      assertThat(names(Query.where(keys.get(i)).exists())).as(keys.get(i)).isEqualTo(set("k" + i));
    }
    // the same keys nested one level down
    put("/", "deep", meta("outer", meta("quote\"key", meta("$.x", "y"))));
    assertThat(names(Query.where("outer", "quote\"key", "$.x").eq("y"))).isEqualTo(set("deep"));
    assertThat(names(Query.where("outer", "quote\"key").exists())).isEqualTo(set("deep"));
    assertThat(names(Query.where("outer.quote\"key").exists())).isEmpty();
  }

  @Test
  void hostileValuesAreJustData() {
    List<String> values =
        List.of("'; DROP TABLE artifacts; --", "$.x", "\" OR 1=1 --", "%", "_", "*", "\\",
            "') OR ('1'='1", "\u0000nul");
    for (int i = 0; i < values.size(); i++) {
      put("/", "h" + i, meta("v", values.get(i)));
    }
    put("/", "other", meta("v", "plain"));
    for (int i = 0; i < values.size(); i++) {
      assertThat(names(Query.where("v").eq(values.get(i)))).as(values.get(i))
          .isEqualTo(set("h" + i));
    }
    assertThat(names(Query.where("v").in(values.toArray(new String[0])))).hasSize(values.size());
    assertThat(names(Query.where("'; DROP TABLE artifacts; --").exists())).isEmpty();
    assertThat(names(Query.field(ArtifactField.CONTENT_TYPE).eq("' OR 1=1 --"))).isEmpty();
    assertThat(names(Query.pathPrefix("/'; DROP TABLE artifacts; --"))).isEmpty();
    assertThat(names(Query.all())).hasSize(values.size() + 1);
  }

  // ------------------------------------------------------------------ system fields

  @Test
  void sizeContentTypeFilenameAndSha256() {
    Artifact empty = artifacts().upsert(disk, FileUpload.of("empty.bin", new byte[0]), "/s");
    Artifact ten = artifacts().upsert(disk, FileUpload.of("ten.json", "{\"a\": 12345}".getBytes()), "/s");
    Artifact big = artifacts().upsert(disk, FileUpload.of("big.md", new byte[1000]), "/s");
    Query.FieldBuilder size = Query.field(ArtifactField.SIZE_BYTES);
    assertThat(names(size.eq(0))).isEqualTo(set("empty.bin"));
    assertThat(names(size.gt(0))).isEqualTo(set("ten.json", "big.md"));
    assertThat(names(size.le(ten.sizeBytes()))).isEqualTo(set("empty.bin", "ten.json"));
    assertThat(names(size.ge(1000))).isEqualTo(set("big.md"));
    assertThat(names(size.lt(0))).isEmpty();
    assertThat(names(size.ne(1000))).isEqualTo(set("empty.bin", "ten.json"));
    assertThat(names(size.in(0, 1000, 7))).isEqualTo(set("empty.bin", "big.md"));

    Query.FieldBuilder type = Query.field(ArtifactField.CONTENT_TYPE);
    assertThat(names(type.eq(ten.contentType()))).isEqualTo(set("ten.json"));
    assertThat(names(type.in(ten.contentType(), big.contentType())))
        .isEqualTo(set("ten.json", "big.md"));
    assertThat(names(type.ne(empty.contentType()))).doesNotContain("empty.bin");

    assertThat(names(Query.field(ArtifactField.FILENAME).eq("big.md"))).isEqualTo(set("big.md"));
    assertThat(names(Query.field(ArtifactField.FILENAME).gt("empty.bin")))
        .isEqualTo(set("ten.json"));
    assertThat(names(Query.field(ArtifactField.SHA256).eq(big.sha256().toUpperCase())))
        .isEqualTo(set("big.md"));
    assertThat(names(Query.field(ArtifactField.SHA256).in(empty.sha256(), ten.sha256())))
        .isEqualTo(set("empty.bin", "ten.json"));

    assertThat(run(Query.all(), QuerySort.by(ArtifactField.SIZE_BYTES)))
        .containsExactly("/s/empty.bin", "/s/ten.json", "/s/big.md");
    assertThat(run(Query.all(), QuerySort.by(ArtifactField.SIZE_BYTES).desc(), 1))
        .containsExactly("/s/big.md", "/s/ten.json", "/s/empty.bin");
    assertThat(run(Query.all(), QuerySort.by(ArtifactField.FILENAME).desc()))
        .containsExactly("/s/ten.json", "/s/empty.bin", "/s/big.md");
  }

  @Test
  void filenameValuesAreNfcNormalised() {
    put("/", "caf\u00e9.txt", meta());
    assertThat(names(Query.field(ArtifactField.FILENAME).eq("cafe\u0301.txt")))
        .isEqualTo(set("caf\u00e9.txt"));
  }

  @Test
  void timestampsCreatedUpdatedAndLastModified() {
    Instant t0 = Instant.parse("2024-01-01T00:00:00Z");
    clock.set(t0);
    put("/", "a", meta("n", 1));
    clock.set(t0.plusSeconds(10));
    put("/", "b", meta("n", 2));
    clock.set(t0.plusSeconds(20));
    put("/", "c", meta("n", 3));
    clock.set(t0.plusSeconds(30));
    artifacts().update(disk, "/", "a", meta("n", 4)); // metadata only
    clock.set(t0.plusSeconds(40));
    artifacts().upsert(disk, FileUpload.ofText("b", "new bytes"), "/"); // bytes

    Query.FieldBuilder created = Query.field(ArtifactField.CREATED_AT);
    assertThat(names(created.lt(t0.plusSeconds(10)))).isEqualTo(set("a"));
    assertThat(names(created.le(t0.plusSeconds(10)))).isEqualTo(set("a", "b"));
    assertThat(names(created.eq(t0.plusSeconds(20)))).isEqualTo(set("c"));
    assertThat(names(created.gt(t0))).isEqualTo(set("b", "c"));
    assertThat(names(created.in(t0, t0.plusSeconds(20)))).isEqualTo(set("a", "c"));
    // sub-microsecond digits are truncated, like the stored values
    assertThat(names(created.eq(t0.plusSeconds(20).plusNanos(999)))).isEqualTo(set("c"));

    Query.FieldBuilder updated = Query.field(ArtifactField.UPDATED_AT);
    assertThat(names(updated.ge(t0.plusSeconds(30)))).isEqualTo(set("a", "b"));
    assertThat(names(updated.lt(t0.plusSeconds(30)))).isEqualTo(set("c"));

    Query.FieldBuilder modified = Query.field(ArtifactField.LAST_MODIFIED);
    assertThat(names(modified.lt(t0.plusSeconds(5)))).isEqualTo(set("a"));
    assertThat(names(modified.gt(t0.plusSeconds(30)))).isEqualTo(set("b"));
    assertThat(names(modified.ne(t0.plusSeconds(40)))).isEqualTo(set("a", "c"));

    assertThat(run(Query.all(), QuerySort.by(ArtifactField.UPDATED_AT)))
        .containsExactly("/c", "/a", "/b");
    assertThat(run(Query.all(), QuerySort.by(ArtifactField.CREATED_AT).desc(), 2))
        .containsExactly("/c", "/b", "/a");
    assertThat(run(Query.all(), QuerySort.by(ArtifactField.LAST_MODIFIED).desc()))
        .containsExactly("/b", "/c", "/a");
  }

  @Test
  void pathPrefixIsARangeWithoutWildcards() {
    String[] dirs = {
      "/docs/", "/docs/sub/", "/docs/sub/deeper/", "/docsx/", "/doc/", "/100%/", "/1000/",
      "/a_b/", "/axb/", "/[x]/", "/x/", "/d*/", "/dd/", "/a'b/", "/ü/", "/u/"
    };
    for (String d : dirs) {
      put(d, "f", meta());
    }
    put("/", "root", meta());
    // ordered by directory, then filename
    assertThat(run(Query.pathPrefix("docs"), QuerySort.DEFAULT))
        .containsExactly("/docs/f", "/docs/sub/f", "/docs/sub/deeper/f");
    assertThat(run(Query.pathPrefix("//docs//sub"), QuerySort.DEFAULT))
        .containsExactly("/docs/sub/f", "/docs/sub/deeper/f");
    assertThat(run(Query.pathPrefix("100%"), QuerySort.DEFAULT)).containsExactly("/100%/f");
    assertThat(run(Query.pathPrefix("a_b"), QuerySort.DEFAULT)).containsExactly("/a_b/f");
    assertThat(run(Query.pathPrefix("[x]"), QuerySort.DEFAULT)).containsExactly("/[x]/f");
    assertThat(run(Query.pathPrefix("d*"), QuerySort.DEFAULT)).containsExactly("/d*/f");
    assertThat(run(Query.pathPrefix("a'b"), QuerySort.DEFAULT)).containsExactly("/a'b/f");
    assertThat(run(Query.pathPrefix("u\u0308"), QuerySort.DEFAULT)).containsExactly("/ü/f");
    assertThat(run(Query.pathPrefix("/"), QuerySort.DEFAULT)).hasSize(dirs.length + 1);
    assertThat(run(Query.pathPrefix("nothing"), QuerySort.DEFAULT)).isEmpty();
    assertThat(run(Query.not(Query.pathPrefix("/docs/")), QuerySort.DEFAULT))
        .hasSize(dirs.length + 1 - 3);
    // the PATH field is the directory itself, normalised
    assertThat(run(Query.field(ArtifactField.PATH).eq("docs"), QuerySort.DEFAULT))
        .containsExactly("/docs/f");
    assertThat(run(Query.field(ArtifactField.PATH).in("/x", "u"), QuerySort.DEFAULT))
        .containsExactly("/u/f", "/x/f");
    assertThatThrownBy(() -> Query.pathPrefix("a/../b")).isInstanceOf(InvalidPathException.class);
  }

  @Test
  void metaAndSystemConditionsCombine() {
    put("/reports/2024", "q1.md", meta("author", "alice", "status", "final", "pages", 12));
    put("/reports/2024", "q2.md", meta("author", "alice", "status", "draft", "pages", 3));
    put("/reports/2023", "q4.md", meta("author", "bob", "status", "final", "pages", 20));
    put("/notes", "n.md", meta("author", "alice"));
    Query q =
        Query.where("author").eq("alice")
            .and(Query.pathPrefix("/reports"))
            .and(Query.not(Query.where("status").eq("draft")));
    assertThat(names(q)).isEqualTo(set("q1.md"));
    Query either =
        Query.anyOf(
            Query.where("pages").gt(15),
            Query.where("status").eq("draft").and(Query.field(ArtifactField.SIZE_BYTES).ge(1)));
    assertThat(names(either)).isEqualTo(set("q2.md", "q4.md"));
    assertThat(names(Query.where("pages").lt(100).or(Query.pathPrefix("notes"))))
        .isEqualTo(set("q1.md", "q2.md", "q4.md", "n.md"));
    assertThat(run(Query.where("author").eq("alice"), QuerySort.byMeta("pages").desc()))
        .containsExactly("/reports/2024/q1.md", "/reports/2024/q2.md", "/notes/n.md");
  }

  // ------------------------------------------------------------------ pagination

  @Test
  void pagesThroughEveryArtifactExactlyOnceInOrder() {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      String path = "/p" + (i % 5);
      String name = String.format("f%03d", i);
      put(path, name, meta("n", i % 10, "i", i));
      expected.add(path + "/" + name);
    }
    Collections.sort(expected);
    assertThat(run(Query.all(), QuerySort.DEFAULT, 7)).containsExactlyElementsOf(expected);
    assertThat(run(Query.all(), QuerySort.by(ArtifactField.PATH).desc(), 7))
        .containsExactlyElementsOf(reversed(expected));

    // a meta key with many ties: ties follow creation (id) order
    List<String> byN = run(Query.all(), QuerySort.byMeta("n"), 7);
    assertThat(byN).hasSize(250).doesNotHaveDuplicates();
    List<String> wantByN = new ArrayList<>();
    for (int n = 0; n < 10; n++) {
      for (int i = n; i < 250; i += 10) {
        wantByN.add("/p" + (i % 5) + "/" + String.format("f%03d", i));
      }
    }
    assertThat(byN).containsExactlyElementsOf(wantByN);
    assertThat(run(Query.all(), QuerySort.byMeta("n").desc(), 7))
        .containsExactlyElementsOf(reversed(wantByN));

    // filtered pages
    List<String> odd = run(Query.where("i").in(List.of()).negate()
        .and(Query.where("n").in(1, 3, 5, 7, 9)), QuerySort.byMeta("i").desc(), 7);
    assertThat(odd).hasSize(125);
    // the page size may change between pages
    ArtifactPage first = search().query(disk, Query.all(), QueryOptions.builder().limit(7).build());
    ArtifactPage rest =
        search().query(disk, Query.all(),
            QueryOptions.builder().limit(1000).cursor(first.nextCursor().orElseThrow()).build());
    assertThat(first.items().size() + rest.items().size()).isEqualTo(250);
    assertThat(rest.hasMore()).isFalse();
  }

  @Test
  void pagingIsStableUnderConcurrentInsertsAndDeletesInLockstep() throws Exception {
    List<String> originals = seed(250);
    Semaphore writerTurn = new Semaphore(0);
    Semaphore writerDone = new Semaphore(0);
    Set<String> deleted = Collections.synchronizedSet(new HashSet<>());
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try {
      Future<?> writes =
          writer.submit(
              () -> {
                int step = 0;
                while (true) {
                  writerTurn.acquireUninterruptibly();
                  if (stop.get()) {
                    return null;
                  }
                  for (int k = 0; k < 4; k++, step++) {
                    mutate(step, deleted);
                  }
                  writerDone.release();
                }
              });
      for (QuerySort sort :
          List.of(QuerySort.DEFAULT, QuerySort.byMeta("n").desc(), QuerySort.by(ArtifactField.PATH).desc())) {
        List<String> seen = new ArrayList<>();
        QueryOptions options = QueryOptions.builder().sort(sort).limit(7).build();
        while (true) {
          ArtifactPage page = search().query(disk, Query.all(), options);
          page.items().forEach(a -> seen.add(a.fullPath()));
          if (!page.hasMore()) {
            break;
          }
          options = options.withCursor(page.nextCursor().orElseThrow());
          writerTurn.release(); // writes happen between every two pages
          assertThat(writerDone.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
        }
        assertStable(sort, seen, originals, deleted);
      }
      stop.set(true);
      writerTurn.release();
      writes.get(30, TimeUnit.SECONDS);
    } finally {
      writer.shutdownNow();
    }
  }

  @Test
  void pagingIsStableWhileAnotherThreadWritesFreely() throws Exception {
    List<String> originals = seed(250);
    Set<String> deleted = Collections.synchronizedSet(new HashSet<>());
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try {
      Future<?> writes =
          writer.submit(
              () -> {
                for (int step = 0; !stop.get() && step < 2_000; step++) {
                  mutate(step, deleted);
                }
                return null;
              });
      for (int round = 0; round < 3; round++) {
        for (QuerySort sort : List.of(QuerySort.DEFAULT, QuerySort.byMeta("n"))) {
          assertStable(sort, run(Query.all(), sort, 7), originals, deleted);
        }
      }
      stop.set(true);
      writes.get(60, TimeUnit.SECONDS);
    } finally {
      writer.shutdownNow();
    }
  }

  private List<String> seed(int count) {
    List<String> originals = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String name = String.format("f%03d", i);
      put("/c", name, meta("n", i % 10));
      originals.add("/c/" + name);
    }
    return originals;
  }

  /** Inserts artifacts that sort between and around the originals; deletes every 25th original. */
  private void mutate(int step, Set<String> deleted) {
    Random random = new Random(step);
    String name = String.format("f%03d-new%d", random.nextInt(260), step);
    put(random.nextBoolean() ? "/c" : "/b", name, meta("n", random.nextInt(12)));
    if (step % 25 == 0) {
      String victim = String.format("f%03d", step / 25 * 7 % 250);
      if (deleted.add("/c/" + victim)) {
        artifacts().delete(disk, "/c", victim);
      }
    }
  }

  private void assertStable(
      QuerySort sort, List<String> seen, List<String> originals, Set<String> deleted) {
    assertThat(seen).as(sort.toString()).doesNotHaveDuplicates();
    Set<String> survivors = new HashSet<>(originals);
    survivors.removeAll(deleted);
    assertThat(seen).as(sort.toString()).containsAll(survivors);
    if (sort.equals(QuerySort.DEFAULT)) {
      List<String> sorted = new ArrayList<>(seen);
      sorted.sort(Comparator.naturalOrder());
      assertThat(seen).isEqualTo(sorted);
    }
  }

  private static <T> List<T> reversed(List<T> list) {
    List<T> copy = new ArrayList<>(list);
    Collections.reverse(copy);
    return copy;
  }

  // ------------------------------------------------------------------ cursors and errors

  @Test
  void badAndForeignCursorsAreRejected() {
    for (int i = 0; i < 5; i++) {
      put("/", "f" + i, meta("n", i));
    }
    String other = store.disks().create().id();
    Query q = Query.where("n").ge(0);
    QueryOptions two = QueryOptions.builder().limit(2).build();
    String cursor = search().query(disk, q, two).nextCursor().orElseThrow();

    for (String bad : new String[] {"garbage!", "", "eHl6", "x".repeat(20_000), cursor.substring(1)}) {
      assertThatThrownBy(() -> search().query(disk, q, two.withCursor(bad)))
          .as(bad)
          .isInstanceOf(InvalidCursorException.class);
    }
    // another query, another sort, another disk
    assertThatThrownBy(() -> search().query(disk, Query.where("n").ge(1), two.withCursor(cursor)))
        .isInstanceOf(InvalidCursorException.class);
    assertThatThrownBy(() -> search().query(disk, Query.all(), two.withCursor(cursor)))
        .isInstanceOf(InvalidCursorException.class);
    assertThatThrownBy(
            () -> search().query(disk, q,
                two.toBuilder().sort(QuerySort.DEFAULT.desc()).cursor(cursor).build()))
        .isInstanceOf(InvalidCursorException.class);
    assertThatThrownBy(() -> search().query(other, q, two.withCursor(cursor)))
        .isInstanceOf(InvalidCursorException.class);
    // a cursor of a listing is not a query cursor
    String listing = artifacts().list(disk, "/", 2, null).nextCursor().orElseThrow();
    assertThatThrownBy(() -> search().query(disk, q, two.withCursor(listing)))
        .isInstanceOf(InvalidCursorException.class);
    // right scope, malformed values
    QueryOptions bySize = QueryOptions.builder().sort(QuerySort.by(ArtifactField.SIZE_BYTES)).build();
    String scope = MetadataQueries.compile(disk, q, bySize).scope();
    for (List<String> fields :
        List.of(List.of("tabc", "i1"), List.of("i1", "t2"), List.of("r1.5", "i1"), List.of("ix", "i1"),
            List.of("", "i1"))) {
      String forged = Cursors.encode("q1", scope, fields);
      assertThatThrownBy(() -> search().query(disk, q, bySize.withCursor(forged)))
          .as(fields.toString())
          .isInstanceOf(InvalidCursorException.class);
    }
    // and the real cursor still works
    assertThat(search().query(disk, q, two.withCursor(cursor)).items()).hasSize(2);
  }

  @Test
  void missingDiskAndClosedStore() {
    assertThatThrownBy(() -> search().query("no-such-disk", Query.all()))
        .isInstanceOf(DiskNotFoundException.class);
    store.close();
    assertThatThrownBy(() -> search().query(disk, Query.all()))
        .isInstanceOf(StoreClosedException.class);
  }

  @Test
  void invalidQueriesAndOptionsAreRejected() {
    Supplier<Query> leaf = () -> Query.where("k").eq(1);
    Query hundred = Query.allOf(IntStream.range(0, 100).mapToObj(i -> Query.where("k").eq(i))
        .toArray(Query[]::new));
    assertThat(hundred.conditionCount()).isEqualTo(100);
    assertThat(hundred.depth()).isEqualTo(1);
    assertThat(names(hundred)).isEmpty();
    assertThatThrownBy(() -> hundred.and(leaf.get()))
        .isInstanceOf(InvalidQueryException.class)
        .hasMessageContaining("at most 100 conditions");
    assertThatThrownBy(() -> hundred.or(leaf.get())).isInstanceOf(InvalidQueryException.class);
    assertThatThrownBy(
            () -> {
              Query q = leaf.get();
              for (int i = 0; i < 40; i++) {
                q = q.and(leaf.get()).or(leaf.get());
              }
            })
        .isInstanceOf(InvalidQueryException.class)
        .hasMessageContaining("levels deep");
    assertThatThrownBy(
            () -> Query.where("k").in(LongStreamHelper.range(Query.MAX_IN_VALUES + 1)))
        .isInstanceOf(InvalidQueryException.class);
    assertThat(Query.where("k").in(LongStreamHelper.range(Query.MAX_IN_VALUES)).conditionCount())
        .isEqualTo(1);
    String[] deep = new String[Query.MAX_KEY_DEPTH];
    java.util.Arrays.fill(deep, "k");
    assertThatThrownBy(() -> Query.where("k", deep)).isInstanceOf(InvalidQueryException.class);
    assertThatThrownBy(() -> Query.where("k").eq((String) null))
        .isInstanceOf(InvalidQueryException.class)
        .hasMessageContaining("isNull()");
    assertThatThrownBy(() -> Query.where((String) null)).isInstanceOf(InvalidQueryException.class);
    assertThatThrownBy(() -> Query.where("__artifact_info__", "size_bytes"))
        .isInstanceOf(InvalidQueryException.class)
        .hasMessageContaining("Query.field");
    assertThatThrownBy(() -> Query.where("k").in(List.of(new Object())))
        .isInstanceOf(InvalidQueryException.class);
    assertThatThrownBy(() -> Query.where("k").eq(Double.NaN))
        .isInstanceOf(InvalidQueryException.class);
    assertThatThrownBy(() -> new Query.KeyCondition(List.of("k"), Query.Operator.LT, List.of(true)))
        .isInstanceOf(InvalidQueryException.class)
        .hasMessageContaining("no order");
    assertThatThrownBy(() -> new Query.KeyCondition(List.of("k"), Query.Operator.EXISTS, List.of(1)))
        .isInstanceOf(InvalidQueryException.class);
    assertThatThrownBy(() -> Query.field(ArtifactField.SIZE_BYTES).eq("big"))
        .isInstanceOf(InvalidQueryException.class)
        .hasMessageContaining("takes a Long");
    assertThatThrownBy(() -> Query.field(ArtifactField.CREATED_AT).gt(5))
        .isInstanceOf(InvalidQueryException.class);
    assertThatThrownBy(() -> Query.field(ArtifactField.CONTENT_TYPE).eq(Instant.EPOCH))
        .isInstanceOf(InvalidQueryException.class);
    assertThatThrownBy(() -> Query.field(ArtifactField.CREATED_AT).gt(Instant.MAX))
        .isInstanceOf(InvalidQueryException.class);
    assertThatThrownBy(
            () -> new Query.FieldCondition(ArtifactField.SIZE_BYTES, Query.Operator.EXISTS, List.of()))
        .isInstanceOf(InvalidQueryException.class);
    assertThatThrownBy(() -> QueryOptions.builder().limit(0).build())
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> QueryOptions.builder().limit(1001).build())
        .isInstanceOf(InvalidRequestException.class);
    assertThat(QueryOptions.builder().limit(1000).build().limit()).isEqualTo(1000);
    assertThat(QueryOptions.defaults().limit()).isEqualTo(100);
    assertThat(QueryOptions.defaults().sort()).isEqualTo(QuerySort.DEFAULT);
  }

  /** {@code long...} values 0..n-1. */
  private static final class LongStreamHelper {
    static long[] range(int n) {
      return java.util.stream.LongStream.range(0, n).toArray();
    }
  }

  @Test
  void queryTextIsReadable() {
    Query q = Query.where("a.b", "c\"d").eq("x").and(Query.not(Query.field(ArtifactField.SIZE_BYTES).in(1, 2)));
    assertThat(q.toString())
        .isEqualTo("(where(\"a.b\", \"c\\\"d\") = \"x\" AND NOT SIZE_BYTES IN (1, 2))");
  }

  // ------------------------------------------------------------------ SQL and plans

  @Test
  void userInputIsOnlyEverABoundParameter() {
    String hostile = "'; DROP TABLE artifacts; --";
    Query q =
        Query.where(hostile, "$.x").eq(hostile)
            .or(Query.pathPrefix("/" + hostile))
            .and(Query.field(ArtifactField.CONTENT_TYPE).in(hostile));
    MetadataQueries.Statement s =
        MetadataQueries.compile(disk, q, QueryOptions.builder()
            .sort(QuerySort.byMeta(hostile).desc()).build()).statement();
    assertThat(s.sql()).doesNotContain("DROP").doesNotContain("$.x");
    assertThat(s.params()).contains(hostile, "$.\"" + hostile + "\"");
    assertThat(MetadataQueries.jsonPath(List.of("a.b", "c\"d", "e\\f", "\u0001")))
        .isEqualTo("$.\"a.b\".\"c\\\"d\".\"e\\\\f\".\"\\u0001\"");
  }

  @Test
  void tenThousandArtifactsArePagedFromTheIndex() throws Exception {
    bulkInsert(10_000);
    Query inDir = Query.pathPrefix("/d3");
    Query metaFilter = Query.where("n").eq(7).and(Query.field(ArtifactField.SIZE_BYTES).gt(0));

    // the default order reads the (disk_id, path, filename) index in order: no sort, no full read
    List<String> plan = plan(inDir, QueryOptions.builder().limit(7).build());
    assertThat(plan).anyMatch(d -> d.contains("USING INDEX sqlite_autoindex_artifacts_1")
        && d.contains("path>?") && d.contains("path<?"));
    assertThat(plan).noneMatch(d -> d.contains("TEMP B-TREE"));

    ArtifactPage first = search().query(disk, inDir, QueryOptions.builder().limit(7).build());
    assertThat(first.items()).hasSize(7);
    QueryOptions next = QueryOptions.builder().limit(7).cursor(first.nextCursor().orElseThrow()).build();
    List<String> nextPlan = plan(inDir, next);
    assertThat(nextPlan).anyMatch(d -> d.contains("(path,filename)>(?,?)") || d.contains("path>?"));
    assertThat(nextPlan).noneMatch(d -> d.contains("TEMP B-TREE"));
    assertThat(search().query(disk, inDir, next).items().get(0).fullPath())
        .isGreaterThan(first.items().get(6).fullPath());
    assertThat(run(inDir, QuerySort.DEFAULT, 1000)).hasSize(1000);

    // a metadata filter streams the disk's index range in order and stops after limit + 1 rows
    List<String> metaPlan = plan(metaFilter, QueryOptions.builder().limit(7).build());
    assertThat(metaPlan).anyMatch(d -> d.contains("USING INDEX sqlite_autoindex_artifacts_1 (disk_id=?"));
    assertThat(metaPlan).noneMatch(d -> d.contains("TEMP B-TREE"));
    assertThat(search().query(disk, metaFilter, QueryOptions.builder().limit(7).build()).items())
        .hasSize(7)
        .allSatisfy(a -> assertThat(a.userMeta()).containsEntry("n", 7));
    assertThat(run(metaFilter, QuerySort.byMeta("i").desc(), 250)).hasSize(1000);
  }

  /** Inserts rows straight into the index, as the engine would, in one transaction. */
  private void bulkInsert(int count) throws Exception {
    Artifact template = put("/d0", "template", meta("n", -1, "i", -1));
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"))) {
      c.setAutoCommit(false);
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO artifacts (disk_id, path, filename, sha256, size, content_type, etag,"
                  + " user_meta, created_at, updated_at, content_modified_at)"
                  + " SELECT disk_id, ?, ?, sha256, size, content_type, ?, ?, created_at,"
                  + " updated_at, content_modified_at FROM artifacts WHERE id = ("
                  + "SELECT id FROM artifacts WHERE disk_id = ? AND filename = 'template')")) {
        for (int i = 0; i < count; i++) {
          s.setString(1, "/d" + (i % 10) + "/");
          s.setString(2, String.format("f%05d", i));
          s.setString(3, "etag" + i);
          s.setString(4, "{\"n\":" + (i % 10) + ",\"i\":" + i + "}");
          s.setString(5, disk);
          s.addBatch();
        }
        s.executeBatch();
      }
      try (PreparedStatement s =
          c.prepareStatement("UPDATE blobs SET ref_count = ref_count + ? WHERE sha256 = ?")) {
        s.setLong(1, count);
        s.setString(2, template.sha256());
        s.executeUpdate();
      }
      c.commit();
    }
  }

  private List<String> plan(Query query, QueryOptions options) throws Exception {
    MetadataQueries.Statement s = MetadataQueries.compile(disk, query, options).statement();
    List<String> details = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"));
        PreparedStatement p = c.prepareStatement("EXPLAIN QUERY PLAN " + s.sql())) {
      s.bind(p);
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          details.add(rs.getString(4));
        }
      }
    }
    return details;
  }

  /** A clock the test moves by hand. */
  private static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
