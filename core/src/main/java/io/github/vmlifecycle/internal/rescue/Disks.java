package io.github.vmlifecycle.internal.rescue;

import io.github.vmlifecycle.rescue.DomainDisk;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.w3c.dom.Element;

/**
 * Reads the {@code <disk>} elements of a domain: their libvirt attributes, which one the guest boots
 * from (the root disk) and which one is a config drive.
 *
 * <p>The root disk is, among disks of device {@code disk} or {@code lun} that are not a config drive,
 * the one with the lowest {@code <boot order>}, else the first in document order (which is also the
 * disk that {@code <os><boot dev='hd'/>} boots).
 *
 * <p>A config drive is a disk whose source ends in {@code disk.config} (Nova's name for it, also as
 * an RBD image {@code <uuid>_disk.config}) or whose {@code <serial>} is {@code config-2}.
 */
final class Disks {
  private Disks() {}

  static Optional<Element> devices(Element domain) {
    return Dom.child(domain, "devices");
  }

  static List<Element> all(Element domain) {
    return devices(domain).map(d -> Dom.children(d, "disk")).orElse(List.of());
  }

  static String type(Element disk) {
    return Dom.attr(disk, "type").orElse("file");
  }

  static String device(Element disk) {
    return Dom.attr(disk, "device").orElse("disk");
  }

  static String target(Element disk) {
    return Dom.childAttr(disk, "target", "dev").orElse("");
  }

  static Optional<Bus> bus(Element disk) {
    Optional<String> given = Dom.childAttr(disk, "target", "bus");
    if (given.isPresent()) {
      return Bus.fromXmlName(given.get());
    }
    return Bus.inferFromTarget(target(disk));
  }

  static String busName(Element disk) {
    return Dom.childAttr(disk, "target", "bus").orElseGet(() -> bus(disk).map(Bus::xmlName).orElse(""));
  }

  static OptionalInt bootOrder(Element device) {
    Optional<String> order = Dom.childAttr(device, "boot", "order");
    if (order.isEmpty()) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(Integer.parseInt(order.get().trim()));
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  static Optional<String> source(Element disk) {
    Optional<Element> source = Dom.child(disk, "source");
    if (source.isEmpty()) {
      return Optional.empty();
    }
    Element s = source.get();
    if (type(disk).equals("volume")) {
      Optional<String> pool = Dom.attr(s, "pool");
      Optional<String> volume = Dom.attr(s, "volume");
      return volume.map(v -> pool.map(p -> p + "/" + v).orElse(v));
    }
    for (String attribute : List.of("file", "dev", "name", "dir", "path")) {
      Optional<String> v = Dom.attr(s, attribute);
      if (v.isPresent()) {
        return v;
      }
    }
    return Optional.empty();
  }

  static boolean isConfigDrive(Element disk) {
    boolean byName = source(disk).map(s -> s.endsWith("disk.config")).orElse(false);
    boolean bySerial = Dom.child(disk, "serial").map(s -> s.getTextContent().trim().equals("config-2")).orElse(false);
    return byName || bySerial;
  }

  static boolean isVolume(Element disk) {
    String type = type(disk);
    return type.equals("network") || type.equals("volume");
  }

  static Optional<Element> root(List<Element> disks) {
    Element first = null;
    Element best = null;
    int bestOrder = Integer.MAX_VALUE;
    for (Element disk : disks) {
      String device = device(disk);
      if (!(device.equals("disk") || device.equals("lun")) || isConfigDrive(disk)) {
        continue;
      }
      if (first == null) {
        first = disk;
      }
      OptionalInt order = bootOrder(disk);
      if (order.isPresent() && order.getAsInt() < bestOrder) {
        best = disk;
        bestOrder = order.getAsInt();
      }
    }
    return Optional.ofNullable(best != null ? best : first);
  }

  static DomainDisk read(Element disk) {
    DomainDisk.Builder b = DomainDisk.builder();
    b.type(type(disk)).device(device(disk)).bus(busName(disk)).target(target(disk)).source(source(disk));
    Dom.child(disk, "source").flatMap(s -> Dom.attr(s, "protocol")).ifPresent(b::sourceProtocol);
    Dom.childAttr(disk, "driver", "type").ifPresent(b::driverFormat);
    Dom.child(disk, "backingStore")
        .flatMap(bs -> Dom.childAttr(bs, "source", "file"))
        .ifPresent(b::backingStoreFile);
    OptionalInt order = bootOrder(disk);
    if (order.isPresent()) {
      b.bootOrder(order.getAsInt());
    }
    return b.build();
  }
}
