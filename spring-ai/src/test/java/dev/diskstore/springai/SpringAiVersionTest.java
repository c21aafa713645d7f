package dev.diskstore.springai;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.ai.tool.ToolCallback;

/**
 * These tests run twice: in {@code spring-ai} on Spring AI 1.1.x and in {@code spring-ai-2} on
 * 2.0.x, both times on the class files compiled here. This checks each run is on the line it claims.
 */
class SpringAiVersionTest {
  @Test
  void theTestsRunOnTheExpectedSpringAiLineWithTheOneBuildOfThisModule() {
    String expected = System.getProperty("diskstore.expected.spring-ai.version");
    assertThat(expected).as("set by the module's surefire configuration").isNotBlank();
    String springAi = ToolCallback.class.getProtectionDomain().getCodeSource().getLocation().toString();
    assertThat(springAi).endsWith("/spring-ai-model-" + expected + ".jar");
    String ours = DiskStoreToolCallbacks.class.getProtectionDomain().getCodeSource().getLocation()
        .toString();
    assertThat(ours).contains("/spring-ai/target/");
  }
}
