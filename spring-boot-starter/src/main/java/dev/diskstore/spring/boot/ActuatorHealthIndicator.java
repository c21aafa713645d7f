package dev.diskstore.spring.boot;

import dev.diskstore.DiskStore;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * The store's health on Spring Boot 3 (Actuator's {@code org.springframework.boot.actuate.health}):
 * {@link StoreHealth#check}. Thread-safe; does not own the store.
 */
final class ActuatorHealthIndicator implements HealthIndicator {
  private final DiskStore store;

  ActuatorHealthIndicator(DiskStore store) {
    this.store = store;
  }

  @Override
  public Health health() {
    StoreHealth check = StoreHealth.check(store);
    Health.Builder health = check.error() == null ? Health.up() : Health.down(check.error());
    return health.withDetails(check.details()).build();
  }
}
