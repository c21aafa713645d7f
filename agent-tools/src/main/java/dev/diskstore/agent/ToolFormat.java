package dev.diskstore.agent;

/**
 * The tool-list formats {@link DiskTools} exports, one per function-calling API. Each produces the
 * JSON array to put in that API's {@code tools} request field.
 */
public enum ToolFormat {
  /**
   * OpenAI Chat Completions: {@code [{"type":"function","function":{"name","description",
   * "parameters","strict":true}}]}. Strict mode: every parameter is listed as required and the
   * optional ones accept {@code null}, which the executor treats as absent.
   */
  OPENAI_CHAT,
  /**
   * OpenAI Responses API: {@code [{"type":"function","name","description","parameters",
   * "strict":true}]}, with the same strict schemas as {@link #OPENAI_CHAT}.
   */
  OPENAI_RESPONSES,
  /**
   * Anthropic Messages API: {@code [{"name","description","input_schema"}]}, where {@code
   * input_schema} is a JSON Schema object with only the truly required parameters in {@code
   * required}.
   */
  ANTHROPIC,
  /**
   * Gemini: {@code [{"functionDeclarations":[{"name","description","parameters"}]}]}, with
   * parameters in Gemini's OpenAPI 3.0 subset (no {@code additionalProperties}, no type unions, no
   * {@code $schema}).
   */
  GEMINI
}
