/**
 * The DiskStore API: what applications touch.
 *
 * <p>Entry point: {@link dev.diskstore.DiskStore}. Every failure is a subclass of the unchecked
 * {@link dev.diskstore.DiskStoreException}.
 *
 * <h2>Nulls</h2>
 *
 * Everything in this package is null-marked (JSpecify {@code @NullMarked}): <b>every parameter is
 * non-null unless it is annotated {@code @Nullable}</b>, and so is every return value; absent
 * values are expressed with {@link java.util.Optional}. Passing {@code null} where it is not
 * allowed throws {@link NullPointerException} whose message is the parameter's name (e.g. {@code
 * "filePath"}), before anything is read or written; it is a programming error, not a {@code
 * DiskStoreException}. The {@code @Nullable} parameters are the optional ones, and their javadoc
 * says what {@code null} means: user metadata on upsert ({@code null} keeps it), cursors ({@code
 * null} for the first page), the disk user ({@code null} for none) and a declared content type
 * ({@code null} to detect it). One documented exception: a Java {@code null} as a {@link
 * dev.diskstore.Query} value is an {@link dev.diskstore.InvalidQueryException}, because JSON
 * {@code null} has its own operator ({@code isNull()}).
 */
@NullMarked
package dev.diskstore;

import org.jspecify.annotations.NullMarked;
