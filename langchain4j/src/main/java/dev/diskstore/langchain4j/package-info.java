/**
 * DiskStore's agent tools for LangChain4j: {@link dev.diskstore.langchain4j.DiskStoreTools#provider}
 * gives an {@code AiServices} builder the eleven disk tools of {@link dev.diskstore.agent.DiskTools},
 * with the same JSON Schemas and the same never-throwing text results. Null-marked: parameters and
 * return values are non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.diskstore.langchain4j;

import org.jspecify.annotations.NullMarked;
