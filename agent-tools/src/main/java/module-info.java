/**
 * A disk as LLM function-calling tools: {@code dev.diskstore.agent.DiskTools}. Tool schemas are
 * Jackson {@code JsonNode}s, so Jackson databind is required transitively.
 */
module dev.diskstore.agent.tools {
  requires transitive dev.diskstore.core;
  requires transitive com.fasterxml.jackson.databind;
  requires static org.jspecify;

  exports dev.diskstore.agent;
}
