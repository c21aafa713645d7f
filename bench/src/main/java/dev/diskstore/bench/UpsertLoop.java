package dev.diskstore.bench;

import dev.diskstore.Artifacts;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.local.LocalBlobBackend;
import dev.diskstore.spi.BlobBackend;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A plain loop of upserts (or floor writes), for counting system calls per upsert outside JMH:
 *
 * <pre>{@code
 * strace -f -c -e trace=fsync,mkdir,rename,pwrite64 \
 *     java -cp bench/target/benchmarks.jar dev.diskstore.bench.UpsertLoop stock 1000 binary 1024
 * }</pre>
 *
 * <p>Run it once with 0 upserts and subtract, to remove what opening a store costs. Modes: {@code
 * floor} ({@link FloorStore}), {@code stock} ({@code DiskStore} on the local backend as shipped),
 * {@code indexOnly} (bytes dropped). Arguments: mode, count, kind ({@code text}/{@code binary}, default binary), size
 * (default 1024). Prints the mean time per call, which under strace means little.
 */
public final class UpsertLoop {
  private UpsertLoop() {}

  public static void main(String[] args) {
    String mode = args[0];
    int count = Integer.parseInt(args[1]);
    String kind = args.length > 2 ? args[2] : "binary";
    int size = args.length > 3 ? Integer.parseInt(args[3]) : 1024;
    Path dir = BenchFiles.scratch("upsert-loop-");
    byte[] content = Content.of(kind, size, 1);
    long start;
    try {
      if (mode.equals("floor")) {
        try (FloorStore floor = FloorStore.open(dir)) {
          start = System.nanoTime();
          for (int i = 0; i < count; i++) {
            Content.stamp(content, kind, i);
            floor.put("/bench/", Content.name(kind, i), content);
          }
        }
      } else {
        BlobBackend backend =
            switch (mode) {
              case "stock" -> LocalBlobBackend.at(dir.resolve("blobs"));
              case "indexOnly" -> new DiscardingBlobBackend();
              default -> throw new IllegalArgumentException("mode: floor|stock|indexOnly");
            };
        try (DiskStore store =
            DiskStore.open(DiskStoreConfig.builder().directory(dir).backend(backend).build())) {
          Artifacts artifacts = store.disks().artifacts();
          String disk = store.disks().create().id();
          start = System.nanoTime();
          for (int i = 0; i < count; i++) {
            Content.stamp(content, kind, i);
            artifacts.upsert(disk, FileUpload.of(Content.name(kind, i), content), "/bench/");
          }
        }
      }
      System.out.printf(Locale.ROOT, "%s: %d upserts of %d bytes (%s), %.0f us each%n", mode,
          count, size, kind, count == 0 ? 0.0 : (System.nanoTime() - start) / 1e3 / count);
    } finally {
      BenchFiles.deleteTree(dir);
    }
  }
}
