package dev.diskstore.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * The resource bounds of the download-URL server ({@link UrlServer}); {@link #DEFAULT} in the
 * store, smaller values in tests.
 *
 * @param maxThreads request-handling threads at most (the acceptor and selector threads included);
 *     only requests whose head is complete occupy one, so idle or half-sent connections do not
 * @param maxConnections open connections at most; beyond that the server stops accepting (new
 *     connections wait in the kernel's backlog until one closes). Bounds the file descriptors and
 *     memory clients can make the server hold
 * @param headDeadline a connection whose request head (request line and headers) is not complete
 *     this long after it was accepted is closed, however slowly its bytes trickle in
 * @param idleTimeout a connection on which nothing moves for this long is closed (a client that
 *     stops reading its download)
 */
record DownloadLimits(
    int maxThreads, int maxConnections, Duration headDeadline, Duration idleTimeout) {

  /** {@link #maxThreads()} of {@link #DEFAULT}. */
  static final int DEFAULT_MAX_THREADS = 32;

  /**
   * 32 threads, 2,048 connections, 5 s to send a request head, 30 s idle. A download in progress
   * holds a thread while it writes; downloads beyond the threads wait in the queue rather than
   * being refused.
   */
  static final DownloadLimits DEFAULT =
      new DownloadLimits(DEFAULT_MAX_THREADS, 2048, Duration.ofSeconds(5), Duration.ofSeconds(30));

  /** Threads Jetty keeps for itself: one acceptor and one selector. */
  static final int INFRASTRUCTURE_THREADS = 2;

  DownloadLimits {
    Objects.requireNonNull(headDeadline, "headDeadline");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if (maxThreads < INFRASTRUCTURE_THREADS + 2) {
      throw new IllegalArgumentException(
          "maxThreads must leave at least 2 request threads, got " + maxThreads);
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be positive, got " + maxConnections);
    }
    for (Duration d : new Duration[] {headDeadline, idleTimeout}) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("timeouts must be positive, got " + d);
      }
    }
  }
}
