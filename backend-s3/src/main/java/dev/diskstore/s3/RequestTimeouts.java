package dev.diskstore.s3;

import java.time.Duration;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;

/**
 * The time budgets of the requests whose duration depends on what they carry. The client's own
 * attempt and call timeouts (the SDK's {@code apiCallAttemptTimeout} and {@code apiCallTimeout})
 * fit requests without content; a request that sends content gets the time that content takes at
 * the slowest upload rate still considered healthy on top, per attempt, so that a large part on a
 * slow but working link is not cut, while a request to a server that does not answer still fails
 * within the client's budget (the read timeout and {@code Expect: 100-continue} see to that before
 * any content is sent).
 *
 * <p>Immutable and thread-safe.
 *
 * @param attempt the client's attempt timeout, or null when it has none (nothing is stretched)
 * @param call the client's call timeout, or null when it has none
 * @param attempts the most attempts the client makes per call
 * @param minUploadBytesPerSecond the slowest upload rate that is still healthy
 */
record RequestTimeouts(
    @Nullable Duration attempt,
    @Nullable Duration call,
    int attempts,
    long minUploadBytesPerSecond) {

  /**
   * S3 answers {@code CompleteMultipartUpload} at once and then keeps the connection alive with
   * whitespace while it assembles the object, which AWS documents can take minutes for large
   * objects; allow this much per part on top of the attempt timeout (the read timeout still ends an
   * attempt on a server that sends nothing at all).
   */
  static final Duration COMPLETION_TIME_PER_PART = Duration.ofSeconds(1);

  /** Budgets for a request that sends {@code bytes} of content (PutObject, UploadPart). */
  Consumer<AwsRequestOverrideConfiguration.Builder> forContent(long bytes) {
    return stretchedBy(Duration.ofMillis(saturatedMillis(bytes, minUploadBytesPerSecond)));
  }

  /** Budgets for completing a multipart upload of {@code parts} parts. */
  Consumer<AwsRequestOverrideConfiguration.Builder> forCompletion(int parts) {
    return stretchedBy(COMPLETION_TIME_PER_PART.multipliedBy(parts));
  }

  /**
   * Budgets for a request that only helps to explain a failure: one attempt, so that it never adds
   * more than one attempt timeout to the caller's wait.
   */
  Consumer<AwsRequestOverrideConfiguration.Builder> forOneAttempt() {
    return b -> {
      if (attempt != null) {
        b.apiCallTimeout(attempt);
      }
    };
  }

  private Consumer<AwsRequestOverrideConfiguration.Builder> stretchedBy(Duration extra) {
    return b -> {
      if (attempt != null) {
        b.apiCallAttemptTimeout(attempt.plus(extra));
      }
      if (call != null) {
        b.apiCallTimeout(call.plus(extra.multipliedBy(attempts)));
      }
    };
  }

  /** {@code ceil(bytes * 1000 / rate)} milliseconds, without overflow. */
  private static long saturatedMillis(long bytes, long bytesPerSecond) {
    if (bytes <= 0) {
      return 0;
    }
    if (bytes > Long.MAX_VALUE / 1000) {
      return Long.MAX_VALUE / 1000;
    }
    return (bytes * 1000 + bytesPerSecond - 1) / bytesPerSecond;
  }
}
