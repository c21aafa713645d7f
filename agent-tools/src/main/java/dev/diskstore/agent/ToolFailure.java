package dev.diskstore.agent;

import dev.diskstore.DiskStoreException;

/**
 * A tool call that cannot be carried out, with the text the model should read: a bad argument, a
 * stale etag, a file that is not text. Thrown inside the executor and turned into an {@code
 * "Error: ..."} result; it never leaves {@link DiskTools#execute}.
 */
final class ToolFailure extends DiskStoreException {
  private static final long serialVersionUID = 1L;

  ToolFailure(String message) {
    super(message);
  }
}
