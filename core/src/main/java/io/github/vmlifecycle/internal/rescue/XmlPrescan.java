package io.github.vmlifecycle.internal.rescue;

import io.github.vmlifecycle.InvalidDomainXmlException;
import io.github.vmlifecycle.InvalidDomainXmlException.Reason;
import java.util.Locale;

/**
 * Checks a document's text before any parser sees it: size in UTF-8 bytes, unpaired surrogates, the
 * declared XML version (1.0 only) and encoding, a document type declaration, and element nesting depth. One pass, no
 * allocation; anything it cannot make sense of is left for the parser to report.
 */
public final class XmlPrescan {
  private XmlPrescan() {}

  public static void check(String xml, int maxBytes, int maxDepth) {
    checkSize(xml, maxBytes);
    checkDeclaration(xml);
    checkMarkup(xml, maxDepth);
  }

  static void checkSize(String xml, int maxBytes) {
    if (xml.length() > maxBytes) {
      throw tooLarge(maxBytes);
    }
    long bytes = 0;
    for (int i = 0; i < xml.length(); i++) {
      char c = xml.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < xml.length() && Character.isLowSurrogate(xml.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new InvalidDomainXmlException(
            Reason.ENCODING,
            "The domain XML contains an unpaired UTF-16 surrogate at character " + i + "; it is not valid Unicode text");
      } else {
        bytes += 3;
      }
    }
    if (bytes > maxBytes) {
      throw tooLarge(maxBytes);
    }
  }

  private static InvalidDomainXmlException tooLarge(int maxBytes) {
    return new InvalidDomainXmlException(
        Reason.TOO_LARGE, "The domain XML is larger than the limit of " + maxBytes + " bytes");
  }

  private static void checkDeclaration(String xml) {
    int start = xml.startsWith("\uFEFF") ? 1 : 0;
    if (!xml.startsWith("<?xml", start)) {
      return;
    }
    int end = xml.indexOf("?>", start);
    if (end < 0) {
      return;
    }
    String decl = xml.substring(start, end);
    pseudoAttribute(decl, "version").filter(v -> !v.equals("1.0")).ifPresent(v -> {
      throw new InvalidDomainXmlException(Reason.XML_VERSION, "The domain XML declares XML version '" + v
          + "'; only 1.0 is accepted (libvirt writes 1.0, and 1.1 text cannot round-trip through a rescue)");
    });
    pseudoAttribute(decl, "encoding").ifPresent(encoding -> {
      String upper = encoding.toUpperCase(Locale.ROOT);
      if (!upper.equals("UTF-8") && !upper.equals("UTF8")) {
        throw new InvalidDomainXmlException(
            Reason.ENCODING, "The domain XML declares encoding '" + encoding + "'; only UTF-8 is accepted");
      }
    });
  }

  /** The value of a pseudo-attribute of an XML declaration, when it is there and quoted. */
  private static java.util.Optional<String> pseudoAttribute(String decl, String name) {
    int at = decl.indexOf(name);
    if (at < 0) {
      return java.util.Optional.empty();
    }
    int q = at + name.length();
    while (q < decl.length() && (decl.charAt(q) == '=' || Character.isWhitespace(decl.charAt(q)))) {
      q++;
    }
    if (q >= decl.length() || (decl.charAt(q) != '"' && decl.charAt(q) != '\'')) {
      return java.util.Optional.empty();
    }
    int close = decl.indexOf(decl.charAt(q), q + 1);
    return close < 0 ? java.util.Optional.empty() : java.util.Optional.of(decl.substring(q + 1, close));
  }

  private static void checkMarkup(String xml, int maxDepth) {
    int depth = 0;
    int n = xml.length();
    int i = xml.indexOf('<');
    while (i >= 0 && i < n) {
      int next;
      if (xml.startsWith("<!--", i)) {
        next = after(xml, "-->", i + 4);
      } else if (xml.startsWith("<![CDATA[", i)) {
        next = after(xml, "]]>", i + 9);
      } else if (xml.startsWith("<!DOCTYPE", i)) {
        throw new InvalidDomainXmlException(
            Reason.DTD_FORBIDDEN,
            "The domain XML " + describeDoctype(xml, i) + "; document type declarations are refused and"
                + " nothing was read from files or the network");
      } else if (xml.startsWith("<!", i)) {
        return;
      } else if (xml.startsWith("<?", i)) {
        next = after(xml, "?>", i + 2);
      } else if (xml.startsWith("</", i)) {
        depth--;
        next = after(xml, ">", i + 2);
      } else {
        int end = endOfTag(xml, i + 1);
        if (end < 0) {
          return;
        }
        if (xml.charAt(end - 1) != '/') {
          depth++;
          if (depth > maxDepth) {
            throw new InvalidDomainXmlException(
                Reason.TOO_DEEP, "The domain XML nests elements deeper than the limit of " + maxDepth);
          }
        }
        next = end + 1;
      }
      if (next < 0) {
        return;
      }
      i = xml.indexOf('<', next);
    }
  }

  private static String describeDoctype(String xml, int at) {
    String dtd = xml.substring(at, Math.min(xml.length(), at + 65536));
    boolean entities = dtd.contains("<!ENTITY");
    boolean external = dtd.contains("SYSTEM") || dtd.contains("PUBLIC");
    if (entities && external) {
      return "declares external entities (an XXE attempt to read files or URLs)";
    } else if (entities) {
      return "declares entities (entity expansion such as the 'billion laughs' attack)";
    } else if (external) {
      return "references an external DTD";
    }
    return "has a document type declaration (<!DOCTYPE>)";
  }

  private static int after(String xml, String terminator, int from) {
    int at = xml.indexOf(terminator, from);
    return at < 0 ? -1 : at + terminator.length();
  }

  private static int endOfTag(String xml, int from) {
    char quote = 0;
    for (int i = from; i < xml.length(); i++) {
      char c = xml.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>') {
        return i;
      } else if (c == '<') {
        return -1;
      }
    }
    return -1;
  }
}
