package dev.diskstore.examples.adk;

import com.google.adk.models.BaseLlm;
import com.google.adk.models.BaseLlmConnection;
import com.google.adk.models.LlmRequest;
import com.google.adk.models.LlmResponse;
import com.google.genai.types.Content;
import com.google.genai.types.Part;
import io.reactivex.rxjava3.core.Flowable;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The example's stand-in for Gemini, so that it runs without an API key or a network: each request
 * is answered by the next step of a script. A step sees the request ADK built (the conversation so
 * far, with tool results and loaded artifacts), so a scripted answer can quote what the tools
 * returned. In a real application the agent gets {@code .model("gemini-2.5-flash")} instead.
 *
 * <p>One conversation at a time; not thread-safe.
 */
final class ScriptedModel extends BaseLlm {
  private final Deque<Function<LlmRequest, Part>> steps = new ArrayDeque<>();

  ScriptedModel() {
    super("scripted");
  }

  /** The next turn calls the tool {@code name} with {@code args}. */
  ScriptedModel call(String name, Map<String, Object> args) {
    steps.add(request -> Part.fromFunctionCall(name, args));
    return this;
  }

  /** The next turn answers with the text {@code answer} computes from the request. */
  ScriptedModel reply(Function<LlmRequest, String> answer) {
    steps.add(request -> Part.fromText(answer.apply(request)));
    return this;
  }

  @Override
  public Flowable<LlmResponse> generateContent(LlmRequest request, boolean stream) {
    Function<LlmRequest, Part> step = steps.poll();
    if (step == null) {
      return Flowable.error(new IllegalStateException("the script has no turn left"));
    }
    return Flowable.just(LlmResponse.builder()
        .content(Content.builder().role("model").parts(List.of(step.apply(request))).build())
        .build());
  }

  @Override
  public BaseLlmConnection connect(LlmRequest request) {
    throw new UnsupportedOperationException("live connections are not scripted");
  }
}
