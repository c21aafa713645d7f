package dev.diskstore.cli;

import dev.diskstore.DiskStore;
import dev.diskstore.mcp.DiskMcpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code diskstore mcp}: one disk over the Model Context Protocol on standard input and output
 * ({@link DiskMcpServer#serveStdio}), for desktop agents and other MCP clients that start the
 * server as a child process. Runs until the client closes standard input (or SIGINT / SIGTERM),
 * then closes the store.
 *
 * <p>Standard output carries protocol messages only: while serving, {@code System.out} is pointed
 * at standard error, so that no library can corrupt the stream; logs go to standard error.
 */
@Command(
    name = "mcp",
    header = "Serves one disk over the Model Context Protocol (stdio) for MCP clients.",
    mixinStandardHelpOptions = true,
    description = {
      "Serves one disk's files to an MCP client over standard input and output: DiskStore's"
          + " agent tools (read, write, edit, list, grep, glob, download, delete, move) and each"
          + " file as a resource diskstore://DISK/PATH. Runs until the client closes standard"
          + " input. Logs go to standard error.",
      "Desktop agents: {\"command\": \"java\", \"args\": [\"-jar\", \".../diskstore.jar\","
          + " \"mcp\", \"--store\", \"DIR\", \"--disk\", \"DISK\"]}."
    },
    sortOptions = false)
final class McpCommand extends StoreCommand {
  @Option(names = "--disk", paramLabel = "DISK", required = true,
      description = "the disk to serve (one disk per server)")
  String disk;

  @Option(names = "--read-only",
      description = "withhold the write tools (write, replace, delete, move)")
  boolean readOnly;

  /** Standard input, replaceable by tests. */
  InputStream in = System.in;

  @Override
  int run(DiskStore store) {
    OutputStream protocol = io().out();
    PrintStream stdout = System.out;
    System.setOut(System.err);
    try (DiskMcpServer mcp = DiskMcpServer.builder(store).disk(disk).readOnly(readOnly).build()) {
      Thread stop = new Thread(mcp::close, "diskstore-mcp-shutdown");
      Runtime.getRuntime().addShutdownHook(stop);
      try {
        mcp.serveStdio(in, protocol);
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(stop);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: it closes the server
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      System.setOut(stdout);
    }
    return ExitCodes.OK;
  }
}
