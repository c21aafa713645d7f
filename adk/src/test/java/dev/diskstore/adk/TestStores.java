package dev.diskstore.adk;

import com.google.genai.types.Part;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.History;
import dev.diskstore.local.LocalBlobBackend;
import io.reactivex.rxjava3.core.Maybe;
import java.nio.file.Path;
import java.util.Optional;

/** Real stores for the tests: SQLite and a local directory, keeping the history asked for. */
final class TestStores {
  private TestStores() {}

  /** A store in {@code directory} that keeps every version, as the service documents. */
  static DiskStore open(Path directory) {
    return open(directory, History.unlimited());
  }

  static DiskStore open(Path directory, History history) {
    return DiskStore.open(
        DiskStoreConfig.builder()
            .directory(directory)
            .backend(LocalBlobBackend.at(directory.resolve("blobs")))
            .history(history)
            .build());
  }

  /** A {@code Maybe} as an {@code Optional}, as ADK's own tests read them. */
  static Optional<Part> optional(Maybe<Part> maybe) {
    return maybe.map(Optional::of).defaultIfEmpty(Optional.empty()).blockingGet();
  }

  /** The inline bytes of a part. */
  static byte[] bytes(Part part) {
    return part.inlineData().orElseThrow().data().orElseThrow();
  }

  /** The inline MIME type of a part, if any. */
  static Optional<String> mimeType(Part part) {
    return part.inlineData().orElseThrow().mimeType();
  }
}
