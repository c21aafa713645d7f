package dev.diskstore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.DiskStore;
import dev.diskstore.agent.DiskTools;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The agent tools on {@code diskstore.tools.disk-id}: a {@code DiskTools} bean with agent-tools on
 * the class path, and a {@code ToolCallbackProvider} only with Spring AI there too.
 */
class ToolsTest {
  @TempDir Path dir;
  String diskId;
  ApplicationContextRunner runner;

  @BeforeEach
  void aStoreWithADisk() {
    try (DiskStore store = DiskStore.local(dir)) {
      diskId = store.disks().create().id();
    }
    runner = Contexts.runner().withPropertyValues("diskstore.directory=" + dir);
  }

  @Test
  void withSpringAiAndADiskTheProviderRunsTheToolsOnThatDisk() {
    runner.withPropertyValues("diskstore.tools.disk-id=" + diskId).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(DiskTools.class)
          .hasSingleBean(ToolCallbackProvider.class).hasBean("diskStoreToolCallbackProvider");
      ToolCallback[] callbacks =
          context.getBean(ToolCallbackProvider.class).getToolCallbacks();
      assertThat(Arrays.stream(callbacks).map(c -> c.getToolDefinition().name()))
          .containsExactlyElementsOf(context.getBean(DiskTools.class).toolNames());
      ToolCallback write = Arrays.stream(callbacks)
          .filter(c -> c.getToolDefinition().name().equals("write_file_disk"))
          .findFirst().orElseThrow();
      String result =
          write.call("{\"file_path\": \"/notes/\", \"filename\": \"t.md\", \"content\": \"hi\"}");
      assertThat(result).doesNotStartWith("Error");
      DiskStore store = context.getBean(DiskStore.class);
      assertThat(LocalStoreTest.read(store, diskId, "/notes/", "t.md")).isEqualTo("hi");
    });
  }

  @Test
  void withoutADiskIdThereAreNoToolBeans() {
    runner.run(context -> assertThat(context).hasNotFailed()
        .doesNotHaveBean(DiskTools.class).doesNotHaveBean(ToolCallbackProvider.class));
  }

  @Test
  void withoutSpringAiThereAreTheToolsButNoProvider() {
    runner.withPropertyValues("diskstore.tools.disk-id=" + diskId)
        .withClassLoader(new FilteredClassLoader("org.springframework.ai."))
        .run(context -> assertThat(context).hasNotFailed()
            .hasSingleBean(DiskTools.class).doesNotHaveBean("diskStoreToolCallbackProvider"));
  }

  @Test
  void withoutTheSpringAiModuleThereIsNoProvider() {
    runner.withPropertyValues("diskstore.tools.disk-id=" + diskId)
        .withClassLoader(new FilteredClassLoader("dev.diskstore.springai."))
        .run(context -> assertThat(context).hasNotFailed()
            .hasSingleBean(DiskTools.class).doesNotHaveBean("diskStoreToolCallbackProvider"));
  }

  @Test
  void withoutAgentToolsThereAreNoToolBeans() {
    runner.withPropertyValues("diskstore.tools.disk-id=" + diskId)
        .withClassLoader(new FilteredClassLoader("dev.diskstore.agent."))
        .run(context -> assertThat(context).hasNotFailed()
            .doesNotHaveBean("diskStoreDiskTools")
            .doesNotHaveBean("diskStoreToolCallbackProvider"));
  }

  @Test
  void anApplicationDiskToolsIsTheOneTheProviderRuns() {
    String otherDisk;
    try (DiskStore store = DiskStore.local(dir)) {
      otherDisk = store.disks().create().id();
    }
    runner.withPropertyValues("diskstore.tools.disk-id=" + diskId)
        .withUserConfiguration(MyTools.class)
        .withPropertyValues("test.other-disk=" + otherDisk)
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(DiskTools.class);
          assertThat(context.getBean(DiskTools.class).diskId()).isEqualTo(otherDisk);
          ToolCallbackProvider provider = context.getBean(ToolCallbackProvider.class);
          assertThat(provider.getToolCallbacks()[0].toString()).contains(otherDisk);
        });
  }

  @Test
  void anApplicationProviderOfTheSameNameWinsAndOthersStandBeside() {
    ToolCallbackProvider mine = () -> new ToolCallback[0];
    runner.withPropertyValues("diskstore.tools.disk-id=" + diskId)
        .withBean("diskStoreToolCallbackProvider", ToolCallbackProvider.class, () -> mine)
        .run(context -> assertThat(context.getBean("diskStoreToolCallbackProvider"))
            .isSameAs(mine));
    runner.withPropertyValues("diskstore.tools.disk-id=" + diskId)
        .withBean("otherTools", ToolCallbackProvider.class, () -> mine)
        .run(context -> assertThat(context.getBeansOfType(ToolCallbackProvider.class))
            .containsOnlyKeys("otherTools", "diskStoreToolCallbackProvider"));
  }

  @Test
  void toolsWorkOnAnApplicationStoreToo() {
    try (DiskStore mine = DiskStore.inMemory()) {
      String id = mine.disks().create().id();
      Contexts.runner()
          .withBean(DiskStore.class, () -> mine, d -> d.setDestroyMethodName(""))
          .withPropertyValues("diskstore.tools.disk-id=" + id)
          .run(context -> assertThat(context.getBean(DiskTools.class).diskId()).isEqualTo(id));
    }
  }

  /** The application's own tools, on another disk, with a smaller output limit. */
  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  static class MyTools {
    @org.springframework.context.annotation.Bean
    DiskTools myTools(
        DiskStore store,
        @org.springframework.beans.factory.annotation.Value("${test.other-disk}") String disk) {
      return DiskTools.builder(store, disk).maxOutputChars(2000).build();
    }
  }
}
