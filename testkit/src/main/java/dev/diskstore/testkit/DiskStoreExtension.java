package dev.diskstore.testkit;

import dev.diskstore.Disk;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreException;
import dev.diskstore.FileUpload;
import dev.diskstore.testkit.TempDiskStore.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects fresh {@link DiskStore}s and {@link Disk}s (and a {@code
 * DIRECTORY} store's {@link Path}) into fields and parameters and closes and deletes them
 * afterwards; see {@link TempDiskStore} for scopes, storage
 * and seeding. Registered by {@code @TempDiskStore} on a field or parameter, or by {@code
 * @ExtendWith(DiskStoreExtension.class)} on the class, in which case a {@code DiskStore} or {@code
 * Disk} parameter without the annotation gets the defaults (in memory, no seed).
 *
 * <p><b>Thread-safety.</b> Stateless: the stores live in JUnit's {@link ExtensionContext.Store},
 * keyed by scope and settings, created atomically, so tests may run in parallel ({@code
 * junit.jupiter.execution.parallel.enabled}); concurrent tests of one class share only its
 * class-scoped stores, which are thread-safe like every {@code DiskStore}.
 *
 * <p><b>Failures.</b> A field or parameter of another type, a final field, a missing or unreadable
 * seed folder and a {@code DIRECTORY} store without {@code diskstore-backend-local} fail the test
 * with an {@link ExtensionConfigurationException} or {@link ParameterResolutionException} that says
 * which.
 */
public final class DiskStoreExtension
    implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(DiskStoreExtension.class);

  /** The settings of an injection without {@code @TempDiskStore}. */
  private static final Settings DEFAULTS = new Settings(Storage.MEMORY, "");

  /** Created by JUnit: through {@code @TempDiskStore} or {@code @ExtendWith}. */
  public DiskStoreExtension() {}

  @Override
  public void beforeAll(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    for (Field field : annotatedFields(testClass)) {
      if (Modifier.isStatic(field.getModifiers())) {
        inject(field, null, context);
      }
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
      for (Field field : annotatedFields(instance.getClass())) {
        if (!Modifier.isStatic(field.getModifiers())) {
          inject(field, instance, context);
        }
      }
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext context) {
    Class<?> type = parameterContext.getParameter().getType();
    // a Path only with the annotation: plain Path parameters belong to others (@TempDir)
    return type == DiskStore.class || type == Disk.class
        || (type == Path.class && parameterContext.isAnnotated(TempDiskStore.class));
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
    Parameter parameter = parameterContext.getParameter();
    Settings settings =
        parameterContext.findAnnotation(TempDiskStore.class).map(Settings::of).orElse(DEFAULTS);
    try {
      return value(parameter.getType(), settings, context);
    } catch (RuntimeException e) {
      throw new ParameterResolutionException(
          "@TempDiskStore cannot provide parameter " + parameter + ": " + e.getMessage(), e);
    }
  }

  private static void inject(Field field, @Nullable Object instance, ExtensionContext context) {
    Class<?> type = field.getType();
    if (type != DiskStore.class && type != Disk.class && type != Path.class) {
      throw new ExtensionConfigurationException(
          "@TempDiskStore field " + field + " must be of type DiskStore, Disk or Path");
    }
    if (Modifier.isFinal(field.getModifiers())) {
      throw new ExtensionConfigurationException("@TempDiskStore field " + field + " must not be final");
    }
    Object value;
    try {
      value = value(type, Settings.of(field.getAnnotation(TempDiskStore.class)), context);
    } catch (RuntimeException e) {
      throw new ExtensionConfigurationException(
          "@TempDiskStore cannot provide field " + field + ": " + e.getMessage(), e);
    }
    try {
      field.setAccessible(true);
      field.set(instance, value);
    } catch (IllegalAccessException | RuntimeException e) {
      throw new ExtensionConfigurationException("cannot set @TempDiskStore field " + field, e);
    }
  }

  /** The scope's store for these settings (made on first use), its disk or its directory. */
  private static Object value(Class<?> type, Settings settings, ExtensionContext context) {
    // the scope's unique id is part of the key: a store lookup also sees the parent scopes' values,
    // and a per-test injection must not get the class's store
    Key key = new Key(context.getUniqueId(), settings);
    Class<?> testClass = context.getRequiredTestClass();
    ManagedStore managed =
        context.getStore(NAMESPACE).getOrComputeIfAbsent(
            key, k -> ManagedStore.open(settings, testClass), ManagedStore.class);
    if (type == Disk.class) {
      return managed.disk();
    }
    if (type == Path.class) {
      if (managed.directory == null) {
        throw new IllegalArgumentException(
            "a Path is the directory of a @TempDiskStore(Storage.DIRECTORY) store; this one is in"
                + " memory");
      }
      return managed.directory;
    }
    return managed.store;
  }

  private static List<Field> annotatedFields(Class<?> testClass) {
    List<Field> fields = new ArrayList<>();
    for (Class<?> c = testClass; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        if (field.isAnnotationPresent(TempDiskStore.class)) {
          fields.add(field);
        }
      }
    }
    return fields;
  }

  private record Settings(Storage storage, String seed) {
    static Settings of(TempDiskStore annotation) {
      return new Settings(annotation.value(), annotation.seed());
    }
  }

  private record Key(String scope, Settings settings) {}

  /**
   * One injected store and what to delete with it; JUnit closes it when its scope ends. Implements
   * the deprecated {@code CloseableResource} rather than {@code AutoCloseable} so that JUnit
   * versions before 5.13 (which close only the former) close it too.
   */
  @SuppressWarnings("deprecation")
  private static final class ManagedStore implements ExtensionContext.Store.CloseableResource {
    final DiskStore store;
    final @Nullable Path directory;
    private @Nullable Disk disk;

    private ManagedStore(DiskStore store, @Nullable Path directory) {
      this.store = store;
      this.directory = directory;
    }

    static ManagedStore open(Settings settings, Class<?> testClass) {
      Path seed = settings.seed().isEmpty() ? null : seedFolder(settings.seed(), testClass);
      ManagedStore managed = settings.storage() == Storage.MEMORY
          ? new ManagedStore(DiskStore.inMemory(), null)
          : onTemporaryDirectory();
      if (seed != null) {
        try {
          managed.seed(seed);
        } catch (RuntimeException e) {
          managed.close();
          throw e;
        }
      }
      return managed;
    }

    private static ManagedStore onTemporaryDirectory() {
      Path directory;
      try {
        directory = Files.createTempDirectory("diskstore-test-");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a temporary directory", e);
      }
      try {
        return new ManagedStore(DiskStore.local(directory), directory);
      } catch (DiskStoreException e) {
        deleteRecursively(directory);
        throw new DiskStoreException(
            "Storage.DIRECTORY needs dev.diskstore:diskstore-backend-local on the test class path"
                + " (" + e.getMessage() + ")", e);
      } catch (RuntimeException e) {
        deleteRecursively(directory);
        throw e;
      }
    }

    /** The extension's disk of this store, created on first call. */
    synchronized Disk disk() {
      if (disk == null) {
        disk = store.disks().create();
      }
      return disk;
    }

    private void seed(Path folder) {
      String diskId = disk().id();
      List<Path> files;
      try (Stream<Path> walk = Files.walk(folder)) {
        files = walk.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the seed folder " + folder, e);
      }
      for (Path file : files) {
        Path relative = folder.relativize(file);
        StringBuilder directory = new StringBuilder("/");
        for (int i = 0; i < relative.getNameCount() - 1; i++) {
          directory.append(relative.getName(i)).append('/');
        }
        store.disks().artifacts().upsert(diskId, FileUpload.of(file), directory.toString(), null);
      }
    }

    @Override
    public void close() {
      try {
        store.close();
      } finally {
        if (directory != null) {
          deleteRecursively(directory);
        }
      }
    }
  }

  private static Path seedFolder(String name, Class<?> testClass) {
    String resource = name.startsWith("/") ? name.substring(1) : name;
    ClassLoader loader = testClass.getClassLoader();
    URL url = loader == null ? null : loader.getResource(resource);
    if (url == null) {
      throw new IllegalArgumentException("seed folder \"" + name + "\" is not on the class path");
    }
    if (!"file".equals(url.getProtocol())) {
      throw new IllegalArgumentException(
          "seed folder \"" + name + "\" is at " + url + ": it must be a folder on the file system,"
              + " e.g. under src/test/resources, not inside a jar");
    }
    Path folder;
    try {
      folder = Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("seed folder \"" + name + "\" has a bad URL " + url, e);
    }
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException("seed \"" + name + "\" is a file, not a folder");
    }
    return folder;
  }

  private static void deleteRecursively(Path directory) {
    try {
      Files.walkFileTree(directory, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, @Nullable IOException e)
            throws IOException {
          Files.deleteIfExists(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the store's temporary directory " + directory, e);
    }
  }
}
