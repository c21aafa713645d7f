package dev.diskstore.internal;

import dev.diskstore.InvalidCursorException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Opaque pagination cursors: base64url of {@code kind|scope|field|field...}, where the scope is a
 * short hash of the query the cursor belongs to, so that a cursor cannot be replayed against
 * another query. Not a security boundary: a cursor names positions, never grants access.
 */
public final class Cursors {
  private Cursors() {}

  public static String encode(String kind, String scope, List<String> fields) {
    StringBuilder text = new StringBuilder(kind).append('|').append(scopeHash(scope));
    for (String field : fields) {
      text.append('|').append(Base64.getUrlEncoder().withoutPadding()
          .encodeToString(field.getBytes(StandardCharsets.UTF_8)));
    }
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(text.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * @throws InvalidCursorException if malformed, of another kind, or from another query
   */
  public static List<String> decode(String cursor, String kind, String scope, int fieldCount) {
    String text;
    try {
      if (cursor.length() > 16_384) {
        throw new IllegalArgumentException("too long");
      }
      text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new InvalidCursorException("malformed cursor \"" + abbreviate(cursor) + "\"");
    }
    String[] parts = text.split("\\|", -1);
    if (parts.length != 2 + fieldCount || !parts[0].equals(kind)) {
      throw new InvalidCursorException("malformed cursor \"" + abbreviate(cursor) + "\"");
    }
    if (!parts[1].equals(scopeHash(scope))) {
      throw new InvalidCursorException(
          "cursor \"" + abbreviate(cursor) + "\" belongs to a different query (another order, user"
              + " filter, disk or directory); start again without a cursor");
    }
    String[] fields = new String[fieldCount];
    try {
      for (int i = 0; i < fieldCount; i++) {
        fields[i] = new String(Base64.getUrlDecoder().decode(parts[2 + i]), StandardCharsets.UTF_8);
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidCursorException("malformed cursor \"" + abbreviate(cursor) + "\"");
    }
    return List.of(fields);
  }

  private static String scopeHash(String scope) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(scope.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 60) + "…";
  }
}
