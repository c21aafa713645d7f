package dev.diskstore.examples.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * The example's stand-in for an LLM, so that it runs without an API key or a network: each turn
 * answers with the next step of a script, either a tool call or a final text. A final text is
 * computed from the request LangChain4j sent, which holds the tools' results, so the scripted
 * answer can only quote what the tools really returned. A real application passes any LangChain4j
 * {@link ChatModel} instead ({@code OpenAiChatModel}, {@code AnthropicChatModel}, ...).
 *
 * <p>One conversation at a time.
 */
final class ScriptedChatModel implements ChatModel {
  private final Deque<Function<ChatRequest, AiMessage>> steps = new ArrayDeque<>();
  private int calls;

  /** The next turn calls the tool {@code name} with {@code arguments}, a JSON object. */
  ScriptedChatModel callTool(String name, String arguments) {
    String id = "call-" + (++calls);
    steps.add(request -> AiMessage.from(
        ToolExecutionRequest.builder().id(id).name(name).arguments(arguments).build()));
    return this;
  }

  /** The next turn answers with the text {@code answer} computes from the request. */
  ScriptedChatModel answer(Function<ChatRequest, String> answer) {
    steps.add(request -> AiMessage.from(answer.apply(request)));
    return this;
  }

  @Override
  public synchronized ChatResponse doChat(ChatRequest request) {
    Function<ChatRequest, AiMessage> step = steps.poll();
    if (step == null) {
      throw new IllegalStateException("the script has no turn left");
    }
    return ChatResponse.builder().aiMessage(step.apply(request)).build();
  }

  /** The text of the newest result of the tool {@code name} in {@code request}, or "". */
  static String lastResult(ChatRequest request, String name) {
    List<ChatMessage> messages = request.messages();
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i) instanceof ToolExecutionResultMessage result
          && result.toolName().equals(name)) {
        return result.text();
      }
    }
    return "";
  }
}
