package dev.diskstore.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.Artifact;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DownloadDeleteMoveToolTest extends DiskToolsTestBase {

  // ------------------------------------------------------------------ download_file_disk

  @Test
  void downloadUrlServesTheBytes() throws Exception {
    byte[] bytes = {0, 1, 2, (byte) 0xfe, (byte) 0xff, 'z'};
    put("/bin/", "data.bin", bytes, null);

    String result = call("download_file_disk", """
        {"file_path": "/bin/", "filename": "data.bin"}""");

    assertThat(result)
        .startsWith("Download URL for /bin/data.bin (application/octet-stream, 6 bytes), valid"
            + " for 3600 seconds (until ");
    URI url = URI.create(result.substring(result.indexOf('\n') + 1));
    HttpResponse<byte[]> response =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(url).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(bytes);
  }

  @Test
  void downloadExpireArgument() {
    put("/", "a.txt", "a");

    assertThat(call("download_file_disk", """
        {"filename": "a.txt", "expire": null}""")).contains("valid for 3600 seconds");
    assertThat(call("download_file_disk", """
        {"filename": "a.txt", "expire": "60"}""")).contains("valid for 60 seconds");
    assertThat(call("download_file_disk", """
        {"filename": "a.txt", "expire": 0}"""))
        .isEqualTo("Error: expire must be an integer from 1 to 604800, got 0");
    assertThat(call("download_file_disk", """
        {"filename": "a.txt", "expire": 99999999}"""))
        .contains("valid for 604800 seconds")
        .endsWith("[note: expire 99999999 is above the maximum; used 604800]");
    assertThat(call("download_file_disk", """
        {"filename": "missing.txt"}""")).startsWith("Error: file not found: /missing.txt.");
  }

  // ------------------------------------------------------------------ delete_file_disk

  @Test
  void deleteRemovesTheFile() {
    put("/docs/", "old.md", "x");

    assertThat(call("delete_file_disk", """
        {"file_path": "/docs/", "filename": "old.md", "expected_etag": null}"""))
        .isEqualTo("Deleted /docs/old.md.");
    assertThat(exists("/docs/", "old.md")).isFalse();
    assertThat(call("delete_file_disk", """
        {"file_path": "/docs/", "filename": "old.md"}"""))
        .startsWith("Error: file not found: /docs/old.md.");
  }

  @Test
  void deleteWithStaleEtagKeepsTheFile() {
    String etag = put("/", "a.txt", "one").etag();
    String current = put("/", "a.txt", "two").etag();

    assertThat(call("delete_file_disk", """
        {"filename": "a.txt", "expected_etag": "%s"}""".formatted(etag)))
        .isEqualTo("Error: /a.txt changed since you read it: its etag is now " + current + ", not "
            + etag + "; nothing was deleted. Read it again with read_file_disk and retry with the"
            + " new etag.");
    assertThat(exists("/", "a.txt")).isTrue();

    assertThat(call("delete_file_disk", """
        {"filename": "a.txt", "expected_etag": "%s"}""".formatted(current)))
        .isEqualTo("Deleted /a.txt.");
  }

  // ------------------------------------------------------------------ move_file_disk

  @Test
  void moveKeepsBytesTypeAndMetadataAndRemovesTheSource() {
    Artifact source =
        put("/drafts/", "plan.md", "# Plan".getBytes(UTF_8), Map.of("author", "alice"));

    String result = call("move_file_disk", """
        {"file_path": "/drafts/", "filename": "plan.md", "destination_path": "/archive/2024/"}""");

    Artifact moved = get("/archive/2024/", "plan.md");
    assertThat(result)
        .isEqualTo("Moved /drafts/plan.md to /archive/2024/plan.md. User metadata kept. etag: "
            + moved.etag());
    assertThat(moved.userMeta()).isEqualTo(Map.of("author", "alice"));
    assertThat(moved.contentType()).isEqualTo(source.contentType());
    assertThat(moved.sha256()).isEqualTo(source.sha256());
    assertThat(exists("/drafts/", "plan.md")).isFalse();
  }

  @Test
  void renameInPlaceWithNullsForTheRest() {
    put("/docs/", "a.md", "a");

    assertThat(call("move_file_disk", """
        {"file_path": "/docs/", "filename": "a.md", "destination_path": null,
         "destination_filename": "b.md", "overwrite": null, "expected_etag": null}"""))
        .startsWith("Moved /docs/a.md to /docs/b.md.");
    assertThat(text("/docs/", "b.md")).isEqualTo("a");
  }

  @Test
  void moveToAFullDestinationPath() {
    put("/docs/", "a.md", "a");

    assertThat(call("move_file_disk", """
        {"filename": "/docs/a.md", "destination_filename": "/other/c.md"}"""))
        .startsWith("Moved /docs/a.md to /other/c.md.");
  }

  @Test
  void moveOntoAnExistingFileIsRefusedUnlessOverwrite() {
    put("/", "a.txt", "source".getBytes(UTF_8), Map.of("from", "a"));
    Artifact target = put("/", "b.txt", "target".getBytes(UTF_8), Map.of("from", "b", "x", 1));

    assertThat(call("move_file_disk", """
        {"filename": "a.txt", "destination_filename": "b.txt"}"""))
        .isEqualTo("Error: /b.txt already exists (etag: " + target.etag() + "); nothing was"
            + " moved. Set overwrite=true to replace it, or choose another destination_filename.");
    assertThat(text("/", "a.txt")).isEqualTo("source");
    assertThat(text("/", "b.txt")).isEqualTo("target");

    assertThat(call("move_file_disk", """
        {"filename": "a.txt", "destination_filename": "b.txt", "overwrite": true}"""))
        .startsWith("Moved /a.txt to /b.txt (replacing the file that was there).");
    assertThat(text("/", "b.txt")).isEqualTo("source");
    assertThat(get("/", "b.txt").userMeta()).isEqualTo(Map.of("from", "a"));
    assertThat(exists("/", "a.txt")).isFalse();
  }

  @Test
  void moveWithStaleEtagMovesNothing() {
    String etag = put("/", "a.txt", "one").etag();
    put("/", "a.txt", "two");

    assertThat(call("move_file_disk", """
        {"filename": "a.txt", "destination_path": "/x/", "expected_etag": "%s"}""".formatted(etag)))
        .startsWith("Error: /a.txt changed since you read it").contains("nothing was moved");
    assertThat(exists("/x/", "a.txt")).isFalse();
    assertThat(exists("/", "a.txt")).isTrue();
  }

  @Test
  void moveNeedsADifferentDestination() {
    put("/", "a.txt", "one");

    assertThat(call("move_file_disk", """
        {"filename": "a.txt"}"""))
        .startsWith("Error: give destination_path (the directory to move the file into)");
    assertThat(call("move_file_disk", """
        {"filename": "a.txt", "destination_path": "/"}"""))
        .isEqualTo("Error: the destination is the file itself (/a.txt); nothing to move.");
    assertThat(call("move_file_disk", """
        {"filename": "nope.txt", "destination_path": "/x/"}"""))
        .startsWith("Error: file not found: /nope.txt.");
  }

  @Test
  void movedFileWithoutMetadataClearsTheReplacedFilesMetadata() {
    put("/", "a.txt", "plain");
    put("/", "b.txt", "meta".getBytes(UTF_8), Map.of("k", "v"));

    call("move_file_disk", """
        {"filename": "a.txt", "destination_filename": "b.txt", "overwrite": true}""");

    assertThat(get("/", "b.txt").userMeta()).isEmpty();
  }
}
