package io.github.vmlifecycle.fake;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** Writes the fake's domain definitions (libvirt-style XML) and reads back the original a rescue one embeds. */
final class DomainXml {

  /** The directory that holds instance directories, {@code <root>/<name>/disk} and the rescue files. */
  static final String INSTANCES_ROOT = "/var/lib/fake/";

  private static final String RESCUE_OPEN = "<fake:rescue xmlns:fake='urn:vmlifecycle:fake:rescue'>";
  private static final String RESCUE_CLOSE = "</fake:rescue>";

  private DomainXml() {}

  static String instanceDir(String name) {
    return INSTANCES_ROOT + name + "/";
  }

  static String defaultDefinition(String name, String uuid, long memoryBytes, Optional<String> backingImage) {
    StringBuilder b = head(name, uuid, memoryBytes, "");
    b.append("  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n  </os>\n  <devices>\n");
    disk(b, instanceDir(name) + "disk", "vda", backingImage);
    return tail(b);
  }

  static String rescueDefinition(
      String name, String uuid, long memoryBytes, String original, boolean withKernel) {
    String dir = instanceDir(name);
    String metadata = "  <metadata>\n    " + RESCUE_OPEN
        + Base64.getEncoder().encodeToString(original.getBytes(StandardCharsets.UTF_8))
        + RESCUE_CLOSE + "\n  </metadata>\n";
    StringBuilder b = head(name, uuid, memoryBytes, metadata);
    b.append("  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n");
    if (withKernel) {
      b.append("    <kernel>").append(escape(dir)).append("kernel.rescue</kernel>\n")
          .append("    <initrd>").append(escape(dir)).append("ramdisk.rescue</initrd>\n")
          .append("    <cmdline>root=/dev/vda console=ttyS0</cmdline>\n");
    }
    b.append("  </os>\n  <devices>\n");
    disk(b, dir + "disk.rescue", "vda", Optional.empty());
    disk(b, dir + "disk", "vdb", Optional.empty());
    return tail(b);
  }

  static boolean isRescue(String definition) {
    return definition.contains(RESCUE_OPEN);
  }

  static Optional<String> embeddedOriginal(String definition) {
    int start = definition.indexOf(RESCUE_OPEN);
    if (start < 0) {
      return Optional.empty();
    }
    int from = start + RESCUE_OPEN.length();
    int end = definition.indexOf(RESCUE_CLOSE, from);
    if (end < 0) {
      return Optional.empty();
    }
    try {
      byte[] raw = Base64.getDecoder().decode(definition.substring(from, end).trim());
      return Optional.of(new String(raw, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static StringBuilder head(String name, String uuid, long memoryBytes, String metadata) {
    StringBuilder b = new StringBuilder(1024);
    b.append("<domain type='kvm'>\n")
        .append("  <name>").append(escape(name)).append("</name>\n")
        .append("  <uuid>").append(uuid).append("</uuid>\n")
        .append(metadata)
        .append("  <memory unit='KiB'>").append(Math.max(1, memoryBytes / 1024)).append("</memory>\n")
        .append("  <vcpu placement='static'>1</vcpu>\n");
    return b;
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
