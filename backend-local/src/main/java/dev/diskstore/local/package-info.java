/**
 * The local-directory blob backend: {@link dev.diskstore.local.LocalBlobBackend}, and its {@link
 * dev.diskstore.local.LocalBlobBackendProvider} for {@code ServiceLoader} discovery.
 */
@NullMarked
package dev.diskstore.local;

import org.jspecify.annotations.NullMarked;
