package dev.diskstore.local;

import dev.diskstore.testkit.PseudoRandomInputStream;

import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.Precondition;
import dev.diskstore.PreconditionFailedException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * A child JVM of {@link TwoProcessTest}: opens the shared store, signals that it is ready, waits
 * for the go file and then runs {@link #UPSERTS} upserts: every tenth one tries to claim a claim
 * path with {@link Precondition#ifNoneMatch()}, every third one of the rest overwrites one of
 * {@link #SHARED_PATHS} shared paths, the others write paths of its own. Writes its counts to the
 * result file and exits 0; exits 2 on any exception and 3 if the go file does not appear.
 *
 * <p>Arguments: store directory, disk id, worker name, ready file, go file, result file, seed.
 */
public final class TwoProcessWorker {
  static final int UPSERTS = 300;
  static final int SHARED_PATHS = 20;
  static final int CLAIMS = UPSERTS / 10;

  private TwoProcessWorker() {}

  public static void main(String[] args) throws Exception {
    Path storeDir = Path.of(args[0]);
    String diskId = args[1];
    String name = args[2];
    Path readyFile = Path.of(args[3]);
    Path goFile = Path.of(args[4]);
    Path resultFile = Path.of(args[5]);
    Random random = new Random(Long.parseLong(args[6]));
    try (DiskStore store = DiskStore.local(storeDir)) {
      Files.writeString(readyFile, "ready");
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (!Files.exists(goFile)) {
        if (System.nanoTime() > deadline) {
          System.err.println(name + ": no go file after 60 s");
          System.exit(3);
        }
        Thread.sleep(1);
      }
      long started = System.nanoTime();
      int own = 0;
      int shared = 0;
      List<Integer> wins = new ArrayList<>();
      List<Integer> losses = new ArrayList<>();
      for (int i = 0; i < UPSERTS; i++) {
        if (i % 10 == 0) {
          int claim = i / 10;
          try {
            store.disks().artifacts().upsert(
                diskId,
                FileUpload.of(claimFilename(claim), claimBytes(name)),
                "/claims/",
                Map.of("winner", name),
                Precondition.ifNoneMatch());
            wins.add(claim);
          } catch (PreconditionFailedException e) {
            losses.add(claim);
          }
        } else if (i % 3 == 0) {
          byte[] bytes = PseudoRandomInputStream.bytes(random.nextLong(), random.nextInt(32 * 1024));
          String filename = String.format(Locale.ROOT, "s-%02d.bin", random.nextInt(SHARED_PATHS));
          store.disks().artifacts().upsert(
              diskId, FileUpload.of(filename, bytes), "/shared/", Map.of("writer", name, "i", i));
          shared++;
        } else {
          byte[] bytes = ownBytes(name, i);
          // Half of them as streams of unknown length.
          try (InputStream in = new ByteArrayInputStream(bytes)) {
            FileUpload upload =
                i % 2 == 0 ? FileUpload.of(ownFilename(i), bytes) : FileUpload.of(ownFilename(i), in);
            store.disks().artifacts().upsert(
                diskId, upload, ownDirectory(name), Map.of("writer", name, "i", i));
          }
          own++;
        }
      }
      long millis = (System.nanoTime() - started) / 1_000_000;
      Path partial = resultFile.resolveSibling(resultFile.getFileName() + ".partial");
      Files.writeString(
          partial,
          "own=" + own + "\nshared=" + shared + "\nwins=" + join(wins) + "\nlosses=" + join(losses)
              + "\nmillis=" + millis + "\n",
          StandardCharsets.UTF_8);
      Files.move(partial, resultFile, StandardCopyOption.ATOMIC_MOVE);
    } catch (RuntimeException | IOException e) {
      e.printStackTrace();
      System.exit(2);
    }
    System.exit(0);
  }

  /** Whether upsert number {@code i} writes a path of the worker's own. */
  static boolean isOwn(int i) {
    return i % 10 != 0 && i % 3 != 0;
  }

  static String ownDirectory(String name) {
    return "/own/" + name + "/";
  }

  static String ownFilename(int i) {
    return String.format(Locale.ROOT, "f-%03d.bin", i);
  }

  /** The bytes of own upsert {@code i}: deterministic, 1 byte to 48 KiB. */
  static byte[] ownBytes(String name, int i) {
    return PseudoRandomInputStream.bytes(name.hashCode() * 1_000_003L + i, 1 + (i * 7919) % (48 << 10));
  }

  static String claimFilename(int claim) {
    return String.format(Locale.ROOT, "c-%02d.txt", claim);
  }

  static byte[] claimBytes(String winner) {
    return ("won by " + winner).getBytes(StandardCharsets.UTF_8);
  }

  private static String join(List<Integer> numbers) {
    return numbers.stream().map(String::valueOf).collect(Collectors.joining(","));
  }
}
