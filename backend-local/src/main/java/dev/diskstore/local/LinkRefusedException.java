package dev.diskstore.local;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A symbolic link (on Windows also a junction) found where the blob tree has a directory, a blob
 * file or a partial file. The tree never follows one and never removes one; {@link
 * LocalBlobBackend} reports the operation on the key as a {@link dev.diskstore.StorageException}
 * with this message. Internal: it never leaves the backend except as a cause.
 */
final class LinkRefusedException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Where the link is. */
  private final transient Path link;

  LinkRefusedException(Path link) {
    super("refusing to follow a symbolic link at " + link);
    this.link = link;
  }

  Path link() {
    return link;
  }
}
