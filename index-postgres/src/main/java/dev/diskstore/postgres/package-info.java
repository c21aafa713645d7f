/**
 * The PostgreSQL metadata index: many DiskStore instances on many hosts share one store through
 * one PostgreSQL database (any PostgreSQL-compatible service) and one blob backend such as S3.
 * {@link dev.diskstore.postgres.PostgresIndex} is the only entry point; everything else is
 * package-private.
 */
@NullMarked
package dev.diskstore.postgres;

import org.jspecify.annotations.NullMarked;
