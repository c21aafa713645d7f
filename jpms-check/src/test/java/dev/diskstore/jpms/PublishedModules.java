package dev.diskstore.jpms;

import static java.util.stream.Collectors.toMap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What each published jar is as a Java module, as the README's "Java modules (JPMS)" section
 * documents it, and where the build put the jars (system properties set by this module's pom).
 */
final class PublishedModules {
  /**
   * One published artifact: its module name and the packages it exports. A module with a {@code
   * module-info} exports {@code exports} and nothing else; an automatic module (a stable {@code
   * Automatic-Module-Name} in its manifest, for jars whose framework has no module name) exports
   * every package it has, so {@code exports} is then all its packages.
   */
  record Published(String artifactId, String moduleName, boolean automatic, Set<String> exports) {}

  /** Every module of the BOM; {@code ModuleDescriptorsIT} checks that the two lists agree. */
  static final List<Published> ALL = List.of(
      descriptor("diskstore-core", "dev.diskstore.core",
          "dev.diskstore", "dev.diskstore.spi", "dev.diskstore.spi.index", "dev.diskstore.memory",
          "dev.diskstore.index.sqlite"),
      descriptor("diskstore-backend-local", "dev.diskstore.backend.local", "dev.diskstore.local"),
      descriptor("diskstore-backend-s3", "dev.diskstore.backend.s3", "dev.diskstore.s3"),
      descriptor("diskstore-index-postgres", "dev.diskstore.index.postgres",
          "dev.diskstore.postgres"),
      descriptor("diskstore-content-parsers", "dev.diskstore.content.parsers",
          "dev.diskstore.tika"),
      descriptor("diskstore-agent-tools", "dev.diskstore.agent.tools", "dev.diskstore.agent"),
      automatic("diskstore-langchain4j", "dev.diskstore.langchain4j", "dev.diskstore.langchain4j"),
      automatic("diskstore-spring-ai", "dev.diskstore.spring.ai", "dev.diskstore.springai"),
      automatic("diskstore-adk", "dev.diskstore.adk", "dev.diskstore.adk"),
      automatic("diskstore-spring-boot-starter", "dev.diskstore.spring.boot.starter",
          "dev.diskstore.spring.boot"),
      descriptor("diskstore-server", "dev.diskstore.server", "dev.diskstore.server"),
      descriptor("diskstore-mcp", "dev.diskstore.mcp", "dev.diskstore.mcp"),
      descriptor("diskstore-cli", "dev.diskstore.cli", "dev.diskstore.cli"),
      descriptor("diskstore-testkit", "dev.diskstore.testkit", "dev.diskstore.testkit"),
      automatic("diskstore-testkit-postgres", "dev.diskstore.testkit.postgres",
          "dev.diskstore.testkit.postgres"));

  static final Map<String, Published> BY_ARTIFACT =
      ALL.stream().collect(toMap(Published::artifactId, Function.identity(), (a, b) -> a,
          LinkedHashMap::new));

  private PublishedModules() {}

  /** The repository's root directory. */
  static Path root() {
    return Path.of(System.getProperty("diskstore.root")).toAbsolutePath().normalize();
  }

  /**
   * The module path: every published jar and its run-time dependencies, as resolved by Maven
   * (dependency:build-classpath, run before the integration tests).
   */
  static List<Path> modulePath() {
    try {
      String text = Files.readString(Path.of(System.getProperty("jpms.modulePath"))).strip();
      return Arrays.stream(text.split(java.io.File.pathSeparator)).map(Path::of).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The packaged jar of one published artifact, on the module path. */
  static Path jar(String artifactId) {
    String name = artifactId + "-" + System.getProperty("jpms.version") + ".jar";
    return modulePath().stream()
        .filter(p -> p.getFileName().toString().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " is not on the module path, "
            + System.getProperty("jpms.modulePath")));
  }

  /** A scratch directory of its own under target/jpms for one test. */
  static Path work(String name) throws IOException {
    Path dir = Path.of(System.getProperty("jpms.work")).resolve(name);
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted((a, b) -> b.compareTo(a)).toList()) {
          Files.delete(p);
        }
      }
    }
    return Files.createDirectories(dir);
  }

  private static Published descriptor(String artifactId, String moduleName, String... exports) {
    return new Published(artifactId, moduleName, false, Set.of(exports));
  }

  private static Published automatic(String artifactId, String moduleName, String... packages) {
    return new Published(artifactId, moduleName, true, Set.of(packages));
  }
}
