package io.github.vmlifecycle.internal.rescue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A randomly generated, libvirt-valid domain definition for property tests, and its XML. */
record GeneratedDomain(List<Disk> disks, String machine, Boot boot, boolean explicitAddresses, boolean kernel, long seed) {

  enum Boot { NONE, OS_BOOT_DEV, PER_DEVICE }

  /** One generated disk; {@code device} and {@code bus} are a pair libvirt accepts. */
  record Disk(String type, String device, String bus, boolean configDrive) {
    Disk {
      if (device.equals("lun")) {
        type = "block";
      }
      if (configDrive) {
        type = "file";
      }
    }
  }

  static final List<List<String>> DEVICE_BUS =
      List.of(
          List.of("disk", "virtio"), List.of("disk", "scsi"), List.of("disk", "sata"), List.of("disk", "ide"),
          List.of("disk", "usb"), List.of("cdrom", "scsi"), List.of("cdrom", "sata"), List.of("cdrom", "ide"),
          List.of("floppy", "fdc"), List.of("lun", "virtio"), List.of("lun", "scsi"));

  static final Map<String, String> PREFIX =
      Map.of("virtio", "vd", "scsi", "sd", "sata", "sd", "ide", "hd", "usb", "sd", "fdc", "fd");

  String bus(Disk d) {
    return machine.contains("q35") && d.bus().equals("ide") ? "sata" : d.bus();
  }

  String xml() {
    Random random = new Random(seed);
    StringBuilder s = new StringBuilder();
    s.append("<domain type='kvm'>\n  <name>gen</name>\n  <uuid>00000000-0000-4000-8000-000000000000</uuid>\n");
    s.append("  <memory unit='KiB'>262144</memory>\n  <os>\n");
    s.append("    <type arch='x86_64' machine='").append(machine).append("'>hvm</type>\n");
    if (boot == Boot.OS_BOOT_DEV) {
      s.append("    <boot dev='hd'/>\n");
    }
    if (kernel) {
      s.append("    <kernel>/boot/vmlinuz</kernel>\n    <initrd>/boot/initrd</initrd>\n");
      s.append("    <cmdline>root=/dev/vda1</cmdline>\n");
    }
    s.append("  </os>\n  <devices>\n");
    List<Integer> orders = new ArrayList<>();
    for (int i = 1; i <= disks.size() + 1; i++) {
      orders.add(i);
    }
    Collections.shuffle(orders, random);
    Map<String, Integer> perPrefix = new HashMap<>();
    Map<String, Integer> perFamily = new HashMap<>();
    for (int i = 0; i < disks.size(); i++) {
      Disk d = disks.get(i);
      String bus = bus(d);
      String prefix = PREFIX.get(bus);
      int index = perPrefix.merge(prefix, 1, Integer::sum) - 1;
      String target = prefix + (char) ('a' + index);
      s.append("    <disk type='").append(d.type()).append("' device='").append(d.device()).append("'>\n");
      s.append("      <driver name='qemu' type='").append(d.type().equals("file") ? "qcow2" : "raw").append("'/>\n");
      s.append("      ").append(source(d, i)).append('\n');
      s.append("      <target dev='").append(target).append("' bus='").append(bus).append("'/>\n");
      if (d.device().equals("cdrom")) {
        s.append("      <readonly/>\n");
      }
      if (boot == Boot.PER_DEVICE && random.nextBoolean()) {
        s.append("      <boot order='").append(orders.get(i)).append("'/>\n");
      }
      if (explicitAddresses) {
        if (bus.equals("virtio")) {
          s.append("      <address type='pci' domain='0x0000' bus='0x00' slot='0x")
              .append(Integer.toHexString(4 + i)).append("' function='0x0'/>\n");
        } else if (!bus.equals("usb")) {
          int slot = perFamily.merge(bus, 1, Integer::sum) - 1;
          int[] a = DriveAddresses.of(bus, bus.equals("fdc") ? slot : slot + 1);
          s.append("      <address type='drive' controller='").append(a[0]).append("' bus='").append(a[1])
              .append("' target='0' unit='").append(a[2]).append("'/>\n");
        }
      }
      s.append("    </disk>\n");
    }
    s.append("    <interface type='network'>\n      <source network='default'/>\n");
    if (boot == Boot.PER_DEVICE) {
      s.append("      <boot order='").append(orders.get(disks.size())).append("'/>\n");
    }
    s.append("    </interface>\n  </devices>\n</domain>\n");
    return s.toString();
  }

  private static String source(Disk d, int i) {
    if (d.configDrive()) {
      return "<source file='/var/lib/vml/gen/disk.config'/>";
    }
    switch (d.type()) {
      case "block":
        return "<source dev='/dev/vg/gen" + i + "'/>";
      case "network":
        return "<source protocol='rbd' name='pool/gen" + i + "'><host name='10.0.0.1' port='6789'/></source>";
      case "volume":
        return "<source pool='pool' volume='gen" + i + "'/>";
      default:
        return "<source file='/var/lib/vml/gen/disk" + i + "'/>";
    }
  }
}
