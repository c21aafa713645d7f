/**
 * A disk over the Model Context Protocol: {@code dev.diskstore.mcp.DiskMcpServer}, on the official
 * MCP Java SDK. {@code DiskMcpServer.httpHandler} returns a Jetty {@code Handler}, so Jetty's server
 * module is required transitively.
 *
 * <p>The MCP SDK and Reactor are automatic modules with stable names (each declares an {@code
 * Automatic-Module-Name}); none of their types appears in this module's API.
 */
@SuppressWarnings("requires-automatic") // the MCP Java SDK and Reactor have no module descriptors
module dev.diskstore.mcp {
  requires transitive dev.diskstore.core;
  requires transitive org.eclipse.jetty.server;
  requires static org.jspecify;

  requires dev.diskstore.agent.tools;
  requires dev.diskstore.server;
  requires com.fasterxml.jackson.databind;
  requires io.modelcontextprotocol.sdk.mcp.core;
  requires io.modelcontextprotocol.sdk.mcp.json.jackson2;
  requires org.eclipse.jetty.ee10.servlet;
  requires reactor.core;

  exports dev.diskstore.mcp;
}
