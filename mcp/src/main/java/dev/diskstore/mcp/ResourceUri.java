package dev.diskstore.mcp;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;

/**
 * A file's resource URI, {@code diskstore://<disk>/<dir>/.../<file>}: the disk id, then every
 * segment of the file's full path, each percent-encoded (every byte outside RFC 3986's unreserved
 * characters, UTF-8). Parsing is strict: it accepts only what {@link #of} produces, plus any other
 * valid percent-encoding of the same names; a segment that is empty, {@code .} or {@code ..}, or
 * that decodes to a slash, backslash or control character is refused, so no URI names anything
 * outside its disk's tree. Immutable value.
 *
 * @param diskId the disk
 * @param directory the file's directory, {@code "/"} or {@code "/a/b/"}
 * @param filename the file's name
 */
record ResourceUri(String diskId, String directory, String filename) {
  static final String SCHEME = "diskstore://";

  /** The URI of the file at {@code fullPath} ({@code "/docs/a.md"}) of {@code diskId}. */
  static String of(String diskId, String fullPath) {
    StringBuilder uri = new StringBuilder(SCHEME).append(encode(diskId));
    for (String segment : fullPath.substring(1).split("/", -1)) {
      uri.append('/').append(encode(segment));
    }
    return uri.toString();
  }

  /** This resource's URI. */
  String uri() {
    return of(diskId, directory + filename);
  }

  /**
   * Parses a resource URI.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  static ResourceUri parse(String uri) {
    if (!uri.startsWith(SCHEME)) {
      throw new IllegalArgumentException(
          "not a DiskStore resource URI (they look like diskstore://<disk>/<path>/<file>): " + uri);
    }
    if (uri.indexOf('?') >= 0 || uri.indexOf('#') >= 0) {
      throw new IllegalArgumentException(
          "a resource URI has no query or fragment (percent-encode ? and # in names): " + uri);
    }
    String[] parts = uri.substring(SCHEME.length()).split("/", -1);
    if (parts.length < 2) {
      throw new IllegalArgumentException("the resource URI names no file: " + uri);
    }
    String disk = segment(parts[0], uri);
    StringBuilder directory = new StringBuilder("/");
    for (int i = 1; i < parts.length - 1; i++) {
      directory.append(segment(parts[i], uri)).append('/');
    }
    return new ResourceUri(disk, directory.toString(), segment(parts[parts.length - 1], uri));
  }

  private static String segment(String raw, String uri) {
    String name = decode(raw, uri);
    if (name.isEmpty() || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException(
          "the resource URI has an empty, \".\" or \"..\" segment: " + uri);
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' || c == '\\' || Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            "a segment of the resource URI decodes to a slash, backslash or control character: "
                + uri);
      }
    }
    return name;
  }

  private static boolean unreserved(int b) {
    return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')
        || b == '-' || b == '.' || b == '_' || b == '~';
  }

  static String encode(String segment) {
    StringBuilder out = new StringBuilder();
    for (byte b : segment.getBytes(UTF_8)) {
      int v = b & 0xff;
      if (unreserved(v)) {
        out.append((char) v);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(v >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(v & 0xf, 16)));
      }
    }
    return out.toString();
  }

  private static String decode(String raw, String uri) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
        int lo = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("bad percent-encoding in the resource URI: " + uri);
        }
        bytes.write(hi << 4 | lo);
        i += 2;
      } else if (c > 0x7e || c <= 0x20) {
        throw new IllegalArgumentException(
            "the resource URI has a character that must be percent-encoded: " + uri);
      } else {
        bytes.write(c);
      }
    }
    try {
      return UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          "the resource URI's percent-encoding is not UTF-8: " + uri, e);
    }
  }
}
