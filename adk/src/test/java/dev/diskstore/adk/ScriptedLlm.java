package dev.diskstore.adk;

import com.google.adk.models.BaseLlm;
import com.google.adk.models.BaseLlmConnection;
import com.google.adk.models.LlmRequest;
import com.google.adk.models.LlmResponse;
import com.google.genai.types.Content;
import com.google.genai.types.Part;
import io.reactivex.rxjava3.core.Flowable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;

/**
 * A model without network: answers each request with the next part of a script, and records the
 * requests ADK sent it. For one conversation at a time.
 */
final class ScriptedLlm extends BaseLlm {
  private final Deque<Part> script;
  private final List<LlmRequest> requests = Collections.synchronizedList(new ArrayList<>());

  ScriptedLlm(Part... script) {
    super("scripted");
    this.script = new ArrayDeque<>(List.of(script));
  }

  /** The requests received, in order. */
  List<LlmRequest> requests() {
    return List.copyOf(requests);
  }

  @Override
  public Flowable<LlmResponse> generateContent(LlmRequest request, boolean stream) {
    requests.add(request);
    Part next = script.poll();
    if (next == null) {
      return Flowable.error(new IllegalStateException("the script has no answer left"));
    }
    return Flowable.just(LlmResponse.builder()
        .content(Content.builder().role("model").parts(List.of(next)).build())
        .build());
  }

  @Override
  public BaseLlmConnection connect(LlmRequest request) {
    throw new UnsupportedOperationException("live connections are not scripted");
  }
}
