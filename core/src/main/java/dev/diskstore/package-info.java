/**
 * The DiskStore API: what applications touch.
 *
 * <p>Entry point: {@link dev.diskstore.DiskStore}. Everything in this package is null-marked:
 * parameters and return values are non-null unless annotated {@code @Nullable}; absent values are
 * expressed with {@link java.util.Optional}. Every failure is a subclass of the unchecked
 * {@link dev.diskstore.DiskStoreException}.
 */
@NullMarked
package dev.diskstore;

import org.jspecify.annotations.NullMarked;
