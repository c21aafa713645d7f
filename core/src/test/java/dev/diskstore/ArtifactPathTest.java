package dev.diskstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ArtifactPathTest {

  @ParameterizedTest(name = "\"{0}\" -> {1} + {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/docs/a.md|/docs/|a.md",
        "docs/a.md|/docs/|a.md",
        "//docs//2024//a.md|/docs/2024/|a.md",
        "a.md|/|a.md",
        "/a.md|/|a.md",
        "/文件夹/📄.txt|/文件夹/|📄.txt",
        "/v1..2/file...name|/v1..2/|file...name",
      })
  void splitsAtTheLastSlashAndNormalisesTheDirectory(String full, String path, String filename) {
    ArtifactPath file = ArtifactPath.of(full);
    assertThat(file.path()).isEqualTo(path);
    assertThat(file.filename()).isEqualTo(filename);
    assertThat(file.toString()).isEqualTo(path + filename);
    assertThat(ArtifactPath.of(file.toString())).isEqualTo(file);
  }

  @Test
  void directoryAndFilenameFormIsTheSameValue() {
    assertThat(ArtifactPath.of("docs", "a.md")).isEqualTo(ArtifactPath.of("/docs/a.md"));
    assertThat(new ArtifactPath("/docs", "a.md")).isEqualTo(ArtifactPath.of("/docs/a.md"));
    assertThat(ArtifactPath.of("", "a.md")).hasToString("/a.md");
    assertThat(ArtifactPath.of("cafe\u0301/", "e\u0301.md")).isEqualTo(ArtifactPath.of("/caf\u00e9/\u00e9.md"));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", "/", "/docs/", "docs//", "/../a.md", "/a/./b.md", "/docs/..",
      "/a\\b/c.md", "/a\u0000/b.md", "/docs/a\nb.md"})
  void invalidFullPathsAreInvalidPathExceptions(String full) {
    assertThatThrownBy(() -> ArtifactPath.of(full))
        .isInstanceOf(InvalidPathException.class)
        .satisfies(e -> assertThat(((InvalidPathException) e).input()).isNotNull());
  }

  @Test
  void aDirectoryIsNotAFile() {
    assertThatThrownBy(() -> ArtifactPath.of("/docs/"))
        .isInstanceOf(InvalidPathException.class)
        .hasMessageContaining("\"/docs/\"")
        .hasMessageContaining("ends with '/'");
    assertThatThrownBy(() -> ArtifactPath.of("/docs", "a/b.md"))
        .isInstanceOf(InvalidPathException.class)
        .hasMessageContaining("must not contain '/'");
  }

  @Test
  void nothingIsTrimmed() {
    // Acontext trims file_path; DiskStore does not (see Artifacts, look-alike names)
    assertThat(ArtifactPath.of("/docs/ a.md").filename()).isEqualTo(" a.md");
    assertThat(ArtifactPath.of("/docs/ a.md")).isNotEqualTo(ArtifactPath.of("/docs/a.md"));
  }

  @Test
  void nullsAreRejectedNamingTheParameter() {
    assertThatNullPointerException().isThrownBy(() -> ArtifactPath.of((String) null))
        .withMessage("fullPath");
    assertThatNullPointerException().isThrownBy(() -> ArtifactPath.of("/", null))
        .withMessage("filename");
    assertThatNullPointerException().isThrownBy(() -> ArtifactPath.of(null, "a"))
        .withMessage("path");
  }
}
