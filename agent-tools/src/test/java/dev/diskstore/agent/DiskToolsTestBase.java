package dev.diskstore.agent;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.diskstore.Artifact;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A fresh in-memory store with one disk and its tools for each test. */
abstract class DiskToolsTestBase {
  DiskStore store;
  String diskId;
  DiskTools tools;

  @BeforeEach
  void openStore() {
    store = DiskStore.inMemory();
    diskId = store.disks().create().id();
    tools = DiskTools.forDisk(store, diskId);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  /** Runs a tool exactly as an LLM call would: a name and the raw JSON arguments. */
  String call(String tool, String json) {
    return tools.execute(tool, json);
  }

  Artifact put(String path, String filename, String text) {
    return put(path, filename, text.getBytes(UTF_8), null);
  }

  Artifact put(String path, String filename, byte[] bytes, Map<String, ?> meta) {
    return store.disks().artifacts().upsert(diskId, FileUpload.of(filename, bytes), path, meta);
  }

  Artifact get(String path, String filename) {
    return store.disks().artifacts().get(diskId, path, filename).artifact();
  }

  boolean exists(String path, String filename) {
    return store.disks().artifacts().find(diskId, path, filename).isPresent();
  }

  byte[] bytes(String path, String filename) {
    try (InputStream in = store.disks().artifacts().open(diskId, path, filename)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String text(String path, String filename) {
    return new String(bytes(path, filename), UTF_8);
  }

  /** The value after "etag: " in a tool result. */
  static String etagIn(String result) {
    int at = result.indexOf("etag: ");
    if (at < 0) {
      throw new AssertionError("no etag in: " + result);
    }
    int end = at + 6;
    while (end < result.length() && !" |)]\n;,".contains(String.valueOf(result.charAt(end)))) {
      end++;
    }
    return result.substring(at + 6, end);
  }
}
