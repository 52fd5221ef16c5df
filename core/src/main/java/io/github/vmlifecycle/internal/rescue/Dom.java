package io.github.vmlifecycle.internal.rescue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.Text;

/** Small DOM helpers for libvirt's un-namespaced elements that keep the document's indentation. */
final class Dom {
  private Dom() {}

  static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element && n.getNamespaceURI() == null && name.equals(n.getLocalName())) {
        out.add((Element) n);
      }
    }
    return out;
  }

  static Optional<Element> child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element && n.getNamespaceURI() == null && name.equals(n.getLocalName())) {
        return Optional.of((Element) n);
      }
    }
    return Optional.empty();
  }

  static Optional<String> attr(Element e, String name) {
    String v = e.getAttribute(name);
    return v.isEmpty() && !e.hasAttribute(name) ? Optional.empty() : Optional.of(v);
  }

  static Optional<String> childAttr(Element parent, String child, String name) {
    return child(parent, child).flatMap(c -> attr(c, name));
  }

  /** The whitespace that starts the line of {@code e}, or empty when it shares a line. */
  static String indentOf(Node e) {
    Node prev = e.getPreviousSibling();
    if (prev instanceof Text) {
      String s = ((Text) prev).getData();
      int nl = s.lastIndexOf('\n');
      if (nl >= 0 && s.substring(nl + 1).isBlank()) {
        return s.substring(nl + 1);
      }
    }
    return "";
  }

  /** The indentation one level deeper than {@code e}'s, judged from its children or two spaces. */
  static String childIndent(Element e) {
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element) {
        String indent = indentOf(n);
        if (!indent.isEmpty()) {
          return indent;
        }
      }
    }
    return indentOf(e) + "  ";
  }

  /** Removes {@code node} and the whitespace that indents it. */
  static void remove(Node node) {
    Node parent = node.getParentNode();
    Node prev = node.getPreviousSibling();
    if (prev instanceof Text && !((Text) prev).getData().isEmpty() && ((Text) prev).getData().isBlank()) {
      parent.removeChild(prev);
    }
    parent.removeChild(node);
  }

  /** Inserts {@code node} on its own line, indented like {@code ref}, just after {@code ref}. */
  static void insertAfter(Element ref, Element node) {
    Node parent = ref.getParentNode();
    Node next = ref.getNextSibling();
    parent.insertBefore(ref.getOwnerDocument().createTextNode("\n" + indentOf(ref)), next);
    parent.insertBefore(node, next);
  }

  /** Appends {@code node} as the last child element of {@code parent}, on its own line. */
  static void append(Element parent, Element node) {
    String indent = childIndent(parent);
    Node last = parent.getLastChild();
    if (last instanceof Text && ((Text) last).getData().isBlank() && !((Text) last).getData().isEmpty()) {
      parent.insertBefore(parent.getOwnerDocument().createTextNode("\n" + indent), last);
      parent.insertBefore(node, last);
    } else {
      parent.appendChild(parent.getOwnerDocument().createTextNode("\n" + indent));
      parent.appendChild(node);
      parent.appendChild(parent.getOwnerDocument().createTextNode("\n" + indentOf(parent)));
    }
  }

  /** Inserts {@code node} as the first child element of {@code parent}, on its own line. */
  static void prepend(Element parent, Element node) {
    String indent = childIndent(parent);
    Node first = parent.getFirstChild();
    if (first == null) {
      append(parent, node);
      return;
    }
    parent.insertBefore(parent.getOwnerDocument().createTextNode("\n" + indent), first);
    parent.insertBefore(node, first);
  }

  /** Creates {@code <name/>} with the given attributes (name, value pairs). */
  static Element element(Element context, String name, String... attributes) {
    Element e = context.getOwnerDocument().createElementNS(null, name);
    for (int i = 0; i + 1 < attributes.length; i += 2) {
      e.setAttributeNS(null, attributes[i], attributes[i + 1]);
    }
    return e;
  }
}
