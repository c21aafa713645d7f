package dev.diskstore;

/**
 * A search argument was rejected: an invalid regular expression, glob pattern or metadata query.
 * The message names the pattern and what is wrong with it.
 */
public class InvalidQueryException extends InvalidRequestException {
  private static final long serialVersionUID = 1L;

  public InvalidQueryException(String message) {
    super(message);
  }
}
