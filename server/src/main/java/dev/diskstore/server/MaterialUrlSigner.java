package dev.diskstore.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.diskstore.StorageException;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.PublicUrlRequest;
import dev.diskstore.spi.PublicUrlSigner;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Download URLs served by a {@link DiskStoreServer} on {@code {prefix}/material/{token}}, the
 * route Acontext uses for its public URLs: reachable by every client that reaches the server,
 * unlike the store's built-in URL server, which listens on loopback on a port of its own.
 *
 * <p><b>Wiring.</b> Create one before opening the store, pass it to {@code
 * DiskStoreConfig.Builder.publicUrlSigner} and to {@link DiskStoreServer.Builder#materialUrls}:
 *
 * <pre>{@code
 * MaterialUrlSigner urls = MaterialUrlSigner.create();
 * BlobBackend backend = LocalBlobBackend.at(dir.resolve("blobs"));
 * DiskStore store = DiskStore.open(DiskStoreConfig.builder().directory(dir).backend(backend)
 *     .publicUrlSigner(urls.orBackendSigner(backend)).build());
 * DiskStoreServer server = DiskStoreServer.builder(store).materialUrls(urls).build().start();
 * }</pre>
 *
 * {@link #orBackendSigner} keeps the backend's own signer when it has one (S3 presigned URLs stay
 * S3 URLs); only backends without one (a local directory) get material URLs. The server tells the
 * signer its address when it starts ({@link #baseUri()}); signing before that is a {@link
 * StorageException}.
 *
 * <p><b>Tokens.</b> {@code base64url("m2" \n diskId \n path \n filename \n sha256 \n
 * expiresAtEpochSeconds) "." base64url(HMAC-SHA256(secret, payload))}. The signature is compared in
 * constant time; a token whose signature does not match, or that has expired, is refused (403).
 *
 * <p><b>What ends a URL.</b> A token names the artifact (disk, path, filename) and the bytes (their
 * SHA-256) it was issued for, the way the store's built-in URL server and S3 presigned URLs do: a
 * metadata-only update, or a re-upload of identical bytes, keeps it serving those bytes; a
 * re-upload with other bytes, a move or a delete makes it answer 404, never other bytes. Tokens of
 * the earlier format, which named the artifact's etag (five fields, no {@code m2} tag), are refused
 * with 403 rather than reinterpreted. The secret is random per instance (URLs do not survive a
 * restart) unless given to {@link #withSecret}.
 *
 * <p>Thread-safe.
 */
public final class MaterialUrlSigner implements PublicUrlSigner {
  private static final String HMAC = "HmacSHA256";

  /** The first payload field: tokens bound to content (the earlier format had none). */
  private static final String FORMAT = "m2";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final byte[] secret;
  private final Clock clock;
  private volatile @Nullable URI baseUri;

  private MaterialUrlSigner(byte[] secret, Clock clock) {
    if (secret.length < 16) {
      throw new IllegalArgumentException("a material URL secret needs at least 16 bytes");
    }
    this.secret = secret.clone();
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A signer with a random 256-bit secret and the system clock. */
  public static MaterialUrlSigner create() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return new MaterialUrlSigner(secret, Clock.systemUTC());
  }

  /**
   * A signer with a fixed secret (at least 16 bytes), so that URLs survive a restart, and the
   * clock that decides expiry.
   */
  public static MaterialUrlSigner withSecret(byte[] secret, Clock clock) {
    return new MaterialUrlSigner(Objects.requireNonNull(secret, "secret"), clock);
  }

  /** {@code backend}'s own signer if it has one, else this one. */
  public PublicUrlSigner orBackendSigner(BlobBackend backend) {
    return backend.publicUrlSigner().orElse(this);
  }

  /** The server's base URI (ending in the prefix), once a server using this signer started. */
  public Optional<URI> baseUri() {
    return Optional.ofNullable(baseUri);
  }

  /** Called by the server once bound; {@code base} ends in the prefix, without a slash. */
  void bind(URI base) {
    this.baseUri = base;
  }

  @Override
  public URI sign(PublicUrlRequest request) {
    URI base = baseUri;
    if (base == null) {
      throw new StorageException(
          "no DiskStoreServer using this MaterialUrlSigner has started yet; download URLs need"
              + " its address",
          true,
          null);
    }
    String payload =
        String.join(
            "\n",
            FORMAT,
            request.diskId(),
            request.path(),
            request.filename(),
            request.sha256(),
            Long.toString(request.expiresAt().getEpochSecond()));
    byte[] payloadBytes = payload.getBytes(UTF_8);
    String token = B64.encodeToString(payloadBytes) + "." + B64.encodeToString(mac(payloadBytes));
    return URI.create(base + "/material/" + token);
  }

  /** What a valid token grants: the bytes with this SHA-256, under this name, until then. */
  record Grant(String diskId, String path, String filename, String sha256, Instant expiresAt) {}

  /** Why a token was refused. */
  static final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refusal(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The grant of a token, checked.
   *
   * @throws Refusal if it is malformed, tampered with or expired
   */
  Grant verify(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || dot != token.lastIndexOf('.')) {
      throw new Refusal("invalid download link");
    }
    byte[] payload;
    byte[] signature;
    try {
      payload = B64D.decode(token.substring(0, dot));
      signature = B64D.decode(token.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      throw new Refusal("invalid download link");
    }
    if (!MessageDigest.isEqual(mac(payload), signature)) {
      throw new Refusal("invalid download link");
    }
    String[] fields = new String(payload, UTF_8).split("\n", -1);
    if (fields.length == 5) { // diskId, path, filename, etag, expiry: signed, but not by this format
      throw new Refusal("this download link has an outdated format; request a new one");
    }
    if (fields.length != 6 || !fields[0].equals(FORMAT)) {
      throw new Refusal("invalid download link");
    }
    Instant expiresAt;
    try {
      expiresAt = Instant.ofEpochSecond(Long.parseLong(fields[5]));
    } catch (NumberFormatException e) {
      throw new Refusal("invalid download link");
    }
    if (!clock.instant().isBefore(expiresAt)) {
      throw new Refusal("this download link has expired");
    }
    return new Grant(fields[1], fields[2], fields[3], fields[4], expiresAt);
  }

  /** Seconds the grant has left, at least 0. */
  long secondsLeft(Grant grant) {
    return Math.max(0, grant.expiresAt().getEpochSecond() - clock.instant().getEpochSecond());
  }

  private byte[] mac(byte[] payload) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(secret, HMAC));
      return mac.doFinal(payload);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  @Override
  public String toString() {
    return "MaterialUrlSigner[" + (baseUri == null ? "not bound" : baseUri + "/material/") + "]";
  }
}
