package io.github.vmlifecycle.libvirt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.InvalidDomainXmlException;
import io.github.vmlifecycle.InvalidDomainXmlException.Reason;
import io.github.vmlifecycle.spi.HardenedXml;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading passthrough devices and the driver's metadata from domain XML. */
class DomainXmlTest {
  private static final String XML = """
      <domain type='kvm'>
        <name>vm</name>
        <metadata><r:rescue xmlns:r='https://vmlifecycle.github.io/xmlns/rescue/1'/></metadata>
        <devices>
          <disk type='file' device='disk'><target dev='vda' bus='virtio'/></disk>
          <hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x06' slot='0x12' function='0x5'/></source></hostdev>
          <interface type='hostdev' managed='yes'><source><address type='pci' domain='0x0000' bus='0x07' slot='0x10' function='0x1'/></source></interface>
          <interface type='network'><source network='default'/></interface>
          <hostdev mode='subsystem' type='mdev' model='vfio-pci'><source><address uuid='c2177883-f1bb-47f0-914d-32a22e3a8804'/></source></hostdev>
          <hostdev mode='subsystem' type='usb'><source><vendor id='0x1234'/><product id='0xbeef'/></source></hostdev>
        </devices>
      </domain>
      """;

  @Test
  void passthroughDevices_pciAndSriovAreDetachableAndMdevIsMediated() {
    DomainXml.PassthroughDevices d = DomainXml.passthroughDevices(XML);
    assertThat(d.detachable()).hasSize(2);
    assertThat(d.detachable().get(0)).startsWith("<hostdev").contains("slot=\"0x12\"");
    assertThat(d.detachable().get(1)).startsWith("<interface").contains("type=\"hostdev\"");
    assertThat(d.mediated()).singleElement().asString().contains("c2177883");
  }

  @Test
  void passthroughDevices_noDevices_isEmpty() {
    DomainXml.PassthroughDevices d = DomainXml.passthroughDevices("<domain><name>x</name></domain>");
    assertThat(d.detachable()).isEmpty();
    assertThat(d.mediated()).isEmpty();
  }

  @Test
  void suspendMetadata_roundTripsTheDevices() {
    List<String> devices = DomainXml.passthroughDevices(XML).detachable();
    String metadata = DomainXml.suspendMetadata(devices);
    // as libvirt returns it: in our namespace
    String returned = metadata.replaceFirst("<detached", "<vmlsuspend:detached xmlns:vmlsuspend=\""
        + DomainXml.SUSPEND_NS + "\"").replace("</detached>", "</vmlsuspend:detached>")
        .replace("<device>", "<vmlsuspend:device>").replace("</device>", "</vmlsuspend:device>");
    assertThat(DomainXml.detachedDevices(metadata)).isEqualTo(devices);
    assertThat(DomainXml.detachedDevices(returned)).isEqualTo(devices);
  }

  @Test
  void uuid_isTheTextAsWrittenOrEmpty() {
    assertThat(DomainXml.uuid("<domain><uuid> 6695EB01-f6a4-8304-79aa-000000000001 </uuid></domain>"))
        .isEqualTo("6695EB01-f6a4-8304-79aa-000000000001");
    assertThat(DomainXml.uuid(XML)).isEmpty();
  }

  @Test
  void parse_doctypeMalformedOrTooDeep_isInvalidDomainXmlWithItsReason() {
    assertThatThrownBy(() -> DomainXml.passthroughDevices(
            "<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain>&x;</domain>"))
        .isInstanceOfSatisfying(InvalidDomainXmlException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.DTD_FORBIDDEN));
    assertThatThrownBy(() -> DomainXml.passthroughDevices("<domain>"))
        .isInstanceOfSatisfying(InvalidDomainXmlException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.NOT_XML));
    String deep = "<a>".repeat(HardenedXml.MAX_DEPTH + 1) + "</a>".repeat(HardenedXml.MAX_DEPTH + 1);
    assertThatThrownBy(() -> DomainXml.detachedDevices(deep))
        .isInstanceOfSatisfying(InvalidDomainXmlException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.TOO_DEEP));
  }
}
