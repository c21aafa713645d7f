package dev.diskstore.internal;

import dev.diskstore.Disks;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.Maintenance;
import java.util.concurrent.Executor;

/** The store implementation behind {@link dev.diskstore.DiskStore}. (Being written.) */
public final class Engine implements AutoCloseable {
  public static Engine open(DiskStoreConfig config) {
    throw new IllegalStateException("engine not written yet");
  }

  public String projectId() {
    throw new IllegalStateException();
  }

  public void ping() {}

  public Disks disks() {
    throw new IllegalStateException();
  }

  public Maintenance maintenance() {
    throw new IllegalStateException();
  }

  public Executor defaultExecutor() {
    throw new IllegalStateException();
  }

  @Override
  public void close() {}
}
