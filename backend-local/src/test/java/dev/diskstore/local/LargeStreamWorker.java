package dev.diskstore.local;

import dev.diskstore.testkit.PseudoRandomInputStream;

import dev.diskstore.Artifact;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The child JVM of {@link LargeStreamTest}: upserts a generated stream of the given size (never
 * held in memory) into a local store, reads it back, and checks size and SHA-256 on both sides.
 * Prints {@code RESULT ...} and exits 0 when everything matches; prints {@code FAIL ...} and exits
 * 1 otherwise, 2 on an exception.
 *
 * <p>Arguments: store directory, size in bytes, seed.
 */
public final class LargeStreamWorker {
  private LargeStreamWorker() {}

  public static void main(String[] args) throws Exception {
    Path storeDir = Path.of(args[0]);
    long size = Long.parseLong(args[1]);
    long seed = Long.parseLong(args[2]);
    List<String> failures = new ArrayList<>();
    try (DiskStore store = DiskStore.local(storeDir)) {
      String diskId = store.disks().create().id();

      long writeStart = System.nanoTime();
      Artifact artifact;
      PseudoRandomInputStream generated = new PseudoRandomInputStream(seed, size);
      try (generated) {
        artifact =
            store.disks().artifacts().upsert(diskId, FileUpload.of("big.bin", generated), "/large/");
      }
      double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
      String writtenSha = generated.sha256Hex();
      check(failures, "bytes generated", generated.position(), size);
      check(failures, "artifact.sizeBytes()", artifact.sizeBytes(), size);
      check(failures, "artifact.sha256()", artifact.sha256(), writtenSha);

      long readStart = System.nanoTime();
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      long read = 0;
      byte[] buffer = new byte[1 << 20];
      try (InputStream in = store.disks().artifacts().open(diskId, "/large/", "big.bin")) {
        for (int n; (n = in.read(buffer)) != -1; ) {
          sha.update(buffer, 0, n);
          read += n;
        }
      }
      double readSeconds = (System.nanoTime() - readStart) / 1e9;
      String readSha = HexFormat.of().formatHex(sha.digest());
      check(failures, "bytes read back", read, size);
      check(failures, "sha256 read back", readSha, writtenSha);

      double mib = size / (double) (1 << 20);
      if (failures.isEmpty()) {
        System.out.printf(
            Locale.ROOT,
            "RESULT size=%d sha256=%s write=%.1fs (%.0f MiB/s) read=%.1fs (%.0f MiB/s)"
                + " maxHeap=%d MiB peakHeapUsed=%d MiB%n",
            size,
            writtenSha,
            writeSeconds,
            mib / writeSeconds,
            readSeconds,
            mib / readSeconds,
            Runtime.getRuntime().maxMemory() >> 20,
            peakHeapUsed() >> 20);
      } else {
        System.out.println("FAIL " + String.join("; ", failures));
      }
    } catch (RuntimeException e) {
      e.printStackTrace();
      System.exit(2);
    }
    System.exit(failures.isEmpty() ? 0 : 1);
  }

  private static void check(List<String> failures, String what, Object actual, Object expected) {
    if (!actual.equals(expected)) {
      failures.add(what + " was " + actual + ", expected " + expected);
    }
  }

  private static long peakHeapUsed() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak;
  }
}
