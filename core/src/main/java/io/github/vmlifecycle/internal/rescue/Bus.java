package io.github.vmlifecycle.internal.rescue;

import io.github.vmlifecycle.rescue.RescueBus;
import io.github.vmlifecycle.rescue.RescueDevice;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * A disk bus as libvirt knows it: its target name prefix, which device kinds it carries, and how
 * libvirt lays out drive addresses on it (for buses whose devices sit on a drive controller).
 */
enum Bus {
  VIRTIO("vd", 0, 0, EnumSet.of(RescueDevice.DISK, RescueDevice.LUN)),
  SCSI("sd", 1, 7, EnumSet.of(RescueDevice.DISK, RescueDevice.CDROM, RescueDevice.LUN)),
  SATA("sd", 1, 6, EnumSet.of(RescueDevice.DISK, RescueDevice.CDROM)),
  IDE("hd", 2, 2, EnumSet.of(RescueDevice.DISK, RescueDevice.CDROM)),
  USB("sd", 0, 0, EnumSet.of(RescueDevice.DISK, RescueDevice.CDROM)),
  FDC("fd", 1, 2, EnumSet.of(RescueDevice.FLOPPY)),
  XEN("xvd", 0, 0, EnumSet.of(RescueDevice.DISK, RescueDevice.CDROM));

  private final String prefix;
  private final int busesPerController;
  private final int unitsPerBus;
  private final Set<RescueDevice> carries;

  Bus(String prefix, int busesPerController, int unitsPerBus, Set<RescueDevice> carries) {
    this.prefix = prefix;
    this.busesPerController = busesPerController;
    this.unitsPerBus = unitsPerBus;
    this.carries = carries;
  }

  String xmlName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  String prefix() {
    return prefix;
  }

  boolean carries(RescueDevice device) {
    return carries.contains(device);
  }

  /** Whether devices on this bus have {@code <address type='drive'>} on a controller of its type. */
  boolean driveAddressed() {
    return unitsPerBus > 0;
  }

  /** The drive address libvirt gives to the {@code index}th slot of this bus, as c:b:t:u. */
  DriveAddress driveAddress(int index) {
    int perController = busesPerController * unitsPerBus;
    int controller = index / perController;
    int bus = (index % perController) / unitsPerBus;
    int unit = index % unitsPerBus;
    return new DriveAddress(controller, bus, 0, unit);
  }

  static Optional<Bus> fromXmlName(String name) {
    for (Bus b : values()) {
      if (b.xmlName().equals(name)) {
        return Optional.of(b);
      }
    }
    return Optional.empty();
  }

  static Bus of(RescueBus bus) {
    return valueOf(bus.name());
  }

  /** The bus libvirt assumes for a target name without {@code bus}: vd, sd, hd, fd, xvd. */
  static Optional<Bus> inferFromTarget(String target) {
    if (target.startsWith("xvd")) {
      return Optional.of(XEN);
    } else if (target.startsWith("vd")) {
      return Optional.of(VIRTIO);
    } else if (target.startsWith("sd")) {
      return Optional.of(SCSI);
    } else if (target.startsWith("hd")) {
      return Optional.of(IDE);
    } else if (target.startsWith("fd")) {
      return Optional.of(FDC);
    }
    return Optional.empty();
  }

  /** libvirt's target name for the {@code index}th disk on a prefix: a..z, aa..az, ba... */
  static String targetName(String prefix, int index) {
    StringBuilder s = new StringBuilder();
    for (int i = index; i >= 0; i = i / 26 - 1) {
      s.insert(0, (char) ('a' + i % 26));
    }
    return prefix + s;
  }

  /** The index of a target name on its prefix, the inverse of {@link #targetName}; -1 if none. */
  static int targetIndex(String prefix, String target) {
    if (!target.startsWith(prefix) || target.length() == prefix.length()) {
      return -1;
    }
    int index = 0;
    for (int i = prefix.length(); i < target.length(); i++) {
      char c = target.charAt(i);
      if (c < 'a' || c > 'z' || index > 1_000_000) {
        return -1;
      }
      index = index * 26 + (c - 'a' + 1);
    }
    return index - 1;
  }

  /** A drive address: controller, bus, target and unit. */
  record DriveAddress(int controller, int bus, int target, int unit) {}
}
