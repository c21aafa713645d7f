package dev.diskstore.springai;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.model.tool.ToolExecutionResult;

/**
 * A {@link ChatModel} that plays a script instead of calling an LLM. Like Spring AI's own chat
 * models, it runs the tool calls of a turn with a {@link ToolCallingManager} and calls "the model"
 * again with the results, until a turn has no tool calls; each prompt it was given is recorded.
 */
final class ScriptedChatModel implements ChatModel {
  private final Deque<AssistantMessage> script = new ArrayDeque<>();
  private final ToolCallingManager toolCalling = ToolCallingManager.builder().build();
  final List<Prompt> prompts = new ArrayList<>();

  ScriptedChatModel callTool(String id, String name, String arguments) {
    script.add(AssistantMessage.builder().content("")
        .toolCalls(List.of(new AssistantMessage.ToolCall(id, "function", name, arguments)))
        .build());
    return this;
  }

  ScriptedChatModel answer(String text) {
    script.add(new AssistantMessage(text));
    return this;
  }

  /**
   * The options ChatClient starts from on Spring AI 1.1.x: tool-calling options, as real models'
   * are, so that the request's tools are carried to {@link #call}. Deprecated in 2.0.
   */
  @Override
  @SuppressWarnings({"deprecation", "removal"})
  public ChatOptions getDefaultOptions() {
    return ToolCallingChatOptions.builder().build();
  }

  /** The same for Spring AI 2.0.x, where ChatModel gained this method (not in 1.1.x). */
  public ChatOptions getOptions() {
    return ToolCallingChatOptions.builder().build();
  }

  @Override
  public synchronized ChatResponse call(Prompt prompt) {
    Prompt current = prompt;
    while (true) {
      prompts.add(current);
      AssistantMessage turn = script.poll();
      if (turn == null) {
        throw new IllegalStateException("the script has no turn left");
      }
      ChatResponse response = new ChatResponse(List.of(new Generation(turn)));
      if (!turn.hasToolCalls()) {
        return response;
      }
      ToolExecutionResult result = toolCalling.executeToolCalls(current, response);
      current = new Prompt(result.conversationHistory(), current.getOptions());
    }
  }
}
