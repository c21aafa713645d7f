package dev.diskstore.tika;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.tika.config.TikaConfig;
import org.apache.tika.detect.DefaultDetector;
import org.apache.tika.detect.Detector;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MimeTypes;

/**
 * The JVM-wide Apache Tika state, created lazily: the detector (MIME database plus the ZIP and OLE
 * container detectors, about 0.4 s on first use) and the full configuration with every parser
 * (about 0.45 s). Each is built once, on first use, by the JVM's class initialisation (a holder
 * class), which is lazy and thread-safe without locks on the fast path.
 *
 * <p>Nothing in this module touches this class before a file actually needs Tika, so opening a
 * store and upserting files with common names never initialises it; {@link #isInitialised()} lets
 * tests check that.
 */
final class TikaRuntime {
  private TikaRuntime() {}

  /** The Tika version this module is built and tested against (the parser id contains it). */
  static final String TIKA_VERSION = "3.3.1";

  private static final AtomicBoolean INITIALISED = new AtomicBoolean();
  private static final AtomicLong PARSES = new AtomicLong();

  /** Whether any Tika state (detector or parsers) has been initialised in this JVM. */
  static boolean isInitialised() {
    return INITIALISED.get();
  }

  /** How many documents Tika has parsed in this JVM (for tests of the content cache). */
  static long parseCount() {
    return PARSES.get();
  }

  static void countParse() {
    PARSES.incrementAndGet();
  }

  /** Tika's default configuration with every parser on the class path; built on first call. */
  static TikaConfig config() {
    return Parsing.CONFIG;
  }

  /**
   * Tika's detection from a filename and the first bytes of the content: the lower-case base type
   * (no parameters).
   *
   * @throws IOException if Tika fails on the bytes (it reads them from memory)
   */
  static String detect(String filename, byte[] head) throws IOException {
    Metadata metadata = new Metadata();
    metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, filename);
    try (TikaInputStream in = TikaInputStream.get(head)) {
      return Detection.DETECTOR
          .detect(in, metadata)
          .getBaseType()
          .toString()
          .toLowerCase(Locale.ROOT);
    }
  }

  private static final class Detection {
    static final Detector DETECTOR;

    static {
      INITIALISED.set(true);
      DETECTOR = new DefaultDetector(MimeTypes.getDefaultMimeTypes());
    }
  }

  private static final class Parsing {
    static final TikaConfig CONFIG;

    static {
      INITIALISED.set(true);
      CONFIG = TikaConfig.getDefaultConfig();
    }
  }
}
