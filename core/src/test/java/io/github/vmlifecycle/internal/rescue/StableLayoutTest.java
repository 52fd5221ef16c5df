package io.github.vmlifecycle.internal.rescue;

import static io.github.vmlifecycle.internal.rescue.Domains.disk;
import static io.github.vmlifecycle.internal.rescue.Domains.drive;
import static io.github.vmlifecycle.internal.rescue.Domains.pc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.rescue.DomainDisk;
import io.github.vmlifecycle.InvalidDomainXmlException;
import io.github.vmlifecycle.InvalidDomainXmlException.Reason;
import io.github.vmlifecycle.rescue.RescueBus;
import io.github.vmlifecycle.rescue.RescueDevice;
import io.github.vmlifecycle.rescue.RescueDomainXml;
import io.github.vmlifecycle.rescue.RescueXmlSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StableLayoutTest {
  private static final Map<RescueBus, Set<RescueDevice>> CARRIES =
      Map.of(
          RescueBus.VIRTIO, Set.of(RescueDevice.DISK, RescueDevice.LUN),
          RescueBus.SCSI, Set.of(RescueDevice.DISK, RescueDevice.CDROM, RescueDevice.LUN),
          RescueBus.SATA, Set.of(RescueDevice.DISK, RescueDevice.CDROM),
          RescueBus.IDE, Set.of(RescueDevice.DISK, RescueDevice.CDROM),
          RescueBus.USB, Set.of(RescueDevice.DISK, RescueDevice.CDROM),
          RescueBus.FDC, Set.of(RescueDevice.FLOPPY));
  private static final Map<RescueBus, String> FIRST_FREE =
      Map.of(RescueBus.VIRTIO, "vdb", RescueBus.SCSI, "sdb", RescueBus.SATA, "sdb", RescueBus.IDE, "hdb",
          RescueBus.USB, "sdb", RescueBus.FDC, "fda");
  private static final String ORIGINAL =
      pc(disk("/i/disk", "vda", "virtio") + disk("cdrom", "/iso/a.iso", "sda", "sata", drive(0, 0, 0))
          + disk("cdrom", "/iso/b.iso", "hda", "ide", drive(0, 0, 0))
          + "    <interface type='network'>\n      <source network='default'/>\n    </interface>\n");

  private final RescueDomainXml xml = RescueDomainXml.create();

  static Stream<Arguments> everyDeviceOnEveryBus() {
    return Stream.of(RescueBus.values())
        .flatMap(bus -> Stream.of(RescueDevice.values()).map(device -> Arguments.of(device, bus)));
  }

  @ParameterizedTest
  @MethodSource("everyDeviceOnEveryBus")
  void rescue_withEachDeviceOnEachBus_appendsItOrRefusesTheBus(RescueDevice device, RescueBus bus) {
    RescueXmlSpec spec = RescueXmlSpec.builder().rescueDiskPath("/dev/vg/rescue").device(device).bus(bus).build();

    if (!CARRIES.get(bus).contains(device)) {
      assertThatThrownBy(() -> xml.rescue(ORIGINAL, spec))
          .isInstanceOfSatisfying(
              InvalidDomainXmlException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BUS_CANNOT_CARRY_DEVICE))
          .hasMessageContaining("cannot be attached to the " + bus.xmlName() + " bus");
      return;
    }
    String rescued = xml.rescue(ORIGINAL, spec);

    List<DomainDisk> disks = xml.disks(rescued);
    DomainDisk rescue = disks.get(disks.size() - 1);
    assertThat(disks).hasSize(4);
    assertThat(rescue.device()).isEqualTo(device.xmlName());
    assertThat(rescue.bus()).isEqualTo(bus.xmlName());
    assertThat(rescue.target()).isEqualTo(FIRST_FREE.get(bus));
    assertThat(rescue.type()).isEqualTo("block");
    assertThat(rescue.bootOrder()).hasValue(1);
    RescueAssertions.assertRescue(ORIGINAL, rescued, spec);
  }

  @Test
  void rescue_onSataNextToAnExplicitAddress_takesAFreeAddress() {
    RescueXmlSpec spec =
        RescueXmlSpec.builder().rescueDiskPath("/i/r.iso").device(RescueDevice.CDROM).bus(RescueBus.SATA).build();
    String original = pc(disk("/i/disk", "vda", "virtio") + disk("cdrom", "/iso/a.iso", "sdc", "sata", drive(0, 0, 1)));

    String rescued = xml.rescue(original, spec);

    assertThat(rescued).contains(
        "<target bus=\"sata\" dev=\"sda\"/>\n      <readonly/>\n"
            + "      <address bus=\"0\" controller=\"0\" target=\"0\" type=\"drive\" unit=\"0\"/>");
  }

  @Test
  void rescue_shiftsEveryOtherBootOrderAndRemovesOsBootDev() {
    String original =
        Domains.domain("x86_64", "pc", "",
            disk("disk", "/i/disk", "vda", "virtio", "      <boot order='2'/>\n")
                + "    <interface type='network'>\n      <source network='default'/>\n      <boot order='1'/>\n"
                + "    </interface>\n"
                + "    <hostdev mode='subsystem' type='pci' managed='yes'>\n      <source>\n"
                + "        <address domain='0x0000' bus='0x06' slot='0x00' function='0x0'/>\n      </source>\n"
                + "      <boot order='3'/>\n    </hostdev>\n");
    RescueXmlSpec spec = RescueXmlSpec.builder().rescueDiskPath("/i/disk.rescue").stableMode(true).build();

    String rescued = xml.rescue(original, spec);

    assertThat(rescued).contains("<boot order=\"3\"/>\n    </disk>", "<boot order=\"2\"/>\n    </interface>",
        "<boot order=\"4\"/>\n    </hostdev>", "<target bus=\"virtio\" dev=\"vdb\"/>\n      <boot order=\"1\"/>");
    RescueAssertions.assertRescue(original, rescued, spec);
  }

  @Test
  void rescue_withADeviceButNoBus_picksABusThatCarriesIt() {
    String pcDomain = pc(disk("/i/disk", "vda", "virtio"));
    String q35Domain = Domains.domain("x86_64", "pc-q35-7.2", "", disk("/i/disk", "vda", "virtio"));
    String armDomain = Domains.domain("aarch64", "virt", "", disk("/i/disk", "vda", "virtio"));

    assertThat(rescueBus(pcDomain, RescueDevice.CDROM)).isEqualTo("ide");
    assertThat(rescueBus(q35Domain, RescueDevice.CDROM)).isEqualTo("sata");
    assertThat(rescueBus(armDomain, RescueDevice.CDROM)).isEqualTo("scsi");
    assertThat(rescueBus(pcDomain, RescueDevice.FLOPPY)).isEqualTo("fdc");
    assertThat(rescueBus(pcDomain, RescueDevice.DISK)).isEqualTo("virtio");
  }

  private String rescueBus(String domain, RescueDevice device) {
    String rescued = xml.rescue(domain, RescueXmlSpec.builder().rescueDiskPath("/i/r").device(device).build());
    List<DomainDisk> disks = xml.disks(rescued);
    return disks.get(disks.size() - 1).bus();
  }

  @Test
  void rescue_onIdeOnAQ35Machine_isRefused() {
    String q35Domain = Domains.domain("x86_64", "pc-q35-7.2", "", disk("/i/disk", "vda", "virtio"));
    RescueXmlSpec spec = RescueXmlSpec.builder().rescueDiskPath("/i/r").bus(RescueBus.IDE).build();

    assertThatThrownBy(() -> xml.rescue(q35Domain, spec))
        .isInstanceOfSatisfying(InvalidDomainXmlException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_BUS))
        .hasMessageContaining("pc-q35-7.2");
  }

  @Test
  void rescue_asALunFromAFile_isRefused() {
    RescueXmlSpec spec = RescueXmlSpec.builder().rescueDiskPath("/i/r.img").device(RescueDevice.LUN).build();

    assertThatThrownBy(() -> xml.rescue(pc(disk("/i/disk", "sda", "scsi")), spec))
        .isInstanceOfSatisfying(
            InvalidDomainXmlException.class, e -> assertThat(e.reason()).isEqualTo(Reason.LUN_NEEDS_BLOCK_DEVICE));
  }

  @Test
  void rescue_asAThirdFloppy_isRefusedForLackOfAddress() {
    String original =
        pc(disk("/i/disk", "vda", "virtio") + disk("floppy", "/i/a.img", "fda", "fdc", "")
            + disk("floppy", "/i/b.img", "fdb", "fdc", ""));
    RescueXmlSpec spec = RescueXmlSpec.builder().rescueDiskPath("/i/r.img").device(RescueDevice.FLOPPY).build();

    assertThatThrownBy(() -> xml.rescue(original, spec))
        .isInstanceOfSatisfying(InvalidDomainXmlException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NO_FREE_ADDRESS));
  }

  @Test
  void rescue_ofAVolumeBackedInstance_appendsTheRescueDisk() {
    String original =
        pc("    <disk type='network' device='disk'>\n      <source protocol='rbd' name='volumes/v1'/>\n"
            + "      <target dev='vda' bus='virtio'/>\n    </disk>\n");
    RescueXmlSpec spec = RescueXmlSpec.builder().rescueDiskPath("/i/disk.rescue").stableMode(true).build();

    String rescued = xml.rescue(original, spec);

    assertThat(xml.disks(rescued)).extracting(DomainDisk::target).containsExactly("vda", "vdb");
    RescueAssertions.assertRescue(original, rescued, spec);
  }
}
