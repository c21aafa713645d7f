package dev.diskstore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.boot.SpringBootVersion;

/**
 * These tests run twice: in {@code spring-boot-starter} on Spring Boot 3.5 with Spring AI 1.1, and
 * in {@code spring-boot-starter-4} on Spring Boot 4.0 with Spring AI 2.0, both times on the class
 * files compiled here. This checks that each run is on the line it claims.
 */
class BootVersionTest {
  @Test
  void theTestsRunOnTheExpectedLinesWithTheOneBuildOfTheStarter() {
    String boot = System.getProperty("diskstore.expected.spring-boot.version");
    String springAi = System.getProperty("diskstore.expected.spring-ai.version");
    assertThat(boot).as("set by the module's surefire configuration").isNotBlank();
    assertThat(springAi).as("set by the module's surefire configuration").isNotBlank();
    assertThat(SpringBootVersion.getVersion()).isEqualTo(boot);
    assertThat(location(ToolCallback.class)).endsWith("/spring-ai-model-" + springAi + ".jar");
    assertThat(location(DiskStoreAutoConfiguration.class)).contains("/spring-boot-starter/target/");
  }

  private static String location(Class<?> type) {
    return type.getProtectionDomain().getCodeSource().getLocation().toString();
  }
}
