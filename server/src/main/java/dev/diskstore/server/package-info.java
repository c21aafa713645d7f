/**
 * {@code diskstore serve}: a local Acontext {@code /api/v1} disk API over a {@link
 * dev.diskstore.DiskStore}, for the official Python and TypeScript SDKs. The entry point is {@link
 * dev.diskstore.server.DiskStoreServer}; {@link dev.diskstore.server.MaterialUrlSigner} makes the
 * store's download URLs point at the server. Everything else is package-private.
 */
@NullMarked
package dev.diskstore.server;

import org.jspecify.annotations.NullMarked;
