package io.github.vmlifecycle.libvirt;

import io.github.vmlifecycle.InvalidInputException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Small, safe (no DTDs, no external entities) reading of libvirt domain XML for the facts the driver
 * needs: passthrough devices that block a managed save, and the driver's own metadata. Stateless and
 * thread-safe.
 */
final class DomainXml {

  /** The namespace of the metadata element in which suspend remembers the devices it detached. */
  static final String SUSPEND_NS = "https://vmlifecycle.github.io/xmlns/suspend/1";

  /** The prefix libvirt uses for {@link #SUSPEND_NS}. */
  static final String SUSPEND_PREFIX = "vmlsuspend";

  /** The namespace of the rescue metadata element (see the core's rescue rewriter). */
  static final String RESCUE_NS = "https://vmlifecycle.github.io/xmlns/rescue/1";

  private DomainXml() {}

  /** Devices of a running guest that matter to a managed save. */
  record PassthroughDevices(List<String> detachable, List<String> mediated) {}

  /**
   * Finds the PCI host devices and SR-IOV direct interfaces (which suspend detaches) and the mediated
   * devices (which make suspend refuse) of a domain.
   *
   * @param domainXml the (live) domain XML
   * @return the devices, each as a standalone XML element
   */
  static PassthroughDevices passthroughDevices(String domainXml) {
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
          mediated.add(serialize(e));
        } else if (e.getTagName().equals("hostdev") && type.equals("pci")) {
          detachable.add(serialize(e));
        } else if (e.getTagName().equals("interface") && type.equals("hostdev")) {
          detachable.add(serialize(e));
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
  static String suspendMetadata(List<String> devices) {
    Document doc = newDocument();
    Element root = doc.createElement("detached");
    doc.appendChild(root);
    for (String d : devices) {
      Element dev = doc.createElement("device");
      dev.setTextContent(d);
      root.appendChild(dev);
    }
    return serialize(root);
  }

  /**
   * Reads the devices listed by {@link #suspendMetadata}.
   *
   * @param metadata the element as libvirt returns it
   * @return the devices' XML, in the order they were detached
   */
  static List<String> detachedDevices(String metadata) {
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
   * Returns whether a domain XML carries an element of the given namespace in its {@code <metadata>}.
   *
   * @param domainXml the domain XML
   * @param namespace the namespace URI
   * @return whether it does
   */
  static boolean hasMetadata(String domainXml, String namespace) {
    Element metadata = child(parse(domainXml).getDocumentElement(), "metadata");
    if (metadata == null) {
      return false;
    }
    for (Node n = metadata.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && namespace.equals(e.getNamespaceURI())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the text of {@code /domain/name}.
   *
   * @param domainXml the domain XML
   * @return the name, or empty text when absent
   */
  static String name(String domainXml) {
    Element name = child(parse(domainXml).getDocumentElement(), "name");
    return name == null ? "" : name.getTextContent().trim();
  }

  static Document parse(String xml) {
    try {
      DocumentBuilder b = factory().newDocumentBuilder();
      b.setErrorHandler(null);
      return b.parse(new InputSource(new StringReader(xml)));
    } catch (ParserConfigurationException | SAXException | java.io.IOException e) {
      throw new InvalidInputException(null, "Malformed domain XML: " + e.getMessage(), e);
    }
  }

  private static Document newDocument() {
    try {
      return factory().newDocumentBuilder().newDocument();
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static DocumentBuilderFactory factory() throws ParserConfigurationException {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setXIncludeAware(false);
    f.setExpandEntityReferences(false);
    return f;
  }

  private static Element child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && name.equals(e.getLocalName() != null ? e.getLocalName() : e.getTagName())) {
        return e;
      }
    }
    return null;
  }

  static String serialize(Element e) {
    try {
      TransformerFactory tf = TransformerFactory.newInstance();
      tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
      Transformer t = tf.newTransformer();
      t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
      StringWriter w = new StringWriter();
      t.transform(new DOMSource(e), new StreamResult(w));
      return w.toString();
    } catch (TransformerException ex) {
      throw new IllegalStateException("Cannot serialize an XML element", ex);
    }
  }
}
