package io.github.vmlifecycle.internal.rescue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.vmlifecycle.InvalidDomainXmlException;
import io.github.vmlifecycle.InvalidDomainXmlException.Reason;
import io.github.vmlifecycle.rescue.RescueBus;
import io.github.vmlifecycle.rescue.RescueDevice;
import io.github.vmlifecycle.rescue.RescueDomainXml;
import io.github.vmlifecycle.rescue.RescueXmlSpec;
import io.github.vmlifecycle.internal.rescue.GeneratedDomain.Boot;
import io.github.vmlifecycle.internal.rescue.GeneratedDomain.Disk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;
import org.w3c.dom.Element;

/** Rescue over generated domains: the invariants hold, or the refusal is the one predicted. */
class RescuePropertyTest {
  private static final RescueDomainXml XML = RescueDomainXml.create();

  private static final Map<String, Set<String>> CARRIES =
      Map.of(
          "virtio", Set.of("disk", "lun"), "scsi", Set.of("disk", "cdrom", "lun"), "sata", Set.of("disk", "cdrom"),
          "ide", Set.of("disk", "cdrom"), "usb", Set.of("disk", "cdrom"), "fdc", Set.of("floppy"));

  private static Gen<Disk> disks() {
    return arbitrary()
        .pick("file", "block", "network", "volume")
        .zip(arbitrary().pick(GeneratedDomain.DEVICE_BUS), integers().between(0, 9),
            (type, deviceBus, config) -> new Disk(type, deviceBus.get(0), deviceBus.get(1),
                config == 0 && !deviceBus.get(0).equals("floppy") && !deviceBus.get(0).equals("lun")));
  }

  private static List<Disk> sane(List<Disk> generated) {
    List<Disk> out = new ArrayList<>();
    int floppies = 0;
    boolean config = false;
    for (Disk d : generated) {
      if (d.device().equals("floppy") && ++floppies > 2) {
        d = new Disk(d.type(), "disk", "virtio", false);
      }
      if (d.configDrive() && config) {
        d = new Disk(d.type(), d.device(), d.bus(), false);
      }
      config |= d.configDrive();
      out.add(d);
    }
    return out;
  }

  private static Gen<GeneratedDomain> domains() {
    Gen<List<Disk>> disks = lists().of(disks()).ofSizeBetween(1, 6).map(RescuePropertyTest::sane);
    return disks.zip(
        arbitrary().pick("pc-i440fx-7.2", "pc-q35-7.2"),
        arbitrary().enumValues(Boot.class),
        booleans().all(),
        booleans().all().zip(longs().all(), (kernel, seed) -> new Object[] {kernel, seed}),
        (d, machine, boot, addresses, ks) ->
            new GeneratedDomain(d, machine, boot, addresses, (Boolean) ks[0], (Long) ks[1]));
  }

  private static Gen<RescueXmlSpec> specs() {
    Gen<Optional<RescueDevice>> device = arbitrary().enumValues(RescueDevice.class).toOptionals(40);
    Gen<Optional<RescueBus>> bus = arbitrary().enumValues(RescueBus.class).toOptionals(40);
    return booleans().all().zip(device, bus, booleans().all(), booleans().all(),
        (stable, dev, b, kernel, block) -> {
          RescueXmlSpec.Builder spec =
              RescueXmlSpec.builder().rescueDiskPath(block ? "/dev/vg/rescue" : "/var/lib/vml/gen/disk.rescue");
          if (kernel) {
            spec.kernelPath("/var/lib/vml/gen/kernel.rescue").ramdiskPath("/var/lib/vml/gen/ramdisk.rescue");
          }
          if (stable) {
            spec.stableMode(true).device(dev).bus(b);
          }
          return spec.build();
        });
  }

  @Test
  void rescue_ofGeneratedDomains_holdsTheInvariantsOrIsRefusedAsPredicted() {
    qt().withExamples(600)
        .forAll(domains(), specs())
        .checkAssert(
            (domain, spec) -> {
              String original = domain.xml();
              Optional<Reason> predicted = predictedRefusal(domain, spec);
              String rescued;
              try {
                rescued = XML.rescue(original, spec);
              } catch (InvalidDomainXmlException e) {
                assertThat(Optional.of(e.reason())).as(e.getMessage() + "\n" + original).isEqualTo(predicted);
                return;
              }
              assertThat(predicted).as("expected a refusal for\n" + original).isEmpty();
              RescueAssertions.assertRescue(original, rescued, spec);
              assertDriveAddressesUnique(rescued);
              assertThat(XML.unrescue(rescued)).isEqualTo(original);
            });
  }

  @Test
  void rescue_thenUnrescue_isTheIdentity() {
    qt().withExamples(300)
        .forAll(domains().assuming(d -> root(d).isPresent()))
        .checkAssert(
            domain -> {
              String original = domain.xml();
              RescueXmlSpec spec =
                  RescueXmlSpec.builder().rescueDiskPath("/r/disk.rescue").device(RescueDevice.DISK).build();
              assertThat(XML.unrescue(XML.rescue(original, spec))).isEqualTo(original);
            });
  }

  @Test
  void rescue_ofGeneratedDomains_isValidForVirtXmlValidate(@TempDir Path dir) throws Exception {
    Path tool = VirtXmlValidate.requireTool();
    List<Path> files = new ArrayList<>();
    qt().withExamples(150)
        .forAll(domains().assuming(d -> root(d).isPresent()), specs())
        .checkAssert(
            (domain, spec) -> {
              if (predictedRefusal(domain, spec).isEmpty()) {
                Path original = dir.resolve("original-" + files.size() + ".xml");
                Path rescued = dir.resolve("rescued-" + files.size() + ".xml");
                write(original, domain.xml());
                write(rescued, XML.rescue(domain.xml(), spec));
                files.add(original);
                files.add(rescued);
              }
            });

    assertThat(files).hasSizeGreaterThan(100);
    assertThat(VirtXmlValidate.invalid(tool, files)).isEmpty();
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Optional<Reason> predictedRefusal(GeneratedDomain domain, RescueXmlSpec spec) {
    Optional<Disk> root = root(domain);
    if (root.isEmpty()) {
      return Optional.of(Reason.NO_ROOT_DISK);
    }
    if (!spec.stableMode()) {
      String type = root.get().type();
      return type.equals("network") || type.equals("volume") ? Optional.of(Reason.VOLUME_BACKED_NEEDS_STABLE) : Optional.empty();
    }
    String device = spec.device().map(RescueDevice::xmlName).orElse("disk");
    Optional<String> bus = spec.bus().map(RescueBus::xmlName);
    if (bus.isPresent() && !CARRIES.get(bus.get()).contains(device)) {
      return Optional.of(Reason.BUS_CANNOT_CARRY_DEVICE);
    }
    if (device.equals("lun") && !spec.rescueDiskPath().startsWith("/dev/")) {
      return Optional.of(Reason.LUN_NEEDS_BLOCK_DEVICE);
    }
    if (bus.equals(Optional.of("ide")) && domain.machine().contains("q35")) {
      return Optional.of(Reason.UNSUPPORTED_BUS);
    }
    boolean onFdc = bus.map(b -> b.equals("fdc")).orElse(device.equals("floppy"));
    long floppies = domain.disks().stream().filter(d -> d.bus().equals("fdc")).count();
    if (onFdc && floppies >= 2) {
      return Optional.of(Reason.NO_FREE_ADDRESS);
    }
    return Optional.empty();
  }

  private static Optional<Disk> root(GeneratedDomain domain) {
    return domain.disks().stream()
        .filter(d -> (d.device().equals("disk") || d.device().equals("lun")) && !d.configDrive())
        .findFirst()
        .map(first -> XML.rootDisk(domain.xml()))
        .map(root -> new Disk(root.type(), root.device(), root.bus(), false));
  }

  private static void assertDriveAddressesUnique(String rescued) {
    Element devices = RescueAssertions.only(RescueAssertions.parse(rescued).getDocumentElement(), "devices");
    Set<String> used = new HashSet<>();
    for (Element disk : RescueAssertions.children(devices, "disk")) {
      Element target = RescueAssertions.only(disk, "target");
      String bus = target.getAttribute("bus");
      if (!Set.of("ide", "sata", "scsi", "fdc").contains(bus)) {
        continue;
      }
      List<Element> address = RescueAssertions.children(disk, "address");
      String key;
      if (address.isEmpty()) {
        String dev = target.getAttribute("dev");
        int[] a = DriveAddresses.of(bus, dev.charAt(dev.length() - 1) - 'a');
        key = bus + ":" + a[0] + ":" + a[1] + ":0:" + a[2];
      } else {
        Element a = address.get(0);
        key = bus + ":" + a.getAttribute("controller") + ":" + a.getAttribute("bus") + ":" + a.getAttribute("target")
            + ":" + a.getAttribute("unit");
      }
      assertThat(used.add(key)).as("drive address " + key + " is used once in\n" + rescued).isTrue();
    }
  }
}
