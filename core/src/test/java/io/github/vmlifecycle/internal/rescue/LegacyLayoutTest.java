package io.github.vmlifecycle.internal.rescue;

import static io.github.vmlifecycle.internal.rescue.Domains.disk;
import static io.github.vmlifecycle.internal.rescue.Domains.drive;
import static io.github.vmlifecycle.internal.rescue.Domains.pc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.rescue.DomainDisk;
import io.github.vmlifecycle.InvalidDomainXmlException;
import io.github.vmlifecycle.InvalidDomainXmlException.Reason;
import io.github.vmlifecycle.rescue.RescueDomainXml;
import io.github.vmlifecycle.rescue.RescueXmlSpec;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class LegacyLayoutTest {
  private static final RescueXmlSpec SPEC = RescueXmlSpec.builder().rescueDiskPath("/i/disk.rescue").build();
  private final RescueDomainXml xml = RescueDomainXml.create();

  @ParameterizedTest
  @CsvSource({"virtio,vda,vdb", "scsi,sda,sdb", "sata,sda,sdb", "ide,hda,hdb", "usb,sda,sdb"})
  void rescue_onEachBus_putsTheRescueDiskFirstAndTheRootNext(String bus, String first, String second) {
    String original = pc(disk("/i/disk", first, bus) + disk("/i/disk.eph0", second, bus));

    String rescued = xml.rescue(original, SPEC);

    List<DomainDisk> disks = xml.disks(rescued);
    assertThat(disks).extracting(DomainDisk::target).containsExactly(first, second);
    assertThat(disks).extracting(DomainDisk::bus).containsOnly(bus);
    assertThat(disks.get(0).source()).contains("/i/disk.rescue");
    assertThat(disks.get(0).bootOrder()).hasValue(1);
    assertThat(disks.get(1).source()).contains("/i/disk");
    RescueAssertions.assertRescue(original, rescued, SPEC);
  }

  @Test
  void rescue_onScsi_givesTheRescueDiskTheFirstDriveAddress() {
    String original = pc(disk("disk", "/i/disk", "sda", "scsi", drive(0, 0, 0)));

    String rescued = xml.rescue(original, SPEC);

    assertThat(rescued)
        .contains("<target bus=\"scsi\" dev=\"sda\"/>\n      <address bus=\"0\" controller=\"0\" target=\"0\" type=\"drive\" unit=\"0\"/>")
        .contains("<target bus=\"scsi\" dev=\"sdb\"/>\n      <address bus=\"0\" controller=\"0\" target=\"0\" type=\"drive\" unit=\"1\"/>");
  }

  @Test
  void rescue_leavesOutEphemeralsSwapCdromsFloppiesAndVolumes() {
    String original =
        pc(disk("/i/disk", "vda", "virtio")
            + disk("/i/disk.eph0", "vdb", "virtio")
            + disk("/i/disk.swap", "vdc", "virtio")
            + disk("cdrom", "/iso/install.iso", "hda", "ide", "")
            + disk("floppy", "/i/floppy.img", "fda", "fdc", "")
            + "    <disk type='network' device='disk'><source protocol='rbd' name='volumes/v1'/>"
            + "<target dev='vdd' bus='virtio'/></disk>\n");

    String rescued = xml.rescue(original, SPEC);

    assertThat(xml.disks(rescued)).extracting(d -> d.source().orElse("")).containsExactly("/i/disk.rescue", "/i/disk");
  }

  @Test
  void rescue_keepsAConfigDriveFoundBySerialAfterTheRootDisk() {
    String original =
        pc(disk("/i/disk", "vda", "virtio")
            + disk("/i/disk.eph0", "vdb", "virtio")
            + disk("cdrom", "/i/seed.iso", "hdd", "ide", "      <serial>config-2</serial>\n"));

    String rescued = xml.rescue(original, SPEC);

    assertThat(xml.disks(rescued)).extracting(DomainDisk::target).containsExactly("vda", "vdb", "hdd");
    assertThat(xml.disks(rescued).get(2).source()).contains("/i/seed.iso");
  }

  @Test
  void rescue_renamesAConfigDriveWhoseTargetTheRootDiskTakes() {
    String original = pc(disk("/i/disk", "vda", "virtio") + disk("/i/disk.config", "vdb", "virtio"));

    String rescued = xml.rescue(original, SPEC);

    assertThat(xml.disks(rescued)).extracting(DomainDisk::target).containsExactly("vda", "vdb", "vdc");
    assertThat(xml.disks(rescued)).extracting(d -> d.source().orElse(""))
        .containsExactly("/i/disk.rescue", "/i/disk", "/i/disk.config");
  }

  @Test
  void rescue_dropsPciAddressesSoLibvirtEnumeratesTheRescueDiskFirst() {
    String original =
        pc(disk("disk", "/i/disk", "vda", "virtio",
            "      <address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/>\n"));

    String rescued = xml.rescue(original, SPEC);

    assertThat(rescued).doesNotContain("<address");
  }

  @Test
  void rescue_ofAVolumeBackedInstance_isRefused() {
    String original =
        pc("    <disk type='volume' device='disk'><source pool='p' volume='v'/><target dev='vda' bus='virtio'/></disk>\n");

    assertThatThrownBy(() -> xml.rescue(original, SPEC))
        .isInstanceOfSatisfying(
            InvalidDomainXmlException.class, e -> assertThat(e.reason()).isEqualTo(Reason.VOLUME_BACKED_NEEDS_STABLE))
        .hasMessageContaining("type volume");
  }

  @Test
  void rescue_onABusWithoutKnownTargetNaming_isRefused() {
    String original = pc(disk("/i/disk", "ubda", "uml"));

    assertThatThrownBy(() -> xml.rescue(original, SPEC))
        .isInstanceOfSatisfying(InvalidDomainXmlException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_BUS))
        .hasMessageContaining("uml");
  }

  @Test
  void rescue_withoutARescueKernel_removesDirectKernelBootButKeepsTheLoader() {
    String original =
        Domains.domain("aarch64", "virt",
            "    <loader readonly='yes' type='pflash'>/usr/share/AAVMF/AAVMF_CODE.fd</loader>\n"
                + "    <nvram>/var/lib/libvirt/qemu/nvram/t_VARS.fd</nvram>\n"
                + "    <kernel>/boot/vmlinuz</kernel>\n    <initrd>/boot/initrd</initrd>\n"
                + "    <cmdline>console=ttyAMA0</cmdline>\n    <dtb>/boot/virt.dtb</dtb>\n",
            disk("/i/disk", "vda", "virtio"));

    String rescued = xml.rescue(original, SPEC);

    assertThat(rescued).doesNotContain("<kernel>", "<initrd>", "<cmdline>", "<dtb>")
        .contains("<loader readonly=\"yes\" type=\"pflash\">/usr/share/AAVMF/AAVMF_CODE.fd</loader>")
        .contains("<nvram>/var/lib/libvirt/qemu/nvram/t_VARS.fd</nvram>");
    RescueAssertions.assertRescue(original, rescued, SPEC);
  }

  @Test
  void rescue_withARescueKernel_replacesKernelInitrdAndCmdline() {
    String original =
        Domains.domain("x86_64", "pc", "    <kernel>/boot/vmlinuz</kernel>\n    <initrd>/boot/initrd</initrd>\n",
            disk("/i/disk", "sda", "scsi"));
    RescueXmlSpec spec =
        RescueXmlSpec.builder().rescueDiskPath("/i/disk.rescue").kernelPath("/i/kernel.rescue")
            .ramdiskPath("/i/ramdisk.rescue").build();

    String rescued = xml.rescue(original, spec);

    assertThat(rescued)
        .contains("<kernel>/i/kernel.rescue</kernel>", "<initrd>/i/ramdisk.rescue</initrd>",
            "<cmdline>root=/dev/sda console=ttyS0</cmdline>")
        .doesNotContain("/boot/vmlinuz");
    RescueAssertions.assertRescue(original, rescued, spec);
  }

  @Test
  void rescue_ofADomainWithoutMetadata_addsItAfterTheDescription() {
    String original =
        "<domain type='kvm'><name>t</name><title>T</title><description>D</description><os><type>hvm</type></os>"
            + "<devices><disk type='file' device='disk'><source file='/i/disk'/><target dev='vda' bus='virtio'/>"
            + "</disk></devices></domain>";

    String rescued = xml.rescue(original, SPEC);

    assertThat(rescued).contains("<description>D</description>\n<metadata>");
    assertThat(xml.unrescue(rescued)).isEqualTo(original);
  }
}
