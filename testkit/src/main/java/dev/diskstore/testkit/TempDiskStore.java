package dev.diskstore.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Injects a fresh {@link dev.diskstore.DiskStore}, or a {@link dev.diskstore.Disk} of one, into a
 * JUnit 5 field or parameter (of type {@code DiskStore}, {@code Disk} or, for a directory store,
 * {@code java.nio.file.Path}), and closes and deletes it afterwards. The annotation registers {@link
 * DiskStoreExtension} itself.
 *
 * <pre>{@code
 * class NotesTest {
 *   @TempDiskStore DiskStore store;                          // a new in-memory store per test
 *   @TempDiskStore(seed = "fixtures/notes") Disk notes;      // a disk holding those files
 *
 *   @Test
 *   void readsANote(@TempDiskStore(value = Storage.DIRECTORY) DiskStore onDisk) { ... }
 * }
 * }</pre>
 *
 * <p><b>Scope.</b> A static field, or a parameter of a {@code @BeforeAll}/{@code @AfterAll} method,
 * gets one store for the whole class, closed after its last test; an instance field, or a
 * parameter of a test, {@code @BeforeEach} or {@code @AfterEach} method, gets one store per test,
 * closed after that test. Within one scope, every injection with the same {@link #value()} and
 * {@link #seed()} gets the same store (so a {@code DiskStore} field and a {@code Disk} field with
 * the same settings belong together, and a {@code @BeforeEach} parameter sees the store the test
 * sees); different settings get different stores.
 *
 * <p><b>Directories.</b> A {@code Path} annotated {@code @TempDiskStore(Storage.DIRECTORY)} is that
 * store's directory (index and blobs), e.g. to look at the files; it is deleted with the store.
 *
 * <p><b>Disks.</b> A {@code Disk} is the store's one extension-made disk: the seeded disk with a
 * {@link #seed()}, otherwise an empty disk created on first injection. A store injected without
 * any {@code Disk} and without a seed has no disks.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER})
@ExtendWith(DiskStoreExtension.class)
public @interface TempDiskStore {
  /** Where the store keeps its data; default {@link Storage#MEMORY}. */
  Storage value() default Storage.MEMORY;

  /**
   * A class-path folder, such as {@code "fixtures/notes"} for {@code
   * src/test/resources/fixtures/notes}: every file under it is uploaded into the store's disk at its
   * relative path ({@code a/b.md} becomes {@code /a/} + {@code b.md}), with its content type
   * detected from name and bytes and no user metadata. The folder must exist on the file system
   * (not inside a jar). Default: no seed.
   */
  String seed() default "";

  /** Where an injected store keeps its data. */
  enum Storage {
    /** {@link dev.diskstore.DiskStore#inMemory()}: blobs in memory, the index in a temp dir. */
    MEMORY,
    /**
     * {@link dev.diskstore.DiskStore#local(java.nio.file.Path)} on a fresh temporary directory,
     * deleted with everything in it after the scope; needs {@code diskstore-backend-local} on the
     * test class path.
     */
    DIRECTORY
  }
}
