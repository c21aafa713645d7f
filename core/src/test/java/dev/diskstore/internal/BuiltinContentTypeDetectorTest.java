package dev.diskstore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BuiltinContentTypeDetectorTest {

  private static final String DOCX =
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  private static final String XLSX =
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  private static final String PPTX =
      "application/vnd.openxmlformats-officedocument.presentationml.presentation";
  private static final String ODT = "application/vnd.oasis.opendocument.text";
  private static final String OCTET = "application/octet-stream";

  private static final byte[] PDF = utf8("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n");
  private static final byte[] PNG =
      bytes(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 'I', 'H', 'D', 'R');
  private static final byte[] JPEG = bytes(0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F');
  private static final byte[] GIF = concat(utf8("GIF89a"), bytes(1, 0, 1, 0, 0x80, 0, 0));
  private static final byte[] WEBP =
      concat(utf8("RIFF"), bytes(0x24, 0, 0, 0), utf8("WEBPVP8 "), bytes(0x18, 0, 0, 0));
  private static final byte[] WAV =
      concat(utf8("RIFF"), bytes(0x24, 0x08, 0, 0), utf8("WAVEfmt "), bytes(0x10, 0, 0, 0));
  private static final byte[] MP3 = concat(utf8("ID3"), bytes(4, 0, 0, 0, 0, 0x0A));
  private static final byte[] MP4 =
      concat(bytes(0, 0, 0, 0x20), utf8("ftypisom"), bytes(0, 0, 2, 0), utf8("isomiso2"));
  private static final byte[] M4A =
      concat(bytes(0, 0, 0, 0x20), utf8("ftypM4A "), bytes(0, 0, 0, 0), utf8("M4A mp42"));
  private static final byte[] SQLITE = concat(utf8("SQLite format 3\0"), bytes(0x10, 0, 1, 1));
  private static final byte[] ELF = bytes(0x7F, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0);
  private static final byte[] SEVEN_ZIP = bytes('7', 'z', 0xBC, 0xAF, 0x27, 0x1C, 0, 4);
  private static final byte[] BINARY = bytes(0x00, 0x01, 0x02, 0x03, 0xFE, 0xFF, 0x10, 0x00);

  static Stream<Arguments> cases() {
    return Stream.of(
        // Text and data by extension
        detects("notes.md", "# Title\n", "text/markdown"),
        detects("README.markdown", "# Read me\n", "text/markdown"),
        detects("notes.txt", "hello", "text/plain"),
        detects("server.log", "INFO started\n", "text/plain"),
        detects("data.csv", "a,b\n1,2\n", "text/csv"),
        detects("data.tsv", "a\tb\n1\t2\n", "text/tab-separated-values"),
        detects("config.json", "{\"a\": 1}", "application/json"),
        detects("events.jsonl", "{\"a\":1}\n{\"a\":2}\n", "application/x-ndjson"),
        detects("events.ndjson", "{\"a\":1}\n", "application/x-ndjson"),
        detects("config.yaml", "a: 1\n", "application/yaml"),
        detects("config.yml", "a: 1\n", "application/yaml"),
        detects("Cargo.toml", "[package]\nname = \"x\"\n", "application/toml"),
        detects("pom.xml", "<?xml version=\"1.0\"?><project/>", "application/xml"),
        detects("index.html", "<!doctype html><p>hi", "text/html"),
        detects("page.htm", "<p>hi", "text/html"),
        detects("style.css", "body { margin: 0 }", "text/css"),
        detects("settings.ini", "[a]\nb=1\n", "text/x-ini"),
        detects("setup.cfg", "[metadata]\n", "text/x-ini"),
        detects("nginx.conf", "server {}\n", "text/x-ini"),
        detects("analysis.ipynb", "{\"cells\": []}", "application/x-ipynb+json"),
        detects("logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "image/svg+xml"),
        // Code by extension
        detects("app.js", "console.log(1)", "text/javascript"),
        detects("module.mjs", "export {}", "text/javascript"),
        detects("main.ts", "let a: number = 1;", "text/x-typescript"),
        detects("App.tsx", "export const A = () => <div/>;", "text/x-typescript"),
        detects("App.jsx", "export const A = () => <div/>;", "text/jsx"),
        detects("script.py", "#!/usr/bin/env python3\nprint(1)\n", "text/x-python"),
        detects("tool.py", "#!/bin/bash\necho this is odd\n", "text/x-python"),
        detects("lib.rs", "fn main() {}", "text/x-rust"),
        detects("main.go", "package main", "text/x-go"),
        detects("Main.java", "class Main {}", "text/x-java"),
        detects("Main.kt", "fun main() {}", "text/x-kotlin"),
        detects("App.scala", "object App", "text/x-scala"),
        detects("util.c", "int main(void) { return 0; }", "text/x-c"),
        detects("util.h", "#pragma once", "text/x-c"),
        detects("util.cpp", "int main() {}", "text/x-c++"),
        detects("util.hpp", "#pragma once", "text/x-c++"),
        detects("util.cc", "int main() {}", "text/x-c++"),
        detects("Program.cs", "class P {}", "text/x-csharp"),
        detects("app.rb", "puts 1", "text/x-ruby"),
        detects("index.php", "<?php echo 1;", "text/x-php"),
        detects("App.swift", "print(1)", "text/x-swift"),
        detects("build.sh", "echo hi", "text/x-shellscript"),
        detects("run.bash", "echo hi", "text/x-shellscript"),
        detects("init.zsh", "echo hi", "text/x-shellscript"),
        detects("schema.sql", "select 1;", "application/sql"),
        // Uppercase and odd names
        detects("NOTES.MD", "# Title", "text/markdown"),
        detects("Main.PY", "print(1)", "text/x-python"),
        detects("archive.tar.gz", gzip("hello"), "application/gzip"),
        detects("Makefile", "all:\n\techo hi\n", "text/x-makefile"),
        detects("Dockerfile", "FROM scratch\n", "text/x-dockerfile"),
        detects(".bashrc", "alias ll='ls -l'\n", "text/x-shellscript"),
        detects(".env", "A=1\n", "text/plain"),
        detects("trailing.", "text", "text/plain"),
        // Binary formats by magic: the content wins over the name
        detects("report.pdf", PDF, "application/pdf"),
        detects("report.bin", PDF, "application/pdf"),
        detects("image.txt", PNG, "image/png"),
        detects("image.png", PNG, "image/png"),
        detects("photo.md", JPEG, "image/jpeg"),
        detects("anim.gif", GIF, "image/gif"),
        detects("pic", WEBP, "image/webp"),
        detects("report.docx", zip("word/document.xml"), DOCX),
        detects("sheet.xlsx", zip("xl/workbook.xml"), XLSX),
        detects("deck.pptx", zip("ppt/presentation.xml"), PPTX),
        detects("lib.jar", zip("META-INF/MANIFEST.MF"), "application/java-archive"),
        detects("archive.zip", zip("a.txt"), "application/zip"),
        detects("report.docx.bak", zip("word/document.xml"), "application/zip"),
        detects("letter", zipWithMimetype(ODT), ODT),
        detects("book.epub", zipWithMimetype("application/epub+zip"), "application/epub+zip"),
        detects("blob", gzip("hello"), "application/gzip"),
        detects("backup.7z", SEVEN_ZIP, "application/x-7z-compressed"),
        detects("files.tar", tar(), "application/x-tar"),
        detects("app.db", SQLITE, "application/vnd.sqlite3"),
        detects("song.mp3", MP3, "audio/mpeg"),
        detects("voice.txt", WAV, "audio/wav"),
        detects("clip.mp4", MP4, "video/mp4"),
        detects("clip", MP4, "video/mp4"),
        detects("tune.m4a", M4A, "audio/mp4"),
        detects("mytool", ELF, OCTET),
        detects("setup.exe", portableExecutable(), OCTET),
        detects("stream.ts", transportStream(), "video/mp2t"),
        // Binary formats by extension only (e.g. empty or short content)
        detects("empty.pdf", new byte[0], "application/pdf"),
        detects("empty.png", new byte[0], "image/png"),
        detects("song.mp3", bytes(0xFF, 0xFB, 0x90, 0x64), "audio/mpeg"),
        detects("clip.wav", new byte[0], "audio/wav"),
        // Unknown extension: text or binary by content
        detects("data.weird", "hello world\n", "text/plain"),
        detects("README", "Read me.\n", "text/plain"),
        detects("data.weird", BINARY, OCTET),
        detects("latin1.weird", bytes('c', 'a', 'f', 0xE9, ' ', 'o', 'k'), OCTET),
        detects("utf16.weird", bytes(0xFF, 0xFE, 'h', 0, 'i', 0), OCTET),
        detects("bom.weird", concat(bytes(0xEF, 0xBB, 0xBF), utf8("caf\u00e9")), "text/plain"),
        detects("empty.weird", new byte[0], "text/plain"),
        detects("noext", new byte[0], "text/plain"),
        detects("MZ-notes", "MZ is where this text starts. ".repeat(4), "text/plain"),
        detects("feed", "\n  <?xml version=\"1.0\"?><rss/>", "application/xml"),
        detects("page", "<!DOCTYPE html>\n<html></html>", "text/html"),
        // Shebangs when the name says nothing
        detects("deploy", "#!/bin/sh\nset -e\n", "text/x-shellscript"),
        detects("serve", "#!/usr/bin/env -S node --no-warnings\n", "text/javascript"),
        detects("run", "#!/usr/bin/python3.11\nprint(1)\n", "text/x-python"),
        detects("manage", "#!/usr/bin/env FOO=1 ruby\n", "text/x-ruby"),
        detects("filter", "#!/usr/bin/awk -f\n{ print }\n", "text/plain"),
        // UTF-8 cut at the end of the head (8 KiB) inside a multi-byte character
        detects("cut2.weird", cutAtHeadEnd("\u00e9", 1), "text/plain"),
        detects("cut3.weird", cutAtHeadEnd("\u20ac", 2), "text/plain"),
        detects("cut4.weird", cutAtHeadEnd("\ud83d\ude00", 3), "text/plain"),
        detects("cut-bad.weird", concat(utf8("a".repeat(8190)), bytes(0xE2, 0x41)), OCTET),
        detects("lone-continuation.weird", bytes('a', 0x80), OCTET),
        detects("overlong.weird", bytes('a', 0xC0, 0xAF), OCTET),
        detects("surrogate.weird", bytes('a', 0xED, 0xA0, 0x80), OCTET),
        detects("too-high.weird", bytes('a', 0xF4, 0x90, 0x80, 0x80), OCTET),
        // Declared types
        declared("notes.md", "# T", "text/x-custom", "text/x-custom"),
        declared("image.txt", PNG, "image/x-special", "image/x-special"),
        declared("notes.txt", "hi", "Text/Plain; charset=UTF-8", "text/plain"),
        declared("notes.md", "# T", "application/octet-stream", "text/markdown"),
        declared("notes.md", "# T", "not a type", "text/markdown"),
        declared("notes.md", "# T", "", "text/markdown"),
        // Declared types the bytes clearly contradict: detection wins
        declared("report.pdf", "plain text, not a PDF\n", "application/pdf", "text/plain"),
        declared("notes.txt", "hello", "image/png", "text/plain"),
        declared("scan.jpg", "a caption", "image/jpeg", "text/plain"),
        declared("anim.gif", "no frames", "image/gif", "text/plain"),
        declared("letter.docx", "Dear Bob,\n", DOCX, "text/plain"),
        declared("bundle", "{\"not\": \"a zip\"}", "application/zip", "text/plain"),
        declared("notes.md", PNG, "text/markdown", "image/png"),
        declared("data.json", PDF, "application/json", "application/pdf"),
        declared("page.html", GIF, "text/html", "image/gif"),
        // ... and where they do not (narrowly): the declared type stays
        declared("report.pdf", PDF, "application/pdf", "application/pdf"),
        declared("report.pdf", new byte[0], "application/pdf", "application/pdf"),
        declared("report.pdf", BINARY, "application/pdf", "application/pdf"),
        declared("latin1.pdf", bytes('c', 'a', 'f', 0xE9, 's'), "application/pdf", "application/pdf"),
        declared("image.png", JPEG, "image/png", "image/png"),
        declared("sheet.xlsx", PNG, XLSX, XLSX),
        declared("page.html", "<html></html>", "text/html", "text/html"),
        declared("notes.md", BINARY, "text/markdown", "text/markdown"),
        // The name is held to the same rule
        detects("report.pdf", "plain text under a PDF name\n", "text/plain"),
        detects("logo.png", "#!/bin/sh\necho not an image\n", "text/x-shellscript"),
        detects("empty.pdf", new byte[0], "application/pdf"),
        detects("odd.pdf", BINARY, "application/pdf"));
  }

  @ParameterizedTest(name = "[{index}] {0} declared={2} -> {3}")
  @MethodSource("cases")
  void detects(String filename, byte[] head, @Nullable String declaredType, String expected) {
    assertThat(BuiltinContentTypeDetector.INSTANCE.detect(filename, head, declaredType))
        .isEqualTo(expected);
  }

  @Test
  void hasAtLeastFortyCases() {
    assertThat(cases().count()).isGreaterThanOrEqualTo(40);
  }

  @Test
  void tableHoldsOnlyBareLowerCaseTypes() {
    assertThat(BuiltinContentTypeDetector.extensionTable())
        .allSatisfy(
            (extension, type) -> {
              assertThat(extension).isLowerCase().doesNotContain(".");
              assertThat(type).isLowerCase().contains("/").doesNotContain(";", " ");
            });
  }

  @Test
  void neverFailsAndNeverReturnsBlankOnRandomBytes() {
    Random random = new Random(42);
    BuiltinContentTypeDetector detector = new BuiltinContentTypeDetector();
    for (int i = 0; i < 2000; i++) {
      byte[] head = new byte[random.nextInt(600)];
      random.nextBytes(head);
      if (i % 3 == 0 && head.length > 4) {
        head[0] = 'P';
        head[1] = 'K';
        head[2] = 3;
        head[3] = 4;
      }
      String type = detector.detect("file" + i + (i % 2 == 0 ? ".zip" : ""), head, null);
      assertThat(type).isNotBlank().contains("/").doesNotContain(";");
    }
  }

  @Test
  void utf8CheckAcceptsOnlyATruncatedFinalCharacter() {
    byte[] euro = utf8("\u20ac");
    assertThat(BuiltinContentTypeDetector.isUtf8Text(Arrays.copyOf(euro, 2))).isTrue();
    assertThat(BuiltinContentTypeDetector.isUtf8Text(concat(Arrays.copyOf(euro, 2), utf8("a"))))
        .isFalse();
    assertThat(BuiltinContentTypeDetector.isUtf8Text(utf8("na\u00efve \ud83d\ude00"))).isTrue();
  }

  // ---------------------------------------------------------------------------------------------

  private static Arguments detects(String filename, String text, String expected) {
    return arguments(filename, utf8(text), null, expected);
  }

  private static Arguments detects(String filename, byte[] head, String expected) {
    return arguments(filename, head, null, expected);
  }

  private static Arguments declared(
      String filename, String text, String declared, String expected) {
    return arguments(filename, utf8(text), declared, expected);
  }

  private static Arguments declared(
      String filename, byte[] head, String declared, String expected) {
    return arguments(filename, head, declared, expected);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(int... values) {
    byte[] result = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      result[i] = (byte) values[i];
    }
    return result;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** An 8 KiB head of ASCII text ending in the first {@code keep} bytes of {@code character}. */
  private static byte[] cutAtHeadEnd(String character, int keep) {
    byte[] tail = Arrays.copyOf(utf8(character), keep);
    return concat(utf8("a".repeat(8192 - keep)), tail);
  }

  private static byte[] zip(String entryName) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ZipOutputStream zip = new ZipOutputStream(out)) {
        zip.putNextEntry(new ZipEntry(entryName));
        zip.write(utf8("<x/>"));
        zip.closeEntry();
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A ZIP whose first entry is an uncompressed "mimetype", as ODF and EPUB require. */
  private static byte[] zipWithMimetype(String mediaType) {
    try {
      byte[] data = utf8(mediaType);
      CRC32 crc = new CRC32();
      crc.update(data);
      ZipEntry mimetype = new ZipEntry("mimetype");
      mimetype.setMethod(ZipEntry.STORED);
      mimetype.setSize(data.length);
      mimetype.setCompressedSize(data.length);
      mimetype.setCrc(crc.getValue());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ZipOutputStream zip = new ZipOutputStream(out)) {
        zip.putNextEntry(mimetype);
        zip.write(data);
        zip.closeEntry();
        zip.putNextEntry(new ZipEntry("content.xml"));
        zip.write(utf8("<x/>"));
        zip.closeEntry();
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] gzip(String text) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
        gzip.write(utf8(text));
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A POSIX tar header: name, zero padding, "ustar" at offset 257. */
  private static byte[] tar() {
    byte[] header = new byte[512];
    byte[] name = utf8("hello.txt");
    System.arraycopy(name, 0, header, 0, name.length);
    byte[] magic = utf8("ustar\u000000");
    System.arraycopy(magic, 0, header, 257, magic.length);
    return header;
  }

  /** "MZ", e_lfanew = 0x80 at 0x3C, "PE\0\0" at 0x80. */
  private static byte[] portableExecutable() {
    byte[] head = new byte[0x100];
    head[0] = 'M';
    head[1] = 'Z';
    head[0x3C] = (byte) 0x80;
    head[0x80] = 'P';
    head[0x81] = 'E';
    return head;
  }

  /** Three 188-byte MPEG-TS packets, each starting with the 0x47 sync byte. */
  private static byte[] transportStream() {
    byte[] data = new byte[188 * 3];
    for (int packet = 0; packet < 3; packet++) {
      data[packet * 188] = 0x47;
      data[packet * 188 + 1] = 0x40;
      data[packet * 188 + 3] = 0x10;
    }
    return data;
  }
}
