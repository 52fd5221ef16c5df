package io.github.vmlifecycle.spi;

import io.github.vmlifecycle.InvalidDomainXmlException;
import io.github.vmlifecycle.internal.rescue.XmlPrescan;
import io.github.vmlifecycle.InvalidDomainXmlException.Reason;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerConfigurationException;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * The hardened XML parser and serialiser for domain definitions: no DTD, no external entities or
 * schemas, no XInclude, secure processing, a size limit checked before parsing and a nesting limit.
 * Every failure is an {@link InvalidDomainXmlException}. Nothing is ever read from the file system or
 * the network.
 *
 * <p>Thread-safe: each thread uses its own parser and serialiser.
 */
public final class HardenedXml {
  /** The largest domain definition accepted for rescue, in UTF-8 bytes: 4 MiB. */
  public static final int MAX_DOMAIN_BYTES = 4 * 1024 * 1024;

  /**
   * The largest rescue definition accepted, in UTF-8 bytes: 12 MiB, room for a rewritten definition
   * plus the base64 copy of an original of {@link #MAX_DOMAIN_BYTES}.
   */
  public static final int MAX_RESCUE_BYTES = 12 * 1024 * 1024;

  /** The deepest element nesting accepted. */
  public static final int MAX_DEPTH = 64;

  private static final String XML_DECLARATION = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

  private static final ThreadLocal<DocumentBuilder> PARSER = ThreadLocal.withInitial(HardenedXml::newParser);
  private static final ThreadLocal<Transformer> SERIALISER = ThreadLocal.withInitial(HardenedXml::newSerialiser);

  private HardenedXml() {}

  /**
   * Parses a document after checking its size, encoding declaration, DTD and depth.
   *
   * @param xml the document text
   * @param maxBytes the size limit in UTF-8 bytes
   * @return the parsed document, namespace-aware
   * @throws InvalidDomainXmlException with reason TOO_LARGE, ENCODING, DTD_FORBIDDEN, TOO_DEEP or
   *     NOT_XML
   */
  public static Document parse(String xml, int maxBytes) {
    XmlPrescan.check(xml, maxBytes, MAX_DEPTH);
    String text = xml.startsWith("\uFEFF") ? xml.substring(1) : xml;
    DocumentBuilder parser = PARSER.get();
    try {
      return parser.parse(new InputSource(new StringReader(text)));
    } catch (SAXParseException e) {
      throw new InvalidDomainXmlException(
          Reason.NOT_XML,
          "The domain XML is not well-formed XML (line " + e.getLineNumber() + ", column "
              + e.getColumnNumber() + "): " + e.getMessage(),
          e);
    } catch (SAXException | IOException e) {
      throw new InvalidDomainXmlException(Reason.NOT_XML, "The domain XML cannot be parsed: " + e.getMessage(), e);
    } finally {
      parser.reset();
    }
  }

  /**
   * Returns whether the text starts with an XML declaration ({@code <?xml ...?>}).
   *
   * @param xml the document text
   * @return true when it has one
   */
  public static boolean hasDeclaration(String xml) {
    return xml.startsWith("<?xml", xml.startsWith("\uFEFF") ? 1 : 0);
  }

  /**
   * Serialises a document as UTF-8 text, with an XML declaration only when asked.
   *
   * @param document the document
   * @param declaration whether to start with {@code <?xml version="1.0" encoding="UTF-8"?>}
   * @return the text, attribute order as the DOM gives it
   * @throws IllegalStateException if the JDK serialiser fails, which it does not for a parsed document
   */
  public static String serialise(Document document, boolean declaration) {
    return serialise(document, declaration, "");
  }

  /**
   * Serialises a document as UTF-8 text, then {@code trailer}.
   *
   * @param document the document
   * @param declaration whether to start with {@code <?xml version="1.0" encoding="UTF-8"?>}
   * @param trailer whitespace to end with, such as the original's final newline
   * @return the text, attribute order as the DOM gives it
   * @throws IllegalStateException if the JDK serialiser fails, which it does not for a parsed document
   */
  public static String serialise(Document document, boolean declaration, String trailer) {
    StringWriter out = new StringWriter(8192);
    if (declaration) {
      out.write(XML_DECLARATION);
    }
    Transformer serialiser = SERIALISER.get();
    try {
      serialiser.transform(new DOMSource(document), new StreamResult(out));
    } catch (TransformerException e) {
      throw new IllegalStateException("Cannot serialise a domain XML document", e);
    } finally {
      serialiser.reset();
      serialiser.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
    }
    out.write(trailer);
    return out.toString();
  }

  /**
   * Returns the whitespace that ends a document's text, such as its final newline.
   *
   * @param xml the document text
   * @return the trailing whitespace, possibly empty
   */
  public static String trailingWhitespace(String xml) {
    int end = xml.length();
    while (end > 0 && " \t\r\n".indexOf(xml.charAt(end - 1)) >= 0) {
      end--;
    }
    return xml.substring(end);
  }

  /**
   * Decodes bytes as strict UTF-8, after checking their size.
   *
   * @param bytes the document's bytes
   * @param maxBytes the size limit
   * @return the text
   * @throws InvalidDomainXmlException with reason TOO_LARGE or ENCODING
   */
  public static String decodeUtf8(byte[] bytes, int maxBytes) {
    if (bytes.length > maxBytes) {
      throw new InvalidDomainXmlException(
          Reason.TOO_LARGE, "The domain XML is larger than the limit of " + maxBytes + " bytes");
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidDomainXmlException(
          Reason.ENCODING, "The domain XML is not valid UTF-8: " + e.getMessage(), e);
    }
  }

  private static DocumentBuilder newParser() {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newDefaultInstance();
      f.setNamespaceAware(true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      f.setAttribute("http://www.oracle.com/xml/jaxp/properties/maxElementDepth", MAX_DEPTH + 1);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      f.setValidating(false);
      DocumentBuilder parser = f.newDocumentBuilder();
      parser.setEntityResolver((publicId, systemId) -> {
        throw new SAXException("External entities are refused: " + systemId);
      });
      parser.setErrorHandler(new Refuse());
      return parser;
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("The JDK XML parser lacks a required security feature", e);
    }
  }

  private static Transformer newSerialiser() {
    try {
      TransformerFactory f = TransformerFactory.newDefaultInstance();
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
      Transformer t = f.newTransformer();
      t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
      return t;
    } catch (TransformerConfigurationException e) {
      throw new IllegalStateException("The JDK XML serialiser lacks a required security feature", e);
    }
  }

  private static final class Refuse implements ErrorHandler {
    @Override
    public void warning(SAXParseException e) {}

    @Override
    public void error(SAXParseException e) throws SAXException {
      throw e;
    }

    @Override
    public void fatalError(SAXParseException e) throws SAXException {
      throw e;
    }
  }
}
