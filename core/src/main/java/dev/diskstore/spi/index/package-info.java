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
 *
 * <p><b>Shape of the SPI, and why.</b>
 *
 * <ul>
 *   <li>Metadata queries are compiled once per call ({@link
 *       dev.diskstore.spi.index.MetadataIndex#compile}) and run on a session ({@link
 *       dev.diskstore.spi.index.IndexSession.ArtifactRows#query}) rather than passed whole to the
 *       session: cursors stay the core's, and they are bound to the compiled query's {@link
 *       dev.diskstore.spi.index.CompiledQuery#scope()} before any transaction starts.
 *   <li>Verification reads raw rows ({@link
 *       dev.diskstore.spi.index.IndexSession.Maintenance}) and the core finds reference-count,
 *       directory and checksum mismatches, so every index is checked by the same rules; only the
 *       storage's own damage check is the index's ({@link
 *       dev.diskstore.spi.index.MetadataIndex#checkIntegrity}).
 *   <li>Full text: the core parses a query into terms and decides which artifacts have extracted
 *       text; the index quotes the terms for its own engine ({@link
 *       dev.diskstore.spi.index.IndexSession.TextRows#search}) and owns claiming, storing and
 *       acknowledging batches ({@link dev.diskstore.spi.index.FullTextIndex}).
 *   <li>Owner ids live in blob keys: the commit fence asks for the state of the owner a key names
 *       ({@link dev.diskstore.spi.index.IndexSession.Owners#state}), so an instance that registers
 *       again under a new id on a shared index still commits its earlier keys correctly (or not at
 *       all, once that owner was declared dead).
 * </ul>
 */
@NullMarked
package dev.diskstore.spi.index;

import org.jspecify.annotations.NullMarked;
