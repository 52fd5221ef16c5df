package io.github.vmlifecycle.internal.rescue;

import io.github.vmlifecycle.InvalidDomainXmlException;
import io.github.vmlifecycle.InvalidDomainXmlException.Reason;
import io.github.vmlifecycle.rescue.RescueDevice;
import io.github.vmlifecycle.rescue.RescueXmlSpec;
import java.util.List;
import java.util.Optional;
import org.w3c.dom.Element;

/**
 * Nova's stable device rescue layout: every original device keeps its target, address and order;
 * the rescue device is appended after the last disk on the first free target of its bus, with a free
 * drive address on drive-controller buses (other buses are left for libvirt to assign).
 *
 * <p>The bus defaults to the root disk's bus when it can carry the device; otherwise a cdrom goes on
 * sata (x86 q35 machines), ide (other x86 machines) or scsi (other architectures), a floppy on fdc and
 * a lun on scsi. libvirt adds a controller that a drive address needs but the domain lacks.
 */
final class StableLayout {
  private StableLayout() {}

  /** Appends the rescue device to {@code devices}; returns it. */
  static Element apply(Element domain, Element devices, List<Element> disks, Element root, RescueXmlSpec spec) {
    RescueDevice device = spec.device().orElse(RescueDevice.DISK);
    Bus bus = spec.bus().map(Bus::of).orElseGet(() -> defaultBus(domain, root, device));
    if (!bus.carries(device)) {
      throw new InvalidDomainXmlException(
          Reason.BUS_CANNOT_CARRY_DEVICE,
          "A rescue " + device.xmlName() + " cannot be attached to the " + bus.xmlName() + " bus; it carries "
              + carried(bus));
    }
    if (device == RescueDevice.LUN && !spec.rescueDiskPath().startsWith("/dev/")) {
      throw new InvalidDomainXmlException(
          Reason.LUN_NEEDS_BLOCK_DEVICE,
          "A rescue lun needs a block device under /dev/ as rescue disk, not '" + spec.rescueDiskPath() + "'");
    }
    if (bus == Bus.IDE && !Machine.hasIde(domain)) {
      throw new InvalidDomainXmlException(
          Reason.UNSUPPORTED_BUS, "The machine type " + Machine.describe(domain) + " has no IDE controller");
    }
    Slots slots = Slots.of(devices, disks);
    String target = slots.freeTarget(bus);
    Optional<Bus.DriveAddress> address = slots.takeAddress(bus, target);
    Element last = disks.get(disks.size() - 1);
    Element rescue = RescueDiskElement.create(last, spec, device, bus, target, address);
    Dom.insertAfter(last, rescue);
    return rescue;
  }

  private static Bus defaultBus(Element domain, Element root, RescueDevice device) {
    Optional<Bus> rootBus = Disks.bus(root);
    if (rootBus.isPresent() && rootBus.get().carries(device) && (rootBus.get() != Bus.IDE || Machine.hasIde(domain))) {
      return rootBus.get();
    }
    switch (device) {
      case FLOPPY:
        return Bus.FDC;
      case CDROM:
        if (!Machine.isX86(domain)) {
          return Bus.SCSI;
        }
        return Machine.hasIde(domain) ? Bus.IDE : Bus.SATA;
      case LUN:
        return Bus.SCSI;
      default:
        return Bus.VIRTIO;
    }
  }

  private static String carried(Bus bus) {
    StringBuilder s = new StringBuilder();
    for (RescueDevice d : RescueDevice.values()) {
      if (bus.carries(d)) {
        s.append(s.length() == 0 ? "" : ", ").append(d.xmlName());
      }
    }
    return s.toString();
  }
}
