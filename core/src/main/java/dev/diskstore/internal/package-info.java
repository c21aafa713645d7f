/**
 * Implementation of the store. Public only so that the API package can reach it; not an API:
 * anything here may change in any release.
 */
@NullMarked
package dev.diskstore.internal;

import org.jspecify.annotations.NullMarked;
