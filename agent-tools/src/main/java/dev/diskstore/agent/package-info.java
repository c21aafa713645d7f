/**
 * LLM agent tools over one disk: {@link dev.diskstore.agent.DiskTools}.
 *
 * <p>The tools of Acontext's {@code DISK_TOOLS} pool (write, read, replace, list, grep, glob,
 * download) plus delete and move, with their JSON schemas exported for OpenAI, Anthropic and
 * Gemini function calling, a context prompt, and an executor that turns a tool call's name and JSON
 * arguments into the text result handed back to the model. Null-marked: parameters and return
 * values are non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.diskstore.agent;

import org.jspecify.annotations.NullMarked;
