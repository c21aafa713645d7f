package dev.diskstore.tika;

import java.util.function.UnaryOperator;
import dev.diskstore.local.LocalBlobBackend;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.DiskStore;
import dev.diskstore.testkit.DiskStoreContract;
import java.nio.file.Path;

/**
 * The whole store contract with this module on the class path: {@link DiskStore#local(Path)}
 * discovers {@link TikaContentParser} and {@link TikaContentTypeDetector} through {@code
 * META-INF/services}, and every behaviour the contract pins down for the built-in content handling
 * (types of common files, declared types, text/JSON/CSV/code content, truncation, binaries) stays
 * the same.
 */
class TikaDiskStoreContractTest extends DiskStoreContract {

  @Override
  protected DiskStore openStore(Path directory) {
    return DiskStore.local(directory);
  }

  @Override
  protected DiskStore openStore(Path directory, UnaryOperator<DiskStoreConfig.Builder> tuning) {
    return DiskStore.open(tuning.apply(DiskStoreConfig.builder()
        .directory(directory)
        .backend(LocalBlobBackend.at(directory.resolve("blobs")))
        .contentParser(new TikaContentParser())
        .contentTypeDetector(new TikaContentTypeDetector())).build());
  }
}
