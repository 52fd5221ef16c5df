package io.github.vmlifecycle.internal.rescue;

import io.github.vmlifecycle.rescue.RescueDevice;
import io.github.vmlifecycle.rescue.RescueXmlSpec;
import io.github.vmlifecycle.internal.rescue.Bus.DriveAddress;
import java.util.Optional;
import org.w3c.dom.Element;

/** Builds the {@code <disk>} element of the rescue device. */
final class RescueDiskElement {
  private RescueDiskElement() {}

  /**
   * Returns a new {@code <disk>} for the rescue disk: a block device for a path under {@code /dev/},
   * else a file; read-only for a cdrom; indented for a place next to {@code sibling}.
   */
  static Element create(
      Element sibling, RescueXmlSpec spec, RescueDevice device, Bus bus, String target, Optional<DriveAddress> address) {
    boolean block = spec.rescueDiskPath().startsWith("/dev/");
    Element disk = Dom.element(sibling, "disk", "type", block ? "block" : "file", "device", device.xmlName());
    String indent = Dom.indentOf(sibling);
    String nested = Dom.childIndent(sibling);
    String inner = nested.length() > indent.length() ? nested : indent + "  ";
    add(disk, inner, Dom.element(sibling, "driver", "name", "qemu", "type", spec.rescueDiskFormat()));
    add(disk, inner, Dom.element(sibling, "source", block ? "dev" : "file", spec.rescueDiskPath()));
    add(disk, inner, Dom.element(sibling, "target", "dev", target, "bus", bus.xmlName()));
    if (device == RescueDevice.CDROM) {
      add(disk, inner, Dom.element(sibling, "readonly"));
    }
    address.ifPresent(a -> add(disk, inner, driveAddress(sibling, a)));
    disk.appendChild(disk.getOwnerDocument().createTextNode("\n" + indent));
    return disk;
  }

  /** Returns a new {@code <address type='drive'>} element. */
  static Element driveAddress(Element context, DriveAddress a) {
    return Dom.element(
        context,
        "address",
        "type", "drive",
        "controller", Integer.toString(a.controller()),
        "bus", Integer.toString(a.bus()),
        "target", Integer.toString(a.target()),
        "unit", Integer.toString(a.unit()));
  }

  private static void add(Element parent, String indent, Element child) {
    parent.appendChild(parent.getOwnerDocument().createTextNode("\n" + indent));
    parent.appendChild(child);
  }
}
