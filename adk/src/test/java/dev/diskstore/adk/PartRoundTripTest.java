package dev.diskstore.adk;

import static dev.diskstore.adk.TestStores.bytes;
import static dev.diskstore.adk.TestStores.mimeType;
import static dev.diskstore.adk.TestStores.optional;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.genai.types.Blob;
import com.google.genai.types.Part;
import dev.diskstore.Artifact;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every kind of part comes back as it was saved: bytes, MIME type, text, anything else. */
class PartRoundTripTest extends ServiceFixture {
  static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13};

  private Part roundTrip(String filename, Part part) {
    int version = service.saveArtifact("app", "u", "s", filename, part).blockingGet();
    return optional(service.loadArtifact("app", "u", "s", filename, version)).orElseThrow();
  }

  private Artifact stored(String filename) {
    return store.disks().artifacts().get(diskId, "/app/u/sessions/s/", filename).artifact();
  }

  @Test
  void inlineDataKeepsItsBytesAndMimeTypeWhateverTheBytesLookLike() {
    Map<String, byte[]> cases = Map.of(
        "image/png", PNG,
        "application/pdf", "not a pdf at all".getBytes(UTF_8),
        "text/markdown; charset=utf-8", "# Title".getBytes(UTF_8),
        "application/x-custom+json", "{}".getBytes(UTF_8),
        "audio/wav", new byte[0]);
    int i = 0;
    for (Map.Entry<String, byte[]> c : cases.entrySet()) {
      Part loaded = roundTrip("file" + i++, Part.fromBytes(c.getValue(), c.getKey()));

      assertThat(mimeType(loaded)).hasValue(c.getKey());
      assertThat(bytes(loaded)).isEqualTo(c.getValue());
      assertThat(loaded.text()).isEmpty();
    }
  }

  @Test
  void theStoredFileIsTheRealFileWithTheTypeDeclaredToTheStore() {
    roundTrip("cat.png", Part.fromBytes(PNG, "image/png"));

    Artifact png = stored("cat.png");
    assertThat(png.contentType()).isEqualTo("image/png");
    assertThat(png.sizeBytes()).isEqualTo(PNG.length);
    assertThat(png.userMeta())
        .isEqualTo(Map.of("adk", Map.of("part", "inline_data", "mime_type", "image/png")));
  }

  @Test
  void aDisplayNameComesBackToo() {
    Part part = Part.builder()
        .inlineData(Blob.builder().data(PNG).mimeType("image/png").displayName("Cat").build())
        .build();

    assertThat(roundTrip("cat.png", part).inlineData().orElseThrow().displayName())
        .hasValue("Cat");
  }

  @Test
  void aTextPartComesBackAsTextAndIsStoredAsUtf8() throws Exception {
    Part loaded = roundTrip("note", Part.fromText("Grüße, 世界 👋\nline two"));

    assertThat(loaded).isEqualTo(Part.fromText("Grüße, 世界 👋\nline two"));
    try (var in = store.disks().artifacts().open(diskId, "/app/u/sessions/s/", "note")) {
      assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("Grüße, 世界 👋\nline two");
    }
  }

  @Test
  void otherPartsComeBackEqual() {
    List<Part> parts = List.of(
        Part.fromUri("gs://bucket/report.pdf", "application/pdf"),
        Part.fromFunctionCall("get_weather", Map.of("city", "Paris", "days", 3)),
        Part.builder().text("thinking...").thought(true).build(),
        Part.builder().inlineData(Blob.builder().mimeType("image/png").build()).build(),
        Part.builder().build());
    for (int i = 0; i < parts.size(); i++) {
      assertThat(roundTrip("part" + i, parts.get(i))).isEqualTo(parts.get(i));
    }
  }

  @Test
  void aLoadedPartSavedAgainIsTheSamePart() {
    Part first = roundTrip("a.png", Part.fromBytes(PNG, "image/png"));
    Part second = roundTrip("a.png", first);

    assertThat(second.toJson()).isEqualTo(first.toJson());
    assertThat(service.listVersions("app", "u", "s", "a.png").blockingGet()).containsExactly(0, 1);
  }
}
