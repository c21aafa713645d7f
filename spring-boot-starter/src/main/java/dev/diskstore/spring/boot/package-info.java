/**
 * Spring Boot auto-configuration of DiskStore: a {@link dev.diskstore.DiskStore} bean from the
 * {@code diskstore.*} properties ({@link dev.diskstore.spring.boot.DiskStoreProperties}), the
 * agent tools on a configured disk (with Spring AI, a {@code ToolCallbackProvider}), and a health
 * indicator. The same jar works on Spring Boot 3.5 and 4.0. Null-marked: parameters and return
 * values are non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.diskstore.spring.boot;

import org.jspecify.annotations.NullMarked;
