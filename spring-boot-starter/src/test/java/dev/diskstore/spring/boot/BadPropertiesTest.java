package dev.diskstore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.DiskStore;
import dev.diskstore.StoreClosedException;
import dev.diskstore.memory.InMemoryBlobBackend;
import dev.diskstore.spi.BlobBackend;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A misconfiguration fails the context when it starts, with a message that names the property, and
 * leaves nothing open.
 */
class BadPropertiesTest {
  @TempDir Path dir;

  @Test
  void noDirectoryAndNoOtherIndexNamesTheDirectoryProperty() {
    Contexts.runner().run(context -> {
      assertThat(context).hasFailed();
      assertThat(Contexts.messages(context.getStartupFailure()))
          .contains("diskstore.directory").contains("required");
    });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "diskstore.history.keep-last=-1              | diskstore.history.keep-last",
    "diskstore.history.keep-last=many            | diskstore.history.keep-last",
    "diskstore.history.max-age=soon              | diskstore.history.max-age",
    "diskstore.history.max-age=-1d               | diskstore.history.max-age",
    "diskstore.url-server.port=70000             | diskstore.url-server.port",
    "diskstore.postgres.pool-size=0              | diskstore.postgres.pool-size",
    "diskstore.postgres.url=jdbc:mysql://db/app  | diskstore.postgres.url",
    "diskstore.s3.access-key=AKIA1234            | diskstore.s3.secret-key",
    "diskstore.s3.endpoint=::not a uri           | diskstore.s3.endpoint",
    "diskstore.tools.disk-id=no-such-disk        | diskstore.tools.disk-id",
  })
  void aBadValueNamesItsProperty(String setting, String named) {
    Contexts.runner()
        .withPropertyValues("diskstore.directory=" + dir, setting)
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(Contexts.messages(context.getStartupFailure())).contains(named);
        });
  }

  @Test
  void aBadSchemaNameNamesTheSchemaProperty() {
    Contexts.runner()
        .withPropertyValues("diskstore.postgres.url=jdbc:postgresql://127.0.0.1:1/nothing",
            "diskstore.postgres.schema=Not-Valid")
        .withBean(BlobBackend.class, InMemoryBlobBackend::new)
        .run(context -> assertThat(Contexts.messages(context.getStartupFailure()))
            .contains("diskstore.postgres.schema"));
  }

  @Test
  void historyOffWithAnAgeNamesTheAge() {
    Contexts.runner()
        .withPropertyValues("diskstore.directory=" + dir, "diskstore.history.keep-last=0",
            "diskstore.history.max-age=1d")
        .run(context -> assertThat(Contexts.messages(context.getStartupFailure()))
            .contains("diskstore.history.max-age").contains("keep-last=0"));
  }

  @Test
  void aBucketWithoutTheS3ModuleSaysWhichModuleToAdd() {
    Contexts.runner()
        .withClassLoader(new FilteredClassLoader("dev.diskstore.s3."))
        .withPropertyValues("diskstore.directory=" + dir, "diskstore.s3.bucket=b",
            "diskstore.s3.region=eu-west-1")
        .run(context -> assertThat(Contexts.messages(context.getStartupFailure()))
            .contains("diskstore.s3.bucket").contains("diskstore-backend-s3"));
  }

  @Test
  void aPostgresUrlWithoutTheIndexModuleSaysWhichModuleToAdd() {
    Contexts.runner()
        .withClassLoader(new FilteredClassLoader("dev.diskstore.postgres."))
        .withPropertyValues("diskstore.directory=" + dir,
            "diskstore.postgres.url=jdbc:postgresql://db/app")
        .run(context -> assertThat(Contexts.messages(context.getStartupFailure()))
            .contains("diskstore.postgres.url").contains("diskstore-index-postgres"));
  }

  @Test
  void aPostgresIndexWithoutABucketAsksForOne() {
    Contexts.runner()
        .withPropertyValues("diskstore.directory=" + dir,
            "diskstore.postgres.url=jdbc:postgresql://127.0.0.1:1/nothing")
        .run(context -> assertThat(Contexts.messages(context.getStartupFailure()))
            .contains("diskstore.s3.bucket").contains("diskstore.postgres.url"));
  }

  @Test
  void aBucketNeedsARegionAndNoBlobsDirectory() {
    Contexts.runner()
        .withPropertyValues("diskstore.directory=" + dir, "diskstore.s3.bucket=b")
        .run(context -> assertThat(Contexts.messages(context.getStartupFailure()))
            .contains("diskstore.s3.region"));
    Contexts.runner()
        .withPropertyValues("diskstore.directory=" + dir, "diskstore.s3.bucket=b",
            "diskstore.s3.region=eu-west-1", "diskstore.blobs-directory=" + dir)
        .run(context -> assertThat(Contexts.messages(context.getStartupFailure()))
            .contains("diskstore.blobs-directory").contains("diskstore.s3.bucket"));
  }

  @Test
  void aBadKeyPrefixIsReportedUnderTheS3Properties() {
    Contexts.runner()
        .withPropertyValues("diskstore.directory=" + dir, "diskstore.s3.bucket=b",
            "diskstore.s3.region=eu-west-1", "diskstore.s3.prefix=/absolute")
        .run(context -> assertThat(Contexts.messages(context.getStartupFailure()))
            .contains("diskstore.s3").contains("keyPrefix"));
  }

  @Test
  void secretsStayOutOfTheMessages() {
    Contexts.runner()
        .withPropertyValues("diskstore.directory=" + dir, "diskstore.s3.bucket=b",
            "diskstore.s3.region=eu-west-1", "diskstore.s3.prefix=/absolute",
            "diskstore.s3.access-key=AKIA1234", "diskstore.s3.secret-key=very-secret")
        .run(context -> assertThat(Contexts.messages(context.getStartupFailure()))
            .contains("diskstore.s3").doesNotContain("very-secret"));
  }

  @Test
  void aStoreOpenedBeforeTheFailureIsClosed() {
    AtomicReference<DiskStore> opened = new AtomicReference<>();
    Capture.store = opened;
    Contexts.runner()
        .withPropertyValues("diskstore.directory=" + dir, "diskstore.tools.disk-id=no-such-disk")
        .withUserConfiguration(Capture.class)
        .run(context -> assertThat(context).hasFailed());
    assertThat(opened.get()).as("the store was opened").isNotNull();
    assertThatThrownBy(opened.get()::disks).isInstanceOf(StoreClosedException.class);
  }

  /** Takes hold of the store as soon as it is created. */
  @Configuration(proxyBeanMethods = false)
  static class Capture {
    static AtomicReference<DiskStore> store;

    @Bean
    String storeCapture(DiskStore diskStore) {
      store.set(diskStore);
      return "captured";
    }
  }
}
