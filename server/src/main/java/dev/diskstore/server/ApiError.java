package dev.diskstore.server;

import dev.diskstore.DiskStoreException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the server answers with an error status of its own choosing (401, 400 for a bad
 * parameter, 404 for a route or a disk the caller cannot see, 405, 413, 415); store failures keep
 * their own types and are mapped in {@link ApiHandler#statusOf}.
 */
final class ApiError extends DiskStoreException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final Map<String, String> headers = new LinkedHashMap<>();

  ApiError(int status, String message) {
    super(message);
    this.status = status;
  }

  /** Adds a header the error answer carries (it is sent on a reset response). */
  ApiError header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  Map<String, String> headers() {
    return headers;
  }

  int status() {
    return status;
  }
}
