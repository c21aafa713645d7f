package dev.diskstore;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Options of {@link Artifacts#get}: whether to add a download URL and parsed content, and how long
 * the URL stays valid.
 *
 * <p>Unlike Acontext, both flags default to {@code false}: a plain {@code get} is a metadata lookup
 * and never reads or parses the file. {@code expire} must be between 1 second and 7 days (default
 * one hour).
 *
 * <p>With {@code version}, {@code get}, {@code find} and {@code open} read that version of the
 * artifact ({@link Artifacts#versions}) instead of the current one: its metadata, its bytes, its
 * content and a download URL of its bytes (which works while that version is kept, whatever
 * happens to the artifact after). A version that does not exist, or records a removal, is absent:
 * {@code find} is empty, {@code get} and {@code open} throw {@link VersionNotFoundException}.
 *
 * @param withPublicUrl add a signed, expiring download URL
 * @param withContent add the parsed text content, if the file is text, JSON, CSV or code
 * @param expire lifetime of the URL
 * @param version the version to read; empty for the current one
 */
public record GetOptions(
    boolean withPublicUrl, boolean withContent, Duration expire, OptionalLong version) {
  public static final Duration DEFAULT_EXPIRE = Duration.ofHours(1);
  public static final Duration MAX_EXPIRE = Duration.ofDays(7);

  /** Neither URL nor content. */
  public static final GetOptions NONE = new GetOptions(false, false, DEFAULT_EXPIRE);

  /** Options of the current version. */
  public GetOptions(boolean withPublicUrl, boolean withContent, Duration expire) {
    this(withPublicUrl, withContent, expire, OptionalLong.empty());
  }

  public GetOptions {
    Objects.requireNonNull(expire, "expire");
    Objects.requireNonNull(version, "version");
    if (version.isPresent() && version.getAsLong() < 0) {
      throw new InvalidRequestException("version must be >= 0, was " + version.getAsLong());
    }
    if (expire.compareTo(Duration.ofSeconds(1)) < 0 || expire.compareTo(MAX_EXPIRE) > 0) {
      throw new InvalidRequestException(
          "expire must be between 1 second and 7 days (604800 s), was " + expire.toSeconds() + " s");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Shortcut for {@code builder().withPublicUrl(true).withContent(true).build()}. */
  public static GetOptions urlAndContent() {
    return builder().withPublicUrl(true).withContent(true).build();
  }

  /** Builder for {@link GetOptions}; not thread-safe. */
  public static final class Builder {
    private boolean withPublicUrl;
    private boolean withContent;
    private Duration expire = DEFAULT_EXPIRE;
    private OptionalLong version = OptionalLong.empty();

    private Builder() {}

    /** Reads this version of the artifact instead of the current one (see {@link GetOptions}). */
    public Builder version(long version) {
      this.version = OptionalLong.of(version);
      return this;
    }

    /** The current version (the default). */
    public Builder currentVersion() {
      this.version = OptionalLong.empty();
      return this;
    }

    public Builder withPublicUrl(boolean withPublicUrl) {
      this.withPublicUrl = withPublicUrl;
      return this;
    }

    public Builder withContent(boolean withContent) {
      this.withContent = withContent;
      return this;
    }

    public Builder expire(Duration expire) {
      this.expire = Objects.requireNonNull(expire, "expire");
      return this;
    }

    /** Acontext's {@code expire} parameter, in seconds. */
    public Builder expireSeconds(long seconds) {
      return expire(Duration.ofSeconds(seconds));
    }

    public GetOptions build() {
      return new GetOptions(withPublicUrl, withContent, expire, version);
    }
  }
}
