package dev.diskstore.springai;

import java.util.List;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.ToolCallbackProvider;

/**
 * The provider behind {@link DiskStoreToolCallbacks#provider}: the same callbacks every time, each
 * time in a fresh array (Spring AI's {@code ToolCallbackProvider.from} hands out its own array, which
 * a caller could change). Immutable and thread-safe.
 */
final class DiskToolCallbackProvider implements ToolCallbackProvider {
  private final List<ToolCallback> callbacks;

  DiskToolCallbackProvider(List<ToolCallback> callbacks) {
    this.callbacks = List.copyOf(callbacks);
  }

  @Override
  public ToolCallback[] getToolCallbacks() {
    return callbacks.toArray(new ToolCallback[0]);
  }

  @Override
  public String toString() {
    return "DiskToolCallbackProvider" + callbacks;
  }
}
