package dev.diskstore.index.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Liveness by lock files on a real directory (issue 11, item 2). */
class LockFileLivenessTest {
  @TempDir Path dir;

  /**
   * Another process's cleaner can find a new owner's lock file before it is locked, take it for
   * dead and delete it. The owner must not go on holding a lock on an unlinked file (invisible to
   * every other process, so its writes would be collected as abandoned): it notices and starts over.
   */
  @Test
  void aLockFileDeletedBeforeItWasLockedIsReplaced() {
    List<Path> deleted = new ArrayList<>();
    try (LockFileLiveness owner =
        new LockFileLiveness(
            dir,
            file -> {
              if (deleted.size() < 3) { // as a cleaner in another process would
                try {
                  Files.delete(file);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
                deleted.add(file);
              }
            })) {
      assertThat(deleted).hasSize(3);
      Path lockFile = dir.resolve("owners").resolve(owner.id() + ".lock");
      assertThat(lockFile).exists();
      assertThat(deleted).doesNotContain(lockFile);
    }
  }

  @Test
  void aDeadOwnersFileIsDeletedOnlyWhileItsLockIsHeldAndALiveOwnerIsNeverTakenForDead()
      throws IOException {
    Path owners = dir.resolve("owners");
    try (LockFileLiveness live = new LockFileLiveness(dir)) {
      String dead = "0123456789abcdef0123456789abcdef";
      Files.writeString(owners.resolve(dead + ".lock"), "");
      assertThat(live.isAlive(dead)).isFalse();
      assertThat(live.isAlive(live.id())).isTrue();
      // a file locked by someone (here: this test, standing in for another process) is alive for
      // the cleaner, which must not delete it
      String locked = "fedcba9876543210fedcba9876543210";
      try (FileChannel channel =
              FileChannel.open(owners.resolve(locked + ".lock"), StandardOpenOption.CREATE_NEW,
                  StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        live.forgetDead();
        assertThat(owners.resolve(locked + ".lock")).exists();
        assertThat(lock.isValid()).isTrue();
      }
      assertThat(owners.resolve(dead + ".lock")).doesNotExist();
      assertThat(owners.resolve(live.id() + ".lock")).exists();
    }
    assertThat(Files.list(owners).map(p -> p.getFileName().toString()))
        .containsExactly("fedcba9876543210fedcba9876543210.lock");
  }
}
