package dev.diskstore.spi.index;

import dev.diskstore.ArtifactContent;
import org.jspecify.annotations.Nullable;

/**
 * How an index keeps the encoding fields of cached parsed content ({@link ArtifactContent#charset()}
 * and {@link ArtifactContent#lossy()}) without a column of their own: in the text column that holds
 * the detail of an unavailable result ({@link IndexSession#putExtractedContent}), which parsed
 * results leave unused. The text is {@code null} for the common case (UTF-8, nothing replaced),
 * so rows written before these fields existed read back as exactly that; otherwise {@code
 * charset=<name>} followed by {@code ;lossy} when bytes were replaced.
 *
 * <p>Stateless and thread-safe.
 */
public final class CachedContent {
  private static final String CHARSET = "charset=";
  private static final String LOSSY = ";lossy";

  private CachedContent() {}

  /** The detail text to store with {@code content}; null when it is UTF-8 without replacements. */
  public static @Nullable String detailOf(ArtifactContent content) {
    if (content.charset().equals(ArtifactContent.UTF_8) && !content.lossy()) {
      return null;
    }
    return CHARSET + content.charset() + (content.lossy() ? LOSSY : "");
  }

  /**
   * The content a cached row describes; a {@code detail} that is null or not of the form {@link
   * #detailOf} writes reads as UTF-8 without replacements.
   */
  public static ArtifactContent parsed(
      String type, String raw, boolean truncated, @Nullable String detail) {
    if (detail == null || !detail.startsWith(CHARSET)) {
      return new ArtifactContent(type, raw, truncated);
    }
    boolean lossy = detail.endsWith(LOSSY);
    String charset =
        detail.substring(CHARSET.length(), detail.length() - (lossy ? LOSSY.length() : 0));
    if (charset.isEmpty()) {
      return new ArtifactContent(type, raw, truncated);
    }
    return new ArtifactContent(type, raw, truncated, charset, lossy);
  }
}
