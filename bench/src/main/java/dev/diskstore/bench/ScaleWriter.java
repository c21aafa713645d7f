package dev.diskstore.bench;

import dev.diskstore.Artifacts;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One writer JVM of {@link PostgresScaleBench}: opens a store on the shared PostgreSQL schema and
 * blob directory, then upserts new 1 KiB Markdown files into {@code /w<slot>/} from one thread
 * until its standard input closes, publishing its running count in slot {@code slot} of the shared
 * count file after every upsert. Exits 0 after closing the store; 1 on any failure (the stack trace
 * goes to its output, which the benchmark prints).
 *
 * <p>Arguments: jdbcUrl schema blobDirectory diskId countFile slot.
 */
public final class ScaleWriter {
  private static volatile boolean stopped;

  private ScaleWriter() {}

  public static void main(String[] args) throws Exception {
    String jdbcUrl = args[0];
    String schema = args[1];
    Path blobs = Path.of(args[2]);
    String disk = args[3];
    Path countFile = Path.of(args[4]);
    int slot = Integer.parseInt(args[5]);
    Thread watcher = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // nothing is sent; end of input is the signal
        }
      } catch (IOException e) {
        // the parent is gone: stop as well
      }
      stopped = true;
    }, "stdin-watcher");
    watcher.setDaemon(true);
    watcher.start();
    MappedByteBuffer counts;
    try (FileChannel channel = FileChannel.open(countFile, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      counts = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
    }
    try (DiskStore store = PostgresScaleBench.open(jdbcUrl, schema, blobs)) {
      Artifacts artifacts = store.disks().artifacts();
      String directory = "/w" + slot + "/";
      byte[] content = Content.text(1024, slot);
      long n = 0;
      while (!stopped) {
        long id = slot * 1_000_000_000L + n;
        Content.stamp(content, "text", id);
        artifacts.upsert(disk, FileUpload.of(Content.name("text", id), content), directory);
        n++;
        counts.putLong(8 * slot, n);
      }
      System.out.println("[writer " + slot + "] " + n + " upserts");
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
  }
}
