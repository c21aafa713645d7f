package dev.diskstore.testkit;

import dev.diskstore.ByteRange;
import dev.diskstore.StorageException;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.BlobStat;
import dev.diskstore.spi.ForwardingBlobBackend;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A {@link BlobBackend} decorator that makes chosen operations fail, for testing how the store
 * copes with a failing medium. With nothing armed it forwards every call unchanged.
 *
 * <p>Arm a {@link Fault} with {@link #failNext(Fault)} (fail once; calling it twice fails the next
 * two matching calls) or {@link #failAlways(Fault)} (until {@link #clear()}). Each {@link Fault}
 * documents where it strikes and what the delegate holds afterwards. An injected failure is a
 * {@link StorageException} with {@link StorageException#isRetryable() retryable} {@code true} and
 * the message {@code "injected fault: <FAULT>"}, except {@link Fault#READ_FAILS_MIDWAY}, which
 * fails inside {@link InputStream#read} and therefore throws an {@link IOException} with that
 * message, as a real stream would. When several write faults are armed, one call fires only the
 * first in declaration order.
 *
 * <p>Counters: {@link #calls(Operation)} counts the calls of each operation (failed ones too),
 * {@link #count(Fault)} counts the failures injected. {@link #clear()} disarms but keeps counters;
 * {@link #resetCounters()} zeroes them.
 *
 * <p><b>Thread-safety:</b> all methods may be called from any thread, also while other threads use
 * the backend; a one-shot fault fires for exactly one call. <b>Ownership:</b> closing this backend
 * closes the delegate (see {@link ForwardingBlobBackend}); streams it returns are closed by the
 * caller and close the delegate's stream.
 */
public final class FaultInjectingBlobBackend extends ForwardingBlobBackend {

  /** Where a failure is injected. */
  public enum Fault {
    /**
     * {@code write} throws before calling the delegate; the content stream is not read and the
     * delegate is untouched.
     */
    WRITE_FAILS_BEFORE_START,
    /**
     * {@code write} hands the delegate a stream that yields {@link #failAfterBytes} bytes of the
     * content (fewer if the content is shorter) and then throws an {@link IOException}; the
     * delegate's write therefore fails, and per the {@link BlobBackend} contract nothing is
     * readable under the key (leftovers are removed by {@code delete(key)}). The call then throws
     * the injected fault with the delegate's exception as its cause.
     */
    WRITE_FAILS_MIDWAY,
    /**
     * The delegate stores the whole blob, then {@code write} throws anyway: the blob <em>is</em>
     * readable in the delegate. Models a lost acknowledgement (a timeout after a remote store
     * committed the upload), which a caller must treat as "maybe written" and clean up.
     */
    WRITE_FAILS_AFTER_COMPLETE,
    /** {@code open} throws before calling the delegate; no stream is opened. */
    OPEN_FAILS,
    /**
     * {@code open} succeeds, but the stream it returns yields {@link #failAfterBytes} bytes (fewer
     * if the range is shorter) and then every further {@code read} or {@code skip} throws an {@link
     * IOException}. The fault is consumed by the {@code open} call and counted when a read actually
     * fails.
     */
    READ_FAILS_MIDWAY,
    /** {@code delete} throws before calling the delegate; nothing is deleted. */
    DELETE_FAILS,
    /** {@code list} throws before calling the delegate. */
    LIST_FAILS,
    /** {@code stat} throws before calling the delegate. */
    STAT_FAILS
  }

  /** The operations counted by {@link #calls(Operation)}. */
  public enum Operation {
    WRITE,
    OPEN,
    STAT,
    DELETE,
    LIST
  }

  /** One-shot failures still armed per fault. */
  private final Map<Fault, AtomicInteger> pending = newCounters(Fault.class, AtomicInteger::new);

  /** Faults armed with {@link #failAlways}; boolean flags stored as 0/1. */
  private final Map<Fault, AtomicInteger> always = newCounters(Fault.class, AtomicInteger::new);

  private final Map<Fault, AtomicLong> injected = newCounters(Fault.class, AtomicLong::new);
  private final Map<Operation, AtomicLong> calls = newCounters(Operation.class, AtomicLong::new);
  private final AtomicLong failAfterBytes = new AtomicLong(1);

  private FaultInjectingBlobBackend(BlobBackend delegate) {
    super(delegate);
  }

  /** Wraps {@code delegate}, with no fault armed. The new backend owns the delegate. */
  public static FaultInjectingBlobBackend of(BlobBackend delegate) {
    return new FaultInjectingBlobBackend(delegate);
  }

  /** Makes the next call that can hit {@code fault} fail (cumulative: n calls arm n failures). */
  public FaultInjectingBlobBackend failNext(Fault fault) {
    pending.get(Objects.requireNonNull(fault, "fault")).incrementAndGet();
    return this;
  }

  /** Makes every call that can hit {@code fault} fail until {@link #clear()}. */
  public FaultInjectingBlobBackend failAlways(Fault fault) {
    always.get(Objects.requireNonNull(fault, "fault")).set(1);
    return this;
  }

  /**
   * How many bytes {@link Fault#WRITE_FAILS_MIDWAY} passes to the delegate and {@link
   * Fault#READ_FAILS_MIDWAY} returns before failing; 1 unless set. Applies to streams created
   * afterwards.
   */
  public FaultInjectingBlobBackend failAfterBytes(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes < 0: " + bytes);
    }
    failAfterBytes.set(bytes);
    return this;
  }

  /** Disarms every fault (one-shot and permanent). Counters are kept. */
  public void clear() {
    for (Fault fault : Fault.values()) {
      pending.get(fault).set(0);
      always.get(fault).set(0);
    }
  }

  /** Zeroes {@link #count(Fault)} and {@link #calls(Operation)}. */
  public void resetCounters() {
    injected.values().forEach(counter -> counter.set(0));
    calls.values().forEach(counter -> counter.set(0));
  }

  /** How many failures of {@code fault} were injected. */
  public long count(Fault fault) {
    return injected.get(Objects.requireNonNull(fault, "fault")).get();
  }

  /** How many times {@code operation} was called on this backend, failed calls included. */
  public long calls(Operation operation) {
    return calls.get(Objects.requireNonNull(operation, "operation")).get();
  }

  @Override
  public long write(String key, InputStream content, OptionalLong lengthHint) {
    calls.get(Operation.WRITE).incrementAndGet();
    if (fires(Fault.WRITE_FAILS_BEFORE_START)) {
      throw injectedFailure(Fault.WRITE_FAILS_BEFORE_START, null);
    }
    if (fires(Fault.WRITE_FAILS_MIDWAY)) {
      InputStream failing =
          new FailingAfterStream(content, failAfterBytes.get(), Fault.WRITE_FAILS_MIDWAY, false);
      @Nullable StorageException delegateFailure = null;
      try {
        super.write(key, failing, lengthHint);
      } catch (StorageException e) {
        delegateFailure = e;
      }
      throw injectedFailure(Fault.WRITE_FAILS_MIDWAY, delegateFailure);
    }
    if (fires(Fault.WRITE_FAILS_AFTER_COMPLETE)) {
      super.write(key, content, lengthHint);
      throw injectedFailure(Fault.WRITE_FAILS_AFTER_COMPLETE, null);
    }
    return super.write(key, content, lengthHint);
  }

  @Override
  public InputStream open(String key, ByteRange range) {
    calls.get(Operation.OPEN).incrementAndGet();
    if (fires(Fault.OPEN_FAILS)) {
      throw injectedFailure(Fault.OPEN_FAILS, null);
    }
    boolean failMidway = fires(Fault.READ_FAILS_MIDWAY);
    InputStream stream = super.open(key, range);
    return failMidway
        ? new FailingAfterStream(stream, failAfterBytes.get(), Fault.READ_FAILS_MIDWAY, true)
        : stream;
  }

  @Override
  public Optional<BlobStat> stat(String key) {
    calls.get(Operation.STAT).incrementAndGet();
    if (fires(Fault.STAT_FAILS)) {
      throw injectedFailure(Fault.STAT_FAILS, null);
    }
    return super.stat(key);
  }

  @Override
  public boolean delete(String key) {
    calls.get(Operation.DELETE).incrementAndGet();
    if (fires(Fault.DELETE_FAILS)) {
      throw injectedFailure(Fault.DELETE_FAILS, null);
    }
    return super.delete(key);
  }

  @Override
  public Stream<BlobStat> list(String prefix) {
    calls.get(Operation.LIST).incrementAndGet();
    if (fires(Fault.LIST_FAILS)) {
      throw injectedFailure(Fault.LIST_FAILS, null);
    }
    return super.list(prefix);
  }

  /** Whether {@code fault} strikes this call; consumes a one-shot arming. */
  private boolean fires(Fault fault) {
    if (always.get(fault).get() != 0) {
      return true;
    }
    return pending.get(fault).getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
  }

  private StorageException injectedFailure(Fault fault, @Nullable Throwable cause) {
    injected.get(fault).incrementAndGet();
    return new StorageException("injected fault: " + fault, true, cause);
  }

  private static <K extends Enum<K>, V> Map<K, V> newCounters(Class<K> keys, Supplier<V> counter) {
    EnumMap<K, V> map = new EnumMap<>(keys);
    for (K key : keys.getEnumConstants()) {
      map.put(key, counter.get());
    }
    return Collections.unmodifiableMap(map);
  }

  /**
   * Passes through {@code limit} bytes, then throws an {@link IOException} on every read (also at
   * an end of stream reached before the limit). Closes the wrapped stream only when {@code
   * ownsStream} (the read side); the write side must leave the caller's stream open.
   */
  private final class FailingAfterStream extends FilterInputStream {
    private final long limit;
    private final Fault fault;
    private final boolean ownsStream;
    private long passed;
    private boolean counted;

    FailingAfterStream(InputStream in, long limit, Fault fault, boolean ownsStream) {
      super(in);
      this.limit = limit;
      this.fault = fault;
      this.ownsStream = ownsStream;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      Objects.checkFromIndexSize(offset, length, buffer.length);
      if (length == 0) {
        return 0;
      }
      if (passed >= limit) {
        throw fail();
      }
      int n = in.read(buffer, offset, (int) Math.min(length, limit - passed));
      if (n < 0) {
        throw fail();
      }
      passed += n;
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      if (n <= 0) {
        return 0;
      }
      byte[] scratch = new byte[(int) Math.min(n, 8192)];
      int read = read(scratch, 0, scratch.length);
      return Math.max(read, 0);
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    @Override
    public synchronized void mark(int readLimit) {
      // Not supported: replaying bytes would hide the fault.
    }

    @Override
    public synchronized void reset() throws IOException {
      throw new IOException("mark/reset not supported");
    }

    @Override
    public void close() throws IOException {
      if (ownsStream) {
        in.close();
      }
    }

    private IOException fail() {
      // The write side is counted once by write(), which turns the delegate's failure into the
      // injected StorageException; the read side counts its first failing read.
      if (ownsStream && !counted) {
        counted = true;
        injected.get(fault).incrementAndGet();
      }
      return new IOException("injected fault: " + fault);
    }
  }
}
