package io.github.vmlifecycle.fake;

import io.github.vmlifecycle.rescue.RescueDomainXml;
import java.util.Optional;

/**
 * Writes the fake's default domain definitions (valid libvirt domain XML with the root disk in the instance
 * directory) and reads definitions with the core's {@link RescueDomainXml}, exactly as the libvirt driver does.
 */
final class DomainXml {

  /** The directory that holds instance directories, {@code <root>/<name>/disk} and the rescue files. */
  static final String INSTANCES_ROOT = "/var/lib/fake/";

  /** The root disk's file name in the instance directory. */
  static final String ROOT_DISK = "disk";

  /** Reads definitions; its clock is never used (only a rescue records a time). */
  private static final RescueDomainXml READER = RescueDomainXml.create();

  private DomainXml() {}

  static String instanceDir(String name) {
    return INSTANCES_ROOT + name + "/";
  }

  static String defaultDefinition(String name, String uuid, long memoryBytes, Optional<String> backingImage) {
    StringBuilder b = new StringBuilder(1024);
    b.append("<domain type='kvm'>\n")
        .append("  <name>").append(escape(name)).append("</name>\n")
        .append("  <uuid>").append(uuid).append("</uuid>\n")
        .append("  <memory unit='KiB'>").append(Math.max(1, memoryBytes / 1024)).append("</memory>\n")
        .append("  <vcpu placement='static'>1</vcpu>\n")
        .append("  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n    <boot dev='hd'/>\n  </os>\n")
        .append("  <on_crash>preserve</on_crash>\n")
        .append("  <devices>\n");
    disk(b, instanceDir(name) + ROOT_DISK, "vda", backingImage);
    return tail(b);
  }

  /**
   * Returns whether a definition is a rescue definition made by the core's rewriter.
   *
   * @throws io.github.vmlifecycle.InvalidDomainXmlException if it is not a readable, safe domain definition
   */
  static boolean isRescue(String definition) {
    return READER.isRescueDefinition(definition);
  }

  /**
   * Returns the original definition embedded in a rescue definition's metadata, or empty for another one.
   *
   * @throws io.github.vmlifecycle.InvalidDomainXmlException if it is not readable or the original is damaged
   */
  static Optional<String> embeddedOriginal(String definition) {
    return READER.embeddedOriginal(definition);
  }

  private static void disk(StringBuilder b, String file, String target, Optional<String> backing) {
    b.append("    <disk type='file' device='disk'>\n")
        .append("      <driver name='qemu' type='qcow2'/>\n")
        .append("      <source file='").append(escape(file)).append("'/>\n");
    backing.ifPresent(image -> b.append("      <backingStore type='file'>\n")
        .append("        <format type='qcow2'/>\n")
        .append("        <source file='").append(escape(image)).append("'/>\n")
        .append("      </backingStore>\n"));
    b.append("      <target dev='").append(target).append("' bus='virtio'/>\n")
        .append("    </disk>\n");
  }

  private static String tail(StringBuilder b) {
    b.append("    <serial type='pty'>\n      <target port='0'/>\n    </serial>\n")
        .append("    <console type='pty'>\n      <target type='serial' port='0'/>\n    </console>\n")
        .append("  </devices>\n</domain>\n");
    return b.toString();
  }

  static String escape(String text) {
    StringBuilder b = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '\'' -> b.append("&apos;");
        case '"' -> b.append("&quot;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
