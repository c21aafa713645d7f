package dev.diskstore.local;

import dev.diskstore.testkit.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streams 1 GiB through a local store in a JVM with a 256 MiB heap ({@link LargeStreamWorker}):
 * an upload is never buffered whole, and the bytes, size and SHA-256 survive the round trip. Runs
 * by default; {@code -Ddiskstore.skipLarge=true} skips it (it writes 1 GiB to the temporary
 * directory).
 */
@Tag("large")
class LargeStreamTest {
  private static final long SIZE = 1L << 30;

  @Test
  void streamsOneGibibyteThroughASmallHeap(@TempDir Path tmp) throws Exception {
    assumeFalse(Boolean.getBoolean("diskstore.skipLarge"), "-Ddiskstore.skipLarge=true");
    Path output = tmp.resolve("worker.out");
    Process worker =
        ChildJvm.start(
            LargeStreamWorker.class,
            List.of("-Xmx256m"),
            List.of(tmp.resolve("store").toString(), Long.toString(SIZE), "20240115"),
            output);
    try {
      assertThat(worker.waitFor(10, TimeUnit.MINUTES)).as("finished within 10 minutes").isTrue();
      String printed = ChildJvm.output(output);
      assertThat(worker.exitValue()).as("exit status; output:%n%s", printed).isZero();
      String result =
          printed.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow();
      assertThat(result).contains("size=" + SIZE);
      System.out.println("LargeStreamTest " + result);
    } finally {
      ChildJvm.kill(worker);
    }
  }
}
