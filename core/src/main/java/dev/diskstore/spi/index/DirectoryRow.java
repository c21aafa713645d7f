package dev.diskstore.spi.index;

/**
 * One directory of a disk that contains artifacts (directly or below).
 *
 * @param path the directory, {@code /}-terminated ({@code /a/b/})
 * @param parent its parent directory ({@code /a/})
 * @param name its last segment ({@code b})
 * @param artifactCount how many artifacts it contains, directly or below; positive (0 when the
 *     core asks to add or remove one)
 */
public record DirectoryRow(String diskId, String path, String parent, String name,
    long artifactCount) {}
