package dev.diskstore.spi.index;

/**
 * One blob row: bytes stored once per SHA-256 and referenced by {@code refCount} artifacts.
 *
 * @param key the backend key
 */
public record BlobRow(String sha256, String key, long size, int refCount) {}
