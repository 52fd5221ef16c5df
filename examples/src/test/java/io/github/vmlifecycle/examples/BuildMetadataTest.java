package io.github.vmlifecycle.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Keeps the published metadata whole: every module's POM has a name and a description, every published
 * module is in the BOM, the modules that are not published say so, and the BOM and the consumer project
 * use the build's version.
 */
class BuildMetadataTest {
  private static final Path ROOT = ReadmeTest.ROOT;
  private static final List<String> UNPUBLISHED = List.of("engine-tests", "examples", "benchmarks");

  @Test
  void modules_publishedOnes_areInTheBomAndTheOthersSkipInstallAndDeploy() throws Exception {
    Document parent = read(ROOT.resolve("pom.xml"));
    List<String> bomArtifacts = texts(read(ROOT.resolve("bom/pom.xml")), "artifactId").stream()
        .filter(a -> a.startsWith("vmlifecycle-") && !a.equals("vmlifecycle-bom")).toList();
    List<String> published = new ArrayList<>();
    for (String module : texts(parent, "module")) {
      Document pom = read(ROOT.resolve(module).resolve("pom.xml"));
      String artifactId = child(pom.getDocumentElement(), "artifactId");
      assertThat(child(pom.getDocumentElement(), "name")).as(module + " name").isNotBlank();
      assertThat(child(pom.getDocumentElement(), "description")).as(module + " description").isNotBlank();
      if (UNPUBLISHED.contains(module)) {
        assertThat(texts(pom, "maven.install.skip")).as(module).containsExactly("true");
        assertThat(texts(pom, "maven.deploy.skip")).as(module).containsExactly("true");
      } else if (!module.equals("bom")) {
        published.add(artifactId);
      }
    }
    assertThat(bomArtifacts).containsExactlyInAnyOrderElementsOf(published);
  }

  @Test
  void versions_ofTheBomAndTheConsumerProject_areTheBuildsVersion() throws Exception {
    String version = child(read(ROOT.resolve("pom.xml")).getDocumentElement(), "version");

    assertThat(child(read(ROOT.resolve("bom/pom.xml")).getDocumentElement(), "version")).isEqualTo(version);
    assertThat(texts(read(ROOT.resolve("consumer/pom.xml")), "vmlifecycle.version")).containsExactly(version);
  }

  @Test
  void parentPom_carriesLicenceScmDevelopersAndUrl() throws Exception {
    for (String pom : List.of("pom.xml", "bom/pom.xml")) {
      Element project = read(ROOT.resolve(pom)).getDocumentElement();
      assertThat(child(project, "url")).as(pom).isEqualTo("https://github.com/vmlifecycle/vmlifecycle");
      assertThat(texts(project.getOwnerDocument(), "name")).as(pom).contains("Apache-2.0");
      assertThat(texts(project.getOwnerDocument(), "connection")).as(pom).hasSize(1);
      assertThat(texts(project.getOwnerDocument(), "developer")).as(pom).hasSize(1);
    }
    assertThat(Files.readString(ROOT.resolve("LICENSE"))).contains("Apache License", "Version 2.0, January 2004");
  }

  private static Document read(Path pom) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(pom.toFile());
  }

  private static List<String> texts(Document doc, String tag) {
    NodeList nodes = doc.getElementsByTagName(tag);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      texts.add(nodes.item(i).getTextContent().strip());
    }
    return texts;
  }

  private static String child(Element parent, String tag) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(tag)) {
        return e.getTextContent().strip();
      }
    }
    return null;
  }
}
