/**
 * A disk's files over the Model Context Protocol: {@link dev.diskstore.mcp.DiskMcpServer} serves
 * DiskStore's agent tools and the files as resources, over stdio or Streamable HTTP, on the
 * official MCP Java SDK. Null-marked: parameters and return values are non-null unless annotated
 * {@code @Nullable}.
 */
@NullMarked
package dev.diskstore.mcp;

import org.jspecify.annotations.NullMarked;
