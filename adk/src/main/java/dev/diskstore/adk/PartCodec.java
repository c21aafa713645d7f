package dev.diskstore.adk;

import com.google.genai.types.Blob;
import com.google.genai.types.Part;
import dev.diskstore.InvalidRequestException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An ADK artifact ({@link Part}) as the bytes, declared content type and user metadata of one
 * DiskStore artifact version, and back. Three forms, named in the user metadata key {@value
 * #META_KEY} ({@code {"adk": {"part": ...}}}):
 *
 * <ul>
 *   <li>{@code inline_data}: a part holding only inline data with bytes ({@code
 *       Part.fromBytes(bytes, mimeType)}, what ADK and its GCS service save): the bytes as they
 *       are, so the stored file is the real PNG or PDF; {@code mime_type} and {@code display_name}
 *       are kept in the metadata when present, because the store's own content type is detected
 *       and may differ from the declared one;
 *   <li>{@code text}: a part holding only text ({@code Part.fromText}): the text in UTF-8;
 *   <li>{@code json}: any other part (file data, function calls, a text marked as thought, several
 *       fields at once, an inline blob without bytes): the part's own JSON ({@link Part#toJson()}),
 *       read back with {@link Part#fromJson(String)}, so that everything ADK's in-memory service
 *       keeps is kept here too.
 * </ul>
 *
 * A stored file without {@value #META_KEY} metadata (written under the layout by another DiskStore
 * client) loads as inline data with the store's content type as its MIME type.
 *
 * <p>Stateless; thread-safe.
 */
final class PartCodec {
  /** The user metadata key holding how the part was stored. */
  static final String META_KEY = "adk";

  private PartCodec() {}

  /**
   * A part as stored: {@code bytes} (not copied: inline data shares the part's array), the content
   * type to declare to the store (null to let it detect one), and the user metadata.
   */
  record StoredPart(byte[] bytes, @Nullable String contentType, Map<String, Object> meta) {}

  static StoredPart encode(Part part) {
    Optional<Blob> inline = part.inlineData();
    // "holds only this field": equal to a part built from that field alone (the same Blob object,
    // so its byte array compares equal), whatever fields later versions of Part add
    if (inline.isPresent()
        && inline.get().data().isPresent()
        && Part.builder().inlineData(inline.get()).build().equals(part)) {
      Blob blob = inline.get();
      Map<String, Object> adk = new LinkedHashMap<>();
      adk.put("part", "inline_data");
      blob.mimeType().ifPresent(type -> adk.put("mime_type", type));
      blob.displayName().ifPresent(name -> adk.put("display_name", name));
      return new StoredPart(blob.data().get(), blob.mimeType().orElse(null), Map.of(META_KEY, adk));
    }
    Optional<String> text = part.text();
    if (text.isPresent() && Part.builder().text(text.get()).build().equals(part)) {
      return new StoredPart(
          utf8(text.get()), "text/plain", Map.of(META_KEY, Map.of("part", "text")));
    }
    return new StoredPart(
        utf8(part.toJson()), "application/json", Map.of(META_KEY, Map.of("part", "json")));
  }

  /**
   * The part stored as {@code bytes} with {@code userMeta}; {@code contentType} is the store's
   * content type, the MIME type of a file stored without {@value #META_KEY} metadata.
   */
  static Part decode(byte[] bytes, Map<String, Object> userMeta, String contentType) {
    Map<?, ?> adk = userMeta.get(META_KEY) instanceof Map<?, ?> map ? map : Map.of();
    Object form = adk.get("part");
    if ("text".equals(form)) {
      return Part.fromText(new String(bytes, StandardCharsets.UTF_8));
    }
    if ("json".equals(form)) {
      return Part.fromJson(new String(bytes, StandardCharsets.UTF_8));
    }
    Blob.Builder blob = Blob.builder().data(bytes);
    if ("inline_data".equals(form)) {
      if (adk.get("mime_type") instanceof String type) {
        blob.mimeType(type);
      }
      if (adk.get("display_name") instanceof String name) {
        blob.displayName(name);
      }
    } else {
      blob.mimeType(contentType);
    }
    return Part.builder().inlineData(blob.build()).build();
  }

  /** Strict UTF-8: a string with an unpaired surrogate has no UTF-8 form and would not come back. */
  private static byte[] utf8(String text) {
    try {
      ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(text));
      byte[] bytes = new byte[encoded.remaining()];
      encoded.get(bytes);
      return bytes;
    } catch (CharacterCodingException e) {
      throw new InvalidRequestException(
          "the artifact's text has an unpaired UTF-16 surrogate, which has no UTF-8 form and"
              + " cannot be stored");
    }
  }
}
