/**
 * Service-provider interfaces: what backend and parser authors implement.
 *
 * <p>The SPI is deliberately thin. A {@link dev.diskstore.spi.BlobBackend} stores opaque blobs under
 * opaque keys chosen by the core; it knows nothing of disks, paths, metadata, checksums or
 * deduplication, which live once in the core. Optional abilities are declared through
 * {@link dev.diskstore.spi.BlobBackend#capabilities()} and default methods.
 */
@NullMarked
package dev.diskstore.spi;

import org.jspecify.annotations.NullMarked;
