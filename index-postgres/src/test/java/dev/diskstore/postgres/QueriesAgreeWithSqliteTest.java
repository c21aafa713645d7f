package dev.diskstore.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactField;
import dev.diskstore.ArtifactPage;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.Query;
import dev.diskstore.QueryOptions;
import dev.diskstore.QuerySort;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential test of metadata queries: the same artifacts in a SQLite store and a PostgreSQL
 * store, the same queries, sorts and page sizes (followed through their cursors), the same
 * results in the same order. The metadata is chosen to meet the edges: arrays where a member is
 * addressed, integers beside reals, byte order of strings, booleans, JSON null, missing keys, keys
 * with dots and quotes.
 */
class QueriesAgreeWithSqliteTest {
  @TempDir Path dir;
  private DiskStore sqlite;
  private DiskStore postgres;
  private String sqliteDisk;
  private String postgresDisk;

  @BeforeEach
  void fill() {
    sqlite = DiskStore.local(dir.resolve("sqlite"));
    postgres = PostgresStores.open(dir.resolve("pg"), null);
    sqliteDisk = sqlite.disks().create().id();
    postgresDisk = postgres.disks().create().id();
    List<Object> values = Arrays.asList(
        1, 1.0, 2.5, -3, 10, 100000000000L, 1e20, 0.1, "a", "B", "b", "é", "10", "", true, false,
        null, List.of(1, 2), List.of("x"), Map.of("0", "zero"), Map.of("k", 1));
    for (int i = 0; i < 60; i++) {
      Map<String, Object> meta = new LinkedHashMap<>();
      Object v = values.get(i % values.size());
      if (i % 7 != 3) {
        meta.put("v", v); // missing on some
      }
      if (!(v instanceof List) && !(v instanceof Map)) {
        meta.put("s", v); // a sort key without arrays and objects
      }
      Map<String, Object> nested = new HashMap<>();
      nested.put("n", i % 5);
      nested.put("a.b", i % 2 == 0 ? "dot" : "no");
      meta.put("o", i % 11 == 0 ? List.of(Map.of("n", 1)) : nested);
      meta.put("q\"k", i % 3);
      String path = "/" + (i % 4 == 0 ? "" : "d" + (i % 3) + "/") + (i % 9 == 0 ? "sub/" : "");
      byte[] bytes = ("content " + (i % 13)).getBytes(UTF_8);
      for (DiskStore s : List.of(sqlite, postgres)) {
        s.disks().artifacts().upsert(s == sqlite ? sqliteDisk : postgresDisk,
            FileUpload.of("f" + (char) ('a' + i % 26) + i + ".txt", bytes), path, meta);
      }
    }
  }

  @AfterEach
  void close() {
    sqlite.close();
    postgres.close();
  }

  @Test
  void everyQuerySortAndPageSizeGivesTheSameResults() {
    List<Query> queries = List.of(
        Query.all(),
        Query.where("v").eq(1),
        Query.where("v").eq(1.0),
        Query.where("v").eq("b"),
        Query.where("v").ne("b"),
        Query.where("v").gt("B"),
        Query.where("v").lt(10),
        Query.where("v").ge(0.1),
        Query.where("v").le(1e20),
        Query.where("v").eq(true),
        Query.where("v").ne(false),
        Query.where("v").isNull(),
        Query.where("v").exists(),
        Query.where("v").notExists(),
        Query.where("v").in(List.of("a", 1, true, "é")),
        Query.where("v", "0").exists(), // a member label on arrays and objects
        Query.where("v", "0").eq("zero"),
        Query.where("o", "n").ge(2),
        Query.where("o", "a.b").eq("dot"),
        Query.where("q\"k").eq(2),
        Query.not(Query.where("v").gt(2)),
        Query.anyOf(Query.where("v").eq("a"), Query.pathPrefix("/d1/")),
        Query.allOf(Query.pathPrefix("/d2/"), Query.not(Query.where("o", "n").eq(1))),
        Query.field(ArtifactField.SIZE_BYTES).eq(9),
        Query.field(ArtifactField.FILENAME).gt("fz"),
        Query.field(ArtifactField.CONTENT_TYPE).eq("text/plain"));
    List<QuerySort> sorts = List.of(
        QuerySort.DEFAULT, QuerySort.DEFAULT.desc(), QuerySort.by(ArtifactField.FILENAME),
        QuerySort.by(ArtifactField.SIZE_BYTES).desc(), QuerySort.byMeta("s"),
        QuerySort.byMeta("s").desc(), QuerySort.byMeta("o", "n"), QuerySort.byMeta("missing"));
    int compared = 0;
    for (Query query : queries) {
      for (QuerySort sort : sorts) {
        for (int limit : new int[] {4, 100}) {
          List<String> expected = all(sqlite, sqliteDisk, query, sort, limit);
          List<String> actual = all(postgres, postgresDisk, query, sort, limit);
          assertThat(actual).as("%s sorted %s, pages of %d", query, sort, limit)
              .isEqualTo(expected);
          compared++;
        }
      }
    }
    assertThat(compared).isEqualTo(queries.size() * sorts.size() * 2);
  }

  private static List<String> all(DiskStore s, String disk, Query q, QuerySort sort, int limit) {
    List<String> paths = new ArrayList<>();
    String cursor = null;
    do {
      ArtifactPage page = s.search().query(disk, q,
          QueryOptions.builder().sort(sort).limit(limit).cursor(cursor).build());
      for (Artifact a : page.items()) {
        paths.add(a.fullPath());
      }
      cursor = page.nextCursor().orElse(null);
    } while (cursor != null);
    return paths;
  }
}
