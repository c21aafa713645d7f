package dev.diskstore.local;

import java.nio.file.Path;

/**
 * {@link SymbolicLinkTest} over the fallback for platforms without directory handles ({@link
 * BlobTree.Traversal#CHECKED_PATHS}): links present when an operation starts are refused at every
 * level there too, and a link swapped for the partial file is never published.
 */
class SymbolicLinkCheckedPathsTest extends SymbolicLinkTest {
  @Override
  LocalBlobBackend openBackend(Path root) {
    return LocalBlobBackend.at(root, BlobTree.Traversal.CHECKED_PATHS);
  }
}
