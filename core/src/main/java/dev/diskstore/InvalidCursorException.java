package dev.diskstore;

/**
 * A pagination cursor could not be decoded, or was issued for a different query (another sort
 * direction, user filter or directory). Cursors are opaque: pass back exactly what a page returned.
 */
public class InvalidCursorException extends InvalidRequestException {
  private static final long serialVersionUID = 1L;

  public InvalidCursorException(String message) {
    super(message);
  }
}
