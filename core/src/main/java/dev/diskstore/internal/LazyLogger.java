package dev.diskstore.internal;

import java.util.ResourceBundle;
import java.util.function.Supplier;

/**
 * A {@link System.Logger} that looks up the real logger on first use. {@code System.getLogger}
 * starts the platform's logging (a few milliseconds) when it is called, and the store only logs
 * warnings, so opening a store should not pay for it. Thread-safe.
 */
final class LazyLogger implements System.Logger {
  private final String name;
  private volatile System.@org.jspecify.annotations.Nullable Logger delegate;

  LazyLogger(String name) {
    this.name = name;
  }

  private System.Logger delegate() {
    System.Logger d = delegate;
    if (d == null) {
      d = System.getLogger(name);
      delegate = d;
    }
    return d;
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public boolean isLoggable(Level level) {
    return delegate().isLoggable(level);
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
    delegate().log(level, bundle, msg, thrown);
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String format, Object... params) {
    delegate().log(level, bundle, format, params);
  }

  @Override
  public void log(Level level, Supplier<String> msgSupplier) {
    delegate().log(level, msgSupplier);
  }
}
