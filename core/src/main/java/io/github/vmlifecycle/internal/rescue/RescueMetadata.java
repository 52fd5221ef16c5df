package io.github.vmlifecycle.internal.rescue;

import io.github.vmlifecycle.spi.HardenedXml;
import io.github.vmlifecycle.InvalidDomainXmlException;
import io.github.vmlifecycle.InvalidDomainXmlException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The {@code <vml:rescue>} element that a rescue definition carries in its {@code <metadata>}: the
 * original definition, byte for byte, as base64 text of its UTF-8 bytes with a SHA-256 digest (text
 * survives libvirt re-serialising the metadata), and the rescue request.
 *
 * <pre>{@code
 * <vml:rescue xmlns:vml="https://vmlifecycle.github.io/xmlns/rescue/1">
 *   <vml:request mode="legacy" device="disk" bus="virtio" target="vda" disk="/..." format="qcow2" time="..."/>
 *   <vml:original encoding="base64" sha256="...">PGRvbWFpbi...</vml:original>
 * </vml:rescue>
 * }</pre>
 */
final class RescueMetadata {
  /** Our XML namespace. */
  static final String NS = "https://vmlifecycle.github.io/xmlns/rescue/1";

  private static final String XMLNS = "http://www.w3.org/2000/xmlns/";
  private static final List<String> BEFORE_METADATA = List.of("name", "uuid", "genid", "title", "description");

  private RescueMetadata() {}

  static Optional<Element> find(Element domain) {
    for (Element metadata : Dom.children(domain, "metadata")) {
      for (Node n = metadata.getFirstChild(); n != null; n = n.getNextSibling()) {
        if (n instanceof Element && NS.equals(n.getNamespaceURI()) && "rescue".equals(n.getLocalName())) {
          return Optional.of((Element) n);
        }
      }
    }
    return Optional.empty();
  }

  /** Adds the rescue element, with the request's attributes in the given order. */
  static void embed(Element domain, String original, Map<String, String> request) {
    Element metadata = Dom.child(domain, "metadata").orElseGet(() -> newMetadata(domain));
    Element rescue = domain.getOwnerDocument().createElementNS(NS, "vml:rescue");
    rescue.setAttributeNS(XMLNS, "xmlns:vml", NS);
    Dom.append(metadata, rescue);
    Element req = domain.getOwnerDocument().createElementNS(NS, "vml:request");
    request.forEach(req::setAttribute);
    Dom.append(rescue, req);
    byte[] bytes = original.getBytes(StandardCharsets.UTF_8);
    Element orig = domain.getOwnerDocument().createElementNS(NS, "vml:original");
    orig.setAttribute("encoding", "base64");
    orig.setAttribute("sha256", sha256(bytes));
    orig.setTextContent(Base64.getMimeEncoder(76, new byte[] {'\n'}).encodeToString(bytes));
    Dom.append(rescue, orig);
  }

  /** The original definition carried by a rescue element, verified against its digest. */
  static String original(Element rescue) {
    Element orig = null;
    for (Node n = rescue.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element && NS.equals(n.getNamespaceURI()) && "original".equals(n.getLocalName())) {
        orig = (Element) n;
      }
    }
    if (orig == null || !orig.getAttribute("encoding").equals("base64")) {
      throw corrupt("it has no base64 <original> element");
    }
    byte[] bytes;
    try {
      bytes = Base64.getMimeDecoder().decode(orig.getTextContent());
    } catch (IllegalArgumentException e) {
      throw corrupt("its base64 text is damaged");
    }
    if (!MessageDigest.isEqual(
        sha256(bytes).getBytes(StandardCharsets.US_ASCII),
        orig.getAttribute("sha256").toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
      throw corrupt("its SHA-256 digest does not match");
    }
    try {
      return HardenedXml.decodeUtf8(bytes, Integer.MAX_VALUE);
    } catch (InvalidDomainXmlException e) {
      throw corrupt("it is not UTF-8");
    }
  }

  private static Element newMetadata(Element domain) {
    Element metadata = Dom.element(domain, "metadata");
    Element after = null;
    for (String name : BEFORE_METADATA) {
      for (Element e : Dom.children(domain, name)) {
        if (after == null || (after.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING) != 0) {
          after = e;
        }
      }
    }
    if (after == null) {
      Dom.prepend(domain, metadata);
    } else {
      Dom.insertAfter(after, metadata);
    }
    return metadata;
  }

  private static InvalidDomainXmlException corrupt(String why) {
    return new InvalidDomainXmlException(
        Reason.CORRUPT_ORIGINAL, "The original definition embedded in the rescue definition is unusable: " + why);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }
}
