package dev.diskstore.s3;

import dev.diskstore.ByteRange;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.StorageException;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.BlobKeys;
import dev.diskstore.spi.BlobNotFoundException;
import dev.diskstore.spi.BlobStat;
import dev.diskstore.spi.PublicUrlSigner;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * A {@link BlobBackend} that keeps every blob as one object in an S3 bucket: AWS S3 or any
 * S3-compatible store (MinIO, Cloudflare R2, Ceph RGW, S3Proxy, ...), through the AWS SDK v2
 * synchronous {@link S3Client}.
 *
 * <pre>{@code
 * S3BlobBackend backend = S3BlobBackend.builder()
 *     .bucket("my-artifacts")
 *     .keyPrefix("diskstore/")                       // several stores can share a bucket
 *     .region("eu-central-1")
 *     .build();                                      // credentials: the SDK's default chain
 * DiskStore store = DiskStore.open(
 *     DiskStoreConfig.builder().directory(Path.of("data")).backend(backend).build());
 * }</pre>
 *
 * <p><b>Layout.</b> The blob key {@code k} is the object {@code <keyPrefix>k.blob}. The suffix
 * keeps the key {@code a/b} (object {@code a/b.blob}) and the key {@code a/b/c} (object {@code
 * a/b/c.blob}) apart on stores that keep objects as files and therefore cannot hold an object
 * {@code a/b} next to an object {@code a/b/c} (MinIO answers {@code XMinioParentIsObject},
 * S3Proxy's filesystem and in-memory providers fail), as the local backend's {@code .blob} files
 * do. The backend owns every object under its prefix: garbage collection deletes objects there that
 * the store's index does not know, so nothing else may write under it, and two stores sharing a
 * bucket must use prefixes neither of which starts with the other ({@code a/} and {@code b/}, never
 * {@code a/} and {@code a/b/}). An empty prefix gives the store the whole bucket. {@link #list}
 * skips objects that do not end with {@code .blob} or whose remaining key is not a valid blob key.
 *
 * <p><b>Writes</b> read the content into a buffer of at most {@linkplain Builder#partSize part
 * size} bytes. Content of at most {@linkplain Builder#multipartThreshold multipart threshold} bytes
 * goes up in one {@code PutObject}; longer content as a multipart upload written by this class, one
 * part per buffer, so memory stays at one part per concurrent write whatever the length. The length
 * hint only sizes the first buffer; the content is authoritative. When {@code write} returns, S3
 * has acknowledged the object, which is then durable. A multipart upload is invisible until
 * completed.
 *
 * <p><b>A failed write is not cleaned up on the caller's time.</b> Whatever made it fail (S3, the
 * network, the caller's stream, an interrupt), {@code write} throws at once: it neither aborts the
 * multipart upload nor deletes an object the service may have stored before the failure reached us
 * (a lost response). Such requests would go to the endpoint that just failed, and against one that
 * hangs each would cost the caller another full timeout. The store's garbage collection removes the
 * leftovers instead: the object through {@link #list} and {@link #delete}, the upload through
 * {@link #listIncomplete} and {@link #deleteIncomplete}, judged by the writer named in the key. A
 * fire-and-forget abort on a thread of the backend was considered and left out: it would race with
 * garbage collection and with {@link #close()}, and fail the same way against an endpoint that is
 * down, so it would not remove the need for garbage collection, only hide it. S3 bills the parts of
 * an unfinished upload until it is aborted: a bucket lifecycle rule that aborts incomplete
 * multipart uploads after a day is a good safety net, and the only one where the server lacks
 * {@code ListMultipartUploads}.
 *
 * <p><b>Timeouts</b> (of the client the builder creates; see {@link Builder}). Every request
 * without content ends within the {@linkplain Builder#attemptTimeout attempt timeout} (10 s) per
 * attempt and the {@linkplain Builder#callTimeout call timeout} (30 s) in all, so a backend call
 * against an endpoint that accepts connections and never answers fails after about 30 s. A request
 * that uploads content may take the time its bytes need at the {@linkplain Builder#minUploadRate
 * slowest healthy rate} on top, per attempt (the call timeout grows by that per attempt too), so
 * that a large part on a slow link is not cut; each part of a multipart upload is a call of its
 * own. An upload that stops flowing (the endpoint takes no byte for one attempt timeout) is aborted
 * at once by an {@code UploadStallGuard} around the HTTP client, because Java cannot time out a
 * socket write. {@code Expect: 100-continue} is turned off: the JDK's HTTP client waits the read
 * timeout for the interim answer and then sends the body anyway, so it only delays uploads to
 * servers that ignore it, and hanging ones. Reading a download is limited by the {@linkplain
 * Builder#readTimeout read timeout} (30 s of silence), never by its length. Connecting is limited
 * by the {@linkplain Builder#connectTimeout connect timeout} (5 s).
 *
 * <p><b>Reads</b>: {@link #open} sends one {@code GetObject} with a {@code Range} header for
 * partial reads ({@link Capability#RANGED_READS}); a range starting past the end reads nothing.
 * {@link #stat} is a {@code HeadObject}; {@link #list} pages through {@code ListObjectsV2}. The
 * bucket is checked once (a {@code HeadBucket}) the first time a key is reported missing, so that a
 * missing bucket is an error rather than an empty bucket.
 *
 * <p><b>Download URLs.</b> {@link #publicUrlSigner()} signs S3 presigned GETs (1 s to 7 days, the
 * SigV4 limit) with the artifact's content type and an {@code attachment} disposition carrying its
 * filename; with {@linkplain Builder#publicEndpoint a public endpoint} the URLs name that host (and
 * are signed for it) while the backend itself talks to {@linkplain Builder#endpoint the endpoint}.
 * The store then hands out these URLs instead of starting its loopback URL server.
 *
 * <p><b>Errors.</b> A missing blob is a {@link BlobNotFoundException}; every other failure is a
 * {@link StorageException} whose message names the operation, the key (or prefix), the bucket and
 * key prefix, and the endpoint ({@code s3://bucket/prefix at http://minio:9000}, or {@code at AWS
 * S3 <region>}). {@link StorageException#isRetryable()} is true for throttling, 5xx responses
 * except 501, and network failures (connection refused, timeouts) and false for access denied (403,
 * a wrong secret), a missing bucket, a wrong region, a call the server does not implement (501
 * {@code NotImplemented}) and failures of the caller's content stream. The SDK retries retryable
 * failures itself before they reach the caller. Some stores refuse an upload (a bad signature, a
 * missing bucket) before reading its body and close the connection, which the client sees as a
 * broken connection; after such a failure one request without a body (one attempt) asks again, and
 * a refusal that does not go away is reported as such (not retryable). Reading from a stream
 * returned by {@link #open} reports failures as {@link IOException}, as the {@link InputStream}
 * contract demands.
 *
 * <p><b>Thread-safety.</b> All methods may be called concurrently from any number of threads;
 * several processes may share a bucket and prefix (object writes are atomic and keys are never
 * rewritten). A stream returned by {@link #open} belongs to the calling thread like any stream.
 *
 * <p><b>Ownership.</b> {@link #close()} closes what the builder created: the {@link S3Client}, its
 * HTTP client, the presigner, the default credentials chain and the upload stall guard's timer
 * thread. A caller-supplied {@link S3Client}, {@link SdkHttpClient} or credentials provider is
 * never closed; close it after the backend. Streams from {@link #open} and {@link #list} are closed
 * by the caller. The content stream given to {@link #write} is read to its end but never closed.
 * After {@code close()} every method throws {@link StorageException}. Closing never deletes data.
 */
public final class S3BlobBackend implements BlobBackend {
  /** The smallest part S3 accepts (except for the last part): 5 MiB. */
  public static final long MIN_PART_SIZE = 5L * 1024 * 1024;

  /** The largest part this backend buffers: 1 GiB (parts are held in a Java array). */
  public static final long MAX_PART_SIZE = 1024L * 1024 * 1024;

  /** Default part size: 8 MiB, as the AWS CLI. */
  public static final long DEFAULT_PART_SIZE = 8L * 1024 * 1024;

  /** Default multipart threshold: 8 MiB. */
  public static final long DEFAULT_MULTIPART_THRESHOLD = 8L * 1024 * 1024;

  /** Default {@link Builder#connectTimeout}: 5 s. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** Default {@link Builder#attemptTimeout}: 10 s. */
  public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(10);

  /** Default {@link Builder#readTimeout}: 30 s. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

  /** Default {@link Builder#callTimeout}: 30 s. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);

  /** Default {@link Builder#maxAttempts}: 3. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  /** Default {@link Builder#minUploadRate}: 64 KiB per second. */
  public static final long DEFAULT_MIN_UPLOAD_BYTES_PER_SECOND = 64 * 1024;

  /** Attempts assumed for a caller's S3Client that does not name its retry strategy. */
  private static final int SDK_DEFAULT_MAX_ATTEMPTS = 4;

  /** The most parts of one multipart upload S3 accepts. */
  static final int MAX_PARTS = 10_000;

  /** First buffer size for content of unknown length. */
  private static final int INITIAL_BUFFER_BYTES = 64 * 1024;

  private static final String OCTET_STREAM = "application/octet-stream";

  /** Appended to every blob key to form its object key (see the class comment). */
  static final String OBJECT_SUFFIX = ".blob";

  private final S3Client client;
  private final String bucket;
  private final String keyPrefix;
  private final long multipartThreshold;
  private final int partSize;

  /** Whether multipart uploads carry CRC32 part checksums (request checksums WHEN_SUPPORTED). */
  private final boolean partChecksums;

  private final PresignedUrlSigner signer;

  /** What {@link #close()} closes, in order: only objects this backend created. */
  private final List<AutoCloseable> owned;

  /** Time budgets of the requests that carry content (see the class comment). */
  private final RequestTimeouts timeouts;

  /** {@code s3://bucket/prefix at <endpoint>}: what every message names. */
  private final String location;

  private final String description;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Set once the bucket is known to exist (a call on it succeeded). */
  private final AtomicBoolean bucketExists = new AtomicBoolean();

  /** Set once the warning that multipart uploads cannot be listed was logged. */
  private final AtomicBoolean uploadListingWarned = new AtomicBoolean();

  private S3BlobBackend(
      S3Client client,
      String bucket,
      String keyPrefix,
      long multipartThreshold,
      int partSize,
      boolean partChecksums,
      RequestTimeouts timeouts,
      S3Presigner presigner,
      List<AutoCloseable> owned,
      String endpoint,
      String description) {
    this.client = client;
    this.bucket = bucket;
    this.keyPrefix = keyPrefix;
    this.multipartThreshold = multipartThreshold;
    this.partSize = partSize;
    this.partChecksums = partChecksums;
    this.timeouts = timeouts;
    this.owned = List.copyOf(owned);
    this.location = S3Errors.location(bucket, keyPrefix, endpoint);
    this.description = description;
    this.signer =
        new PresignedUrlSigner(presigner, bucket, this::objectKey, location, this::checkOpen);
  }

  /**
   * A builder; {@link Builder#bucket} and a region (unless taken from an S3Client) are required.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The bucket holding the blobs. */
  public String bucket() {
    return bucket;
  }

  /** The prefix of every object key ({@code ""} or ending with {@code /}). */
  public String keyPrefix() {
    return keyPrefix;
  }

  // ---------------------------------------------------------------- write

  /**
   * {@inheritDoc}
   *
   * <p>One {@code PutObject} when the content is at most the multipart threshold, else a multipart
   * upload in parts of the part size. A failure leaves what the write got to for garbage collection
   * (an object through {@link #list}, an upload through {@link #listIncomplete}); see the class
   * comment.
   */
  @Override
  public long write(String key, InputStream content, OptionalLong lengthHint) {
    BlobKeys.requireValid(key);
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(lengthHint, "lengthHint");
    checkOpen();
    String objectKey = objectKey(key);
    long hint = lengthHint.orElse(-1);
    int initial =
        hint < 0
            ? Math.min(INITIAL_BUFFER_BYTES, partSize)
            // +1: room to read the end of the stream without growing the buffer
            : (int) Math.min(hint, partSize - 1L) + 1;
    PartBuffer buffer = new PartBuffer(initial, partSize);
    boolean ended = buffer.fill(content, key);
    int carried = -1;
    if (!ended && buffer.size() <= multipartThreshold) {
      // A full buffer exactly at the threshold: one more byte decides between PUT and multipart.
      carried = PartBuffer.peek(content, key);
      ended = carried < 0;
    }
    if (ended && buffer.size() <= multipartThreshold) {
      putObject(key, objectKey, buffer);
      return buffer.size();
    }
    return multipartUpload(key, objectKey, content, buffer, carried, ended);
  }

  private void putObject(String key, String objectKey, PartBuffer buffer) {
    PutObjectRequest request =
        PutObjectRequest.builder()
            .bucket(bucket)
            .key(objectKey)
            .contentLength((long) buffer.size())
            .contentType(OCTET_STREAM)
            .overrideConfiguration(timeouts.forContent(buffer.size()))
            .build();
    try {
      client.putObject(request, buffer.body());
      bucketExists.set(true);
    } catch (RuntimeException e) {
      // No clean-up here: the service may have stored the object before the failure reached us
      // (a lost response), and then list() shows it to garbage collection (see the class comment).
      throw uploadFailure(key, objectKey, e);
    }
  }

  private long multipartUpload(
      String key,
      String objectKey,
      InputStream content,
      PartBuffer buffer,
      int carried,
      boolean ended) {
    String uploadId;
    try {
      CreateMultipartUploadRequest.Builder create =
          CreateMultipartUploadRequest.builder()
              .bucket(bucket)
              .key(objectKey)
              .contentType(OCTET_STREAM);
      if (partChecksums) {
        // With request checksums on, the SDK adds a CRC32 to every part; S3 then requires the
        // upload to be created with that algorithm and the part checksums on completion.
        create.checksumAlgorithm(ChecksumAlgorithm.CRC32);
      }
      uploadId = client.createMultipartUpload(create.build()).uploadId();
      bucketExists.set(true);
    } catch (RuntimeException e) {
      throw failure("start a multipart upload of blob", key, e);
    }
    List<CompletedPart> parts = new ArrayList<>();
    long total = 0;
    int pending = carried;
    boolean done = ended;
    try {
      while (true) {
        if (parts.size() == MAX_PARTS) {
          throw new StorageException(
              "cannot write blob \""
                  + key
                  + "\" to "
                  + location
                  + ": the content is longer than "
                  + MAX_PARTS
                  + " parts of "
                  + partSize
                  + " bytes; configure a larger partSize",
              false,
              null);
        }
        parts.add(uploadPart(objectKey, uploadId, parts.size() + 1, buffer));
        total += buffer.size();
        if (done) {
          break;
        }
        buffer.clear();
        if (pending >= 0) {
          buffer.append(pending);
          pending = -1;
        }
        done = buffer.fill(content, key);
        if (buffer.size() == 0) {
          break; // the previous part ended exactly at the end of the content
        }
      }
      int partCount = parts.size();
      client.completeMultipartUpload(
          b ->
              b.bucket(bucket)
                  .key(objectKey)
                  .uploadId(uploadId)
                  .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())
                  .overrideConfiguration(timeouts.forCompletion(partCount)));
      return total;
    } catch (RuntimeException e) {
      // The upload is not aborted here (see the class comment): listIncomplete() reports it and
      // garbage collection removes it with deleteIncomplete().
      throw uploadFailure(key, objectKey, e);
    }
  }

  /**
   * Translates the failure of a request that sends content. A service that refuses such a request
   * (a bad signature, a missing bucket) may answer before it has read the body and close the
   * connection; the client then sees a broken connection ("Error writing request body") instead of
   * the answer, which would read as a retryable network failure. So after a broken connection a
   * request without a body ({@code ListObjectsV2} of at most one key) asks again: if the service
   * refuses that for a reason that does not go away, that reason is reported (not retryable).
   */
  private StorageException uploadFailure(String key, String objectKey, RuntimeException e) {
    StorageException failure = failure("write blob", key, e);
    if (!failure.isRetryable() || !S3Errors.isBrokenConnection(e)) {
      return failure;
    }
    try {
      client.listObjectsV2(
          b ->
              b.bucket(bucket)
                  .prefix(objectKey)
                  .maxKeys(1)
                  .overrideConfiguration(timeouts.forOneAttempt()));
      return failure;
    } catch (AwsServiceException probe) {
      if (S3Errors.isRetryable(probe)) {
        return failure;
      }
      StorageException refused = failure("write blob", key, probe);
      refused.addSuppressed(failure);
      return refused;
    } catch (RuntimeException probe) {
      return failure;
    }
  }

  private CompletedPart uploadPart(
      String objectKey, String uploadId, int partNumber, PartBuffer buffer) {
    UploadPartRequest.Builder request =
        UploadPartRequest.builder()
            .bucket(bucket)
            .key(objectKey)
            .uploadId(uploadId)
            .partNumber(partNumber)
            .contentLength((long) buffer.size())
            .overrideConfiguration(timeouts.forContent(buffer.size()));
    if (partChecksums) {
      request.checksumAlgorithm(ChecksumAlgorithm.CRC32);
    }
    UploadPartResponse response = client.uploadPart(request.build(), buffer.body());
    CompletedPart.Builder part =
        CompletedPart.builder().partNumber(partNumber).eTag(response.eTag());
    if (partChecksums && response.checksumCRC32() != null) {
      part.checksumCRC32(response.checksumCRC32());
    }
    return part.build();
  }

  // ---------------------------------------------------------------- read

  /**
   * {@inheritDoc}
   *
   * <p>A {@code GetObject}, with a {@code Range} header unless the whole blob is read. A range
   * starting at or past the end reads nothing; a zero-length range only checks that the blob exists
   * ({@code HeadObject}).
   */
  @Override
  public InputStream open(String key, ByteRange range) {
    BlobKeys.requireValid(key);
    Objects.requireNonNull(range, "range");
    checkOpen();
    long offset = range.offset();
    OptionalLong length = range.length();
    if (length.isPresent() && length.getAsLong() == 0) {
      if (head(key, "open blob").isEmpty()) {
        throw new BlobNotFoundException(key);
      }
      return InputStream.nullInputStream();
    }
    boolean ranged = offset > 0 || length.isPresent();
    GetObjectRequest.Builder request =
        GetObjectRequest.builder().bucket(bucket).key(objectKey(key));
    if (ranged) {
      request.range(rangeHeader(offset, length));
    }
    ResponseInputStream<GetObjectResponse> response;
    try {
      response = client.getObject(request.build());
    } catch (AwsServiceException e) {
      if (S3Errors.isNoSuchKey(e)) {
        throw new BlobNotFoundException(key);
      }
      if (ranged && S3Errors.isInvalidRange(e)) {
        return InputStream.nullInputStream(); // the object exists; the range starts past its end
      }
      throw failure("open blob", key, e);
    } catch (RuntimeException e) {
      throw failure("open blob", key, e);
    }
    bucketExists.set(true);
    if (ranged && response.response().contentRange() == null) {
      // The service ignored the Range header and sends the whole object: cut the range out here.
      return new ObjectStream(response, offset, length.orElse(Long.MAX_VALUE));
    }
    return new ObjectStream(response, 0, Long.MAX_VALUE);
  }

  /** {@code bytes=first-last}, or {@code bytes=first-} when the range reaches the end. */
  static String rangeHeader(long offset, OptionalLong length) {
    if (length.isEmpty() || length.getAsLong() > Long.MAX_VALUE - offset) {
      return "bytes=" + offset + "-";
    }
    return "bytes=" + offset + "-" + (offset + length.getAsLong() - 1);
  }

  /** A {@code HeadObject}: the size, or empty when the object does not exist. */
  @Override
  public Optional<BlobStat> stat(String key) {
    BlobKeys.requireValid(key);
    checkOpen();
    return head(key, "stat blob");
  }

  /** The {@code HeadObject} of {@link #stat}; failures name {@code action}. */
  private Optional<BlobStat> head(String key, String action) {
    try {
      HeadObjectResponse head = client.headObject(b -> b.bucket(bucket).key(objectKey(key)));
      bucketExists.set(true);
      return Optional.of(new BlobStat(key, head.contentLength()));
    } catch (AwsServiceException e) {
      if (S3Errors.isNoSuchKey(e)) {
        requireBucket(key, action);
        return Optional.empty();
      }
      throw failure(action, key, e);
    } catch (RuntimeException e) {
      throw failure(action, key, e);
    }
  }

  /**
   * A {@code HEAD} on a missing bucket answers 404 without an error code, like a missing key; tell
   * the two apart once per backend.
   */
  private void requireBucket(String key, String action) {
    if (bucketExists.get()) {
      return;
    }
    try {
      client.headBucket(b -> b.bucket(bucket));
      bucketExists.set(true);
    } catch (AwsServiceException e) {
      if (e.statusCode() == 404 || S3Errors.isNoSuchBucket(e)) {
        throw new StorageException(
            "cannot "
                + action
                + " \""
                + key
                + "\" in "
                + location
                + ": the bucket "
                + bucket
                + " does not exist (NoSuchBucket); create it or fix the bucket name",
            false,
            e);
      }
      throw failure(action, key, e);
    } catch (RuntimeException e) {
      throw failure(action, key, e);
    }
  }

  // ---------------------------------------------------------------- delete and list

  /**
   * {@inheritDoc}
   *
   * <p>Deletes the object if it exists ({@code HeadObject}, {@code DeleteObject}). Multipart
   * uploads in progress for the key are left to {@link #deleteIncomplete}: listing them is an
   * optional call some servers lack, and this is on the path of every artifact delete.
   */
  @Override
  public boolean delete(String key) {
    BlobKeys.requireValid(key);
    checkOpen();
    String objectKey = objectKey(key);
    if (head(key, "delete blob").isEmpty()) {
      return false;
    }
    try {
      client.deleteObject(b -> b.bucket(bucket).key(objectKey));
      return true;
    } catch (AwsServiceException e) {
      if (S3Errors.isNoSuchKey(e)) {
        return true; // deleted concurrently; it did exist
      }
      throw failure("delete blob", key, e);
    } catch (RuntimeException e) {
      throw failure("delete blob", key, e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Aborts every multipart upload in progress for exactly this key, found with {@code
   * ListMultipartUploads} (an upload that completes or is aborted meanwhile is skipped). Where the
   * server lacks that call, or the credentials may not make it, there is nothing this backend can
   * find: it returns after the warning {@link #listIncomplete} describes. The object under the key,
   * if any, is not touched ({@link #delete} removes it).
   */
  @Override
  public void deleteIncomplete(String key) {
    BlobKeys.requireValid(key);
    checkOpen();
    String objectKey = objectKey(key);
    try {
      for (MultipartUpload upload :
          client.listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(objectKey)).uploads()) {
        if (upload.key().equals(objectKey)) {
          abortUpload(objectKey, upload.uploadId());
        }
      }
    } catch (AwsServiceException e) {
      if (!cannotListUploads(e)) {
        throw failure("abort the unfinished uploads of blob", key, e);
      }
    } catch (RuntimeException e) {
      throw failure("abort the unfinished uploads of blob", key, e);
    }
  }

  private void abortUpload(String objectKey, String uploadId) {
    try {
      client.abortMultipartUpload(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId));
    } catch (AwsServiceException e) {
      if (e.statusCode() != 404) { // NoSuchUpload: completed or aborted meanwhile
        throw e;
      }
    }
  }

  /**
   * Whether {@code e}, the answer to a {@code ListMultipartUploads}, says that this backend cannot
   * list multipart uploads at all: the server lacks the call (501 {@code NotImplemented} and
   * similar), or the credentials lack {@code s3:ListBucketMultipartUploads}. Logs a warning the
   * first time per backend.
   */
  private boolean cannotListUploads(AwsServiceException e) {
    boolean unsupported = S3Errors.isUnsupported(e);
    if (!unsupported && !S3Errors.isAccessDenied(e)) {
      return false;
    }
    if (uploadListingWarned.compareAndSet(false, true)) {
      String code = S3Errors.errorCode(e);
      String answer = "HTTP " + e.statusCode() + (code == null ? "" : " " + code);
      System.getLogger(S3BlobBackend.class.getName())
          .log(
              System.Logger.Level.WARNING,
              "cannot list unfinished multipart uploads (ListMultipartUploads) in "
                  + location
                  + ": "
                  + (unsupported
                      ? "the server does not implement the call (" + answer + ")"
                      : "the credentials may not list them ("
                          + answer
                          + "; permission s3:ListBucketMultipartUploads)")
                  + ". Garbage collection cannot see the uploaded parts of writes that failed or"
                  + " were abandoned; add a bucket lifecycle rule that aborts incomplete multipart"
                  + " uploads after a day. Deleting blobs does not need the call. This warning is"
                  + " logged once per backend.");
    }
    return true;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Pages through {@code ListObjectsV2} lazily, one request per 1000 objects; a failure while
   * paging surfaces from the stream as a {@link StorageException}.
   */
  @Override
  public Stream<BlobStat> list(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    checkOpen();
    String objectPrefix = keyPrefix + prefix;
    ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(bucket);
    if (!objectPrefix.isEmpty()) {
      request.prefix(objectPrefix);
    }
    Iterator<S3Object> objects;
    try {
      objects = client.listObjectsV2Paginator(request.build()).contents().iterator();
    } catch (RuntimeException e) {
      throw failure("list blobs with prefix", prefix, e);
    }
    Iterator<BlobStat> blobs = new BlobIterator(objects, prefix);
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(blobs, Spliterator.NONNULL | Spliterator.DISTINCT),
        false);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The keys of multipart uploads in progress under the prefix ({@code ListMultipartUploads},
   * paged lazily): uploads still running, uploads of writes that failed (this backend never aborts
   * on the caller's time), or left by a process that died mid-upload. S3 keeps their parts, and
   * bills them, until they are aborted ({@link #deleteIncomplete} aborts them). Where the server
   * lacks {@code ListMultipartUploads} (501 {@code NotImplemented}, 405, {@code
   * UnsupportedOperation} and similar) or the credentials lack {@code
   * s3:ListBucketMultipartUploads}, the stream is empty and one warning per backend is logged
   * ({@link System.Logger}, name {@code dev.diskstore.s3.S3BlobBackend}): garbage collection then
   * cannot see unfinished uploads, and a bucket lifecycle rule that aborts incomplete multipart
   * uploads is the remedy.
   */
  @Override
  public Stream<String> listIncomplete(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    checkOpen();
    String objectPrefix = keyPrefix + prefix;
    Iterator<MultipartUpload> uploads;
    try {
      uploads =
          client
              .listMultipartUploadsPaginator(
                  b -> {
                    b.bucket(bucket);
                    if (!objectPrefix.isEmpty()) {
                      b.prefix(objectPrefix);
                    }
                  })
              .uploads()
              .iterator();
    } catch (AwsServiceException e) {
      if (cannotListUploads(e)) {
        return Stream.empty();
      }
      throw failure("list unfinished uploads with prefix", prefix, e);
    } catch (RuntimeException e) {
      throw failure("list unfinished uploads with prefix", prefix, e);
    }
    Iterator<MultipartUpload> pages = uploads;
    Iterator<MultipartUpload> checked =
        new Iterator<>() {
          /** Set when the server answered that it cannot list uploads: the listing is empty. */
          private boolean unavailable;

          @Override
          public boolean hasNext() {
            if (unavailable) {
              return false;
            }
            try {
              return pages.hasNext();
            } catch (AwsServiceException e) {
              if (cannotListUploads(e)) {
                unavailable = true;
                return false;
              }
              throw failure("list unfinished uploads with prefix", prefix, e);
            } catch (RuntimeException e) {
              throw failure("list unfinished uploads with prefix", prefix, e);
            }
          }

          @Override
          public MultipartUpload next() {
            try {
              return pages.next();
            } catch (RuntimeException e) {
              throw failure("list unfinished uploads with prefix", prefix, e);
            }
          }
        };
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(checked, Spliterator.NONNULL), false)
        .map(MultipartUpload::key)
        .filter(k -> k.startsWith(keyPrefix) && k.endsWith(OBJECT_SUFFIX))
        .map(k -> k.substring(keyPrefix.length(), k.length() - OBJECT_SUFFIX.length()))
        .filter(k -> BlobKeys.isValid(k) && k.startsWith(prefix))
        .distinct();
  }

  /**
   * {@link Capability#RANGED_READS}, {@link Capability#PUBLIC_URLS}, {@link Capability#PERSISTENT}.
   */
  @Override
  public Set<Capability> capabilities() {
    return Set.of(
        Capability.RANGED_READS, Capability.PUBLIC_URLS, Capability.PERSISTENT,
        Capability.SHARED_ACROSS_HOSTS);
  }

  /**
   * The S3 presigned-URL signer (see the class comment). Its {@code sign} throws {@link
   * InvalidRequestException} for a lifetime outside 1 s – 7 days and {@link StorageException} once
   * the backend is closed.
   */
  @Override
  public Optional<PublicUrlSigner> publicUrlSigner() {
    return Optional.of(signer);
  }

  /**
   * Closes the clients this backend created (never caller-supplied ones). Idempotent; streams
   * already opened may stop working.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    StorageException failure = null;
    for (AutoCloseable resource : owned) {
      try {
        resource.close();
      } catch (Exception e) {
        if (failure == null) {
          failure =
              new StorageException(
                  "closing the S3 blob backend for " + location + " failed: " + e, false, e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "S3BlobBackend[" + description + "]";
  }

  // ---------------------------------------------------------------- helpers

  /** The object key of a (valid) blob key: {@code <keyPrefix><key>.blob}. */
  String objectKey(String key) {
    return keyPrefix + key + OBJECT_SUFFIX;
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new StorageException("the S3 blob backend for " + location + " is closed", false, null);
    }
  }

  private StorageException failure(String action, String key, RuntimeException e) {
    return S3Errors.translate(action, key, location, e);
  }

  /** Objects under the prefix as blob stats: prefix stripped, invalid keys skipped. */
  private final class BlobIterator implements Iterator<BlobStat> {
    private final Iterator<S3Object> objects;
    private final String prefix;
    private @Nullable BlobStat next;

    BlobIterator(Iterator<S3Object> objects, String prefix) {
      this.objects = objects;
      this.prefix = prefix;
    }

    @Override
    public boolean hasNext() {
      try {
        while (next == null && objects.hasNext()) {
          S3Object object = objects.next();
          String objectKey = object.key();
          if (objectKey.startsWith(keyPrefix) && objectKey.endsWith(OBJECT_SUFFIX)) {
            String key =
                objectKey.substring(
                    keyPrefix.length(), objectKey.length() - OBJECT_SUFFIX.length());
            // startsWith: a prefix reaching into the suffix ("a/b.b") matches no key
            if (BlobKeys.isValid(key) && key.startsWith(prefix) && object.size() != null) {
              next = new BlobStat(key, object.size());
            }
          }
        }
      } catch (RuntimeException e) {
        throw failure("list blobs with prefix", prefix, e);
      }
      bucketExists.set(true);
      return next != null;
    }

    @Override
    public BlobStat next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      BlobStat result = next;
      next = null;
      return result;
    }
  }

  /**
   * The body of a {@code GetObject}, optionally cut to a range the service did not apply. Close is
   * idempotent; closing before the end aborts the connection instead of draining it.
   */
  private static final class ObjectStream extends InputStream {
    private final ResponseInputStream<GetObjectResponse> in;
    private long toSkip;
    private long remaining;

    /** Whether the response body was read to its end. */
    private boolean exhausted;

    private boolean closed;

    ObjectStream(ResponseInputStream<GetObjectResponse> in, long skip, long limit) {
      this.in = in;
      this.toSkip = skip;
      this.remaining = limit;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      Objects.checkFromIndexSize(offset, length, buffer.length);
      ensureOpen();
      skipLeading();
      if (length == 0) {
        return 0;
      }
      if (remaining <= 0) {
        return -1;
      }
      int n = in.read(buffer, offset, (int) Math.min(length, remaining));
      if (n < 0) {
        exhausted = true;
        remaining = 0;
        return -1;
      }
      remaining -= n;
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      ensureOpen();
      skipLeading();
      if (n <= 0 || remaining <= 0) {
        return 0;
      }
      long skipped = in.skip(Math.min(n, remaining));
      remaining -= skipped;
      return skipped;
    }

    @Override
    public int available() throws IOException {
      ensureOpen();
      return toSkip > 0
          ? 0
          : (int) Math.min(remaining, Math.min(in.available(), Integer.MAX_VALUE));
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      boolean unread;
      try {
        unread = !exhausted && in.read() != -1;
      } catch (IOException e) {
        unread = true;
      }
      if (unread) {
        in.abort(); // unread bytes: drop the connection rather than download the rest
      }
      in.close();
    }

    private void ensureOpen() throws IOException {
      if (closed) {
        throw new IOException("stream closed");
      }
    }

    /** Discards the bytes before the range (only when the service ignored the range). */
    private void skipLeading() throws IOException {
      while (toSkip > 0) {
        long n = in.skip(toSkip);
        if (n <= 0) {
          if (in.read() == -1) {
            exhausted = true;
            toSkip = 0;
            remaining = 0;
            return;
          }
          n = 1;
        }
        toSkip -= n;
      }
    }
  }

  // ---------------------------------------------------------------- builder

  /**
   * Configures an {@link S3BlobBackend}. Required: {@link #bucket}, and {@link #region} unless an
   * {@link #s3Client} is given (its region is then used). Everything else has a default. Not
   * thread-safe; {@link #build()} may be called more than once (each backend gets its own clients).
   *
   * <p>Two ways to supply the client:
   *
   * <ul>
   *   <li>let the builder create it from {@link #region}, {@link #endpoint}, {@link
   *       #pathStyleAccess}, {@link #credentialsProvider}, {@link #requestChecksumCalculation},
   *       {@link #responseChecksumValidation}, {@link #chunkedEncoding}, the timeouts ({@link
   *       #connectTimeout}, {@link #readTimeout}, {@link #attemptTimeout}, {@link #callTimeout},
   *       {@link #minUploadRate}), {@link #maxAttempts} and {@link #httpClient} (default: a new
   *       {@code UrlConnectionHttpClient}); the backend closes what it created. A caller's {@link
   *       #httpClient} keeps its own connect and read timeouts (setting them here is an error); the
   *       attempt and call timeouts, the retries and the upload stall guard still apply;
   *   <li>pass a whole {@link #s3Client}, which the backend uses as is and never closes. The
   *       client-only settings above must then be made on that client (setting them here is an
   *       error): its own timeouts and retry strategy apply, and there is no upload stall guard.
   *       {@link #minUploadRate} still stretches the client's attempt and call timeouts, if it has
   *       any, for requests that upload content. {@link #region}, {@link #endpoint}, {@link
   *       #pathStyleAccess} and {@link #credentialsProvider} still configure the URL presigner, and
   *       default to the client's own region, endpoint and credentials (path-style access cannot be
   *       read from a client: set it here too when the client uses it).
   * </ul>
   */
  public static final class Builder {
    private @Nullable String bucket;
    private String keyPrefix = "";
    private @Nullable Region region;
    private @Nullable URI endpoint;
    private @Nullable URI publicEndpoint;
    private boolean pathStyleAccess;
    private @Nullable IdentityProvider<? extends AwsCredentialsIdentity> credentialsProvider;
    private @Nullable RequestChecksumCalculation requestChecksumCalculation;
    private @Nullable ResponseChecksumValidation responseChecksumValidation;
    private @Nullable Boolean chunkedEncoding;
    private long multipartThreshold = DEFAULT_MULTIPART_THRESHOLD;
    private long partSize = DEFAULT_PART_SIZE;
    private @Nullable Duration connectTimeout;
    private @Nullable Duration attemptTimeout;
    private @Nullable Duration readTimeout;
    private @Nullable Duration callTimeout;
    private @Nullable Integer maxAttempts;
    private long minUploadBytesPerSecond = DEFAULT_MIN_UPLOAD_BYTES_PER_SECOND;
    private @Nullable SdkHttpClient httpClient;
    private @Nullable S3Client s3Client;

    private Builder() {}

    /** The bucket (required). It must exist; the backend never creates buckets. */
    public Builder bucket(String bucket) {
      this.bucket = Objects.requireNonNull(bucket, "bucket");
      return this;
    }

    /**
     * The prefix of every object key: {@code ""} (default, the whole bucket) or a string ending
     * with {@code /}, such as {@code "stores/prod/"}. Not starting with {@code /}, without {@code
     * //} or control characters, at most 512 characters. See the class comment on sharing a bucket.
     */
    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
      return this;
    }

    /**
     * The signing region, e.g. {@code eu-central-1}; {@code us-east-1} for MinIO, {@code auto} for
     * R2.
     */
    public Builder region(String region) {
      return region(Region.of(Objects.requireNonNull(region, "region")));
    }

    /** The signing region. */
    public Builder region(Region region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /**
     * The endpoint the backend talks to, for S3-compatible stores ({@code http://minio:9000},
     * {@code https://<account>.r2.cloudflarestorage.com}). Default: AWS S3 for the region.
     */
    public Builder endpoint(URI endpoint) {
      this.endpoint = requireEndpoint(endpoint, "endpoint");
      return this;
    }

    /**
     * The endpoint that presigned download URLs name, when clients reach the store under another
     * address than the backend does (the backend talks to {@code http://minio:9000}, browsers
     * download from {@code https://files.example.com}). URLs are signed for this host, so whatever
     * forwards it must pass the {@code Host} header through unchanged. Default: {@link #endpoint}.
     */
    public Builder publicEndpoint(URI publicEndpoint) {
      this.publicEndpoint = requireEndpoint(publicEndpoint, "publicEndpoint");
      return this;
    }

    /**
     * Path-style addressing ({@code endpoint/bucket/key}) instead of virtual-hosted style ({@code
     * bucket.endpoint/key}); needed by MinIO and most self-hosted stores. Default false.
     */
    public Builder pathStyleAccess(boolean pathStyleAccess) {
      this.pathStyleAccess = pathStyleAccess;
      return this;
    }

    /**
     * Where credentials come from. Default: the SDK's default chain (environment, system
     * properties, profile files, container and instance roles), created and closed by the backend.
     * A provider given here is not closed.
     */
    public Builder credentialsProvider(
        IdentityProvider<? extends AwsCredentialsIdentity> provider) {
      this.credentialsProvider = Objects.requireNonNull(provider, "provider");
      return this;
    }

    /** Static credentials (tests, self-hosted stores); prefer the default chain in production. */
    public Builder credentials(String accessKeyId, String secretAccessKey) {
      Objects.requireNonNull(accessKeyId, "accessKeyId");
      Objects.requireNonNull(secretAccessKey, "secretAccessKey");
      return credentialsProvider(
          StaticCredentialsProvider.create(
              AwsBasicCredentials.create(accessKeyId, secretAccessKey)));
    }

    /**
     * When the SDK adds checksums to uploads. {@code WHEN_SUPPORTED} (the SDK's default) adds a
     * CRC32 to every upload, and this backend then creates multipart uploads with CRC32 part
     * checksums; {@code WHEN_REQUIRED} sends checksums only where an operation demands them, which
     * Cloudflare R2 and other S3-compatible stores that reject the SDK's default checksums need.
     */
    public Builder requestChecksumCalculation(RequestChecksumCalculation mode) {
      this.requestChecksumCalculation = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * When the SDK validates checksums of downloads. {@code WHEN_SUPPORTED} (the SDK's default) or
     * {@code WHEN_REQUIRED} (for stores that do not send them or reject the request header).
     */
    public Builder responseChecksumValidation(ResponseChecksumValidation mode) {
      this.responseChecksumValidation = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * Whether uploads use {@code aws-chunked} content encoding (the SDK's default: true). Turn it
     * off for stores that do not support it, or handle it badly: S3Proxy 4.1 sometimes resets the
     * connection after storing an {@code aws-chunked} upload with a trailing checksum, before the
     * client has sent the trailer. The SDK then signs the whole payload up front, which this
     * backend allows because it sends parts from memory.
     */
    public Builder chunkedEncoding(boolean chunkedEncoding) {
      this.chunkedEncoding = chunkedEncoding;
      return this;
    }

    /**
     * Content of at most this many bytes goes up in one {@code PutObject}, longer content as a
     * multipart upload. 0 to {@link #partSize} (a single request is sent from the part buffer);
     * default 8 MiB.
     */
    public Builder multipartThreshold(long bytes) {
      this.multipartThreshold = bytes;
      return this;
    }

    /**
     * The size of every part of a multipart upload but the last, and the memory one write buffers:
     * 5 MiB to 1 GiB, default 8 MiB. An object can have at most 10,000 parts, so the part size
     * bounds the largest blob (8 MiB parts: about 78 GiB).
     */
    public Builder partSize(long bytes) {
      this.partSize = bytes;
      return this;
    }

    /**
     * How long opening a TCP connection to the endpoint may take: default 5 s, enough for two
     * retransmitted SYNs (Linux resends after 1 s and 3 s) on a lossy path, and short enough that
     * an endpoint that drops connection attempts fails fast. Applies to the HTTP client the builder
     * creates; cannot be combined with {@link #httpClient} or {@link #s3Client} (set it on those).
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = requirePositive(timeout, "connectTimeout");
      return this;
    }

    /**
     * How long one attempt of a request may take until its answer has arrived (the SDK's {@code
     * apiCallAttemptTimeout}), and how long an upload may go without the endpoint taking a byte of
     * it: default 10 s. S3 answers small requests in tens of milliseconds and AWS advises retrying
     * small GETs and PUTs after 2 s, so 10 s leaves room for slow S3-compatible servers while an
     * endpoint that never answers costs 10 s per attempt (the SDK's own default is no limit, and
     * its read timeout of 30 s). A request that uploads content gets more: the time its bytes take
     * at {@link #minUploadRate} is added. Reading a download is not limited by it (see {@link
     * #readTimeout}). Applies with {@link #httpClient} too; cannot be combined with {@link
     * #s3Client}.
     */
    public Builder attemptTimeout(Duration timeout) {
      this.attemptTimeout = requirePositive(timeout, "attemptTimeout");
      return this;
    }

    /**
     * The longest silence while the answer to a request is awaited or streams in (the HTTP client's
     * socket read timeout): default 30 s, the SDK's own. It ends a download whose bytes stop
     * arriving, and must leave room for the wait after an upload's last byte has been handed to the
     * operating system: on a slow link the bytes still queued in the socket buffers take that long
     * to reach the server before it can answer. Waiting for an answer is limited by {@link
     * #attemptTimeout} before this one matters. Applies to the HTTP client the builder creates;
     * cannot be combined with {@link #httpClient} or {@link #s3Client}.
     */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = requirePositive(timeout, "readTimeout");
      return this;
    }

    /**
     * How long one call may take with all its attempts and the pauses between them: default 30 s
     * (three attempts of 10 s), the SDK's {@code apiCallTimeout}. The longest any backend call that
     * sends no content waits on an endpoint that does not answer. Uploads get the same extra time
     * per attempt as with {@link #attemptTimeout}. At least the attempt timeout; cannot be combined
     * with {@link #s3Client}.
     */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = requirePositive(timeout, "callTimeout");
      return this;
    }

    /**
     * How many attempts the SDK makes per call before a retryable failure reaches the caller: 1 (no
     * retries) to 10, default 3 (the SDK's standard retry strategy, with its exponential backoff
     * and its retry quota that stops retrying while an endpoint keeps failing). Cannot be combined
     * with {@link #s3Client}.
     */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1 || attempts > 10) {
        throw new InvalidRequestException("maxAttempts must be 1 to 10, was " + attempts);
      }
      this.maxAttempts = attempts;
      return this;
    }

    /**
     * The slowest upload rate that still counts as healthy, in bytes per second: default 64 KiB/s
     * (eight concurrent uploads sharing a 4 Mbit/s uplink). Every attempt of a request that sends
     * content may take the {@link #attemptTimeout} plus the time its bytes take at this rate (an 8
     * MiB part: 10 s + 128 s); the whole call gets that extra time once per attempt. Lower it for
     * slower links or more concurrent uploads. Also stretches the timeouts of a caller's {@link
     * #s3Client}, if it has any.
     */
    public Builder minUploadRate(long bytesPerSecond) {
      if (bytesPerSecond < 1024) {
        throw new InvalidRequestException(
            "minUploadRate must be at least 1024 bytes per second, was " + bytesPerSecond);
      }
      this.minUploadBytesPerSecond = bytesPerSecond;
      return this;
    }

    /**
     * The HTTP client for the S3 client the builder creates. Default: a new {@code
     * UrlConnectionHttpClient} (owned and closed by the backend). A client given here is not closed
     * by the backend. Use {@code ApacheHttpClient} or similar (add the dependency) when many small
     * requests matter.
     */
    public Builder httpClient(SdkHttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /**
     * A ready S3 client to use instead of creating one; never closed by the backend. See the
     * builder comment for which settings then still apply.
     */
    public Builder s3Client(S3Client s3Client) {
      this.s3Client = Objects.requireNonNull(s3Client, "s3Client");
      return this;
    }

    /**
     * Creates the backend (no request is sent).
     *
     * @throws InvalidRequestException if a setting is missing or out of range, naming it
     */
    public S3BlobBackend build() {
      if (bucket == null || bucket.isBlank() || bucket.contains("/")) {
        throw new InvalidRequestException(
            "bucket is required and must be a bucket name without '/', was " + bucket);
      }
      String bucketName = bucket;
      checkKeyPrefix(keyPrefix);
      if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
        throw new InvalidRequestException(
            "partSize must be "
                + MIN_PART_SIZE
                + " (5 MiB) to "
                + MAX_PART_SIZE
                + " (1 GiB) bytes, was "
                + partSize);
      }
      if (multipartThreshold < 0 || multipartThreshold > partSize) {
        throw new InvalidRequestException(
            "multipartThreshold must be 0 to partSize ("
                + partSize
                + ") bytes, was "
                + multipartThreshold);
      }
      List<AutoCloseable> owned = new ArrayList<>();
      try {
        S3Client client;
        Region signingRegion = region;
        URI clientEndpoint = endpoint;
        IdentityProvider<? extends AwsCredentialsIdentity> credentials = credentialsProvider;
        boolean partChecksums;
        RequestTimeouts timeouts;
        if (s3Client != null) {
          List<String> conflicting = new ArrayList<>();
          if (httpClient != null) {
            conflicting.add("httpClient");
          }
          if (requestChecksumCalculation != null) {
            conflicting.add("requestChecksumCalculation");
          }
          if (responseChecksumValidation != null) {
            conflicting.add("responseChecksumValidation");
          }
          if (chunkedEncoding != null) {
            conflicting.add("chunkedEncoding");
          }
          if (connectTimeout != null) {
            conflicting.add("connectTimeout");
          }
          if (attemptTimeout != null) {
            conflicting.add("attemptTimeout");
          }
          if (readTimeout != null) {
            conflicting.add("readTimeout");
          }
          if (callTimeout != null) {
            conflicting.add("callTimeout");
          }
          if (maxAttempts != null) {
            conflicting.add("maxAttempts");
          }
          if (!conflicting.isEmpty()) {
            throw new InvalidRequestException(
                String.join(", ", conflicting)
                    + " cannot be set together with s3Client;"
                    + " configure them on the S3Client instead");
          }
          client = s3Client;
          S3ServiceClientConfiguration configuration = s3Client.serviceClientConfiguration();
          if (signingRegion == null) {
            signingRegion = configuration.region();
          }
          if (clientEndpoint == null) {
            clientEndpoint = configuration.endpointOverride().orElse(null);
          }
          if (credentials == null) {
            credentials = configuration.credentialsProvider();
          }
          partChecksums =
              configuration.requestChecksumCalculation()
                  != RequestChecksumCalculation.WHEN_REQUIRED;
          // The client's own timeouts, stretched for uploads like ours.
          ClientOverrideConfiguration override = configuration.overrideConfiguration();
          timeouts =
              new RequestTimeouts(
                  override.apiCallAttemptTimeout().orElse(null),
                  override.apiCallTimeout().orElse(null),
                  override
                      .retryStrategy()
                      .map(RetryStrategy::maxAttempts)
                      .orElse(SDK_DEFAULT_MAX_ATTEMPTS),
                  minUploadBytesPerSecond);
        } else {
          if (signingRegion == null) {
            throw new InvalidRequestException(
                "region is required (for example eu-central-1 for AWS, us-east-1 for MinIO,"
                    + " auto for Cloudflare R2)");
          }
          if (httpClient != null && (connectTimeout != null || readTimeout != null)) {
            throw new InvalidRequestException(
                (connectTimeout != null ? "connectTimeout" : "readTimeout")
                    + " cannot be set together with httpClient;"
                    + " configure it on the HTTP client instead");
          }
          Duration attempt = attemptTimeout != null ? attemptTimeout : DEFAULT_ATTEMPT_TIMEOUT;
          Duration call = callTimeout != null ? callTimeout : DEFAULT_CALL_TIMEOUT;
          if (call.compareTo(attempt) < 0) {
            throw new InvalidRequestException(
                "callTimeout (" + call + ") must be at least the attemptTimeout (" + attempt + ")");
          }
          int attempts = maxAttempts != null ? maxAttempts : DEFAULT_MAX_ATTEMPTS;
          timeouts = new RequestTimeouts(attempt, call, attempts, minUploadBytesPerSecond);
          SdkHttpClient http = httpClient;
          if (http == null) {
            http =
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(
                        connectTimeout != null ? connectTimeout : DEFAULT_CONNECT_TIMEOUT)
                    .socketTimeout(readTimeout != null ? readTimeout : DEFAULT_READ_TIMEOUT)
                    .build();
            owned.add(http);
          }
          ScheduledThreadPoolExecutor timer =
              new ScheduledThreadPoolExecutor(
                  1,
                  task -> {
                    Thread thread = new Thread(task, "diskstore-s3-upload-stall-guard");
                    thread.setDaemon(true);
                    return thread;
                  });
          timer.setRemoveOnCancelPolicy(true);
          owned.add(timer::shutdownNow);
          http = new UploadStallGuard(http, attempt, timer);
          if (credentials == null) {
            DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
            owned.add(chain);
            credentials = chain;
          }
          RequestChecksumCalculation requestChecksums =
              requestChecksumCalculation != null
                  ? requestChecksumCalculation
                  : RequestChecksumCalculation.WHEN_SUPPORTED;
          partChecksums = requestChecksums == RequestChecksumCalculation.WHEN_SUPPORTED;
          var clientBuilder =
              S3Client.builder()
                  .httpClient(http)
                  .region(signingRegion)
                  .credentialsProvider(credentials)
                  .requestChecksumCalculation(requestChecksums)
                  .responseChecksumValidation(
                      responseChecksumValidation != null
                          ? responseChecksumValidation
                          : ResponseChecksumValidation.WHEN_SUPPORTED)
                  .serviceConfiguration(
                      S3Configuration.builder()
                          .pathStyleAccessEnabled(pathStyleAccess)
                          .chunkedEncodingEnabled(chunkedEncoding == null || chunkedEncoding)
                          // see the class comment (Timeouts)
                          .expectContinueEnabled(false)
                          .build())
                  .overrideConfiguration(
                      o ->
                          o.apiCallAttemptTimeout(attempt)
                              .apiCallTimeout(call)
                              .retryStrategy(
                                  AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                      .maxAttempts(attempts)
                                      .build()));
          if (clientEndpoint != null) {
            clientBuilder.endpointOverride(clientEndpoint);
          }
          client = clientBuilder.build();
          owned.add(0, client); // close the client before its HTTP client and credentials
        }
        if (signingRegion == null) {
          throw new InvalidRequestException("region is required: the S3Client has none");
        }
        S3Presigner.Builder presignerBuilder =
            S3Presigner.builder()
                .region(signingRegion)
                .serviceConfiguration(
                    S3Configuration.builder().pathStyleAccessEnabled(pathStyleAccess).build());
        if (credentials != null) {
          presignerBuilder.credentialsProvider(credentials);
        }
        URI urlEndpoint = publicEndpoint != null ? publicEndpoint : clientEndpoint;
        if (urlEndpoint != null) {
          presignerBuilder.endpointOverride(urlEndpoint);
        }
        S3Presigner presigner = presignerBuilder.build();
        owned.add(0, presigner);
        String endpointName =
            clientEndpoint == null ? "AWS S3 " + signingRegion : clientEndpoint.toString();
        String description =
            S3Errors.location(bucketName, keyPrefix, endpointName)
                + (publicEndpoint == null ? "" : ", URLs via " + publicEndpoint);
        return new S3BlobBackend(
            client,
            bucketName,
            keyPrefix,
            multipartThreshold,
            (int) partSize,
            partChecksums,
            timeouts,
            presigner,
            owned,
            endpointName,
            description);
      } catch (RuntimeException e) {
        for (AutoCloseable resource : owned) {
          try {
            resource.close();
          } catch (Exception suppressed) {
            e.addSuppressed(suppressed);
          }
        }
        throw e;
      }
    }

    private static void checkKeyPrefix(String prefix) {
      if (prefix.isEmpty()) {
        return;
      }
      String problem = null;
      if (!prefix.endsWith("/")) {
        problem = "must end with '/'";
      } else if (prefix.startsWith("/")) {
        problem = "must not start with '/'";
      } else if (prefix.contains("//")) {
        problem = "must not contain '//'";
      } else if (prefix.length() > 512) {
        problem = "must be at most 512 characters";
      } else if (prefix.chars().anyMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f))) {
        problem = "must not contain control characters";
      }
      if (problem != null) {
        throw new InvalidRequestException(
            "keyPrefix " + problem + " (\"\" or like \"stores/prod/\"), was \"" + prefix + "\"");
      }
    }

    private static Duration requirePositive(Duration timeout, String name) {
      Objects.requireNonNull(timeout, name);
      if (timeout.isNegative() || timeout.isZero()) {
        throw new InvalidRequestException(name + " must be positive, was " + timeout);
      }
      return timeout;
    }

    private static URI requireEndpoint(URI uri, String name) {
      Objects.requireNonNull(uri, name);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      String path = uri.getRawPath();
      if (!(scheme.equals("http") || scheme.equals("https"))
          || uri.getHost() == null
          || (path != null && !path.isEmpty() && !path.equals("/"))
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null) {
        throw new InvalidRequestException(
            name
                + " must be an http(s) URI with a host and no path, query or fragment, such as"
                + " https://s3.example.com:9000; was "
                + uri);
      }
      return uri;
    }
  }
}
