package dev.diskstore.jpms;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Modular applications on the packaged jars, in child JVMs with nothing on the class path.
 *
 * <ul>
 *   <li>{@code src/app} (module {@code app}) is compiled with {@code javac --module-path} and run
 *       with {@code java --module-path ... -m app/app.Main}: it uses each module that has a {@code
 *       module-info} through its exports, with the services (local backend, Tika) found across
 *       modules. The automatic modules (LangChain4j, Spring AI, testkit-postgres) need frameworks
 *       the build does not put on this module path; {@link ModuleDescriptorsIT} checks them.
 *   <li>A module that imports {@code dev.diskstore.internal} does not compile.
 *   <li>The command line runs as module {@code dev.diskstore.cli} (picocli reflects on the
 *       commands, which the module opens to it).
 * </ul>
 */
class ModularApplicationIT {
  private static final Path APP_SOURCES = Path.of(System.getProperty("jpms.app"));

  @Test
  void aModularApplicationUsesEveryModuleWithADescriptor() throws Exception {
    Path work = PublishedModules.work("app");
    Path classes = work.resolve("classes");
    List<Path> sources;
    try (Stream<Path> files = Files.walk(APP_SOURCES)) {
      sources = files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    Compilation compiled = compile(classes, sources);
    assertThat(compiled.errors()).as(compiled.log()).isEmpty();

    Run run = java(work, "--module-path", classes + File.pathSeparator + modulePath(),
        "-m", "app/app.Main", work.resolve("data").toString());

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout().lines()).as(run.stderr()).containsExactly(
        "module: app",
        "read: # Notes {from=a module}",
        "download: 200 # Notes",
        "list: letter.rtf,notes.md",
        "rtf: document Hello from Tika",
        "agent tool: true",
        "server: 200 true",
        "mcp: written",
        "mcp file: hi over MCP",
        "testkit: in memory",
        "s3: /modular/blobs/key.blob true",
        "postgres driver: org.postgresql.Driver",
        "internal exported: false",
        "internal call: IllegalAccessException");
  }

  @Test
  void aModuleCannotCompileAgainstTheInternalPackage() throws Exception {
    Path work = PublishedModules.work("peek");
    Path sources = Files.createDirectories(work.resolve("src/peek"));
    Files.writeString(work.resolve("src/module-info.java"),
        "module peek { requires dev.diskstore.core; }\n");
    Files.writeString(sources.resolve("Peek.java"), """
        package peek;

        import dev.diskstore.DiskStore;
        import dev.diskstore.internal.PathRules;

        class Peek {
          Class<?> api = DiskStore.class;
          Class<?> internal = PathRules.class;
        }
        """);

    Compilation compiled = compile(work.resolve("classes"),
        List.of(work.resolve("src/module-info.java"), sources.resolve("Peek.java")));

    // only the internal import fails; the API import beside it compiles
    assertThat(compiled.errors()).as(compiled.log()).hasSize(1);
    assertThat(compiled.errors().get(0))
        .contains("package dev.diskstore.internal is not visible")
        .contains("package dev.diskstore.internal is declared in module dev.diskstore.core,"
            + " which does not export it");
  }

  @Test
  void theCommandRunsAsAModule() throws Exception {
    Path work = PublishedModules.work("cli");
    Path store = work.resolve("store");
    Path file = Files.writeString(work.resolve("hello.txt"), "hello from a module\n");

    Run created = cli(work, "--store", store.toString(), "disks", "create");
    assertThat(created.exitCode()).as(created.stderr()).isZero();
    String disk = created.stdout().strip();
    Run put = cli(work, "--store", store.toString(), "put", disk, file.toString(), "--to", "/m/");
    assertThat(put.exitCode()).as(put.stderr()).isZero();
    Run cat = cli(work, "--store", store.toString(), "cat", disk, "/m/hello.txt");

    assertThat(cat.exitCode()).as(cat.stderr()).isZero();
    assertThat(cat.stdout()).isEqualTo("hello from a module\n");
  }

  private record Compilation(List<String> errors, String log) {}

  private record Run(int exitCode, String stdout, String stderr) {}

  private static String modulePath() {
    return PublishedModules.modulePath().stream().map(Path::toString)
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** javac in process: {@code -d classes --module-path <jars>}, one module's sources. */
  private static Compilation compile(Path classes, List<Path> sources) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    StringWriter log = new StringWriter();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT,
        UTF_8)) {
      // nothing on the class path: by default javac would take this test JVM's, which holds the
      // same jars as an unnamed module
      files.setLocationFromPaths(StandardLocation.CLASS_PATH, List.of());
      List<String> options = List.of("-d", classes.toString(), "--module-path", modulePath(),
          "-Xlint:all", "-encoding", "UTF-8");
      javac.getTask(log, files, diagnostics, options, null,
          files.getJavaFileObjectsFromPaths(sources)).call();
    }
    List<String> errors = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      log.append(d.toString()).append('\n');
      if (d.getKind() == Diagnostic.Kind.ERROR) {
        errors.add(d.getMessage(Locale.ROOT));
      }
    }
    return new Compilation(errors, log.toString());
  }

  private static Run cli(Path work, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("--module-path", modulePath(),
        "-m", "dev.diskstore.cli/dev.diskstore.cli.DiskStoreCli"));
    command.addAll(List.of(args));
    return java(work, command.toArray(String[]::new));
  }

  /** A child JVM of this JDK; its output goes to files under {@code work}. */
  private static Run java(Path work, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // sqlite-jdbc's native library under target/, as in every test JVM of the build
    command.add("-Dorg.sqlite.tmpdir=" + work);
    command.addAll(List.of(args));
    Path out = Files.createTempFile(work, "stdout", ".txt");
    Path err = Files.createTempFile(work, "stderr", ".txt");
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectOutput(out.toFile())
        .redirectError(err.toFile());
    builder.environment().remove("CLASSPATH"); // the module path only
    Process process = builder.start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("timed out: " + command + "\n" + Files.readString(err, UTF_8));
    }
    return new Run(process.exitValue(), Files.readString(out, UTF_8),
        Files.readString(err, UTF_8));
  }
}
