/**
 * The S3 blob backend: {@link dev.diskstore.s3.S3BlobBackend} stores DiskStore's blobs in a bucket
 * of AWS S3 or of any S3-compatible object store (MinIO, Cloudflare R2, Ceph, S3Proxy, ...) through
 * the AWS SDK v2 synchronous {@code S3Client}, and signs download URLs as S3 presigned GETs.
 *
 * <p>Only {@link dev.diskstore.s3.S3BlobBackend} and its builder are public; error translation,
 * part buffering and URL signing are package-private helpers.
 */
@NullMarked
package dev.diskstore.s3;

import org.jspecify.annotations.NullMarked;
