package io.github.vmlifecycle.spi;

import io.github.vmlifecycle.InvalidDomainXmlException;
import io.github.vmlifecycle.StoreException;
import java.nio.file.Path;
import java.util.Set;
import org.w3c.dom.Element;

/**
 * Checks of the values a driver reads back from its {@link OperationJournal} before it acts on them:
 * a journal lives in the durable store, so a driver treats each value as input, never as a command.
 * Stateless; thread-safe.
 */
public final class JournalEntries {
  /** The largest device definition accepted from a journal, in UTF-8 bytes. */
  public static final int MAX_DEVICE_BYTES = 64 * 1024;

  private JournalEntries() {}

  /**
   * Checks a device definition read from a journal: well-formed XML read by {@link HardenedXml} (no
   * DTD, size and depth limits), whose root element, without a namespace, is one of {@code roots}.
   *
   * @param key the journal key, for the message
   * @param xml the device's XML
   * @param roots the accepted root element names ({@code hostdev}, {@code interface}...)
   * @return {@code xml}
   * @throws StoreException with reason CORRUPT if it is refused
   */
  public static String device(String key, String xml, Set<String> roots) {
    Element root;
    try {
      root = HardenedXml.parse(xml, MAX_DEVICE_BYTES).getDocumentElement();
    } catch (InvalidDomainXmlException e) {
      throw refused(key, "its device definition is unreadable: " + e.getMessage(), e);
    }
    if (root == null || root.getNamespaceURI() != null || !roots.contains(root.getLocalName())) {
      throw refused(key, "its device definition has root element <"
          + (root == null ? "" : root.getTagName()) + ">, not one of " + roots, null);
    }
    return xml;
  }

  /**
   * Checks a file path read from a journal: absolute, without {@code ..}, directly in {@code dir} and
   * named one of {@code names}.
   *
   * @param key the journal key, for the message
   * @param path the path as written in the journal
   * @param dir the directory the file must be in
   * @param names the accepted file names
   * @return the path
   * @throws StoreException with reason CORRUPT if it is refused
   */
  public static Path fileIn(String key, String path, Path dir, Set<String> names) {
    Path p;
    try {
      p = Path.of(path);
    } catch (java.nio.file.InvalidPathException e) {
      throw refused(key, "'" + path + "' is not a path", e);
    }
    if (!p.isAbsolute() || !p.normalize().equals(p) || p.getParent() == null
        || !p.getParent().equals(dir.toAbsolutePath().normalize())
        || !names.contains(p.getFileName().toString())) {
      throw refused(key, "'" + path + "' is not one of " + names + " in " + dir, null);
    }
    return p;
  }

  /**
   * Checks a name read from a journal against the accepted names.
   *
   * @param key the journal key, for the message
   * @param name the name as written in the journal
   * @param names the accepted names
   * @return {@code name}
   * @throws StoreException with reason CORRUPT if it is refused
   */
  public static String oneOf(String key, String name, Set<String> names) {
    if (!names.contains(name)) {
      throw refused(key, "'" + name + "' is not one of " + names, null);
    }
    return name;
  }

  private static StoreException refused(String key, String why, Exception cause) {
    return new StoreException(StoreException.Reason.CORRUPT, null, "The journal entry '" + key
        + "' is refused and nothing was done with it: " + why, cause);
  }
}
