package io.github.vmlifecycle.internal.rescue;

import io.github.vmlifecycle.InvalidDomainXmlException;
import io.github.vmlifecycle.InvalidDomainXmlException.Reason;
import io.github.vmlifecycle.rescue.RescueDevice;
import io.github.vmlifecycle.rescue.RescueXmlSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Nova's legacy rescue layout: the rescue disk first on the root disk's bus (target {@code vda},
 * {@code sda}, {@code hda}...), then the root disk on the next target, then the config drive if any;
 * every other disk is left out. The kept disks lose their {@code <address>}: drive-controller buses
 * get fresh drive addresses in this order, other buses are left for libvirt to assign, so the rescue
 * disk enumerates first.
 */
final class LegacyLayout {
  private LegacyLayout() {}

  /** Rewrites the disks of {@code devices}; returns the rescue disk element. */
  static Element apply(Element devices, List<Element> disks, Element root, RescueXmlSpec spec) {
    if (Disks.isVolume(root)) {
      throw new InvalidDomainXmlException(
          Reason.VOLUME_BACKED_NEEDS_STABLE,
          "The root disk " + Disks.target(root) + " is a volume (type " + Disks.type(root)
              + "); a volume-backed instance can only be rescued in stable device mode");
    }
    Bus bus = Disks.bus(root).orElseThrow(() -> unsupported(root));
    Optional<Element> config = disks.stream().filter(d -> d != root && Disks.isConfigDrive(d)).findFirst();

    Slots slots = Slots.of(devices, List.of());
    String rescueTarget = Bus.targetName(bus.prefix(), 0);
    slots.useTarget(rescueTarget);
    Element rescue =
        RescueDiskElement.create(root, spec, RescueDevice.DISK, bus, rescueTarget, slots.takeAddress(bus, rescueTarget));

    List<Element> kept = new ArrayList<>();
    kept.add(rescue);
    kept.add(root);
    config.ifPresent(kept::add);

    Node anchor = devices.getOwnerDocument().createTextNode("");
    devices.insertBefore(anchor, disks.get(0));
    String indent = Dom.indentOf(anchor);
    for (Element disk : disks) {
      Dom.remove(disk);
    }
    for (int i = 0; i < kept.size(); i++) {
      Element disk = kept.get(i);
      if (disk != rescue) {
        readdress(disk, slots, disk == root ? Optional.of(bus) : Optional.empty());
      }
      if (i > 0) {
        devices.insertBefore(devices.getOwnerDocument().createTextNode("\n" + indent), anchor);
      }
      devices.insertBefore(disk, anchor);
    }
    devices.removeChild(anchor);
    return rescue;
  }

  private static void readdress(Element disk, Slots slots, Optional<Bus> onBus) {
    Element target = Dom.child(disk, "target").orElseThrow(() -> unsupported(disk));
    Bus bus = onBus.orElseGet(() -> Disks.bus(disk).orElseThrow(() -> unsupported(disk)));
    String name = Disks.target(disk);
    if (onBus.isPresent() || slots.targetUsed(name)) {
      name = slots.freeTarget(bus);
    }
    slots.useTarget(name);
    target.setAttribute("dev", name);
    Dom.children(disk, "address").forEach(Dom::remove);
    slots.takeAddress(bus, name).ifPresent(a -> Dom.append(disk, RescueDiskElement.driveAddress(disk, a)));
  }

  static InvalidDomainXmlException unsupported(Element disk) {
    return new InvalidDomainXmlException(
        Reason.UNSUPPORTED_BUS,
        "The disk '" + Disks.target(disk) + "' is on bus '" + Disks.busName(disk)
            + "', whose target naming is unknown; expected virtio, scsi, sata, ide, usb, fdc or xen");
  }
}
