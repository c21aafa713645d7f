/**
 * Test support for the PostgreSQL index: {@link dev.diskstore.testkit.postgres.EmbeddedPostgresServer},
 * one real PostgreSQL server per JVM with a fresh schema per test. Lives in {@code src/main/java} of
 * a module of its own so that index-postgres, reliability and bench take it at test scope with its
 * transitive dependencies (the server binaries), which a test-jar would lose.
 */
@NullMarked
package dev.diskstore.testkit.postgres;

import org.jspecify.annotations.NullMarked;
