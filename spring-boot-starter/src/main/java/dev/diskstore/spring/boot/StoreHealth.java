package dev.diskstore.spring.boot;

import dev.diskstore.DiskStore;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The check behind the health indicators of both Spring Boot lines: {@link DiskStore#ping()}, one
 * read of the index and one {@code stat} of a probe key in the backend. Nothing is listed, read in
 * bulk or verified, so a check costs two round trips; an unreachable S3 endpoint makes it last up
 * to the backend's call timeout (30 s by default).
 *
 * @param up whether the store answered
 * @param details the project id and what the store is (index and backend, without credentials)
 * @param error why the store did not answer
 */
record StoreHealth(boolean up, Map<String, Object> details, @Nullable Exception error) {
  StoreHealth {
    details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  /** Checks the store now. Never throws for a store failure, which is reported as down. */
  static StoreHealth check(DiskStore store) {
    Objects.requireNonNull(store, "store");
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("store", store.toString());
    try {
      store.ping();
      details.put("projectId", store.projectId());
      return new StoreHealth(true, details, null);
    } catch (RuntimeException e) {
      return new StoreHealth(false, details, e);
    }
  }
}
