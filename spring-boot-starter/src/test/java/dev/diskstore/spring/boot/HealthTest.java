package dev.diskstore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.DiskStore;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The health indicator, on whichever Spring Boot line the tests run: Boot 3 has it in {@code
 * org.springframework.boot.actuate.health}, Boot 4 in {@code
 * org.springframework.boot.health.contributor}, so these tests reach {@code health()}, {@code
 * getStatus()} and {@code getDetails()}, which both lines have, by reflection.
 */
class HealthTest {
  @TempDir Path dir;

  ApplicationContextRunner runner() {
    return Contexts.runner().withPropertyValues("diskstore.directory=" + dir);
  }

  @Test
  void anOpenStoreIsUpWithItsProjectIdAndWhatItIs() {
    runner().run(context -> {
      assertThat(context).hasNotFailed().hasBean("diskStoreHealthIndicator");
      Object indicator = context.getBean("diskStoreHealthIndicator");
      // the indicator of this line (by name: the other line's class does not compile here)
      assertThat(indicator.getClass().getSimpleName()).isEqualTo(
          SpringBootVersion.getVersion().startsWith("3.")
              ? "ActuatorHealthIndicator" : "ContributorHealthIndicator");
      Object health = health(indicator);
      assertThat(status(health)).isEqualTo("UP");
      DiskStore store = context.getBean(DiskStore.class);
      assertThat(details(health))
          .containsEntry("projectId", store.projectId())
          .containsEntry("store", store.toString());
    });
  }

  @Test
  void aClosedStoreIsDownWithTheError() {
    runner().run(context -> {
      context.getBean(DiskStore.class).close();
      Object health = health(context.getBean("diskStoreHealthIndicator"));
      assertThat(status(health)).isEqualTo("DOWN");
      assertThat(details(health).get("error")).asString().contains("StoreClosedException");
    });
  }

  @Test
  void withoutSpringBootsHealthSupportThereIsNoIndicator() {
    runner()
        .withClassLoader(new FilteredClassLoader(HealthTest::isHealthSupport))
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(DiskStore.class)
            .doesNotHaveBean("diskStoreHealthIndicator"));
  }

  @Test
  void managementHealthDiskstoreEnabledFalseTurnsItOff() {
    runner().withPropertyValues("management.health.diskstore.enabled=false")
        .run(context -> assertThat(context).hasNotFailed()
            .doesNotHaveBean("diskStoreHealthIndicator"));
  }

  @Test
  void anApplicationIndicatorOfTheSameNameWins() {
    Object mine = new Object();
    runner().withBean("diskStoreHealthIndicator", Object.class, () -> mine)
        .run(context -> assertThat(context.getBean("diskStoreHealthIndicator")).isSameAs(mine));
  }

  @Test
  void theHealthEndpointReportsTheStore() {
    // Spring Boot's endpoint and health auto-configurations, as an application with Actuator has
    // them; the endpoint is exposed over JMX because this context has no web server
    Contexts.runner()
        .withConfiguration(AutoConfigurations.of(Contexts.bootHealthAutoConfigurations()))
        .withPropertyValues("diskstore.directory=" + dir, "spring.jmx.enabled=true",
            "management.endpoints.jmx.exposure.include=health",
            "management.endpoint.health.show-details=always")
        .run(context -> {
          assertThat(context).hasNotFailed().hasBean("healthEndpoint");
          Object endpoint = context.getBean("healthEndpoint");
          Object health = endpoint.getClass().getMethod("health").invoke(endpoint);
          assertThat(status(health)).isEqualTo("UP");
          Map<String, Object> components = map(health, "getComponents");
          assertThat(components).containsKey("diskStore");
          assertThat(status(components.get("diskStore"))).isEqualTo("UP");
        });
  }

  /**
   * Whether a class or class file is Spring Boot's health support, on either line. Class files too:
   * conditions are read from them without loading the class.
   */
  static boolean isHealthSupport(String name) {
    String dotted = name.replace('/', '.');
    return dotted.startsWith("org.springframework.boot.actuate.")
        || dotted.startsWith("org.springframework.boot.health.");
  }

  static Object health(Object indicator) throws Exception {
    Method health = indicator.getClass().getMethod("health");
    return health.invoke(indicator);
  }

  static String status(Object health) throws Exception {
    Object status = health.getClass().getMethod("getStatus").invoke(health);
    return (String) status.getClass().getMethod("getCode").invoke(status);
  }

  static Map<String, Object> details(Object health) throws Exception {
    return map(health, "getDetails");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object health, String getter) throws Exception {
    return (Map<String, Object>) health.getClass().getMethod(getter).invoke(health);
  }
}
