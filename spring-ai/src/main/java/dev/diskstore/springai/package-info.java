/**
 * DiskStore's agent tools for Spring AI: {@link dev.diskstore.springai.DiskStoreToolCallbacks}
 * turns the eleven disk tools of {@link dev.diskstore.agent.DiskTools} into {@code ToolCallback}s and
 * a {@code ToolCallbackProvider} with the same JSON Schemas and the same never-throwing text
 * results. The same jar works on Spring AI 1.1.x and 2.0.x. Null-marked: parameters and return
 * values are non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.diskstore.springai;

import org.jspecify.annotations.NullMarked;
