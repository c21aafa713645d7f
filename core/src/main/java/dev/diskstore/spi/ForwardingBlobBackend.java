package dev.diskstore.spi;

import dev.diskstore.ByteRange;
import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A {@link BlobBackend} that forwards every call to a delegate; subclass it to add behaviour
 * (fault injection, metrics, read-only mode) without touching real backends. Closing it closes the
 * delegate.
 */
public abstract class ForwardingBlobBackend implements BlobBackend {
  private final BlobBackend delegate;

  protected ForwardingBlobBackend(BlobBackend delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  protected BlobBackend delegate() {
    return delegate;
  }

  @Override
  public long write(String key, InputStream content, OptionalLong lengthHint) {
    return delegate.write(key, content, lengthHint);
  }

  @Override
  public InputStream open(String key, ByteRange range) {
    return delegate.open(key, range);
  }

  @Override
  public Optional<BlobStat> stat(String key) {
    return delegate.stat(key);
  }

  @Override
  public boolean delete(String key) {
    return delegate.delete(key);
  }

  @Override
  public void deleteIncomplete(String key) {
    delegate.deleteIncomplete(key);
  }

  @Override
  public Stream<BlobStat> list(String prefix) {
    return delegate.list(prefix);
  }

  @Override
  public Stream<String> listIncomplete(String prefix) {
    return delegate.listIncomplete(prefix);
  }

  @Override
  public Set<Capability> capabilities() {
    return delegate.capabilities();
  }

  @Override
  public Optional<PublicUrlSigner> publicUrlSigner() {
    return delegate.publicUrlSigner();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + delegate + "]";
  }
}
