package dev.diskstore.adk;

import dev.diskstore.InvalidPathException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Where an ADK artifact lives in a disk (see {@link DiskStoreArtifactService} for the layout), and
 * the encoding that turns ADK's names into DiskStore path segments.
 *
 * <p><b>The encoding.</b> Each ADK name (app, user id, session id, filename) becomes exactly one
 * path segment: the printable ASCII characters {@code !} to {@code ~} stay as they are, except
 * {@code %}, {@code /} and {@code \}; every other character (space, controls, every non-ASCII
 * character) and those three become the {@code %XX} escapes of their UTF-8 bytes, upper-case hex;
 * the whole names {@code .} and {@code ..} become {@code %2E} and {@code %2E%2E}. So {@code
 * report.pdf} and {@code user:config.json} are stored under their own names, {@code images/cat.png}
 * as {@code images%2Fcat.png}, {@code café} as {@code caf%C3%A9}.
 *
 * <p>Why it is injective and safe: decoding the escapes gives the name back, so two names never
 * share a segment; the output is ASCII, so the store's NFC normalisation (which would make a
 * composed and a decomposed {@code é} one name) and its rules against invisible characters and
 * blank ends have nothing to act on; no output contains {@code /} or is {@code .} or {@code ..}.
 * Names the encoding cannot carry are rejected with {@link InvalidPathException}: an empty name
 * (it would vanish from the path), a string with an unpaired UTF-16 surrogate (it has no UTF-8
 * form), and a name whose encoding exceeds the store's 255 bytes per segment.
 *
 * <p>Pure functions; thread-safe.
 */
final class Layout {
  /** The store's limit for one path segment, in UTF-8 bytes (ASCII here: characters). */
  static final int MAX_SEGMENT = 255;

  /** ADK's prefix of filenames shared by all of a user's sessions. */
  static final String USER_PREFIX = "user:";

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private Layout() {}

  /** A directory and a filename in the service's disk. */
  record Location(String directory, String filename) {}

  /** The location of {@code filename} as seen from the session. */
  static Location locate(String appName, String userId, String sessionId, String filename) {
    String name = encode("filename", filename);
    return new Location(
        isUserScoped(filename) ? userDirectory(appName, userId)
            : sessionDirectory(appName, userId, sessionId),
        name);
  }

  /** Whether ADK shares {@code filename} across all of a user's sessions. */
  static boolean isUserScoped(String filename) {
    return filename.startsWith(USER_PREFIX);
  }

  /** {@code /<app>/<user>/sessions/<session>/}: the session's own artifacts. */
  static String sessionDirectory(String appName, String userId, String sessionId) {
    return "/" + encode("app name", appName) + "/" + encode("user id", userId) + "/sessions/"
        + encode("session id", sessionId) + "/";
  }

  /** {@code /<app>/<user>/user/}: the artifacts named {@code user:...}, shared by the sessions. */
  static String userDirectory(String appName, String userId) {
    return "/" + encode("app name", appName) + "/" + encode("user id", userId) + "/user/";
  }

  /**
   * {@code name} as one path segment (see the class comment).
   *
   * @param what what the name is, for the message of a rejection
   * @throws InvalidPathException for an empty name, an unpaired surrogate, or an encoding longer
   *     than {@link #MAX_SEGMENT}
   */
  static String encode(String what, String name) {
    if (name.isEmpty()) {
      throw new InvalidPathException(name, "the ADK " + what + " must not be empty");
    }
    if (name.equals(".") || name.equals("..")) {
      return name.equals(".") ? "%2E" : "%2E%2E";
    }
    StringBuilder out = new StringBuilder(name.length() + 8);
    int utf8Bytes = 0;
    for (int i = 0; i < name.length(); ) {
      int codePoint = name.codePointAt(i);
      int units = Character.charCount(codePoint);
      if (units == 1 && Character.isSurrogate(name.charAt(i))) {
        throw new InvalidPathException(
            name, "the ADK " + what + " has an unpaired UTF-16 surrogate at position " + i
                + " (it has no UTF-8 form)");
      }
      byte[] utf8 = name.substring(i, i + units).getBytes(StandardCharsets.UTF_8);
      utf8Bytes += utf8.length;
      if (units == 1 && isKept(name.charAt(i))) {
        out.append(name.charAt(i));
      } else {
        for (byte b : utf8) {
          out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
        }
      }
      i += units;
    }
    if (out.length() > MAX_SEGMENT) {
      throw new InvalidPathException(
          name, "the ADK " + what + " is " + utf8Bytes + " UTF-8 bytes and encodes to "
              + out.length() + " characters; DiskStore's limit for one name is " + MAX_SEGMENT
              + " (characters other than printable ASCII take 3 per byte)");
    }
    return out.toString();
  }

  /**
   * The name that {@link #encode} turned into {@code segment}; empty when {@code segment} is not an
   * encoding {@code encode} produces (a file another client put there), so that listings show only
   * names that a load can reach.
   */
  static Optional<String> decode(String segment) {
    ByteBuffer bytes = ByteBuffer.allocate(segment.length());
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '%') {
        if (i + 2 >= segment.length()) {
          return Optional.empty();
        }
        int high = Character.digit(segment.charAt(i + 1), 16);
        int low = Character.digit(segment.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return Optional.empty();
        }
        bytes.put((byte) (high << 4 | low));
        i += 2;
      } else if (c < 0x80) {
        bytes.put((byte) c);
      } else {
        return Optional.empty();
      }
    }
    bytes.flip();
    String name;
    try {
      name = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
    // only the canonical form: upper-case escapes, nothing escaped that needs no escape
    try {
      return encode("name", name).equals(segment) ? Optional.of(name) : Optional.empty();
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
  }

  private static boolean isKept(char c) {
    return c >= 0x21 && c <= 0x7E && c != '%' && c != '/' && c != '\\';
  }
}
