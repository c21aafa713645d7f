/**
 * DiskStore's test kit: the JUnit 5 contract suites every backend and store configuration must pass
 * ({@code BlobBackendContract}, {@code DiskStoreContract}, {@code SearchContract}), {@code
 * FaultInjectingBlobBackend}, {@code ManualClock}, and {@code @TempDiskStore}, a fresh store per
 * test or class.
 *
 * <p>The suites are JUnit test classes, so their package is opened to JUnit, which runs their
 * methods reflectively. A modular test that uses {@code @TempDiskStore} on a field must in turn
 * open its own package to this module (as it opens it to JUnit for {@code @TempDir}).
 */
module dev.diskstore.testkit {
  requires transitive dev.diskstore.core;
  requires transitive org.junit.jupiter.api; // DiskStoreExtension, the suites' annotations
  requires transitive org.junit.jupiter.params;
  requires static org.jspecify;

  requires java.net.http;
  requires org.assertj.core;

  exports dev.diskstore.testkit;

  opens dev.diskstore.testkit to
      org.junit.platform.commons;
}
