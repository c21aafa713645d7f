package dev.diskstore.tika;

import dev.diskstore.ArtifactContent;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The override table: code and configuration files that neither the core's built-in detector nor
 * Apache Tika names well. The built-in table already covers the common cases Tika gets wrong
 * ({@code .rs}, {@code .ts}, {@code .tsx}, {@code .toml}, {@code .jsonl}, {@code .ipynb}, a {@code
 * .py} with a shell shebang); this table adds names the built-in table does not know and for which
 * Tika answers {@code text/plain} or something wrong (Tika 3.3.1 calls a Julia {@code .jl} file
 * Common Lisp). Answering them here also keeps Tika from being initialised for them.
 *
 * <p>Every media type here is one the built-in parser reads (a {@code text/*} type, or a JSON or
 * TOML type), so a store opened later without this module still returns their text. {@link
 * Entry#kind()} is the content type {@code get(..., withContent)} reports.
 *
 * <p>Lookup is case-insensitive: a whole filename first ({@code CMakeLists.txt}, {@code
 * Jenkinsfile}, {@code .env}), then the last extension. A file whose name has no dot, or only a
 * leading one, has no extension. Immutable and thread-safe.
 */
final class CodeAndConfigTypes {
  private CodeAndConfigTypes() {}

  /**
   * One entry.
   *
   * @param mediaType the media type stored as the artifact's content type
   * @param kind {@link ArtifactContent#CODE}, {@link ArtifactContent#TEXT} or {@link
   *     ArtifactContent#JSON}
   */
  record Entry(String mediaType, String kind) {}

  private static final Map<String, Entry> BY_NAME = new HashMap<>();
  private static final Map<String, Entry> BY_EXTENSION = new HashMap<>();

  static {
    code("text/x-hcl", "tf", "tfvars", "hcl");
    code("text/x-nix", "nix");
    code("text/x-julia", "jl");
    code("text/x-fsharp", "fs", "fsi", "fsx");
    code("text/x-elm", "elm");
    code("text/x-nim", "nim");
    code("text/x-solidity", "sol");
    code("text/x-astro", "astro");
    code("text/x-prisma", "prisma");
    code("text/x-jsonnet", "jsonnet", "libsonnet");
    code("text/x-cython", "pyx");
    code("text/x-scala", "sbt");
    code("text/x-starlark", "bzl", "star");
    code("text/x-cuda", "cu", "cuh");
    code("text/x-fish", "fish");
    text("text/x-scss", "scss");
    text("text/x-sass", "sass");
    text("text/mdx", "mdx");
    text("text/x-jsonc", "jsonc");
    text("text/x-json5", "json5");
    text("text/x-dotenv", "env");

    name("text/x-cmake", ArtifactContent.CODE, "cmakelists.txt");
    name("text/x-groovy", ArtifactContent.CODE, "jenkinsfile");
    name("text/x-ruby", ArtifactContent.CODE,
        "gemfile", "rakefile", "vagrantfile", "podfile", "brewfile");
    name("text/x-starlark", ArtifactContent.CODE, "build.bazel", "workspace.bazel");
    name("text/x-go-mod", ArtifactContent.TEXT, "go.mod", "go.work");
    name("application/toml", ArtifactContent.TEXT, "cargo.lock", "poetry.lock", "pipfile");
    name("application/json", ArtifactContent.JSON, "pipfile.lock");
    name("text/x-dotenv", ArtifactContent.TEXT, ".env");
  }

  /** The entry for a filename, or empty when the table does not know it. */
  static Optional<Entry> forFilename(String filename) {
    String lower = filename.toLowerCase(Locale.ROOT);
    Entry byName = BY_NAME.get(lower);
    if (byName != null) {
      return Optional.of(byName);
    }
    return Optional.ofNullable(BY_EXTENSION.get(extension(lower)));
  }

  /** The lower-case last extension without the dot, or "" (also for dot files like ".env"). */
  static String extension(String filename) {
    int dot = filename.lastIndexOf('.');
    if (dot <= 0 || dot == filename.length() - 1) {
      return "";
    }
    return filename.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  /** The whole-name entries, for tests and documentation. */
  static Map<String, Entry> names() {
    return Map.copyOf(BY_NAME);
  }

  /** The extension entries, for tests and documentation. */
  static Map<String, Entry> extensions() {
    return Map.copyOf(BY_EXTENSION);
  }

  private static void code(String mediaType, String... extensions) {
    put(BY_EXTENSION, new Entry(mediaType, ArtifactContent.CODE), extensions);
  }

  private static void text(String mediaType, String... extensions) {
    put(BY_EXTENSION, new Entry(mediaType, ArtifactContent.TEXT), extensions);
  }

  private static void name(String mediaType, String kind, String... names) {
    put(BY_NAME, new Entry(mediaType, kind), names);
  }

  private static void put(Map<String, Entry> table, Entry entry, String... keys) {
    for (String key : keys) {
      if (table.put(key, entry) != null) {
        throw new IllegalStateException("duplicate override " + key);
      }
    }
  }
}
