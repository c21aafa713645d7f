package dev.diskstore.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.diskstore.ByteRange;
import dev.diskstore.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A healthy but slow link (a {@link PacedTcpRelay} in front of S3Proxy, signatures checked) with
 * timeouts far shorter than the transfers: an upload gets an attempt budget that grows with its
 * size, so it is not cut, while the same upload without that room is; each part of a multipart
 * upload is a call with a budget of its own, so the whole upload may take any time; a download is
 * never cut while bytes keep arriving, and fails after the read timeout once they stop.
 */
class S3SlowLinkTest {
  private static final int KIB = 1024;
  private static final int MIB = 1024 * KIB;
  private static final Duration ATTEMPT = Duration.ofSeconds(1);
  private static final Duration CALL = Duration.ofSeconds(2);
  private static final SharedS3Proxy S3 = new SharedS3Proxy("transient");

  @BeforeAll
  static void startProxy() throws Exception {
    S3.start();
  }

  @AfterAll
  static void stopProxy() {
    S3.stop();
  }

  @Test
  void aSlowButSteadyUploadGetsTimeInProportionToItsSize() throws Exception {
    String prefix = S3.newPrefix();
    long size = 3L * MIB; // one PutObject: at 512 KiB/s about 6 s, six attempt timeouts
    try (PacedTcpRelay link = new PacedTcpRelay(S3.endpoint(), 512 * KIB, 0, -1)) {
      S3BlobBackend.Builder overLink =
          SharedS3Proxy.builderFor(link.endpoint(), prefix)
              .attemptTimeout(ATTEMPT)
              .callTimeout(CALL);

      // Control: an upload given no room beyond the attempt timeout is cut.
      try (S3BlobBackend tight = overLink.minUploadRate(64L * MIB).maxAttempts(1).build()) {
        long start = System.nanoTime();
        StorageException cut =
            catchThrowableOfType(
                StorageException.class,
                () -> tight.write("tight", PositionalBytes.stream(size), OptionalLong.of(size)));
        System.out.printf(
            "slow link: 3 MiB upload without room cut after %.1f s: %s%n",
            seconds(start), cut == null ? "(not cut)" : cut.getMessage());
        assertThat(cut).as("the upload without room").isNotNull();
        assertThat(cut.isRetryable()).isTrue();
      }

      try (S3BlobBackend roomy = overLink.minUploadRate(256 * KIB).maxAttempts(1).build()) {
        long start = System.nanoTime();
        assertThat(roomy.write("roomy", PositionalBytes.stream(size), OptionalLong.of(size)))
            .isEqualTo(size);
        double took = seconds(start);
        System.out.printf("slow link: 3 MiB upload with room took %.1f s%n", took);
        assertThat(took)
            .as("the upload took longer than the whole-call timeout")
            .isGreaterThan(CALL.toSeconds());
      }
    }
    try (S3BlobBackend direct = S3.backend(prefix).build();
        InputStream in = direct.open("roomy", ByteRange.from(0))) {
      assertThat(PositionalBytes.equalsSlice(in.readAllBytes(), 0)).isTrue();
    }
  }

  @Test
  void eachPartOfASlowMultipartUploadGetsTimeForItsOwnSize() throws Exception {
    String prefix = S3.newPrefix();
    long size = 12L * MIB; // 5 + 5 + 2 MiB parts; at 2 MiB/s each full part takes 2.5 s
    try (PacedTcpRelay link = new PacedTcpRelay(S3.endpoint(), 2L * MIB, 0, -1);
        S3BlobBackend backend =
            SharedS3Proxy.builderFor(link.endpoint(), prefix)
                .partSize(5L * MIB)
                .multipartThreshold(5L * MIB)
                .attemptTimeout(ATTEMPT)
                .callTimeout(CALL)
                .minUploadRate(MIB)
                .maxAttempts(1)
                .build()) {
      long start = System.nanoTime();
      assertThat(backend.write("parts", PositionalBytes.stream(size), OptionalLong.empty()))
          .isEqualTo(size);
      double took = seconds(start);
      System.out.printf("slow link: 12 MiB multipart upload took %.1f s%n", took);
      assertThat(took)
          .as("the upload took longer than three whole-call timeouts")
          .isGreaterThan(3 * CALL.toSeconds());
      try (InputStream in = backend.open("parts", ByteRange.of(5L * MIB - 3, 6))) {
        assertThat(PositionalBytes.equalsSlice(in.readAllBytes(), 5L * MIB - 3)).isTrue();
      }
    }
  }

  @Test
  void aSlowButSteadyDownloadIsNotCut() throws Exception {
    String prefix = S3.newPrefix();
    int size = MIB; // at 256 KiB/s about 4 s, twice the whole-call timeout
    try (S3BlobBackend direct = S3.backend(prefix).build()) {
      direct.write("blob", PositionalBytes.stream(size), OptionalLong.of(size));
    }
    try (PacedTcpRelay link = new PacedTcpRelay(S3.endpoint(), 0, 256 * KIB, -1);
        S3BlobBackend overLink =
            SharedS3Proxy.builderFor(link.endpoint(), prefix)
                .attemptTimeout(ATTEMPT)
                .callTimeout(CALL)
                .build()) {
      long start = System.nanoTime();
      byte[] read;
      try (InputStream in = overLink.open("blob", ByteRange.from(0))) {
        read = in.readAllBytes();
      }
      double took = seconds(start);
      System.out.printf("slow link: 1 MiB download took %.1f s%n", took);
      assertThat(read).hasSize(size);
      assertThat(PositionalBytes.equalsSlice(read, 0)).isTrue();
      assertThat(took).isGreaterThan(CALL.toSeconds());
    }
  }

  @Test
  void aDownloadThatStopsMidBodyFailsAfterTheReadTimeout() throws Exception {
    String prefix = S3.newPrefix();
    int size = MIB;
    try (S3BlobBackend direct = S3.backend(prefix).build()) {
      direct.write("blob", PositionalBytes.stream(size), OptionalLong.of(size));
    }
    try (PacedTcpRelay link = new PacedTcpRelay(S3.endpoint(), 0, 0, 200 * KIB);
        S3BlobBackend overLink =
            SharedS3Proxy.builderFor(link.endpoint(), prefix)
                .attemptTimeout(ATTEMPT)
                .callTimeout(CALL)
                .readTimeout(Duration.ofSeconds(1))
                .build();
        InputStream in = overLink.open("blob", ByteRange.from(0))) {
      long start = System.nanoTime();
      IOException stopped = catchThrowableOfType(IOException.class, in::readAllBytes);
      double took = seconds(start);
      System.out.printf(
          "slow link: download stopped mid-body failed after %.1f s: %s%n", took, stopped);
      assertThat(stopped).as("reading a body that stopped").isNotNull();
      assertThat(took).as("seconds until the read failed").isLessThan(30);
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
