package dev.diskstore.s3;

import dev.diskstore.StorageException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedByInterruptException;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The one place where failures of the AWS SDK become {@link StorageException}s.
 *
 * <p><b>Retryable</b> (the same call may succeed if repeated unchanged): HTTP 5xx except 501 and
 * 505, throttling (429, {@code SlowDown}, {@code Throttling...}), {@code RequestTimeout}, and
 * client-side failures caused by the network (connection refused or reset, timeouts, an unknown
 * host, which may be a DNS hiccup). <b>Not retryable</b>: every other 4xx (403 access denied or a
 * bad signature, 404 no such bucket, 301/400 wrong region), 501 {@code NotImplemented} (the server
 * lacks the call; asking again does not add it), an interrupted call, a credentials provider that
 * finds no credentials, and any failure that is not I/O. The SDK has already retried retryable
 * failures by the time they arrive here.
 *
 * <p>Messages read {@code cannot <action> "<key>" in s3://bucket/prefix at <endpoint>: <reason>}
 * (the endpoint is the URI the backend talks to, or {@code AWS S3 <region>}) and end with the HTTP
 * status, the S3 error code, the request id and the number of attempts when there are some.
 * Stateless and thread-safe.
 */
final class S3Errors {
  /** S3 error codes that mean "try again later" although their status is below 500. */
  private static final Set<String> RETRYABLE_CODES =
      Set.of(
          "RequestTimeout",
          "SlowDown",
          "Throttling",
          "ThrottlingException",
          "RequestThrottled",
          "TooManyRequests",
          "InternalError",
          "ServiceUnavailable",
          "OperationAborted");

  /** S3 error codes that mean the credentials or the policy refuse the call. */
  private static final Set<String> ACCESS_CODES =
      Set.of(
          "AccessDenied",
          "SignatureDoesNotMatch",
          "InvalidAccessKeyId",
          "InvalidToken",
          "ExpiredToken",
          "TokenRefreshRequired",
          "AllAccessDisabled",
          "AccountProblem",
          "InvalidSecurity");

  /**
   * Error codes with which S3-compatible servers say that they do not offer a call at all (as
   * opposed to refusing this one request).
   */
  private static final Set<String> UNSUPPORTED_CODES =
      Set.of(
          "NotImplemented",
          "XNotImplemented",
          "NotSupported",
          "UnsupportedOperation",
          "MethodNotAllowed");

  private S3Errors() {}

  /**
   * Translates {@code failure}, thrown while doing {@code action} on {@code subject} in {@code
   * location} ({@code s3://bucket/prefix}). A {@link StorageException} is returned unchanged.
   */
  static StorageException translate(
      String action, String subject, String location, Throwable failure) {
    if (failure instanceof StorageException storage) {
      return storage;
    }
    String where = "cannot " + action + " \"" + subject + "\" in " + location + ": ";
    if (failure instanceof AwsServiceException service) {
      return new StorageException(where + describeService(service), isRetryable(service), failure);
    }
    if (failure instanceof SdkException sdk) {
      // Timeouts first: the SDK ends a timed-out attempt by interrupting the calling thread (and
      // clears the interrupt again), so a timeout can look like an interruption further down.
      if (!isTimeout(sdk) && isInterruption(sdk)) {
        Thread.currentThread().interrupt(); // keep the interrupt visible to the caller
        return new StorageException(where + "the call was interrupted", false, failure);
      }
      boolean retryable = isRetryableClientFailure(sdk);
      return new StorageException(where + describeClient(sdk), retryable, failure);
    }
    return new StorageException(where + failure, false, failure);
  }

  /** Whether a service error may go away when the call is repeated. */
  static boolean isRetryable(AwsServiceException e) {
    if (isUnsupported(e)) {
      return false;
    }
    int status = e.statusCode();
    String code = errorCode(e);
    return (status >= 500 && status != 505)
        || status == 429
        || e.isThrottlingException()
        || (code != null && RETRYABLE_CODES.contains(code));
  }

  /**
   * Whether the server said that it does not offer the call at all: 501 Not Implemented, 405 Method
   * Not Allowed, or an error code such as {@code NotImplemented} or {@code UnsupportedOperation}.
   */
  static boolean isUnsupported(AwsServiceException e) {
    String code = errorCode(e);
    return e.statusCode() == 501
        || e.statusCode() == 405
        || (code != null && UNSUPPORTED_CODES.contains(code));
  }

  /** Whether the credentials or the bucket policy refuse the call (403 or an access code). */
  static boolean isAccessDenied(AwsServiceException e) {
    String code = errorCode(e);
    return (code != null && ACCESS_CODES.contains(code)) || (code == null && e.statusCode() == 403);
  }

  /**
   * Whether a client-side failure is a connection broken while a request was under way (reset,
   * closed, a failed write of the body), as opposed to an endpoint that cannot be reached at all
   * (refused, unknown host) or a timeout.
   */
  static boolean isBrokenConnection(Throwable e) {
    if (!(e instanceof SdkClientException)
        || e instanceof ApiCallTimeoutException
        || e instanceof ApiCallAttemptTimeoutException) {
      return false;
    }
    IOException io = cause(e, IOException.class);
    return io != null
        && cause(e, ConnectException.class) == null
        && cause(e, UnknownHostException.class) == null
        && cause(e, InterruptedIOException.class) == null;
  }

  /** Whether the service said the object (not the bucket) does not exist. */
  static boolean isNoSuchKey(AwsServiceException e) {
    String code = errorCode(e);
    // HEAD responses carry no body, so a 404 without a code is a missing key (or bucket).
    return e.statusCode() == 404
        && (code == null || code.equals("NoSuchKey") || code.equals("NotFound"));
  }

  /** Whether the service said the bucket does not exist. */
  static boolean isNoSuchBucket(AwsServiceException e) {
    return "NoSuchBucket".equals(errorCode(e));
  }

  /** Whether the requested range lies past the end of the object (HTTP 416). */
  static boolean isInvalidRange(AwsServiceException e) {
    return e.statusCode() == 416 || "InvalidRange".equals(errorCode(e));
  }

  static @Nullable String errorCode(AwsServiceException e) {
    AwsErrorDetails details = e.awsErrorDetails();
    String code = details == null ? null : details.errorCode();
    return code == null || code.isBlank() ? null : code;
  }

  private static String describeService(AwsServiceException e) {
    int status = e.statusCode();
    String code = errorCode(e);
    AwsErrorDetails details = e.awsErrorDetails();
    String message = details == null ? null : details.errorMessage();
    String reason;
    if (isUnsupported(e)) {
      reason =
          "the S3 service does not implement this call" + (code == null ? "" : " (" + code + ")");
    } else if (isAccessDenied(e)) {
      reason =
          "access denied by the S3 service"
              + (code == null ? "" : " (" + code + ")")
              + "; check the access key and secret, the region and the bucket policy";
    } else if ("NoSuchBucket".equals(code)) {
      reason = "the bucket does not exist (NoSuchBucket); create it or fix the bucket name";
    } else if ("PermanentRedirect".equals(code)
        || "AuthorizationHeaderMalformed".equals(code)
        || "IllegalLocationConstraintException".equals(code)) {
      reason = "the bucket lives in another region (" + code + "); fix the configured region";
    } else if (status == 429 || e.isThrottlingException()) {
      reason = "the S3 service is throttling requests" + (code == null ? "" : " (" + code + ")");
    } else if (status >= 500) {
      reason = "the S3 service failed" + (code == null ? "" : " (" + code + ")");
    } else {
      reason = "the S3 service refused the request" + (code == null ? "" : " (" + code + ")");
    }
    StringBuilder text = new StringBuilder(reason);
    if (message != null && !message.isBlank()) {
      text.append(": ").append(message.strip());
    }
    text.append(" [HTTP ").append(status);
    if (e.requestId() != null && !e.requestId().isBlank()) {
      text.append(", request id ").append(e.requestId());
    }
    Integer attempts = e.numAttempts();
    if (attempts != null && attempts > 1) {
      text.append(", ").append(attempts).append(" attempts");
    }
    return text.append(']').toString();
  }

  private static String describeClient(SdkException e) {
    String reason;
    ConnectException refused = cause(e, ConnectException.class);
    UnknownHostException unknownHost = cause(e, UnknownHostException.class);
    SocketTimeoutException socketTimeout = cause(e, SocketTimeoutException.class);
    if (e instanceof ApiCallTimeoutException) {
      reason =
          "the S3 endpoint did not complete the call within the call timeout: " + e.getMessage();
    } else if (e instanceof ApiCallAttemptTimeoutException) {
      reason = "the S3 endpoint did not answer within the attempt timeout: " + e.getMessage();
    } else if (refused != null) {
      reason =
          "cannot connect to the S3 endpoint (" + refused.getMessage() + "): " + e.getMessage();
    } else if (unknownHost != null) {
      reason =
          "unknown host " + unknownHost.getMessage() + " (check the endpoint): " + e.getMessage();
    } else if (socketTimeout != null) {
      String what = String.valueOf(socketTimeout.getMessage());
      String lower = what.toLowerCase(Locale.ROOT);
      reason =
          (lower.startsWith("connect")
                  ? "cannot connect to the S3 endpoint in time ("
                  : lower.startsWith("write")
                      ? "the S3 endpoint stopped taking the upload ("
                      : "the S3 endpoint did not answer in time (")
              + what
              + "): "
              + e.getMessage();
    } else {
      reason = e.getMessage();
    }
    Integer attempts = e.numAttempts();
    boolean counted = reason != null && reason.contains("Attempt Count");
    return attempts != null && attempts > 1 && !counted
        ? reason + " [" + attempts + " attempts]"
        : reason;
  }

  /** Whether the SDK gave up waiting: a call or attempt timeout, a connect or read timeout. */
  static boolean isTimeout(Throwable e) {
    return e instanceof ApiCallTimeoutException
        || e instanceof ApiCallAttemptTimeoutException
        || cause(e, SocketTimeoutException.class) != null;
  }

  private static boolean isRetryableClientFailure(SdkException e) {
    if (isTimeout(e)) {
      return true;
    }
    if (!(e instanceof SdkClientException)) {
      return e.retryable();
    }
    // Network failures reach us as an SdkClientException caused by an IOException. Anything else
    // (no credentials found, an unmarshalling failure, a bad argument) fails again when repeated.
    return cause(e, IOException.class) != null || e.retryable();
  }

  private static boolean isInterruption(SdkException e) {
    if (e instanceof AbortedException) {
      return true;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InterruptedException
          || t instanceof ClosedByInterruptException
          || (t instanceof InterruptedIOException && !(t instanceof SocketTimeoutException))) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private static <T extends Throwable> @Nullable T cause(Throwable e, Class<T> type) {
    int depth = 0;
    for (Throwable t = e; t != null && depth < 16; t = t.getCause(), depth++) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /** {@code s3://bucket/prefix}, for messages. */
  static String location(String bucket, String keyPrefix) {
    return "s3://" + bucket + "/" + keyPrefix;
  }

  /**
   * {@code s3://bucket/prefix at <endpoint>}, for messages: the endpoint URI, or {@code AWS S3
   * <region>} when the client talks to AWS itself.
   */
  static String location(String bucket, String keyPrefix, String endpoint) {
    return location(bucket, keyPrefix) + " at " + endpoint;
  }

  /** The type and message of an I/O failure of the caller's stream, for messages. */
  static String describe(IOException e) {
    String message = e.getMessage();
    String type = e.getClass().getSimpleName();
    return message == null ? type : type + ": " + message;
  }
}
