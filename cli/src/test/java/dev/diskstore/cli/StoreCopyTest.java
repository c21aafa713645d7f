package dev.diskstore.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactStream;
import dev.diskstore.CorruptContentException;
import dev.diskstore.Disk;
import dev.diskstore.DiskListRequest;
import dev.diskstore.DiskPage;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.GcOptions;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.StorageException;
import dev.diskstore.StoreCopy;
import dev.diskstore.TextHit;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.ForwardingBlobBackend;
import dev.diskstore.testkit.postgres.EmbeddedPostgresServer;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code diskstore copy} and {@link StoreCopy} between real stores: SQLite + a local directory,
 * and PostgreSQL (embedded, started by the test) + S3 (S3Proxy in process). A copy must keep every
 * disk and artifact field, store each content once, pass {@code verify}, resume after an
 * interruption to the same result, and refuse targets and sources it must not touch.
 */
class StoreCopyTest {
  private static final String ACCESS = "copy-access";
  private static final String SECRET = "copy-secret";
  private static final String BUCKET = "copy-test";

  @RegisterExtension
  static final S3ProxyExtension S3 =
      S3ProxyExtension.builder().withCredentials(ACCESS, SECRET).build();

  @TempDir Path tmp;
  private EmbeddedPostgresServer.FreshSchema schema;
  private S3Client admin;
  private int prefixes;

  @BeforeEach
  void start() {
    schema = EmbeddedPostgresServer.shared().freshSchema();
    admin =
        S3Client.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .region(Region.US_EAST_1)
            .endpointOverride(S3.getUri())
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, SECRET)))
            .build();
    admin.createBucket(b -> b.bucket(BUCKET));
  }

  @AfterEach
  void stop() {
    admin.close();
    schema.close();
  }

  // ------------------------------------------------------------------ settings files

  private Path embedded(String name) throws Exception {
    Path file = tmp.resolve(name + ".properties");
    Files.writeString(file, "# embedded store\ndirectory = " + name + "\n");
    return file;
  }

  private Path shared(String name) throws Exception {
    Path file = tmp.resolve(name + ".properties");
    String prefix = "p" + (++prefixes) + "/";
    Files.writeString(
        file,
        String.join(
            "\n",
            "index = postgres",
            "postgres.url = " + EmbeddedPostgresServer.shared().jdbcUrl(),
            "postgres.user = " + EmbeddedPostgresServer.shared().user(),
            "postgres.schema = " + schema.name(),
            "blobs = s3",
            "s3.bucket = " + BUCKET,
            "s3.prefix = " + prefix,
            "s3.endpoint = " + S3.getUri(),
            "s3.path-style = true",
            // plain bodies: S3Proxy 4.1 may close the connection before it has read the end of an
            // aws-chunked upload (see backend-s3's SharedS3Proxy)
            "s3.chunked-encoding = false",
            "s3.access-key = " + ACCESS,
            "s3.secret-key-env = COPY_TEST_SECRET",
            ""));
    return file;
  }

  private static StoreSettings settings(Path file) {
    return StoreSettings.of(file.toString(), load(file), file.getParent(),
        name -> name.equals("COPY_TEST_SECRET") ? SECRET : null);
  }

  private static java.util.Properties load(Path file) {
    java.util.Properties p = new java.util.Properties();
    try (var in = Files.newBufferedReader(file)) {
      p.load(in);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return p;
  }

  private static DiskStore open(Path settingsFile) {
    return DiskStore.open(settings(settingsFile).toConfig());
  }

  private static List<String> objects(S3Client admin, String prefix) {
    return admin.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream()
        .map(S3Object::key)
        .toList();
  }

  // ------------------------------------------------------------------ the data

  /** Three disks: nested paths, odd Unicode, an empty file, shared contents, > one copy page. */
  private static void fill(DiskStore store) {
    Disk docs = store.disks().create("alice");
    Disk bulk = store.disks().create();
    store.disks().create("bob"); // an empty disk
    var a = store.disks().artifacts();
    a.upsert(docs.id(), FileUpload.of("plan.md", "# Plan\n\nquarterly zebra goals\n".getBytes(UTF_8)),
        "/documents/2024/", Map.of("author", "alice", "version", 1));
    a.upsert(docs.id(), FileUpload.of("Ünïcødé 文件 ☃.txt", "snowman text".getBytes(UTF_8)),
        "/a/b/c/d/", Map.of("lang", "zh"));
    a.upsert(docs.id(), FileUpload.of("empty.bin", new byte[0]), "/", null);
    a.upsert(docs.id(), FileUpload.of("shared.txt", "the same bytes".getBytes(UTF_8)), "/x/", null);
    a.update(docs.id(), "/documents/2024/", "plan.md", Map.of("author", "alice", "version", 2));
    for (int i = 0; i < 300; i++) {
      byte[] bytes = ("file " + (i % 120) + "\n").repeat(1 + i % 7).getBytes(UTF_8);
      a.upsert(bulk.id(), FileUpload.of("f" + i + ".txt", bytes), "/bulk/" + (i % 9) + "/",
          Map.of("i", i, "tags", List.of("t" + (i % 3))));
    }
    a.upsert(bulk.id(), FileUpload.of("shared.txt", "the same bytes".getBytes(UTF_8)), "/", null);
  }

  /** Everything a copy must keep, per disk: disk fields, then each artifact's fields and bytes. */
  private static Map<String, String> snapshot(DiskStore store) throws Exception {
    Map<String, String> out = new TreeMap<>();
    String cursor = null;
    do {
      DiskPage page =
          store.disks().list(DiskListRequest.builder().limit(50).cursor(cursor).build());
      for (Disk disk : page.items()) {
        out.put(disk.id(), disk.toString());
        for (Artifact artifact : store.search().glob(disk.id(), "**", 10_000)) {
          String bytes;
          try (ArtifactStream in = store.disks().artifacts().open(
              disk.id(), artifact.path(), artifact.filename())) {
            bytes = sha256(in);
          }
          out.put(disk.id() + artifact.path() + artifact.filename(),
              artifact + " bytes=" + bytes);
        }
      }
      cursor = page.nextCursor().orElse(null);
    } while (cursor != null);
    return out;
  }

  private static String sha256(InputStream in) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] buffer = new byte[8192];
    for (int n; (n = in.read(buffer)) > 0; ) {
      md.update(buffer, 0, n);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static long distinctContents(Map<String, String> snapshot) {
    return snapshot.values().stream()
        .filter(v -> v.contains(" bytes="))
        .map(v -> v.substring(v.indexOf(" bytes=")))
        .distinct()
        .count();
  }

  private static int cli(StringWriter out, String... args) {
    CliRun.Result result = CliRun.run(args);
    out.write(result.out());
    out.write(result.err());
    return result.exitCode();
  }

  // ------------------------------------------------------------------ tests

  @Test
  void anEmbeddedStoreMovesToPostgresAndS3AndBackUnchanged() throws Exception {
    Path embedded = embedded("embedded");
    Map<String, String> before;
    try (DiskStore store = DiskStore.open(settings(embedded).toConfig())) {
      fill(store);
      before = snapshot(store);
    }
    assertThat(before).hasSize(3 + 4 + 301);

    Path sharedFile = shared("shared");
    StringWriter out = new StringWriter();
    // the command reads the S3 secret from the environment; the test's settings supply it
    // directly for the stores it opens itself, and the command gets it the same way here
    Path withSecret = tmp.resolve("shared-cli.properties");
    Files.writeString(withSecret, Files.readString(sharedFile)
        .replace("s3.secret-key-env = COPY_TEST_SECRET", "s3.secret-key = " + SECRET));
    int code = cli(out, "copy", embedded.toString(), withSecret.toString());
    assertThat(code).as(out.toString()).isZero();
    assertThat(out.toString()).contains("copied 3 disks", "verify: clean");

    String prefix = "p1/";
    try (DiskStore store = open(sharedFile)) {
      assertThat(snapshot(store)).isEqualTo(before);
      assertThat(store.maintenance().verify(true).problems()).isEmpty();
      // each distinct content once, plus the store marker
      assertThat(objects(admin, prefix)).hasSize((int) distinctContents(before) + 1);
      // the text index is rebuilt on the target: a word of a copied document is found
      Disk docs = store.disks().list(DiskListRequest.builder().user("alice").build())
          .items().get(0);
      List<TextHit> hits = List.of();
      for (long deadline = System.nanoTime() + 30_000_000_000L;
          hits.isEmpty() && System.nanoTime() < deadline; ) {
        hits = store.search().fullText(docs.id(), "zebra", 10);
        Thread.sleep(50);
      }
      assertThat(hits).extracting(h -> h.artifact().filename()).containsExactly("plan.md");
    }

    // and back, through the API this time
    Path back = embedded("back");
    StoreCopy.Report report =
        StoreCopy.copy(settings(sharedFile).toConfig(), settings(back).toConfig());
    assertThat(report.disksCopied()).isEqualTo(3);
    assertThat(report.artifacts()).isEqualTo(305);
    assertThat(report.blobsCopied()).isEqualTo(distinctContents(before));
    try (DiskStore store = open(back)) {
      assertThat(snapshot(store)).isEqualTo(before);
      assertThat(store.maintenance().verify(true).problems()).isEmpty();
    }
  }

  @Test
  void anInterruptedCopyResumesToTheSameResult() throws Exception {
    Path embedded = embedded("source");
    Map<String, String> before;
    try (DiskStore store = open(embedded)) {
      fill(store);
      before = snapshot(store);
    }
    Path sharedFile = shared("target");
    DiskStoreConfig target = settings(sharedFile).toConfig();
    // the target's backend fails on its 200th write: in the middle of the 300-artifact disk
    AtomicInteger writes = new AtomicInteger();
    BlobBackend failing =
        new ForwardingBlobBackend(target.backend()) {
          @Override
          public long write(String key, InputStream content, OptionalLong lengthHint) {
            if (writes.incrementAndGet() == 200) {
              throw new StorageException("injected: the network went away", true, null);
            }
            return super.write(key, content, lengthHint);
          }
        };
    assertThatThrownBy(
            () -> StoreCopy.copy(settings(embedded).toConfig(),
                target.toBuilder().backend(failing).build()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("injected");

    StoreCopy.Report report =
        StoreCopy.copy(settings(embedded).toConfig(), settings(sharedFile).toConfig());
    assertThat(report.resumed()).isTrue();
    assertThat(report.disksCopied() + report.disksSkipped()).isEqualTo(3);
    try (DiskStore store = open(sharedFile)) {
      assertThat(snapshot(store)).isEqualTo(before);
      // the objects of the interrupted run belong to a dead owner: collected, then all is clean
      store.maintenance().collectGarbage(GcOptions.defaults());
      assertThat(store.maintenance().verify(true).problems()).isEmpty();
      assertThat(objects(admin, "p1/")).hasSize((int) distinctContents(before) + 1);
    }
  }

  @Test
  void aTargetThatIsNotACopyOfTheSourceIsRefusedAndLeftAlone() throws Exception {
    Path source = embedded("source");
    try (DiskStore store = open(source)) {
      fill(store);
    }
    Path other = embedded("other");
    String otherDisk;
    try (DiskStore store = open(other)) {
      otherDisk = store.disks().create().id();
    }
    StringWriter out = new StringWriter();
    assertThat(cli(out, "copy", source.toString(), other.toString())).isEqualTo(2);
    assertThat(out.toString()).contains("already holds disks");
    try (DiskStore store = open(other)) {
      assertThat(store.disks().list(DiskListRequest.builder().build()).items())
          .extracting(Disk::id).containsExactly(otherDisk);
    }

    // a copy of another source is refused too
    Path copy = embedded("copy");
    StoreCopy.copy(settings(source).toConfig(), settings(copy).toConfig());
    Path source2 = embedded("source2");
    try (DiskStore store = open(source2)) {
      store.disks().create();
    }
    assertThatThrownBy(() -> StoreCopy.copy(settings(source2).toConfig(),
            settings(copy).toConfig()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("is a copy of store");
  }

  @Test
  void damagedSourceBytesFailTheCopyInsteadOfBeingCopied() throws Exception {
    Path source = embedded("source");
    try (DiskStore store = open(source)) {
      Disk disk = store.disks().create();
      store.disks().artifacts().upsert(disk.id(),
          FileUpload.of("a.txt", "precious words".getBytes(UTF_8)), "/", null);
    }
    List<Path> blobs;
    try (Stream<Path> files = Files.walk(tmp.resolve("source/blobs"))) {
      blobs = files.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith("diskstore-store")).toList();
    }
    assertThat(blobs).hasSize(1);
    byte[] bytes = Files.readAllBytes(blobs.get(0));
    bytes[3] ^= 1;
    Files.write(blobs.get(0), bytes);
    StringWriter out = new StringWriter();
    assertThat(cli(out, "copy", source.toString(), embedded("target").toString())).isEqualTo(1);
    assertThatThrownBy(() -> StoreCopy.copy(settings(source).toConfig(),
            settings(embedded("target2")).toConfig()))
        .isInstanceOf(CorruptContentException.class);
  }

  @Test
  void settingsNameWhatIsWrong() throws Exception {
    Path typo = tmp.resolve("typo.properties");
    Files.writeString(typo, "directory = d\npostgres.schmea = x\n");
    assertThatThrownBy(() -> StoreSettings.load(typo))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("postgres.schmea");
    Path noDir = tmp.resolve("nodir.properties");
    Files.writeString(noDir, "blobs = local\n");
    assertThatThrownBy(() -> StoreSettings.load(noDir).toConfig())
        .hasMessageContaining("directory is required");
    Path env = tmp.resolve("env.properties");
    Files.writeString(env, "index = postgres\npostgres.url = jdbc:postgresql://h/db\n"
        + "postgres.password-env = DISKSTORE_TEST_UNSET_VARIABLE\nblobs.directory = b\n");
    assertThatThrownBy(() -> StoreSettings.load(env).toConfig())
        .hasMessageContaining("DISKSTORE_TEST_UNSET_VARIABLE");
    StringWriter out = new StringWriter();
    assertThat(cli(out, "copy", typo.toString(), noDir.toString())).isEqualTo(2);
    // a mistyped source directory is refused, not opened as a new empty store
    Path missing = embedded("no-such-store");
    StringWriter refused = new StringWriter();
    assertThat(cli(refused, "copy", missing.toString(), embedded("t").toString())).isEqualTo(3);
    assertThat(refused.toString()).contains("no store in");
    assertThat(tmp.resolve("no-such-store")).doesNotExist();
    assertThat(cli(new StringWriter(), "verify", missing.toString())).isEqualTo(3);
  }
}
