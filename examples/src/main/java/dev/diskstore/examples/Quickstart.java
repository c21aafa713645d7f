package dev.diskstore.examples;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactContent;
import dev.diskstore.ArtifactListing;
import dev.diskstore.ArtifactResult;
import dev.diskstore.Disk;
import dev.diskstore.DiskPage;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import dev.diskstore.s3.S3BlobBackend;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * The Acontext Disk quickstart's "Complete example", on an embedded {@link DiskStore}: create a
 * disk, upload a file with metadata, get it with a download URL and its parsed content, list the
 * directory, update the metadata, and clean up. Between the update and the clean-up it shows two
 * of the quickstart's "Advanced features": paging through disks and an asynchronous call.
 *
 * <p>Run it from the repository root with
 *
 * <pre>{@code
 * mvn -q -pl examples -am -Dmaven.test.skip=true package exec:java
 * }</pre>
 *
 * <p>The store lives in the directory given as the first argument, by default {@code
 * quickstart-data} under the working directory. Each step prints a {@code ✓} line; a failure prints
 * {@code ✗ Error: <message>} and exits with status 1.
 */
public final class Quickstart {
  private static final String FOLDER = "/meetings/";
  private static final String FILENAME = "notes.md";
  private static final int PREVIEW_CHARS = 100;

  private Quickstart() {}

  public static void main(String[] args) {
    Path directory = Path.of(args.length > 0 ? args[0] : "quickstart-data");
    // UTF-8 regardless of the platform charset, so that the check marks survive any console.
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    int status = run(directory, out);
    out.flush();
    if (status != 0) {
      System.exit(status);
    }
  }

  /**
   * The embedded default, {@link DiskStore#local(Path)}; or, when the system property {@code
   * diskstore.s3.bucket} is set, the SQLite index in {@code directory} with the blobs in that
   * bucket ({@code diskstore.s3.region} default {@code us-east-1}, {@code diskstore.s3.endpoint}
   * for MinIO and other S3-compatible stores, {@code diskstore.s3.pathStyle}, {@code
   * diskstore.s3.prefix} default {@code quickstart/}, {@code diskstore.s3.chunkedEncoding} default
   * {@code true}; credentials from the AWS SDK's default chain,
   * e.g. {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}).
   */
  static DiskStore open(Path directory, PrintStream out) {
    String bucket = System.getProperty("diskstore.s3.bucket");
    if (bucket == null || bucket.isBlank()) {
      return DiskStore.local(directory);
    }
    S3BlobBackend.Builder backend =
        S3BlobBackend.builder()
            .bucket(bucket)
            .region(System.getProperty("diskstore.s3.region", "us-east-1"))
            .keyPrefix(System.getProperty("diskstore.s3.prefix", "quickstart/"))
            .pathStyleAccess(Boolean.getBoolean("diskstore.s3.pathStyle"))
            .chunkedEncoding(
                Boolean.parseBoolean(System.getProperty("diskstore.s3.chunkedEncoding", "true")));
    String endpoint = System.getProperty("diskstore.s3.endpoint");
    if (endpoint != null && !endpoint.isBlank()) {
      backend.endpoint(URI.create(endpoint));
    }
    out.println("  (blobs in s3://" + bucket + ", index in " + directory + ")");
    return DiskStore.open(
        DiskStoreConfig.builder().directory(directory).backend(backend.build()).build());
  }

  /**
   * Runs the example on a store in {@code directory}, printing each step to {@code out}.
   *
   * @return the process exit status: 0 on success, 1 after printing {@code ✗ Error: ...}
   */
  static int run(Path directory, PrintStream out) {
    try (DiskStore store = open(directory, out)) {
      // Create disk
      Disk disk = store.disks().create();
      out.println("✓ Created disk: " + disk.id());

      // Upload file
      Artifact artifact =
          store.disks().artifacts().upsert(
              disk.id(),
              FileUpload.of(
                  FILENAME, "# Meeting Notes\nDiscussed Q4 goals.".getBytes(StandardCharsets.UTF_8)),
              FOLDER,
              Map.of("date", "2024-01-15", "attendees", 5));
      out.println("✓ Uploaded: " + artifact.filename());

      // Retrieve with URL (and, unlike the original, with the parsed content too)
      ArtifactResult result =
          store.disks().artifacts().get(disk.id(), FOLDER, FILENAME, GetOptions.urlAndContent());
      out.println("✓ Download URL: " + result.publicUrl().map(Object::toString).orElse("(none)"));
      out.println("✓ Content type: " + result.artifact().contentType());
      if (result.content().isPresent()) {
        ArtifactContent content = result.content().get();
        out.println("✓ Content (" + content.type() + "): " + preview(content.raw()));
      }

      // List files
      ArtifactListing files = store.disks().artifacts().list(disk.id(), FOLDER);
      out.println("✓ Found " + files.artifacts().size() + " file(s)");

      // Update metadata
      store.disks().artifacts().update(
          disk.id(),
          FOLDER,
          FILENAME,
          Map.of("date", "2024-01-15", "attendees", 5, "status", "completed"));
      out.println("✓ Updated metadata");

      // Advanced: list disks page by page, newest first
      DiskPage page = store.disks().list(10, null, true, null);
      int pages = 1;
      int disks = page.items().size();
      while (page.hasMore()) {
        page = store.disks().list(10, page.nextCursor().orElseThrow(), true, null);
        pages++;
        disks += page.items().size();
      }
      out.println("✓ Listed " + disks + " disk(s) in " + pages + " page(s)");

      // Advanced: the asynchronous twin; every call returns a CompletableFuture
      ArtifactResult asyncResult =
          store.async().disks().artifacts()
              .upsert(disk.id(), FileUpload.of("async.txt", bytes("Async content")))
              .thenCompose(
                  uploaded ->
                      store.async().disks().artifacts()
                          .get(disk.id(), uploaded.path(), uploaded.filename()))
              .join();
      out.println(
          "✓ Async upload: "
              + asyncResult.artifact().fullPath()
              + " ("
              + asyncResult.artifact().sizeBytes()
              + " bytes)");

      // Cleanup
      store.disks().artifacts().delete(disk.id(), FOLDER, FILENAME);
      store.disks().delete(disk.id());
      out.println("✓ Cleaned up resources");
      return 0;
    } catch (RuntimeException e) {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      String message = cause.getMessage() != null ? cause.getMessage() : cause.toString();
      out.println("✗ Error: " + message);
      return 1;
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The first characters of {@code text} on one line, newlines shown as {@code \n}. */
  private static String preview(String text) {
    String cut = text.length() > PREVIEW_CHARS ? text.substring(0, PREVIEW_CHARS) + "..." : text;
    return cut.replace("\r", "\\r").replace("\n", "\\n");
  }
}
