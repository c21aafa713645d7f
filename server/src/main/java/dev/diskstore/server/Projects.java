package dev.diskstore.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Which project a request's bearer token belongs to. With no tokens configured, every request
 * (with any bearer or none) is the store's own project ({@code open} mode, loopback only, see
 * {@link DiskStoreServer}). Tokens are compared as SHA-256 digests with {@link
 * MessageDigest#isEqual} against every configured token, without stopping at the first match, so
 * the time taken does not depend on how much of a token was right. Immutable, thread-safe.
 */
final class Projects {
  /** A configured token (kept as its digest) and its project. */
  record Entry(byte[] digest, String projectId) {}

  private final List<Entry> entries;
  private final String openProject;

  Projects(List<Entry> entries, String openProject) {
    this.entries = List.copyOf(entries);
    this.openProject = openProject;
  }

  static Entry entry(String token, @Nullable String projectId) {
    return new Entry(sha256(token), projectId != null ? projectId : derivedProjectId(token));
  }

  /**
   * The stable project id of a bare token: a UUID (version 8, RFC 9562) made of the first 16 bytes
   * of {@code SHA-256("diskstore-project:" + token)}, so the token itself cannot be read back.
   */
  static String derivedProjectId(String token) {
    byte[] h = sha256("diskstore-project:" + token);
    h[6] = (byte) ((h[6] & 0x0f) | 0x80);
    h[8] = (byte) ((h[8] & 0x3f) | 0x80);
    long msb = 0;
    long lsb = 0;
    for (int i = 0; i < 8; i++) {
      msb = (msb << 8) | (h[i] & 0xff);
      lsb = (lsb << 8) | (h[8 + i] & 0xff);
    }
    return new UUID(msb, lsb).toString();
  }

  boolean isOpen() {
    return entries.isEmpty();
  }

  /** The caller's project, or empty when the request must get a 401. */
  Optional<String> authenticate(@Nullable String authorization) {
    if (entries.isEmpty()) {
      return Optional.of(openProject);
    }
    if (authorization == null
        || authorization.length() < 7
        || !authorization.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return Optional.empty();
    }
    byte[] presented = sha256(authorization.substring(7).trim());
    String found = null;
    for (Entry e : entries) {
      if (MessageDigest.isEqual(e.digest(), presented) && found == null) {
        found = e.projectId();
      }
    }
    return Optional.ofNullable(found);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
