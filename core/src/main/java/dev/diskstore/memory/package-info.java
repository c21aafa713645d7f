/** The in-memory blob backend, for tests and throw-away stores. */
@NullMarked
package dev.diskstore.memory;

import org.jspecify.annotations.NullMarked;
