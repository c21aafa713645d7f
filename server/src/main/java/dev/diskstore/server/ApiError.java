package dev.diskstore.server;

import dev.diskstore.DiskStoreException;

/**
 * A request the server answers with an error status of its own choosing (401, 400 for a bad
 * parameter, 404 for a route or a disk the caller cannot see, 405, 413, 415); store failures keep
 * their own types and are mapped in {@link ApiHandler#statusOf}.
 */
final class ApiError extends DiskStoreException {
  private static final long serialVersionUID = 1L;

  private final int status;

  ApiError(int status, String message) {
    super(message);
    this.status = status;
  }

  int status() {
    return status;
  }
}
