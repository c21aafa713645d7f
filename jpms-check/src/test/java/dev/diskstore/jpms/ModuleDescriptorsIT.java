package dev.diskstore.jpms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.jpms.PublishedModules.Published;
import java.io.InputStream;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolvedModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The packaged jars as modules: each published jar names the module the README lists, exports
 * exactly its API and SPI packages (never {@code dev.diskstore.internal}), opens and provides only
 * what is documented, and all of them resolve together with their dependencies on one module path.
 */
class ModuleDescriptorsIT {
  /** The only {@code opens} of the published modules: to the frameworks that reflect on them. */
  static final Map<String, Set<String>> OPENS = Map.of(
      "dev.diskstore.cli", Set.of("dev.diskstore.cli to [info.picocli]"),
      "dev.diskstore.testkit", Set.of("dev.diskstore.testkit to [org.junit.platform.commons]"));

  /** The services the published modules provide, for the core's ServiceLoader lookups. */
  static final Map<String, Set<String>> PROVIDES = Map.of(
      "dev.diskstore.backend.local",
      Set.of("dev.diskstore.spi.BlobBackendProvider with"
          + " [dev.diskstore.local.LocalBlobBackendProvider]"),
      "dev.diskstore.content.parsers",
      Set.of("dev.diskstore.spi.ContentParser with [dev.diskstore.tika.TikaContentParser]",
          "dev.diskstore.spi.ContentTypeDetector with"
              + " [dev.diskstore.tika.TikaContentTypeDetector]"));

  @Test
  void everyModuleOfTheBomIsListed() throws Exception {
    var factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Element bom;
    try (InputStream in = Files.newInputStream(PublishedModules.root().resolve("bom/pom.xml"))) {
      bom = factory.newDocumentBuilder().parse(in).getDocumentElement();
    }
    Set<String> inBom = new TreeSet<>();
    NodeList artifactIds = bom.getElementsByTagName("artifactId");
    for (int i = 0; i < artifactIds.getLength(); i++) {
      if (artifactIds.item(i).getParentNode().getNodeName().equals("dependency")) {
        inBom.add(artifactIds.item(i).getTextContent().strip());
      }
    }

    assertThat(inBom).as("a module added to the BOM needs a module name (README, Java modules)")
        .isEqualTo(new TreeSet<>(PublishedModules.BY_ARTIFACT.keySet()));
  }

  @Test
  void eachJarNamesItsModuleAndExportsOnlyItsApi() throws Exception {
    for (Published published : PublishedModules.ALL) {
      Path jar = PublishedModules.jar(published.artifactId());
      Set<ModuleReference> found = ModuleFinder.of(jar).findAll();
      assertThat(found).as(jar.toString()).hasSize(1);
      ModuleDescriptor module = found.iterator().next().descriptor();

      assertThat(module.name()).as(jar.toString()).isEqualTo(published.moduleName());
      assertThat(module.isAutomatic()).as(module.name()).isEqualTo(published.automatic());
      if (published.automatic()) {
        // the name comes from the manifest, not from the file name
        try (JarFile file = new JarFile(jar.toFile())) {
          assertThat(file.getManifest().getMainAttributes().getValue("Automatic-Module-Name"))
              .as(module.name()).isEqualTo(published.moduleName());
        }
        assertThat(module.packages()).as(module.name()).isEqualTo(published.exports());
        continue;
      }
      assertThat(module.isOpen()).as(module.name()).isFalse();
      assertThat(module.exports()).as(module.name())
          .allSatisfy(e -> assertThat(e.isQualified()).as(e.toString()).isFalse());
      assertThat(module.exports().stream().map(ModuleDescriptor.Exports::source))
          .as(module.name()).containsExactlyInAnyOrderElementsOf(published.exports());
      assertThat(module.opens().stream().map(Object::toString).collect(Collectors.toSet()))
          .as(module.name()).isEqualTo(OPENS.getOrDefault(module.name(), Set.of()));
      assertThat(module.provides().stream().map(Object::toString).collect(Collectors.toSet()))
          .as(module.name()).isEqualTo(PROVIDES.getOrDefault(module.name(), Set.of()));
    }
  }

  @Test
  void theInternalPackageIsInTheCoreJarButNotExported() {
    ModuleDescriptor core = ModuleFinder.of(PublishedModules.jar("diskstore-core"))
        .find("dev.diskstore.core").orElseThrow().descriptor();

    assertThat(core.packages()).contains("dev.diskstore.internal");
    assertThat(core.exports()).noneMatch(e -> e.source().contains("internal"));
    assertThat(core.opens()).isEmpty();
  }

  @Test
  void thePublishedModulesResolveTogetherInOneLayer() {
    ModuleFinder finder = ModuleFinder.of(PublishedModules.modulePath().toArray(Path[]::new));
    Set<String> names = PublishedModules.ALL.stream().map(Published::moduleName)
        .collect(Collectors.toSet());

    // fails on a missing module, two modules with one package, or a cycle
    Configuration configuration =
        ModuleLayer.boot().configuration().resolve(finder, ModuleFinder.of(), names);
    ModuleLayer layer = ModuleLayer.boot()
        .defineModulesWithOneLoader(configuration, ClassLoader.getSystemClassLoader());

    assertThat(configuration.modules().stream().map(ResolvedModule::name)).containsAll(names);
    for (Published published : PublishedModules.ALL) {
      Module module = layer.findModule(published.moduleName()).orElseThrow();
      for (String p : module.getPackages()) {
        assertThat(module.isExported(p)).as(module.getName() + " exports " + p)
            .isEqualTo(published.exports().contains(p));
      }
    }
    Module core = layer.findModule("dev.diskstore.core").orElseThrow();
    Module local = layer.findModule("dev.diskstore.backend.local").orElseThrow();
    assertThat(local.canRead(core)).isTrue();
    assertThat(core.isExported("dev.diskstore.internal", local)).isFalse();
  }
}
