package dev.diskstore.server;

import dev.diskstore.DiskStore;
import java.nio.file.Path;

/**
 * A server in a JVM of its own, for {@link GigabyteStreamingTest}: opens a store on {@code
 * args[0]}, serves it on an ephemeral loopback port with material URLs, prints {@code READY
 * <baseUri>} and runs until its standard input closes.
 */
public final class ServerMain {
  private ServerMain() {}

  public static void main(String[] args) throws Exception {
    MaterialUrlSigner urls = MaterialUrlSigner.create();
    try (DiskStore store = TestServer.openStore(Path.of(args[0]), urls);
        DiskStoreServer server =
            DiskStoreServer.builder(store).port(0).materialUrls(urls).build().start()) {
      System.out.println("READY " + server.baseUri());
      System.out.flush();
      while (System.in.read() >= 0) {
        // until the parent closes our stdin (or dies)
      }
    }
  }
}
