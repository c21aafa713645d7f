package dev.diskstore.spring.boot;

import dev.diskstore.DiskStore;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A health indicator for the {@link DiskStore} bean, {@code diskStoreHealthIndicator} (shown as
 * {@code diskStore} in {@code /actuator/health}), when Spring Boot's health support is on the class
 * path and {@code management.health.diskstore.enabled} is not {@code false}. It reports the store
 * up when {@link DiskStore#ping()} answers (one read of the index, one {@code stat} in the backend;
 * never a listing or a verification), with the project id and what the store is as details, and
 * down with the error otherwise, for example once the store is closed.
 *
 * <p>Spring Boot 4 moved health indicators from {@code org.springframework.boot.actuate.health} to
 * {@code org.springframework.boot.health.contributor}. One nested configuration serves each line,
 * each guarded by a class that only its line has, so that the same jar works on 3.5 and 4.0. An
 * application bean named {@code diskStoreHealthIndicator} replaces the indicator.
 */
@AutoConfiguration(after = DiskStoreAutoConfiguration.class)
@ConditionalOnBean(DiskStore.class)
public final class DiskStoreHealthAutoConfiguration {

  /** Spring Boot 3: the indicator in Actuator's {@code org.springframework.boot.actuate.health}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "org.springframework.boot.actuate.health.HealthIndicator",
        "org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator"
      })
  @org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator(
      "diskstore")
  static class ActuatorHealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "diskStoreHealthIndicator")
    org.springframework.boot.actuate.health.HealthIndicator diskStoreHealthIndicator(
        DiskStore store) {
      return new ActuatorHealthIndicator(store);
    }
  }

  /** Spring Boot 4: the indicator in {@code org.springframework.boot.health.contributor}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "org.springframework.boot.health.contributor.HealthIndicator",
        "org.springframework.boot.health.autoconfigure.contributor"
            + ".ConditionalOnEnabledHealthIndicator"
      })
  @org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator(
      "diskstore")
  static class HealthContributorConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "diskStoreHealthIndicator")
    org.springframework.boot.health.contributor.HealthIndicator diskStoreHealthIndicator(
        DiskStore store) {
      return new ContributorHealthIndicator(store);
    }
  }
}
