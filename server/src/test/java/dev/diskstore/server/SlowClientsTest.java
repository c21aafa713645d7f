package dev.diskstore.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 half-sent connections from one peer (a partial request line or partial headers, never
 * finished) while another client keeps making normal requests: they all succeed. Prints how many
 * slow connections the server held and the normal requests' latency before and during; asserts
 * behaviour only.
 */
class SlowClientsTest {
  static final int SLOW = 1000;
  static final int NORMAL = 50;

  @TempDir Path dir;

  @Test
  void normalRequestsSucceedWhileAThousandSlowConnectionsAreHeld() throws Exception {
    try (TestServer api = new TestServer(dir, b -> b.idleTimeout(Duration.ofSeconds(30)), "t")) {
      String disk = api.createDisk();
      api.upload(disk, "/", "a.txt", "hello");
      List<Long> before = timedRequests(api, disk);

      List<Socket> slow = new ArrayList<>();
      // the slow peer: another loopback source address where the OS has one (127.0.0.2)
      InetAddress peer = InetAddress.getByName("127.0.0.2");
      try {
        for (int i = 0; i < SLOW; i++) {
          Socket s = new Socket();
          try {
            s.bind(new InetSocketAddress(peer, 0));
          } catch (java.io.IOException e) {
            s.close();
            s = new Socket();
          }
          s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), api.server.port()), 5000);
          OutputStream out = s.getOutputStream();
          String partial =
              i % 2 == 0
                  ? "GET /api/v1/disk/" + disk + "/artifact/ls?pa"
                  : "POST /api/v1/disk HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nX-Slow: ";
          out.write(partial.getBytes(US_ASCII));
          out.flush();
          slow.add(s);
        }
        Thread.sleep(500);
        int held = api.server.openConnections();
        List<Long> during = timedRequests(api, disk);
        // one more byte on every slow connection, still no complete head
        for (Socket s : slow) {
          s.getOutputStream().write('x');
        }
        List<Long> after = timedRequests(api, disk);
        during.addAll(after);
        System.out.printf(
            "slow connections opened %d, held by the server %d; normal requests: before p50 %.2f ms"
                + " max %.2f ms, during p50 %.2f ms max %.2f ms (%d requests)%n",
            slow.size(), held, p50(before), max(before), p50(during), max(during), during.size());
        assertThat(during).hasSize(2 * NORMAL);
      } finally {
        for (Socket s : slow) {
          s.close();
        }
      }
    }
  }

  @Test
  void aConnectionTricklingItsHeadIsClosedAtTheDeadline() throws Exception {
    try (TestServer api =
            new TestServer(dir, b -> b.requestHeadTimeout(Duration.ofSeconds(1)), "t");
        Socket s = new Socket(InetAddress.getLoopbackAddress(), api.server.port())) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      out.write("GET /api/v1/ping HTTP/1.1\r\nHost: x\r\n".getBytes(US_ASCII));
      out.flush();
      boolean closed = false;
      // a byte every 200 ms keeps the idle timeout from ever firing; the head deadline still does
      for (int i = 0; i < 100 && !closed; i++) {
        Thread.sleep(200);
        try {
          out.write('X');
          out.flush();
          if (s.getInputStream().available() > 0) {
            closed = s.getInputStream().read() < 0;
          }
        } catch (java.io.IOException e) {
          closed = true;
        }
      }
      if (!closed) {
        try {
          closed = s.getInputStream().read() < 0;
        } catch (java.io.IOException e) {
          closed = true;
        }
      }
      assertThat(closed).as("the server closed the trickling connection").isTrue();
      assertThat(api.get("/ping").status()).isEqualTo(200);
    }
  }

  /** NORMAL requests, each must succeed; their latencies in nanoseconds. */
  private static List<Long> timedRequests(TestServer api, String disk) {
    List<Long> times = new ArrayList<>();
    for (int i = 0; i < NORMAL; i++) {
      long start = System.nanoTime();
      TestServer.Reply r =
          api.send(api.request("/disk/" + disk + "/artifact/download?file_path=%2Fa.txt").GET().build());
      times.add(System.nanoTime() - start);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.text()).isEqualTo("hello");
    }
    assertThat(api.send(api.request("/disk").POST(HttpRequest.BodyPublishers.noBody()).build()).status())
        .isEqualTo(201);
    return times;
  }

  private static double p50(List<Long> nanos) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2) / 1e6;
  }

  private static double max(List<Long> nanos) {
    return Collections.max(nanos) / 1e6;
  }
}
