/**
 * Test support for DiskStore: contract suites that implementations must pass (such as {@link
 * dev.diskstore.testkit.BlobBackendContract}, run against every {@link
 * dev.diskstore.spi.BlobBackend}), and {@link dev.diskstore.testkit.FaultInjectingBlobBackend}, a
 * decorator that makes chosen backend operations fail. Lives in {@code src/main/java} so that
 * modules depend on it with test scope and get JUnit 5 and AssertJ with it.
 */
@NullMarked
package dev.diskstore.testkit;

import org.jspecify.annotations.NullMarked;
