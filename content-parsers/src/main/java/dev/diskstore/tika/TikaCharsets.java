package dev.diskstore.tika;

import java.nio.charset.Charset;
import java.util.Optional;
import org.apache.tika.parser.txt.CharsetDetector;
import org.apache.tika.parser.txt.CharsetMatch;

/**
 * Guesses the encoding of text that has no byte order mark and is not valid UTF-8, for the core's
 * text parser ({@code BuiltinContent.parser(TikaCharsets::guess)}).
 *
 * <p><b>Why this detector.</b> {@link CharsetDetector} is Tika's copy of ICU4J's statistical
 * detector, shipped inside {@code tika-parser-text-module}, which this module already depends on:
 * no new jar, nothing to initialise. It scores every candidate (the ISO-8859 and Windows single-byte
 * sets by language n-grams, Shift_JIS, EUC-JP, EUC-KR, GB18030, Big5, KOI8-R, UTF-16/32) and says
 * how confident it is. ICU4J itself has the same detector in a 14 MB jar; juniversalchardet
 * (Mozilla's, which Tika's {@code UniversalEncodingDetector} wraps) is good at CJK but reports
 * Western single-byte text less reliably and would add its jar to what this module requires. Tika's
 * {@code TXTParser} runs these detectors too, but it also reads HTML meta tags and returns
 * XHTML-tidied text, while the raw text must stay as it is (the core's parser does the decoding).
 *
 * <p><b>Rules.</b> A match below {@value #MIN_CONFIDENCE} of 100 is no guess (the core then reads
 * Windows-1252). ISO-8859-1 is read as Windows-1252, its superset: the detector names ISO-8859-1
 * when the bytes 0x80–0x9F are absent, where the two agree, and text labelled ISO-8859-1 that has
 * them is Windows-1252 in practice (as browsers assume). A charset Java does not support is no
 * guess. Never throws.
 *
 * <p>Stateless and thread-safe (a detector is made per call).
 */
final class TikaCharsets {
  /** Below this confidence (0–100) the detector's best match is not used. */
  static final int MIN_CONFIDENCE = 10;

  private TikaCharsets() {}

  /** The charset to read {@code sample} (the first bytes of a file) in, or empty. */
  static Optional<Charset> guess(byte[] sample) {
    try {
      CharsetDetector detector = new CharsetDetector(sample.length);
      detector.setText(sample);
      CharsetMatch match = detector.detect();
      if (match == null || match.getConfidence() < MIN_CONFIDENCE) {
        return Optional.empty();
      }
      String name = match.getName();
      if (name.equalsIgnoreCase("ISO-8859-1")) {
        name = "windows-1252";
      }
      return Charset.isSupported(name) ? Optional.of(Charset.forName(name)) : Optional.empty();
    } catch (LinkageError | RuntimeException e) { // e.g. IllegalCharsetNameException
      return Optional.empty();
    }
  }
}
