package io.github.vmlifecycle.libvirt.internal;

import io.github.vmlifecycle.spi.HardenedXml;
import java.util.ArrayList;
import java.util.List;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Reading and writing the parts of libvirt domain XML the driver needs: passthrough devices that block
 * a managed save, the driver's own metadata, the domain's name and UUID. Every document goes through
 * the core's {@link HardenedXml} (no DTD or external entities, size and depth limits). Stateless and
 * thread-safe.
 */
public final class DomainXml {

  /** The namespace of the metadata element in which suspend remembers the devices it detached. */
  public static final String SUSPEND_NS = "https://vmlifecycle.github.io/xmlns/suspend/1";

  /** The prefix libvirt uses for {@link #SUSPEND_NS}. */
  static final String SUSPEND_PREFIX = "vmlsuspend";

  /** The namespace of the rescue metadata element (see the core's rescue rewriter). */
  static final String RESCUE_NS = "https://vmlifecycle.github.io/xmlns/rescue/1";

  private DomainXml() {}

  /** Devices of a running guest that matter to a managed save. */
  public record PassthroughDevices(List<String> detachable, List<String> mediated) {}

  /**
   * Finds the PCI host devices and SR-IOV direct interfaces (which suspend detaches) and the mediated
   * devices (which make suspend refuse) of a domain.
   *
   * @param domainXml the (live) domain XML
   * @return the devices, each as a standalone XML element
   * @throws io.github.vmlifecycle.InvalidDomainXmlException if the XML is malformed, too large or too deep
   */
  public static PassthroughDevices passthroughDevices(String domainXml) {
    Document doc = parse(domainXml);
    List<String> detachable = new ArrayList<>();
    List<String> mediated = new ArrayList<>();
    Element devices = child(doc.getDocumentElement(), "devices");
    if (devices != null) {
      for (Node n = devices.getFirstChild(); n != null; n = n.getNextSibling()) {
        if (!(n instanceof Element e)) {
          continue;
        }
        String type = e.getAttribute("type");
        if (e.getTagName().equals("hostdev") && type.equals("mdev")) {
          mediated.add(serialise(e));
        } else if (e.getTagName().equals("hostdev") && type.equals("pci")) {
          detachable.add(serialise(e));
        } else if (e.getTagName().equals("interface") && type.equals("hostdev")) {
          detachable.add(serialise(e));
        }
      }
    }
    return new PassthroughDevices(List.copyOf(detachable), List.copyOf(mediated));
  }

  /**
   * Builds the suspend metadata element that lists detached devices (each as escaped text, so that the
   * device XML keeps its own namespace-free form).
   *
   * @param devices the devices' XML
   * @return the element, without a namespace (libvirt adds {@link #SUSPEND_NS})
   */
  public static String suspendMetadata(List<String> devices) {
    Document doc = newDocument("detached");
    Element root = doc.getDocumentElement();
    for (String d : devices) {
      Element dev = doc.createElement("device");
      dev.setTextContent(d);
      root.appendChild(dev);
    }
    return HardenedXml.serialise(doc, false);
  }

  /**
   * Reads the devices listed by {@link #suspendMetadata}.
   *
   * @param metadata the element as libvirt returns it
   * @return the devices' XML, in the order they were detached
   * @throws io.github.vmlifecycle.InvalidDomainXmlException if the XML is malformed, too large or too deep
   */
  public static List<String> detachedDevices(String metadata) {
    Document doc = parse(metadata);
    List<String> out = new ArrayList<>();
    NodeList list = doc.getDocumentElement().getChildNodes();
    for (int i = 0; i < list.getLength(); i++) {
      if (list.item(i) instanceof Element e && e.getLocalName() != null
          && e.getLocalName().equals("device")) {
        out.add(e.getTextContent());
      }
    }
    return out;
  }

  /**
   * Returns the text of {@code /domain/uuid}.
   *
   * @param domainXml the domain XML
   * @return the UUID as written, or empty text when absent
   * @throws io.github.vmlifecycle.InvalidDomainXmlException if the XML is malformed, too large or too deep
   */
  static String uuid(String domainXml) {
    Element uuid = child(parse(domainXml).getDocumentElement(), "uuid");
    return uuid == null ? "" : uuid.getTextContent().trim();
  }

  private static Document parse(String xml) {
    return HardenedXml.parse(xml, HardenedXml.MAX_DOMAIN_BYTES);
  }

  /** A new document holding only {@code <name/>}. */
  private static Document newDocument(String name) {
    return parse("<" + name + "/>");
  }

  private static Element child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && name.equals(e.getLocalName() != null ? e.getLocalName() : e.getTagName())) {
        return e;
      }
    }
    return null;
  }

  /** Serialises one element on its own, as a document of its own (no XML declaration). */
  private static String serialise(Element e) {
    Document doc = newDocument("x");
    doc.replaceChild(doc.importNode(e, true), doc.getDocumentElement());
    return HardenedXml.serialise(doc, false);
  }
}
