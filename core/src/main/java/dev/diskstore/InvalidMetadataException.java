package dev.diskstore;

/**
 * User metadata was rejected: not a JSON object of JSON values, a reserved key
 * ({@code __artifact_info__}), or larger than the configured limit. Nothing was changed.
 */
public class InvalidMetadataException extends InvalidRequestException {
  private static final long serialVersionUID = 1L;

  public InvalidMetadataException(String message) {
    super(message);
  }
}
