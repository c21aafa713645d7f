package dev.diskstore.spring.boot;

import dev.diskstore.DiskStore;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The store's health on Spring Boot 4 ({@code org.springframework.boot.health.contributor}): {@link
 * StoreHealth#check}. Compiled against {@code spring-boot-health} 4.0, loaded only on that line.
 * Thread-safe; does not own the store.
 */
final class ContributorHealthIndicator implements HealthIndicator {
  private final DiskStore store;

  ContributorHealthIndicator(DiskStore store) {
    this.store = store;
  }

  @Override
  public Health health() {
    StoreHealth check = StoreHealth.check(store);
    Health.Builder health = check.error() == null ? Health.up() : Health.down(check.error());
    return health.withDetails(check.details()).build();
  }
}
