package io.github.vmlifecycle.internal.rescue;

import io.github.vmlifecycle.InvalidDomainXmlException;
import io.github.vmlifecycle.InvalidDomainXmlException.Reason;
import io.github.vmlifecycle.internal.rescue.Bus.DriveAddress;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.w3c.dom.Element;

/**
 * The targets and drive addresses in use in a domain's devices, and the first free ones. A disk on a
 * drive controller without an {@code <address>} occupies the address libvirt derives from its target
 * name; SCSI host devices occupy their SCSI drive addresses.
 */
final class Slots {
  private static final int MAX_SLOTS = 4096;

  private final Set<String> targets = new HashSet<>();
  private final Map<Bus, Set<DriveAddress>> addresses = new EnumMap<>(Bus.class);

  private Slots() {}

  /** The slots of every disk in {@code disks} and every SCSI host device under {@code devices}. */
  static Slots of(Element devices, List<Element> disks) {
    Slots slots = new Slots();
    for (Element disk : disks) {
      slots.occupy(disk);
    }
    for (Element hostdev : Dom.children(devices, "hostdev")) {
      if (Dom.attr(hostdev, "type").orElse("").equals("scsi")) {
        Dom.child(hostdev, "address").flatMap(Slots::driveAddress).ifPresent(a -> slots.used(Bus.SCSI).add(a));
      }
    }
    return slots;
  }

  /** Marks the target and address of {@code disk} as used. */
  void occupy(Element disk) {
    String target = Disks.target(disk);
    targets.add(target);
    Optional<Bus> bus = Disks.bus(disk);
    if (bus.isEmpty() || !bus.get().driveAddressed()) {
      return;
    }
    Optional<DriveAddress> explicit = Dom.child(disk, "address").flatMap(Slots::driveAddress);
    if (explicit.isPresent()) {
      used(bus.get()).add(explicit.get());
    } else {
      int index = Bus.targetIndex(bus.get().prefix(), target);
      if (index >= 0) {
        used(bus.get()).add(bus.get().driveAddress(index));
      }
    }
  }

  /** The first target name on {@code bus} that no disk uses. */
  String freeTarget(Bus bus) {
    for (int i = 0; ; i++) {
      String name = Bus.targetName(bus.prefix(), i);
      if (!targets.contains(name)) {
        return name;
      }
    }
  }

  /** Marks a target name as used. */
  void useTarget(String target) {
    targets.add(target);
  }

  boolean targetUsed(String target) {
    return targets.contains(target);
  }

  /**
   * Takes a free drive address on {@code bus} for a disk with target {@code target}, if the bus uses
   * drive addresses: the one libvirt derives from the target name when free, else the first free.
   *
   * @throws InvalidDomainXmlException NO_FREE_ADDRESS when every address is taken
   */
  Optional<DriveAddress> takeAddress(Bus bus, String target) {
    if (!bus.driveAddressed()) {
      return Optional.empty();
    }
    Set<DriveAddress> used = used(bus);
    int index = Bus.targetIndex(bus.prefix(), target);
    if (index >= 0 && index < MAX_SLOTS && (bus != Bus.FDC || index < 2) && used.add(bus.driveAddress(index))) {
      return Optional.of(bus.driveAddress(index));
    }
    int limit = bus == Bus.FDC ? 2 : MAX_SLOTS;
    for (int i = 0; i < limit; i++) {
      DriveAddress a = bus.driveAddress(i);
      if (used.add(a)) {
        return Optional.of(a);
      }
    }
    throw new InvalidDomainXmlException(
        Reason.NO_FREE_ADDRESS, "Every drive address on the " + bus.xmlName() + " bus is taken");
  }

  private Set<DriveAddress> used(Bus bus) {
    return addresses.computeIfAbsent(bus, b -> new HashSet<>());
  }

  private static Optional<DriveAddress> driveAddress(Element address) {
    if (!Dom.attr(address, "type").orElse("").equals("drive")) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new DriveAddress(
              number(address, "controller"), number(address, "bus"), number(address, "target"), number(address, "unit")));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static int number(Element address, String name) {
    String v = Dom.attr(address, name).orElse("0").trim();
    return v.startsWith("0x") ? Integer.parseInt(v.substring(2), 16) : Integer.parseInt(v);
  }
}
