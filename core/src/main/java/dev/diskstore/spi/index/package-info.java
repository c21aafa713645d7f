/**
 * The metadata index SPI: what an index for DiskStore implements (the embedded SQLite index in
 * {@code dev.diskstore.index.sqlite}, or a database shared by several hosts).
 *
 * <p>The core keeps the domain: path rules, preconditions, "disk not found", blob keys and their
 * owners, cursors, garbage collection and verification. An index only stores and finds rows: it is
 * opened by an {@link dev.diskstore.spi.index.IndexProvider}, runs {@link
 * dev.diskstore.spi.index.IndexWork} in read or write transactions on an {@link
 * dev.diskstore.spi.index.IndexSession}, tells whether store instances are alive ({@link
 * dev.diskstore.spi.index.Liveness}) and keeps the full-text documents ({@link
 * dev.diskstore.spi.index.FullTextIndex}). No {@code java.sql} type and no {@code SQLException}
 * crosses this SPI: failures are {@link dev.diskstore.DiskStoreException}s ({@link
 * dev.diskstore.StorageException} with its retryable flag for I/O, busy and connection failures).
 *
 * <p>Times are microseconds since the epoch (UTC), as the core computes them.
 */
@NullMarked
package dev.diskstore.spi.index;

import org.jspecify.annotations.NullMarked;
