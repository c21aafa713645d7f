package dev.diskstore.langchain4j;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.service.tool.ToolExecutor;
import dev.langchain4j.service.tool.ToolProvider;
import dev.langchain4j.service.tool.ToolProviderRequest;
import dev.langchain4j.service.tool.ToolProviderResult;
import java.util.List;
import java.util.Map;

/**
 * The static provider behind {@link DiskStoreTools#provider}: the same specifications and executor
 * for every request. Immutable and thread-safe; each call builds a fresh result, so a caller that
 * changes one cannot affect the next.
 */
final class DiskToolProvider implements ToolProvider {
  private final List<Map.Entry<ToolSpecification, ToolExecutor>> tools;

  DiskToolProvider(Map<String, Map.Entry<ToolSpecification, ToolExecutor>> toolsByName) {
    this.tools = List.copyOf(toolsByName.values());
  }

  @Override
  public ToolProviderResult provideTools(ToolProviderRequest request) {
    ToolProviderResult.Builder result = ToolProviderResult.builder();
    for (Map.Entry<ToolSpecification, ToolExecutor> tool : tools) {
      result.add(tool.getKey(), tool.getValue());
    }
    return result.build();
  }

  @Override
  public String toString() {
    return "DiskToolProvider" + tools.stream().map(t -> t.getKey().name()).toList();
  }
}
