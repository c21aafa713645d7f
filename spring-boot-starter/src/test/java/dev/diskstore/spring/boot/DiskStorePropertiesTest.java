package dev.diskstore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.History;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How the properties map onto the store's settings, without a context. */
class DiskStorePropertiesTest {
  @Test
  void historyPropertiesMapOntoTheStoresPolicy() {
    Duration week = Duration.ofDays(7);
    assertThat(new DiskStoreProperties.History(null, null).toHistory()).isEqualTo(History.DEFAULT);
    assertThat(new DiskStoreProperties.History(0, null).toHistory()).isEqualTo(History.off());
    assertThat(new DiskStoreProperties.History(3, null).toHistory())
        .isEqualTo(History.keepLast(3));
    assertThat(new DiskStoreProperties.History(null, week).toHistory())
        .isEqualTo(History.keepFor(week));
    assertThat(new DiskStoreProperties.History(3, week).toHistory())
        .isEqualTo(History.keep(3, week));
    assertThat(new DiskStoreProperties.History(Integer.MAX_VALUE, null).toHistory())
        .isEqualTo(History.unlimited());
  }

  @Test
  void toStringLeavesOutPasswordsAndSecretKeys() {
    DiskStoreProperties properties = new DiskStoreProperties(null, null, null, null, null,
        new DiskStoreProperties.S3("b", "", "eu-west-1", null, false, "AKIA1234", "s3-secret",
            null),
        new DiskStoreProperties.Postgres("jdbc:postgresql://db/app", "app", "pg-secret",
            "diskstore", 10),
        null);
    assertThat(properties.toString()).contains("AKIA1234", "jdbc:postgresql://db/app")
        .doesNotContain("s3-secret", "pg-secret");
  }

  @Test
  void blankValuesMeanUnset() {
    DiskStoreProperties properties = new DiskStoreProperties(null, null, " ", null, null,
        new DiskStoreProperties.S3(" ", null, null, null, false, null, null, null),
        new DiskStoreProperties.Postgres("", null, null, null, 10),
        new DiskStoreProperties.Tools(""));
    assertThat(properties.findProjectId()).isEmpty();
    assertThat(properties.s3().isConfigured()).isFalse();
    assertThat(properties.postgres().isConfigured()).isFalse();
    assertThat(properties.tools().diskId()).isNull();
    assertThat(properties.history().toHistory()).isEqualTo(History.DEFAULT);
    assertThat(properties.urlServer().port()).isZero();
  }
}
