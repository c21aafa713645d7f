package dev.diskstore.internal;

import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Keeps SLF4J quiet when the application has no SLF4J provider.
 *
 * <p>The download server's Jetty brings {@code slf4j-api} onto the class path. Without a provider
 * (logback, log4j-slf4j2-impl, slf4j-simple, ...), SLF4J 2 prints a three-line "No SLF4J providers
 * were found" notice to stderr the first time any library asks it for a logger: Jetty when the
 * first URL is signed, and sqlite-jdbc, which logs through SLF4J whenever {@code slf4j-api} is
 * present, when the store opens its index. Calling {@link #quietSlf4jWithoutProvider()} before that
 * makes SLF4J start with the same no-operation provider it would fall back to, silently.
 *
 * <p>Thread-safe; the store calls it when it opens, before its first SQLite connection. Does its
 * work once per JVM.
 */
final class QuietSlf4j {
  private static final String PROVIDER_PROPERTY = "slf4j.provider";
  private static final String VERBOSITY_PROPERTY = "slf4j.internal.verbosity";

  private static volatile boolean done;

  private QuietSlf4j() {}

  /**
   * When no SLF4J provider is on the class path, lets SLF4J initialise with its no-operation
   * provider without printing its notice.
   *
   * <p>SLF4J offers no API for this, only system properties it reads once, when it initialises: so
   * this sets {@code slf4j.provider} to SLF4J's own {@code NOP_FallbackServiceProvider} (the
   * provider it would fall back to anyway) and {@code slf4j.internal.verbosity} to {@code WARN}
   * (else SLF4J reports at INFO that it loads the named provider), initialises SLF4J, and removes
   * both properties again: the JVM keeps no setting of the store's. Nothing is done when the
   * application set either property, when a provider is present (its logging stays as configured),
   * or when an SLF4J 1.7 binding is present (SLF4J's warning that it ignores it is worth seeing).
   * If SLF4J was already initialised, the properties have no effect. No log is lost that SLF4J
   * would not have dropped: without a provider every SLF4J logger is a no-op.
   */
  static void quietSlf4jWithoutProvider() {
    if (done) {
      return;
    }
    done = true;
    if (System.getProperty(PROVIDER_PROPERTY) != null
        || System.getProperty(VERBOSITY_PROPERTY) != null) {
      return;
    }
    ClassLoader loader = LoggerFactory.class.getClassLoader();
    if (loader == null) {
      loader = ClassLoader.getSystemClassLoader();
    }
    try {
      if (ServiceLoader.load(SLF4JServiceProvider.class, loader).stream().findAny().isPresent()
          || loader.getResource("org/slf4j/impl/StaticLoggerBinder.class") != null) {
        return;
      }
    } catch (ServiceConfigurationError e) {
      return; // a broken provider entry: SLF4J reports it itself
    }
    System.setProperty(PROVIDER_PROPERTY, "org.slf4j.helpers.NOP_FallbackServiceProvider");
    System.setProperty(VERBOSITY_PROPERTY, "WARN");
    try {
      LoggerFactory.getILoggerFactory();
    } finally {
      System.clearProperty(PROVIDER_PROPERTY);
      System.clearProperty(VERBOSITY_PROPERTY);
    }
  }
}
