package dev.diskstore.bom;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * {@code bom/pom.xml} against the build: it lists exactly the published modules (every module of the
 * parent's {@code <modules>} whose pom does not set {@code maven.deploy.skip}, except the demo
 * {@code examples} and the BOM itself), at the parent's version, and nothing else.
 */
class BomListsEveryModuleTest {
  /** Modules that deploy but are not libraries to depend on. */
  static final Set<String> NOT_FOR_USERS = Set.of("examples");

  static Path root;
  static Document parent;
  static Document bom;

  @BeforeAll
  static void readPoms() throws Exception {
    root = Path.of(System.getProperty("diskstore.root")).toRealPath();
    parent = parse(root.resolve("pom.xml"));
    bom = parse(root.resolve("bom/pom.xml"));
  }

  @Test
  void theBomListsEveryPublishedModuleAndNothingElse() throws Exception {
    Set<String> published = new TreeSet<>();
    for (String module : texts(child(parent.getDocumentElement(), "modules"), "module")) {
      if (module.equals("bom") || NOT_FOR_USERS.contains(module)) {
        continue;
      }
      Document pom = parse(root.resolve(module).resolve("pom.xml"));
      Element properties = child(pom.getDocumentElement(), "properties");
      boolean skipped = properties != null
          && "true".equals(text(properties, "maven.deploy.skip"));
      if (!skipped) {
        published.add(text(pom.getDocumentElement(), "artifactId"));
      }
    }

    Set<String> listed = new TreeSet<>();
    for (Element dependency : dependencies(bom)) {
      assertThat(text(dependency, "groupId")).isEqualTo("dev.diskstore");
      assertThat(text(dependency, "version")).isEqualTo("${project.version}");
      assertThat(child(dependency, "scope")).as("a BOM entry sets no scope").isNull();
      listed.add(text(dependency, "artifactId"));
    }

    assertThat(published)
        .contains("diskstore-core", "diskstore-langchain4j", "diskstore-spring-ai",
            "diskstore-spring-boot-starter")
        .doesNotContain("diskstore-reliability", "diskstore-spring-ai-2-test",
            "diskstore-spring-boot-starter-4-test", "diskstore-bom-check");
    assertThat(listed).isEqualTo(published);
  }

  @Test
  void theBomHasNoParentAndTheParentsVersion() {
    Element project = bom.getDocumentElement();
    // a parent's dependencyManagement would be imported with the BOM
    assertThat(child(project, "parent")).isNull();
    assertThat(text(project, "groupId")).isEqualTo("dev.diskstore");
    assertThat(text(project, "packaging")).isEqualTo("pom");
    assertThat(text(project, "version")).isEqualTo(text(parent.getDocumentElement(), "version"));
    assertThat(child(project, "dependencies")).as("a BOM manages, it does not depend").isNull();
  }

  private static List<Element> dependencies(Document pom) {
    Element management = child(pom.getDocumentElement(), "dependencyManagement");
    assertThat(management).isNotNull();
    List<Element> result = new ArrayList<>();
    NodeList nodes = child(management, "dependencies").getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      if (nodes.item(i) instanceof Element e && e.getTagName().equals("dependency")) {
        result.add(e);
      }
    }
    return result;
  }

  private static Document parse(Path pom) throws Exception {
    assertThat(pom).isRegularFile();
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    try (var in = Files.newInputStream(pom)) {
      return factory.newDocumentBuilder().parse(in);
    }
  }

  /** The direct child element named {@code name}, or null. */
  private static Element child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e;
      }
    }
    return null;
  }

  private static String text(Element parent, String name) {
    Element e = child(parent, name);
    return e == null ? null : e.getTextContent().strip();
  }

  private static List<String> texts(Element parent, String name) {
    List<String> result = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        result.add(e.getTextContent().strip());
      }
    }
    return result;
  }
}
