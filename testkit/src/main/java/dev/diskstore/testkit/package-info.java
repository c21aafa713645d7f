/**
 * Test support for DiskStore: contract suites that implementations must pass (such as {@link
 * dev.diskstore.testkit.BlobBackendContract}, run against every {@link
 * dev.diskstore.spi.BlobBackend}), and {@link dev.diskstore.testkit.FaultInjectingBlobBackend}, a
 * decorator that makes chosen backend operations fail; and {@link
 * dev.diskstore.testkit.TempDiskStore} with {@link dev.diskstore.testkit.DiskStoreExtension}, which
 * inject a fresh store (in memory or on a temporary directory, optionally seeded from a folder) into
 * a test's fields or parameters and close and delete it afterwards. Lives in {@code src/main/java} so that
 * modules depend on it with test scope and get JUnit 5 and AssertJ with it.
 */
@NullMarked
package dev.diskstore.testkit;

import org.jspecify.annotations.NullMarked;
