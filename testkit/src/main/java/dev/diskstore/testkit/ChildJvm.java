package dev.diskstore.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts a {@code main} class of the test sources in a child JVM with the test class path, for the
 * process-level tests. The child's stdout and stderr go to one file (never to a pipe that could fill
 * up and block it). Whoever starts a child kills it with {@link #kill(Process)} in a finally block.
 */
public final class ChildJvm {
  private ChildJvm() {}

  /**
   * Starts {@code mainClass} with the current class path.
   *
   * @param jvmOptions extra options before the class name, e.g. {@code -Xmx256m}
   * @param output receives the child's stdout and stderr
   */
  public static Process start(Class<?> mainClass, List<String> jvmOptions, List<String> args, Path output)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:+UseSerialGC");
    // The sqlite-jdbc native library is unpacked here; keep the copies under target/.
    command.add("-Dorg.sqlite.tmpdir=" + sqliteTmpDir());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(args);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
  }

  /** Kills the child if it still runs (SIGKILL on Unix) and waits until it is gone. */
  public static void kill(Process process) throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("child " + process.pid() + " survived SIGKILL for 30 s");
    }
  }

  /** The child's output so far, for failure messages. */
  public static String output(Path output) {
    try {
      return Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "(no output)";
    } catch (IOException e) {
      return "(cannot read " + output + ": " + e + ")";
    }
  }

  private static Path sqliteTmpDir() {
    String configured = System.getProperty("org.sqlite.tmpdir");
    return configured != null ? Path.of(configured) : Path.of("target").toAbsolutePath();
  }
}
