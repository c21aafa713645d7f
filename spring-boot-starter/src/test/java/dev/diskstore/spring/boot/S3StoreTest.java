package dev.diskstore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.StoreClosedException;
import dev.diskstore.s3.S3BlobBackend;
import dev.diskstore.spi.BlobBackend;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blobs in S3 (an in-process S3Proxy) from the diskstore.s3.* properties. */
class S3StoreTest {
  @TempDir Path dir;

  @Test
  void theBlobsGoToTheBucketUnderThePrefixAndReadBack() {
    String prefix = S3Proxies.newPrefix();
    AtomicReference<DiskStore> opened = new AtomicReference<>();
    Contexts.runner()
        .withPropertyValues("diskstore.directory=" + dir)
        .withPropertyValues(S3Proxies.properties(prefix))
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(BlobBackend.class)).isInstanceOf(S3BlobBackend.class);
          DiskStore store = context.getBean(DiskStore.class);
          opened.set(store);
          String diskId = store.disks().create().id();
          store.disks().artifacts().upsert(diskId, FileUpload.ofText("s3.txt", "in the bucket"));
          assertThat(LocalStoreTest.read(store, diskId, "/", "s3.txt")).isEqualTo("in the bucket");
        });

    assertThat(S3Proxies.keys(prefix)).as("the blob and the store's marker")
        .hasSizeGreaterThanOrEqualTo(2).allMatch(key -> key.startsWith(prefix));
    assertThat(dir.resolve("blobs")).doesNotExist();
    assertThatThrownBy(opened.get()::disks).isInstanceOf(StoreClosedException.class);
  }
}
