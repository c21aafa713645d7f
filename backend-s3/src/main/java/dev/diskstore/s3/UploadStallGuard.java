package dev.diskstore.s3;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * An {@link SdkHttpClient} that aborts a request whose body stops flowing: once the delegate has
 * started to send the body, if it takes no further byte for {@code stallLimit}, the request is
 * aborted and fails with a {@link SocketTimeoutException} ("Write timed out"), which the SDK
 * retries like any network failure.
 *
 * <p>Why: a socket write has no timeout in Java. An endpoint that accepts the connection but never
 * reads (a black hole) lets the body fill the socket buffers and then blocks the writing thread
 * until the SDK's attempt timeout fires, and that timeout must be long for a large part on a slow
 * link. The JDK's {@code Expect: 100-continue} handling does not help: after waiting the read
 * timeout for the interim answer it sends the body anyway. The read (socket) timeout covers the
 * other direction, a response that stops arriving. A slow link still makes progress every few
 * kilobytes, so it is never cut.
 *
 * <p>Requests without a body pass through unchanged. Thread-safe; does not own the delegate or the
 * timer (whoever created them closes them; {@link #close()} does nothing).
 */
final class UploadStallGuard implements SdkHttpClient {
  private final SdkHttpClient delegate;
  private final long stallLimitNanos;
  private final long checkPeriodMillis;
  private final ScheduledExecutorService timer;

  /**
   * @param stallLimit how long a started body may go without a byte being taken
   * @param timer runs the checks (one cheap task per request with a body, every tenth of the limit)
   */
  UploadStallGuard(SdkHttpClient delegate, Duration stallLimit, ScheduledExecutorService timer) {
    this.delegate = delegate;
    this.stallLimitNanos = stallLimit.toNanos();
    this.checkPeriodMillis = Math.max(20, stallLimit.toMillis() / 10);
    this.timer = timer;
  }

  @Override
  public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
    if (request.contentStreamProvider().isEmpty()) {
      return delegate.prepareRequest(request);
    }
    ContentStreamProvider content = request.contentStreamProvider().get();
    // Some HTTP clients stop reading at the declared length instead of at the end of the stream.
    long length =
        request
            .httpRequest()
            .firstMatchingHeader("Content-Length")
            .map(UploadStallGuard::parseLength)
            .orElse(-1L);
    Progress progress = new Progress(length);
    HttpExecuteRequest.Builder counted =
        HttpExecuteRequest.builder()
            .request(request.httpRequest())
            .contentStreamProvider(() -> new CountingStream(content.newStream(), progress));
    request.metricCollector().ifPresent(counted::metricCollector);
    ExecutableHttpRequest executable = delegate.prepareRequest(counted.build());
    return new ExecutableHttpRequest() {
      @Override
      public HttpExecuteResponse call() throws IOException {
        ScheduledFuture<?> check =
            timer.scheduleWithFixedDelay(
                () -> {
                  if (progress.stalledLongerThan(stallLimitNanos)) {
                    progress.stalled = true;
                    executable.abort();
                  }
                },
                checkPeriodMillis,
                checkPeriodMillis,
                TimeUnit.MILLISECONDS);
        try {
          return executable.call();
        } catch (IOException | RuntimeException e) {
          if (!progress.stalled) {
            throw e;
          }
          SocketTimeoutException stalled =
              new SocketTimeoutException(
                  "Write timed out: the endpoint took no byte of the request body for "
                      + Duration.ofNanos(stallLimitNanos).toMillis()
                      + " ms after "
                      + progress.bytes
                      + " bytes");
          stalled.initCause(e);
          throw stalled;
        } finally {
          check.cancel(false);
        }
      }

      @Override
      public void abort() {
        executable.abort();
      }
    };
  }

  private static long parseLength(String header) {
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public String clientName() {
    return delegate.clientName();
  }

  /** Does nothing: the delegate belongs to whoever created it. */
  @Override
  public void close() {}

  /**
   * How far the body of one request got; written by the sending thread, read by the timer. The
   * guard watches only until the body is sent: the wait for the answer is the attempt timeout's.
   */
  private static final class Progress {
    /** The declared length of the body, or -1. */
    private final long length;

    /** {@link System#nanoTime()} of the last byte taken, or 0 before the first one. */
    volatile long lastByteNanos;

    volatile long bytes;
    volatile boolean finished;
    volatile boolean stalled;

    Progress(long length) {
      this.length = length;
    }

    void taken(int n) {
      bytes += n;
      lastByteNanos = System.nanoTime();
      if (length >= 0 && bytes >= length) {
        finished = true;
      }
    }

    boolean stalledLongerThan(long limitNanos) {
      long last = lastByteNanos;
      return !finished && last != 0 && System.nanoTime() - last > limitNanos;
    }
  }

  /** Records every byte the HTTP client takes from the body. */
  private static final class CountingStream extends FilterInputStream {
    private final Progress progress;

    CountingStream(InputStream in, Progress progress) {
      super(in);
      this.progress = progress;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      record(b < 0 ? -1 : 1);
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      record(n);
      return n;
    }

    private void record(int n) {
      if (n < 0) {
        progress.finished = true;
      } else {
        progress.taken(n);
      }
    }
  }
}
