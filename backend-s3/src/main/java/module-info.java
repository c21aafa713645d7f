/**
 * Blobs in an S3-compatible object store: {@code dev.diskstore.s3.S3BlobBackend}, on the AWS SDK v2.
 *
 * <p>The AWS SDK jars are automatic modules with stable names (each declares an {@code
 * Automatic-Module-Name}). Those whose types appear in the builder's signatures ({@code S3Client},
 * {@code Region}, {@code SdkHttpClient}, the credentials identity and the checksum modes) are
 * required transitively.
 */
// The AWS SDK v2 has no module descriptors; "s3" ends in a digit as the SDK's own module names do.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic", "module"})
module dev.diskstore.backend.s3 {
  requires transitive dev.diskstore.core;
  requires static org.jspecify;

  requires transitive software.amazon.awssdk.services.s3;
  requires transitive software.amazon.awssdk.regions;
  requires transitive software.amazon.awssdk.http;
  requires transitive software.amazon.awssdk.identity.spi;
  requires transitive software.amazon.awssdk.core;
  requires software.amazon.awssdk.auth;
  requires software.amazon.awssdk.awscore;
  requires software.amazon.awssdk.http.urlconnection;
  requires software.amazon.awssdk.metrics;
  requires software.amazon.awssdk.retries;
  requires software.amazon.awssdk.retries.api;

  exports dev.diskstore.s3;
}
