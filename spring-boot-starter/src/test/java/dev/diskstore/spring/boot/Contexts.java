package dev.diskstore.spring.boot;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DeferredImportSelector;
import org.springframework.context.annotation.Import;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.util.ClassUtils;

/**
 * Context runners for the tests, with the starter's auto-configurations as an application gets
 * them: their names read from its {@code AutoConfiguration.imports} (so the file is tested too) and
 * imported by name after the application's own beans, so that Spring reads their conditions from
 * the class files without loading the classes, as it does in an application. Only the starter's,
 * unless a test adds Spring Boot's.
 */
final class Contexts {
  private Contexts() {}

  /** A runner with the starter's auto-configurations and nothing else. */
  static ApplicationContextRunner runner() {
    return new ApplicationContextRunner().withUserConfiguration(StarterByName.class);
  }

  /** Imports the starter's auto-configurations by name, after the other configurations. */
  @Configuration(proxyBeanMethods = false)
  @Import(StarterByName.Selector.class)
  static class StarterByName {
    static class Selector implements DeferredImportSelector {
      @Override
      public String[] selectImports(AnnotationMetadata importingClass) {
        return ImportCandidates.load(AutoConfiguration.class, Contexts.class.getClassLoader())
            .getCandidates().stream()
            .filter(name -> name.startsWith("dev.diskstore."))
            .toArray(String[]::new);
      }
    }
  }

  /**
   * Spring Boot's auto-configurations that make the health endpoint and JMX (whichever line's are
   * on the class path), as an application with Actuator has them.
   */
  static Class<?>[] bootHealthAutoConfigurations() {
    ClassLoader loader = Contexts.class.getClassLoader();
    List<Class<?>> classes = new ArrayList<>();
    for (String name : ImportCandidates.load(AutoConfiguration.class, loader)) {
      boolean wanted = name.endsWith(".JmxAutoConfiguration")
          || name.endsWith(".EndpointAutoConfiguration")
          || name.endsWith(".JmxEndpointAutoConfiguration")
          || name.contains(".health.") && !name.contains("Reactive") && !name.contains("Probes")
              && !name.contains("Availability") && !name.contains("Ssl");
      if (wanted) {
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
