package dev.diskstore.testkit;

import dev.diskstore.memory.InMemoryBlobBackend;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.ForwardingBlobBackend;
import org.junit.jupiter.api.AfterEach;

/**
 * The backend contract over a {@link ForwardingBlobBackend} that adds nothing: forwarding must not
 * change any behaviour, close included, nor leak the delegate's streams.
 */
class ForwardingBlobBackendContractTest extends BlobBackendContract {
  private InMemoryBlobBackend memory = new InMemoryBlobBackend();

  /** The smallest possible subclass. */
  private static final class PlainForwarding extends ForwardingBlobBackend {
    PlainForwarding(BlobBackend delegate) {
      super(delegate);
    }
  }

  @Override
  protected BlobBackend createBackend() {
    memory = new InMemoryBlobBackend();
    return new PlainForwarding(memory);
  }

  @AfterEach
  void noStreamLeaked() {
    memory.assertNoOpenStreams();
  }
}
