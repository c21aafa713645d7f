package dev.diskstore.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The store's content hash. */
final class Hashing {
  private Hashing() {}

  /** A fresh SHA-256 digest (every Java platform has it). */
  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this Java platform", e);
    }
  }
}
