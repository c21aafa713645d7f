package dev.diskstore.reliability;

import dev.diskstore.ByteRange;
import dev.diskstore.StorageException;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.BlobStat;
import dev.diskstore.spi.ForwardingBlobBackend;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A {@link BlobBackend} decorator that records the sequence of calls the store makes and fails
 * exactly one of them, chosen by its position in that sequence, in one of several {@link Mode}s:
 * the tool for "a fault at every distinct point" (run an operation once to learn its calls, then
 * once per call and mode with the fault armed there).
 *
 * <p>It complements the testkit's {@code FaultInjectingBlobBackend} with faults that <em>hang</em>:
 * a call (or a stream read) that blocks for {@link #hangFor} and then fails the way a client's
 * timeout would, with a retryable {@link StorageException} (or an {@link IOException} inside a
 * stream). While a call hangs, {@link #hanging()} is counted down, so a test can check that the
 * rest of the store keeps working meanwhile.
 *
 * <p>Thread-safe; the armed fault fires at most once. Closing it closes the delegate.
 */
final class ScriptedFaultBackend extends ForwardingBlobBackend {
  enum Call {
    WRITE,
    OPEN,
    STAT,
    DELETE,
    LIST
  }

  enum Mode {
    /** The call fails before reaching the delegate. */
    THROW_BEFORE,
    /** The delegate completes the call, then the call fails anyway (a lost acknowledgement). */
    THROW_AFTER,
    /** The call blocks for the hang time, then fails like a client timeout. */
    HANG,
    /**
     * Mid-transfer: a write's content stream fails after one byte (the delegate's write fails);
     * an opened stream, or a listing, fails after its first byte or element.
     */
    MIDWAY,
    /** Like {@link #MIDWAY}, but the transfer stalls for the hang time before failing. */
    HANG_MIDWAY;

    boolean appliesTo(Call call) {
      return switch (this) {
        case THROW_BEFORE, THROW_AFTER, HANG -> true;
        case MIDWAY -> call == Call.WRITE || call == Call.OPEN || call == Call.LIST;
        case HANG_MIDWAY -> call == Call.WRITE || call == Call.OPEN;
      };
    }
  }

  private final List<Call> calls = new ArrayList<>();
  private final AtomicInteger counter = new AtomicInteger();
  private volatile int armedAt = -1;
  private volatile Mode armedMode;
  private final AtomicBoolean fired = new AtomicBoolean();
  private volatile Duration hang = Duration.ofMillis(500);
  private volatile CountDownLatch hanging = new CountDownLatch(1);
  private volatile boolean failDeletes;
  private final AtomicInteger openStreams = new AtomicInteger();

  ScriptedFaultBackend(BlobBackend delegate) {
    super(delegate);
  }

  /** How long a hanging call blocks before it fails. */
  ScriptedFaultBackend hangFor(Duration duration) {
    this.hang = duration;
    return this;
  }

  /** Arms {@code mode} for the call at position {@code index} of {@link #calls()} (0-based). */
  synchronized void arm(int index, Mode mode) {
    armedAt = index;
    armedMode = mode;
    fired.set(false);
    hanging = new CountDownLatch(1);
  }

  synchronized void disarm() {
    armedAt = -1;
    armedMode = null;
  }

  /** While true, every delete fails (to leave garbage behind when preparing a test). */
  void failDeletes(boolean fail) {
    this.failDeletes = fail;
  }

  /** Streams returned by {@code open} and not closed yet. */
  int openStreams() {
    return openStreams.get();
  }

  /** Whether the armed fault struck. */
  boolean fired() {
    return fired.get();
  }

  /** Counted down when a hanging fault starts to hang. */
  CountDownLatch hanging() {
    return hanging;
  }

  /** The calls so far, in order. */
  synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  /** The mode that strikes this call, or null. */
  private Mode next(Call call) {
    int index;
    synchronized (this) {
      index = counter.getAndIncrement();
      calls.add(call);
    }
    if (index == armedAt && armedMode != null && armedMode.appliesTo(call)) {
      fired.set(true);
      return armedMode;
    }
    return null;
  }

  private StorageException fault(Call call, String what) {
    return new StorageException("scripted fault: " + call + " " + what, true, null);
  }

  private void sleepHang() {
    hanging.countDown();
    try {
      Thread.sleep(hang.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public long write(String key, InputStream content, OptionalLong lengthHint) {
    Mode mode = next(Call.WRITE);
    if (mode == null) {
      return super.write(key, content, lengthHint);
    }
    switch (mode) {
      case THROW_BEFORE -> throw fault(Call.WRITE, "failed before sending");
      case HANG -> {
        sleepHang();
        throw fault(Call.WRITE, "timed out");
      }
      case THROW_AFTER -> {
        super.write(key, content, lengthHint);
        throw fault(Call.WRITE, "completed, but the acknowledgement was lost");
      }
      default -> {
        InputStream failing = new FailingStream(content, mode == Mode.HANG_MIDWAY, false);
        StorageException cause = null;
        try {
          super.write(key, failing, lengthHint);
        } catch (StorageException e) {
          cause = e;
        }
        StorageException e = fault(Call.WRITE, "failed midway");
        if (cause != null) {
          e.addSuppressed(cause);
        }
        throw e;
      }
    }
  }

  @Override
  public InputStream open(String key, ByteRange range) {
    return new Tracked(openUntracked(key, range));
  }

  private InputStream openUntracked(String key, ByteRange range) {
    Mode mode = next(Call.OPEN);
    if (mode == null) {
      return super.open(key, range);
    }
    switch (mode) {
      case THROW_BEFORE -> throw fault(Call.OPEN, "failed");
      case HANG -> {
        sleepHang();
        throw fault(Call.OPEN, "timed out");
      }
      case THROW_AFTER -> {
        try (InputStream opened = super.open(key, range)) {
          throw fault(Call.OPEN, "opened, but the response was lost");
        } catch (IOException e) {
          throw fault(Call.OPEN, "could not even close");
        }
      }
      default -> {
        return new FailingStream(super.open(key, range), mode == Mode.HANG_MIDWAY, true);
      }
    }
  }

  @Override
  public Optional<BlobStat> stat(String key) {
    Mode mode = next(Call.STAT);
    if (mode == null) {
      return super.stat(key);
    }
    if (mode == Mode.HANG) {
      sleepHang();
      throw fault(Call.STAT, "timed out");
    }
    if (mode == Mode.THROW_AFTER) {
      super.stat(key);
    }
    throw fault(Call.STAT, "failed");
  }

  @Override
  public boolean delete(String key) {
    Mode mode = next(Call.DELETE);
    if (failDeletes) {
      throw fault(Call.DELETE, "failed (preparation)");
    }
    if (mode == null) {
      return super.delete(key);
    }
    if (mode == Mode.HANG) {
      sleepHang();
      throw fault(Call.DELETE, "timed out");
    }
    if (mode == Mode.THROW_AFTER) {
      super.delete(key);
      throw fault(Call.DELETE, "deleted, but the acknowledgement was lost");
    }
    throw fault(Call.DELETE, "failed");
  }

  @Override
  public Stream<BlobStat> list(String prefix) {
    Mode mode = next(Call.LIST);
    if (mode == null) {
      return super.list(prefix);
    }
    switch (mode) {
      case HANG -> {
        sleepHang();
        throw fault(Call.LIST, "timed out");
      }
      case THROW_AFTER -> {
        try (Stream<BlobStat> listed = super.list(prefix)) {
          listed.count();
        }
        throw fault(Call.LIST, "listed, but the response was lost");
      }
      case MIDWAY -> {
        Stream<BlobStat> listed = super.list(prefix);
        Iterator<BlobStat> it = listed.iterator();
        Iterator<BlobStat> failing =
            new Iterator<>() {
              int served;

              @Override
              public boolean hasNext() {
                if (served >= 1) {
                  throw fault(Call.LIST, "failed on the second page");
                }
                return it.hasNext();
              }

              @Override
              public BlobStat next() {
                served++;
                return it.next();
              }
            };
        return StreamSupport.stream(
                Spliterators.spliteratorUnknownSize(failing, Spliterator.ORDERED), false)
            .onClose(listed::close);
      }
      default -> throw fault(Call.LIST, "failed");
    }
  }

  /** Counts itself open until closed. */
  private final class Tracked extends FilterInputStream {
    private final AtomicBoolean closed = new AtomicBoolean();

    Tracked(InputStream in) {
      super(in);
      openStreams.incrementAndGet();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return in.read(b, off, len);
    }

    @Override
    public void close() throws IOException {
      if (closed.compareAndSet(false, true)) {
        openStreams.decrementAndGet();
      }
      in.close();
    }
  }

  /** Passes one byte, then (after stalling, if asked) fails every read. */
  private final class FailingStream extends FilterInputStream {
    private final boolean stall;
    private final boolean owns;
    private long passed;

    FailingStream(InputStream in, boolean stall, boolean owns) {
      super(in);
      this.stall = stall;
      this.owns = owns;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (passed >= 1) {
        if (stall) {
          sleepHang();
        }
        throw new IOException("scripted fault: stream " + (stall ? "timed out" : "broke"));
      }
      int n = in.read(b, off, 1);
      if (n > 0) {
        passed += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] scratch = new byte[(int) Math.min(Math.max(n, 0), 8192)];
      return Math.max(0, read(scratch, 0, scratch.length));
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    @Override
    public void close() throws IOException {
      if (owns) {
        in.close();
      }
    }
  }
}
