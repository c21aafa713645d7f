package dev.diskstore.spring.boot;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.ClassUtils;

/**
 * Context runners for the tests, with the starter's auto-configurations as an application gets
 * them: read from its {@code AutoConfiguration.imports}, so the file is tested too. Only the
 * starter's own, unless a test adds Spring Boot's.
 */
final class Contexts {
  private Contexts() {}

  /** A runner with the starter's auto-configurations and nothing else. */
  static ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(autoConfigurations("dev.diskstore.")));
  }

  /** The auto-configurations listed on the class path whose names start with {@code prefix}. */
  static Class<?>[] autoConfigurations(String prefix) {
    ClassLoader loader = Contexts.class.getClassLoader();
    List<Class<?>> classes = new ArrayList<>();
    for (String name : ImportCandidates.load(AutoConfiguration.class, loader)) {
      if (name.startsWith(prefix)) {
        classes.add(ClassUtils.resolveClassName(name, loader));
      }
    }
    return classes.toArray(new Class<?>[0]);
  }

  /** Every message of {@code failure} and its causes, one per line, to look for a property. */
  static String messages(Throwable failure) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      text.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
      if (t.getCause() == t) {
        break;
      }
    }
    return text.toString();
  }
}
