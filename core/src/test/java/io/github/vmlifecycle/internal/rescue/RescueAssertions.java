package io.github.vmlifecycle.internal.rescue;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.rescue.DomainDisk;
import io.github.vmlifecycle.rescue.RescueDomainXml;
import io.github.vmlifecycle.rescue.RescueXmlSpec;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/** The invariants every rescue definition must satisfy, checked with a plain DOM parser. */
public final class RescueAssertions {
  private static final RescueDomainXml XML = RescueDomainXml.create();

  private RescueAssertions() {}

  /** Parses with the JDK's parser in secure mode; fails the test if the text is not well-formed. */
  public static Document parse(String xml) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newDefaultInstance();
      f.setNamespaceAware(true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      var builder = f.newDocumentBuilder();
      builder.setErrorHandler(null);
      return builder.parse(new InputSource(new StringReader(xml)));
    } catch (Exception e) {
      throw new AssertionError("not well-formed XML: " + e.getMessage(), e);
    }
  }

  /** Every invariant of a rescue definition made from {@code original} with {@code spec}. */
  public static void assertRescue(String original, String rescued, RescueXmlSpec spec) {
    Element domain = parse(rescued).getDocumentElement();
    Element devices = only(domain, "devices");
    DomainDisk originalRoot = XML.rootDisk(original);

    List<Element> booting = new ArrayList<>();
    Set<String> orders = new HashSet<>();
    for (Element device : children(devices, null)) {
      for (Element boot : children(device, "boot")) {
        assertThat(orders.add(boot.getAttribute("order"))).as("boot orders are unique").isTrue();
        if (boot.getAttribute("order").equals("1")) {
          booting.add(device);
        }
      }
    }
    assertThat(booting).as("exactly one device boots first").hasSize(1);
    Element rescue = booting.get(0);
    assertThat(rescue.getLocalName()).isEqualTo("disk");
    assertThat(source(rescue)).contains(spec.rescueDiskPath());
    assertThat(children(only(domain, "os"), "boot")).as("no <os><boot dev>").isEmpty();

    List<Element> disks = children(devices, "disk");
    Set<String> targets = new HashSet<>();
    for (Element disk : disks) {
      assertThat(targets.add(target(disk))).as("targets are unique: " + target(disk)).isTrue();
    }
    assertThat(disks.stream().filter(d -> d != rescue && source(d).equals(originalRoot.source())
            && d.getAttribute("type").equals(originalRoot.type())))
        .as("the original root disk is still attached")
        .hasSize(1);

    Element os = only(domain, "os");
    if (spec.kernelPath().isPresent()) {
      assertThat(only(os, "kernel").getTextContent()).isEqualTo(spec.kernelPath().get());
      assertThat(only(os, "initrd").getTextContent()).isEqualTo(spec.ramdiskPath().get());
      assertThat(only(os, "cmdline").getTextContent()).isEqualTo("root=/dev/" + target(rescue) + " console=ttyS0");
    } else {
      for (String name : List.of("kernel", "initrd", "cmdline", "dtb")) {
        assertThat(children(os, name)).as("no direct kernel boot: " + name).isEmpty();
      }
    }

    Document originalDoc = parse(original);
    if (spec.stableMode()) {
      List<Element> before = children(only(originalDoc.getDocumentElement(), "devices"), "disk");
      assertThat(disks).hasSize(before.size() + 1);
      assertThat(disks.get(disks.size() - 1)).isSameAs(rescue);
      for (int i = 0; i < before.size(); i++) {
        assertThat(target(disks.get(i))).isEqualTo(target(before.get(i)));
        assertThat(address(disks.get(i))).isEqualTo(address(before.get(i)));
        assertThat(source(disks.get(i))).isEqualTo(source(before.get(i)));
      }
    } else {
      assertThat(disks.get(0)).isSameAs(rescue);
      assertThat(source(disks.get(1))).isEqualTo(originalRoot.source());
      assertThat(disks.size()).isBetween(2, 3);
    }

    assertEverythingButDisksKept(originalDoc.getDocumentElement(), domain);

    assertThat(XML.isRescueDefinition(rescued)).isTrue();
    String back = XML.unrescue(rescued);
    assertThat(back).isEqualTo(original);
    assertCanonicallyEqual(back, original);
  }

  /**
   * Every element outside {@code <os>}, {@code <metadata>} and the disks is unchanged, apart from
   * {@code <boot order>} values; so are {@code <os>}'s loader, NVRAM and type.
   */
  static void assertEverythingButDisksKept(Element original, Element rescued) {
    assertThat(comparable(rescued, Set.of("metadata", "os", "devices")))
        .isEqualTo(comparable(original, Set.of("metadata", "os", "devices")));
    assertThat(comparable(only(rescued, "devices"), Set.of("disk")))
        .isEqualTo(comparable(only(original, "devices"), Set.of("disk")));
    for (String name : List.of("type", "loader", "nvram")) {
      assertThat(children(only(rescued, "os"), name).stream().map(RescueAssertions::canonical).toList())
          .isEqualTo(children(only(original, "os"), name).stream().map(RescueAssertions::canonical).toList());
    }
  }

  private static List<String> comparable(Element parent, Set<String> except) {
    List<String> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element && !except.contains(n.getLocalName())) {
        Element copy = (Element) n.cloneNode(true);
        for (Element boot : children(copy, "boot")) {
          boot.removeAttribute("order");
        }
        out.add(canonical(copy));
      }
    }
    return out;
  }

  private static String canonical(Node node) {
    StringBuilder s = new StringBuilder();
    canonical(node, s);
    return s.toString();
  }

  private static void canonical(Node node, StringBuilder s) {
    if (node instanceof Element) {
      s.append('<').append(node.getNamespaceURI()).append(':').append(node.getLocalName());
      var attributes = node.getAttributes();
      List<String> sorted = new ArrayList<>();
      for (int i = 0; i < attributes.getLength(); i++) {
        sorted.add(attributes.item(i).getNodeName() + "=" + attributes.item(i).getNodeValue());
      }
      sorted.sort(null);
      s.append(sorted).append('>');
      for (Node c = node.getFirstChild(); c != null; c = c.getNextSibling()) {
        canonical(c, s);
      }
      s.append("</>");
    } else if (node.getNodeType() == Node.TEXT_NODE || node.getNodeType() == Node.CDATA_SECTION_NODE) {
      s.append(node.getNodeValue().strip());
    }
  }

  /** Both texts parse to equal DOM trees (attribute order and quoting aside). */
  public static void assertCanonicallyEqual(String actual, String expected) {
    Document a = parse(actual);
    Document e = parse(expected);
    a.normalizeDocument();
    e.normalizeDocument();
    assertThat(a.getDocumentElement().isEqualNode(e.getDocumentElement())).as("canonical DOM forms are equal").isTrue();
  }

  static Element only(Element parent, String name) {
    List<Element> found = children(parent, name);
    assertThat(found).as("one <" + name + ">").hasSize(1);
    return found.get(0);
  }

  static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element && n.getNamespaceURI() == null && (name == null || name.equals(n.getLocalName()))) {
        out.add((Element) n);
      }
    }
    return out;
  }

  static String target(Element disk) {
    return children(disk, "target").stream().map(t -> t.getAttribute("dev")).findFirst().orElse("");
  }

  static Optional<String> source(Element disk) {
    for (Element s : children(disk, "source")) {
      if (disk.getAttribute("type").equals("volume")) {
        return Optional.of(s.getAttribute("pool") + "/" + s.getAttribute("volume"));
      }
      for (String a : List.of("file", "dev", "name", "dir", "path")) {
        if (s.hasAttribute(a)) {
          return Optional.of(s.getAttribute(a));
        }
      }
    }
    return Optional.empty();
  }

  static String address(Element disk) {
    StringBuilder s = new StringBuilder();
    for (Element a : children(disk, "address")) {
      var attributes = a.getAttributes();
      for (int i = 0; i < attributes.getLength(); i++) {
        s.append(attributes.item(i).getNodeName()).append('=').append(attributes.item(i).getNodeValue()).append(' ');
      }
    }
    return s.toString();
  }
}
