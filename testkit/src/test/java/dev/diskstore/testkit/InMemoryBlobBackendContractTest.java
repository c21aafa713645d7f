package dev.diskstore.testkit;

import dev.diskstore.memory.InMemoryBlobBackend;
import dev.diskstore.spi.BlobBackend;
import org.junit.jupiter.api.AfterEach;

/** The backend contract over {@link InMemoryBlobBackend}, which must also leak no stream. */
class InMemoryBlobBackendContractTest extends BlobBackendContract {
  private InMemoryBlobBackend memory = new InMemoryBlobBackend();

  @Override
  protected BlobBackend createBackend() {
    memory = new InMemoryBlobBackend();
    return memory;
  }

  @AfterEach
  void noStreamLeaked() {
    memory.assertNoOpenStreams();
  }
}
