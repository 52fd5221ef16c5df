package io.github.vmlifecycle.internal.rescue;

import io.github.vmlifecycle.rescue.RescueXmlSpec;
import java.util.List;
import org.w3c.dom.Element;

/**
 * Sets the direct kernel boot of a rescue definition: the rescue kernel and ramdisk with
 * {@code root=/dev/<rescue target> console=ttyS0}, or, without a rescue kernel, no direct kernel
 * boot at all ({@code kernel}, {@code initrd}, {@code cmdline} and {@code dtb} removed) so that the
 * guest boots from the rescue device. Loader, NVRAM and everything else in {@code <os>} stay.
 */
final class OsKernel {
  private static final List<String> DIRECT_BOOT = List.of("kernel", "initrd", "cmdline", "dtb");

  private OsKernel() {}

  static void apply(Element domain, RescueXmlSpec spec, String rescueTarget) {
    Element os = Dom.child(domain, "os").orElse(null);
    if (os == null) {
      return;
    }
    if (spec.kernelPath().isEmpty()) {
      for (String name : DIRECT_BOOT) {
        Dom.children(os, name).forEach(Dom::remove);
      }
      return;
    }
    set(os, "kernel", spec.kernelPath().get());
    set(os, "initrd", spec.ramdiskPath().orElseThrow());
    set(os, "cmdline", "root=/dev/" + rescueTarget + " console=ttyS0");
  }

  private static void set(Element os, String name, String text) {
    List<Element> existing = Dom.children(os, name);
    if (existing.isEmpty()) {
      Element e = Dom.element(os, name);
      e.setTextContent(text);
      Dom.append(os, e);
    } else {
      existing.get(0).setTextContent(text);
      existing.subList(1, existing.size()).forEach(Dom::remove);
    }
  }
}
