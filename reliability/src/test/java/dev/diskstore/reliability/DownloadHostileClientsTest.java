package dev.diskstore.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import dev.diskstore.local.LocalBlobBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The download server under a slowloris attack from the same address as its legitimate clients:
 * 1,000 connections from 127.0.0.1 that send half a request (or nothing) and are reopened whenever
 * the server cuts them, sustained while at least 20 sequential and 20 parallel downloads of 0.5–2
 * MiB files run. Every legitimate download must succeed with the right bytes, and the server must
 * not spend a thread per attacking connection.
 *
 * <p>Needs about 2,100 file descriptors in this JVM (both ends of every connection); skipped, with
 * the reason, where the open-file limit is lower.
 */
class DownloadHostileClientsTest {
  private static final int ATTACK_CONNECTIONS = 1_000;
  private static final int SEQUENTIAL = 20;
  private static final int PARALLEL = 20;

  /** Longer than the server's 5 s head deadline, so that cut connections are reopened. */
  private static final Duration SUSTAIN = Duration.ofSeconds(7);

  private static Figures figures;

  @TempDir Path tmp;
  private DiskStore store;
  private final List<URI> urls = new ArrayList<>();
  private final List<byte[]> contents = new ArrayList<>();
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void open() {
    store =
        DiskStore.open(
            DiskStoreConfig.builder()
                .directory(tmp)
                .backend(LocalBlobBackend.at(tmp.resolve("blobs")))
                .build());
    String disk = store.disks().create().id();
    Random random = new Random(11);
    for (int i = 0; i < 4; i++) {
      byte[] content = new byte[512 * 1024 * (1 + i % 4) + i];
      random.nextBytes(content);
      String name = "file-" + i + ".bin";
      store.disks().artifacts().upsert(disk, FileUpload.of(name, content), "/d/");
      urls.add(
          store
              .disks()
              .artifacts()
              .get(
                  disk,
                  "/d/",
                  name,
                  GetOptions.builder().withPublicUrl(true).expireSeconds(3600).build())
              .publicUrl()
              .orElseThrow());
      contents.add(content);
    }
  }

  @AfterEach
  void close() {
    store.close();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"half-sent requests", "idle connections"})
  void legitimateDownloadsSucceedUnderAThousandSlowConnections(String kind) throws Exception {
    long fdLimit = fileDescriptorLimit();
    assumeThat(fdLimit)
        .as("open-file limit (ulimit -n) too low for 2 x %d sockets in one JVM", ATTACK_CONNECTIONS)
        .isGreaterThan(2L * ATTACK_CONNECTIONS + 500);
    URI first = urls.get(0);
    byte[] partial =
        kind.startsWith("half")
            ? ("GET "
                    + first.getRawPath()
                    + "?"
                    + first.getRawQuery()
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\nX-Slow: ")
                .getBytes(UTF_8)
            : new byte[0];
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    List<Long> baseline = new ArrayList<>();
    for (int i = 0; i < 10; i++) { // the same downloads without the attack, for comparison
      download(http, i % urls.size(), baseline);
    }
    Collections.sort(baseline);
    List<Long> millis = Collections.synchronizedList(new ArrayList<>());
    int maxServerThreads = 0;
    int maxServerConnections = 0;
    List<Integer> attackOpen = new ArrayList<>();
    try (Attacker attacker = new Attacker(first.getPort(), ATTACK_CONNECTIONS, partial)) {
      attacker.awaitAllOpen(Duration.ofSeconds(20));
      long start = System.nanoTime();
      int done = 0;
      while (done < SEQUENTIAL || System.nanoTime() - start < SUSTAIN.toNanos()) {
        attackOpen.add(attacker.open());
        download(http, done % urls.size(), millis);
        done++;
        maxServerThreads = Math.max(maxServerThreads, serverThreads());
        maxServerConnections = Math.max(maxServerConnections, established(first.getPort()));
        Thread.sleep(200);
      }
      List<CompletableFuture<Void>> parallel = new ArrayList<>();
      for (int i = 0; i < PARALLEL; i++) {
        int which = i % urls.size();
        parallel.add(CompletableFuture.runAsync(() -> download(http, which, millis)));
      }
      CompletableFuture.allOf(parallel.toArray(CompletableFuture[]::new)).join();
      maxServerThreads = Math.max(maxServerThreads, serverThreads());
      attackOpen.add(attacker.open());
      long attackMillis = (System.nanoTime() - start) / 1_000_000;

      List<Long> sorted = new ArrayList<>(millis);
      Collections.sort(sorted);
      Collections.sort(attackOpen);
      int attackOpenMedian = attackOpen.get(attackOpen.size() / 2);
      String key = kind.startsWith("half") ? "halfSent" : "idle";
      figures
          .put(key + ".attackConnections", ATTACK_CONNECTIONS)
          .put(key + ".attackSeconds", String.format(Locale.ROOT, "%.1f", attackMillis / 1000.0))
          .put(key + ".attackOpenMin", attackOpen.get(0))
          .put(key + ".attackOpenMedian", attackOpenMedian)
          .put(key + ".attackReopened", attacker.reopened())
          .put(key + ".serverConnectionsMax", maxServerConnections)
          .put(key + ".downloads", done + PARALLEL)
          .put(key + ".downloadsFailed", failures.size())
          .put(key + ".baselineMillisMedian", baseline.get(baseline.size() / 2))
          .put(key + ".downloadMillisMedian", sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2))
          .put(key + ".downloadMillisMax", sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1))
          .put(key + ".serverThreadsMax", maxServerThreads)
          .put("fdLimit", fdLimit);
      assertThat(failures).as("failed legitimate downloads (of %d)", done + PARALLEL).isEmpty();
      assertThat(baseline).as("baseline downloads").hasSize(10);
      // (all of them are cut at once by the head deadline, so a sample may fall in the reopening)
      assertThat(attackOpenMedian)
          .as("attacking connections held open while downloading")
          .isGreaterThanOrEqualTo(ATTACK_CONNECTIONS * 95 / 100);
      if (kind.startsWith("half")) {
        assertThat(attacker.reopened())
            .as("connections cut by the head deadline and reopened")
            .isPositive();
      }
    }
    // the pool is bounded (UrlServer.MAX_THREADS = 32, plus the scheduler thread)
    assertThat(maxServerThreads).as("server threads").isLessThanOrEqualTo(33);
  }

  /**
   * One legitimate download: its time goes to {@code millis}, or what went wrong to {@link
   * #failures}.
   */
  private void download(HttpClient http, int which, List<Long> millis) {
    long t0 = System.nanoTime();
    try {
      HttpResponse<byte[]> response =
          http.send(
              HttpRequest.newBuilder(urls.get(which)).timeout(Duration.ofSeconds(20)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        failures.add("status " + response.statusCode());
      } else if (!Arrays.equals(response.body(), contents.get(which))) {
        failures.add("other bytes");
      } else {
        millis.add((System.nanoTime() - t0) / 1_000_000);
      }
    } catch (IOException e) {
      failures.add(e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failures.add(e.toString());
    }
  }

  private static int serverThreads() {
    return (int)
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("diskstore-url-server"))
            .count();
  }

  /** Established TCP connections whose local port is the server's (the server's ends). */
  private static int established(int port) throws IOException {
    String portHex = String.format(Locale.ROOT, ":%04X", port);
    int count = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path file = Path.of(table);
      if (!Files.exists(file)) {
        continue;
      }
      for (String line : Files.readAllLines(file)) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 3 && f[1].endsWith(portHex) && f[3].equals("01")) {
          count++;
        }
      }
    }
    return count;
  }

  /** The soft open-file limit of this process, from /proc (Long.MAX_VALUE if unknown). */
  private static long fileDescriptorLimit() throws IOException {
    Path limits = Path.of("/proc/self/limits");
    if (!Files.exists(limits)) {
      return Long.MAX_VALUE;
    }
    for (String line : Files.readAllLines(limits)) {
      if (line.startsWith("Max open files")) {
        String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
        return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
      }
    }
    return Long.MAX_VALUE;
  }

  /**
   * Keeps {@code count} connections to the server open from one thread (non-blocking), each having
   * sent {@code partial} and nothing more; a connection the server closes is reopened at once.
   */
  static final class Attacker implements AutoCloseable {
    private final InetSocketAddress address;
    private final int count;
    private final byte[] partial;
    private final Selector selector;
    private final Thread thread;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong reopened = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean allOpened;

    Attacker(int port, int count, byte[] partial) throws IOException {
      this.address = new InetSocketAddress("127.0.0.1", port);
      this.count = count;
      this.partial = partial;
      this.selector = Selector.open();
      this.thread = new Thread(this::run, "slowloris");
      thread.setDaemon(true);
      thread.start();
    }

    int open() {
      return open.get();
    }

    long reopened() {
      return reopened.get();
    }

    /** Waits until all connections are open (or the timeout: a server may refuse some). */
    void awaitAllOpen(Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!(allOpened && open.get() >= count) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
    }

    private void run() {
      ByteBuffer scratch = ByteBuffer.allocate(4096);
      try {
        for (int i = 0; i < count; i++) {
          connect();
        }
        allOpened = true;
        while (running) {
          selector.select(100);
          for (SelectionKey key : selector.selectedKeys()) {
            SocketChannel channel = (SocketChannel) key.channel();
            if (!key.isValid()) {
              continue;
            }
            if (key.isConnectable()) {
              boolean connected;
              try {
                connected = channel.finishConnect();
              } catch (IOException e) {
                key.cancel();
                channel.close();
                connect(); // refused or reset: try again
                continue;
              }
              if (connected) {
                if (partial.length > 0) {
                  channel.write(ByteBuffer.wrap(partial)); // small: goes out whole
                }
                open.incrementAndGet();
                key.interestOps(SelectionKey.OP_READ);
              }
            } else if (key.isReadable()) {
              int n;
              try {
                scratch.clear();
                n = channel.read(scratch);
              } catch (IOException e) {
                n = -1;
              }
              if (n < 0) { // cut by the server: reopen, as a slowloris does
                key.cancel();
                channel.close();
                open.decrementAndGet();
                reopened.incrementAndGet();
                if (running) {
                  connect();
                }
              }
            }
          }
          selector.selectedKeys().clear();
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    private void connect() throws IOException {
      SocketChannel channel = SocketChannel.open();
      channel.configureBlocking(false);
      if (channel.connect(address)) {
        if (partial.length > 0) {
          channel.write(ByteBuffer.wrap(partial));
        }
        open.incrementAndGet();
        channel.register(selector, SelectionKey.OP_READ);
      } else {
        channel.register(selector, SelectionKey.OP_CONNECT);
      }
    }

    @Override
    public void close() throws Exception {
      running = false;
      selector.wakeup();
      thread.join(5_000);
      for (SelectionKey key : selector.keys()) {
        key.channel().close();
      }
      selector.close();
    }
  }

  @BeforeAll
  static void startFigures() {
    figures = Figures.of("download-hostile-clients");
  }

  @AfterAll
  static void report() {
    figures.report();
  }
}
