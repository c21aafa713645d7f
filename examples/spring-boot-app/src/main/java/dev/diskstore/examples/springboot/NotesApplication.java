package dev.diskstore.examples.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot application with DiskStore: {@code diskstore-spring-boot-starter} opens the {@code
 * DiskStore} bean from {@code application.properties} ({@code diskstore.directory} and the history
 * to keep), {@link StartupNotes} uses it when the application starts, and the store is closed with
 * the context.
 *
 * <p>Run it from the repository root with
 *
 * <pre>{@code
 * mvn -q -pl examples/spring-boot-app -am -Dmaven.test.skip=true package exec:java
 * }</pre>
 *
 * <p>The store lives in {@code spring-boot-app-data} under the working directory; {@code
 * --diskstore.directory=DIR} (or {@code -Dexec.args=--diskstore.directory=DIR} with Maven) puts it
 * elsewhere, as any Spring property.
 */
@SpringBootApplication
public class NotesApplication {

  public static void main(String[] args) {
    // a job, not a server: the runner does its work while the context starts, then closing the
    // context closes the store
    SpringApplication.exit(SpringApplication.run(NotesApplication.class, args));
  }
}
