package dev.diskstore.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A {@link ChatModel} that plays a script instead of calling an LLM: each turn answers with the
 * next scripted message (tool calls or a final text) and records the request it was given, so a
 * test sees exactly what LangChain4j sent (tool specifications, tool results).
 */
final class ScriptedChatModel implements ChatModel {
  private final Deque<AiMessage> script = new ArrayDeque<>();
  final List<ChatRequest> requests = new ArrayList<>();

  ScriptedChatModel callTool(String id, String name, String arguments) {
    script.add(AiMessage.from(
        ToolExecutionRequest.builder().id(id).name(name).arguments(arguments).build()));
    return this;
  }

  ScriptedChatModel answer(String text) {
    script.add(AiMessage.from(text));
    return this;
  }

  @Override
  public synchronized ChatResponse doChat(ChatRequest request) {
    requests.add(request);
    AiMessage next = script.poll();
    if (next == null) {
      throw new IllegalStateException("the script has no turn left for " + request.messages());
    }
    return ChatResponse.builder().aiMessage(next).build();
  }
}
