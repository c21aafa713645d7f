package dev.diskstore.s3;

import dev.diskstore.InvalidRequestException;
import dev.diskstore.spi.PublicUrlRequest;
import dev.diskstore.spi.PublicUrlSigner;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.GetObjectPresignRequest;

/**
 * Signs download URLs as S3 presigned GETs (SigV4 query signing). The URL names the blob's object
 * and asks the service to answer with the artifact's {@code Content-Type} and an {@code attachment}
 * {@code Content-Disposition} carrying its filename ({@code response-content-type} and {@code
 * response-content-disposition}, both covered by the signature). The host is the presigner's
 * endpoint, which may be a public endpoint distinct from the one the backend talks to; the
 * signature covers that host, so the service must see it unchanged in the {@code Host} header.
 *
 * <p>Signing is local (no request is sent). A URL stays valid until it expires, even after the
 * artifact is replaced or deleted, as long as the object exists: the core deletes the object of a
 * replaced or deleted artifact once no artifact references its bytes, after which the URL yields
 * 404 (or 403 where the credentials may not list the bucket).
 *
 * <p>Thread-safe ({@link S3Presigner} is). Owned by the {@link S3BlobBackend} that created it.
 */
final class PresignedUrlSigner implements PublicUrlSigner {
  /** The longest lifetime SigV4 allows for a presigned URL. */
  static final Duration MAX_EXPIRE = Duration.ofDays(7);

  private final S3Presigner presigner;
  private final String bucket;

  /** Maps a blob key to its object key (adds the key prefix). */
  private final Function<String, String> objectKey;

  /** {@code s3://bucket/prefix}, for messages. */
  private final String location;

  /** Throws once the backend is closed. */
  private final Runnable checkOpen;

  PresignedUrlSigner(
      S3Presigner presigner,
      String bucket,
      Function<String, String> objectKey,
      String location,
      Runnable checkOpen) {
    this.presigner = presigner;
    this.bucket = bucket;
    this.objectKey = objectKey;
    this.location = location;
    this.checkOpen = checkOpen;
  }

  /**
   * {@inheritDoc}
   *
   * @throws InvalidRequestException if the lifetime is shorter than 1 s or longer than 7 days
   */
  @Override
  public URI sign(PublicUrlRequest request) {
    Duration expire = request.expire();
    if (expire.compareTo(Duration.ofSeconds(1)) < 0 || expire.compareTo(MAX_EXPIRE) > 0) {
      throw new InvalidRequestException(
          "an S3 presigned URL lives 1 second to 7 days (the SigV4 limit); asked for "
              + expire.toSeconds()
              + " s");
    }
    checkOpen.run();
    GetObjectRequest get =
        GetObjectRequest.builder()
            .bucket(bucket)
            .key(objectKey.apply(request.blobKey()))
            .responseContentType(request.contentType())
            .responseContentDisposition(attachment(request.filename()))
            .build();
    GetObjectPresignRequest presign =
        GetObjectPresignRequest.builder().signatureDuration(expire).getObjectRequest(get).build();
    try {
      return presigner.presignGetObject(presign).url().toURI();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("the SDK produced an invalid URL: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw S3Errors.translate("sign a download URL for", request.blobKey(), location, e);
    }
  }

  /**
   * {@code attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>} (RFC 6266
   * with the RFC 8187 extended parameter). The fallback replaces every character outside printable
   * ASCII, and {@code "}, {@code \} and {@code %}, with {@code _}.
   */
  static String attachment(String filename) {
    StringBuilder fallback = new StringBuilder(filename.length());
    filename
        .codePoints()
        .forEach(
            c -> {
              boolean plain = c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' && c != '%';
              fallback.append(plain ? (char) c : '_');
            });
    StringBuilder encoded = new StringBuilder(filename.length() * 3);
    for (byte b : filename.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      boolean unreserved =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '.'
              || c == '_'
              || c == '~';
      if (unreserved) {
        encoded.append((char) c);
      } else {
        encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        encoded.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" + encoded;
  }
}
