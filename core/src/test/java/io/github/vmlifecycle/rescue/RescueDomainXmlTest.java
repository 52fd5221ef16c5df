package io.github.vmlifecycle.rescue;

import io.github.vmlifecycle.InvalidDomainXmlException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.InvalidDomainXmlException.Reason;
import io.github.vmlifecycle.internal.rescue.RescueAssertions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RescueDomainXmlTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
  private final RescueDomainXml xml = RescueDomainXml.create(CLOCK);

  static String resource(String name) {
    try (InputStream in = RescueDomainXmlTest.class.getResourceAsStream("/rescue/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The expected text with the placeholders for the embedded original filled in independently. */
  static String expected(String name, String original) throws Exception {
    byte[] bytes = original.getBytes(StandardCharsets.UTF_8);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    String base64 = Base64.getMimeEncoder(76, new byte[] {'\n'}).encodeToString(bytes);
    return resource(name).replace("@SHA256@", sha).replace("@BASE64@", base64);
  }

  static RescueXmlSpec.Builder spec(String disk) {
    return RescueXmlSpec.builder().rescueDiskPath(disk);
  }

  @Test
  void rescue_legacyVirtio_matchesHandWrittenDefinition() throws Exception {
    String original = resource("vm1.xml");
    RescueXmlSpec spec = spec("/var/lib/vml/vm1/disk.rescue").build();

    String rescued = xml.rescue(original, spec);

    assertThat(rescued).isEqualTo(expected("vm1-legacy.xml", original));
    RescueAssertions.assertRescue(original, rescued, spec);
  }

  @Test
  void rescue_legacyWithRescueKernel_bootsTheKernelWithRootOnTheRescueDisk() throws Exception {
    String original = resource("vm1.xml");
    RescueXmlSpec spec =
        spec("/var/lib/vml/vm1/disk.rescue")
            .rescueDiskFormat("raw")
            .kernelPath("/var/lib/vml/vm1/kernel.rescue")
            .ramdiskPath("/var/lib/vml/vm1/ramdisk.rescue")
            .build();

    String rescued = xml.rescue(original, spec);

    assertThat(rescued).isEqualTo(expected("vm1-legacy-kernel.xml", original));
    RescueAssertions.assertRescue(original, rescued, spec);
  }

  @Test
  void rescue_stableCdromOnSata_keepsEveryDeviceAndAppendsTheCdrom() throws Exception {
    String original = resource("vm2.xml");
    RescueXmlSpec spec =
        spec("/srv/rescue/rescue.iso").rescueDiskFormat("raw").device(RescueDevice.CDROM).bus(RescueBus.SATA).build();

    String rescued = xml.rescue(original, spec);

    assertThat(rescued).isEqualTo(expected("vm2-stable-cdrom-sata.xml", original));
    RescueAssertions.assertRescue(original, rescued, spec);
  }

  @Test
  void rescue_legacyOnVolumeBackedInstance_isRefused() {
    assertThatThrownBy(() -> xml.rescue(resource("vm2.xml"), spec("/srv/rescue/disk.rescue").build()))
        .isInstanceOfSatisfying(
            InvalidDomainXmlException.class, e -> assertThat(e.reason()).isEqualTo(Reason.VOLUME_BACKED_NEEDS_STABLE))
        .hasMessageContaining("stable device mode");
  }

  @Test
  void unrescue_ofARescueDefinition_givesTheOriginalBack() {
    String original = resource("vm1.xml");
    String rescued = xml.rescue(original, spec("/var/lib/vml/vm1/disk.rescue").build());

    assertThat(xml.unrescue(rescued)).isEqualTo(original);
    assertThat(xml.embeddedOriginal(rescued)).contains(original);
    assertThat(xml.isRescueDefinition(rescued)).isTrue();
  }

  @Test
  void unrescue_ofAPlainDefinition_isRefused() {
    String original = resource("vm1.xml");

    assertThat(xml.isRescueDefinition(original)).isFalse();
    assertThat(xml.embeddedOriginal(original)).isEmpty();
    assertThatThrownBy(() -> xml.unrescue(original))
        .isInstanceOfSatisfying(
            InvalidDomainXmlException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_A_RESCUE_DEFINITION));
  }

  @Test
  void rescue_ofARescueDefinition_isRefused() {
    String rescued = xml.rescue(resource("vm1.xml"), spec("/var/lib/vml/vm1/disk.rescue").build());

    assertThatThrownBy(() -> xml.rescue(rescued, spec("/var/lib/vml/vm1/disk.rescue").build()))
        .isInstanceOfSatisfying(
            InvalidDomainXmlException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ALREADY_RESCUED));
  }

  @Test
  void unrescue_withATamperedOriginal_isRefusedAsCorrupt() {
    String rescued = xml.rescue(resource("vm1.xml"), spec("/var/lib/vml/vm1/disk.rescue").build());
    String tampered = rescued.replaceFirst("encoding=\"base64\" sha256=\"[0-9a-f]", "encoding=\"base64\" sha256=\"x");

    assertThatThrownBy(() -> xml.unrescue(tampered))
        .isInstanceOfSatisfying(
            InvalidDomainXmlException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT_ORIGINAL));
  }

  @Test
  void unrescue_afterLibvirtStyleReserialisation_givesTheOriginalBack() {
    String original = resource("vm1.xml");
    String rescued = xml.rescue(original, spec("/var/lib/vml/vm1/disk.rescue").build());
    String reserialised =
        rescued.replace("xmlns:vml=", "xmlns:rsc=").replace("<vml:", "<rsc:").replace("</vml:", "</rsc:")
            .replace("\n", "\n  ").replace("\"", "'");

    assertThat(xml.unrescue(reserialised)).isEqualTo(original);
  }

  @Test
  void rescue_recordsTheRequestAndTheClockTime() {
    String rescued =
        xml.rescue(resource("vm2.xml"), spec("/dev/vg0/rescue").device(RescueDevice.LUN).bus(RescueBus.SCSI).build());

    assertThat(rescued)
        .contains(
            "<vml:request bus=\"scsi\" device=\"lun\" disk=\"/dev/vg0/rescue\" format=\"qcow2\" mode=\"stable\""
                + " target=\"sdb\" time=\"2026-01-02T03:04:05Z\"/>")
        .contains("<disk device=\"lun\" type=\"block\">")
        .contains("<source dev=\"/dev/vg0/rescue\"/>");
  }

  @Test
  void rescue_keepsAnXmlDeclarationOnlyWhenTheInputHasOne() {
    String plain = resource("vm1.xml");
    String declared = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + plain;
    RescueXmlSpec spec = spec("/var/lib/vml/vm1/disk.rescue").build();

    assertThat(xml.rescue(plain, spec)).startsWith("<domain ");
    assertThat(xml.rescue(declared, spec)).startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<domain ");
    assertThat(xml.unrescue(xml.rescue(declared, spec))).isEqualTo(declared);
  }

  @Test
  void disks_ofADefinition_describesEveryDisk() {
    assertThat(xml.disks(resource("vm1.xml")))
        .containsExactly(
            DomainDisk.builder().type("file").device("disk").bus("virtio").target("vda")
                .source("/var/lib/vml/vm1/disk").driverFormat("qcow2").build(),
            DomainDisk.builder().type("file").device("disk").bus("virtio").target("vdb")
                .source("/var/lib/vml/vm1/disk.eph0").driverFormat("raw").build(),
            DomainDisk.builder().type("file").device("cdrom").bus("ide").target("hdd")
                .source("/var/lib/vml/vm1/disk.config").driverFormat("raw").build());
    assertThat(xml.disks(resource("vm2.xml")).get(0))
        .isEqualTo(
            DomainDisk.builder().type("network").device("disk").bus("virtio").target("vda")
                .source("volumes/volume-1").sourceProtocol("rbd").driverFormat("raw").bootOrder(1).build());
  }

  @Test
  void rootDisk_withBootOrders_isTheDiskWithTheLowestOrder() {
    String domain =
        "<domain type='kvm'><name>x</name><devices>"
            + "<disk type='file' device='disk'><source file='/a'/><target dev='vda' bus='virtio'/><boot order='3'/></disk>"
            + "<disk type='file' device='cdrom'><source file='/iso'/><target dev='sda' bus='sata'/><boot order='1'/></disk>"
            + "<disk type='block' device='disk'><source dev='/dev/b'/><target dev='vdb' bus='virtio'/><boot order='2'/></disk>"
            + "</devices></domain>";

    DomainDisk root = xml.rootDisk(domain);

    assertThat(root.source()).contains("/dev/b");
    assertThat(root.volumeBacked()).isFalse();
  }

  @Test
  void rootDisk_withBackingStore_reportsTheBackingFile() {
    String domain =
        "<domain type='kvm'><name>x</name><devices><disk type='file' device='disk'>"
            + "<driver name='qemu' type='qcow2'/><source file='/i/disk'/>"
            + "<backingStore type='file'><format type='raw'/><source file='/base/image'/></backingStore>"
            + "<target dev='sda' bus='scsi'/></disk></devices></domain>";

    assertThat(xml.rootDisk(domain).backingStoreFile()).contains("/base/image");
  }

  @Test
  void rootDisk_withOnlyCdroms_isRefused() {
    String domain =
        "<domain type='kvm'><name>x</name><devices>"
            + "<disk type='file' device='cdrom'><target dev='hda' bus='ide'/></disk></devices></domain>";

    assertThatThrownBy(() -> xml.rootDisk(domain))
        .isInstanceOfSatisfying(InvalidDomainXmlException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NO_ROOT_DISK));
    assertThatThrownBy(() -> xml.rescue(domain, spec("/r").build()))
        .isInstanceOfSatisfying(InvalidDomainXmlException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NO_ROOT_DISK));
  }

  @Test
  void rescue_ofANonDomainDocument_isRefused() {
    assertThatThrownBy(() -> xml.rescue("<network><name>default</name></network>", spec("/r").build()))
        .isInstanceOfSatisfying(InvalidDomainXmlException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_A_DOMAIN))
        .hasMessageContaining("<network>");
  }

  @Test
  void specOf_takesModeDeviceAndBusFromTheRequest() {
    RescueRequest request = RescueRequest.builder().device(RescueDevice.CDROM).build();

    RescueXmlSpec spec = RescueXmlSpec.of(request, "/i/disk.rescue", "raw", Optional.empty(), Optional.empty());

    assertThat(spec.stableMode()).isTrue();
    assertThat(spec.device()).contains(RescueDevice.CDROM);
    assertThat(spec.bus()).isEmpty();
    assertThat(spec.rescueDiskFormat()).isEqualTo("raw");
  }
}
