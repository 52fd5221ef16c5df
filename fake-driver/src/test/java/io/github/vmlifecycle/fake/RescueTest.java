package io.github.vmlifecycle.fake;

import static io.github.vmlifecycle.fake.Calls.call;
import static io.github.vmlifecycle.fake.Calls.timeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.InvalidDomainXmlException;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.rescue.DomainDisk;
import io.github.vmlifecycle.rescue.RescueBus;
import io.github.vmlifecycle.rescue.RescueDevice;
import io.github.vmlifecycle.rescue.RescueDomainXml;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.rescue.RescueXmlSpec;
import io.github.vmlifecycle.spi.ProgressListener;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RescueTest {

  private final FakeHypervisor fake = new FakeHypervisor();
  private final String id =
      fake.define(FakeInstanceSpec.builder().name("web").backingImage("/images/base.qcow2").build());
  private final String original = fake.definition(id);

  @Test
  void rescue_replacesTheDefinitionWithOneCarryingTheOriginal() {
    fake.rescue(id, original, RescueRequest.defaults(), call());

    assertThat(fake.guest(id).inspect().rescueDefinition()).isTrue();
    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(fake.definition(id)).isNotEqualTo(original).contains("disk.rescue");
    assertThat(fake.embeddedOriginalDefinition(id)).contains(original);
  }

  @Test
  void rescue_createsTheRescueDisk() {
    fake.rescue(id, original, RescueRequest.defaults(), call());

    assertThat(fake.guest(id).files()).containsExactlyInAnyOrder("disk", "disk.rescue");
  }

  @Test
  void rescue_withKernel_createsKernelAndRamdiskToo() {
    fake.addImage("/images/rescue.img");
    fake.addImage("/images/vmlinuz");
    fake.addImage("/images/initrd");

    fake.rescue(id, original, RescueRequest.builder().image("/images/rescue.img").kernel("/images/vmlinuz")
        .ramdisk("/images/initrd").build(), call());

    assertThat(fake.guest(id).files())
        .containsExactlyInAnyOrder("disk", "disk.rescue", "kernel.rescue", "ramdisk.rescue");
    assertThat(fake.definition(id)).contains("<kernel>").contains("root=/dev/vda console=ttyS0");
  }

  @Test
  void unrescue_restoresTheOriginalExactlyAndDeletesOnlyRescueFiles() {
    fake.rescue(id, original, RescueRequest.defaults(), call());

    fake.unrescue(id, original, call());

    assertThat(fake.definition(id)).isEqualTo(original);
    assertThat(fake.guest(id).inspect().rescueDefinition()).isFalse();
    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(fake.guest(id).files()).containsExactly("disk");
    assertThat(fake.embeddedOriginalDefinition(id)).isEmpty();
  }

  @Test
  void unrescue_repeated_isSafe() {
    fake.rescue(id, original, RescueRequest.defaults(), call());
    fake.unrescue(id, original, call());

    fake.unrescue(id, original, call());

    assertThat(fake.definition(id)).isEqualTo(original);
    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void rescue_ofStoppedGuest_runsTheRescue() {
    fake.stop(id, timeout(Duration.ZERO));

    fake.rescue(id, original, RescueRequest.defaults(), call());

    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void embeddedOriginal_isTheOriginalExactly_withXmlSpecialCharacters() {
    String tricky = original.replace("<vcpu", "<description>a]]&gt;&amp;'\"&lt;</description>\n  <vcpu");
    fake.rescue(id, tricky, RescueRequest.defaults(), call());

    assertThat(fake.embeddedOriginalDefinition(id)).contains(tricky);
  }

  @Test
  void rescue_withSavedMemory_isRefusedAndChangesNothing() {
    fake.suspend(id, call());

    assertThatThrownBy(() -> fake.rescue(id, original, RescueRequest.defaults(), call()))
        .isInstanceOfSatisfying(HypervisorException.class,
            e -> assertThat(e.code()).isEqualTo(HypervisorException.Code.OPERATION_INVALID));
    assertThat(fake.guest(id).inspect().hasSavedMemory()).isTrue();
    assertThat(fake.guest(id).files()).containsExactly("disk");
  }

  @Test
  void unrescue_withSavedMemory_isRefused() {
    fake.suspend(id, call());

    assertThatThrownBy(() -> fake.unrescue(id, original, call())).isInstanceOf(HypervisorException.class);
  }

  @Test
  void rescue_withoutImageAndWithoutBackingImage_isInvalidInput() {
    String bare = fake.createInstance("bare");

    assertThatThrownBy(() -> fake.rescue(bare, fake.definition(bare), RescueRequest.defaults(), call()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("no backing image");
    assertThat(fake.guest(bare).inspect().powerState()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void rescue_unknownImageOrKernel_isInvalidInputAndChangesNothing() {
    fake.addImage("/images/rescue.img");

    assertThatThrownBy(() -> fake.rescue(id, original, RescueRequest.builder().image("/images/nope").build(), call()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("/images/nope");
    assertThatThrownBy(() -> fake.rescue(id, original, RescueRequest.builder().image("/images/rescue.img")
        .kernel("/k").ramdisk("/r").build(), call()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("/k");
    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(fake.guest(id).files()).containsExactly("disk");
    assertThat(fake.definition(id)).isEqualTo(original);
  }

  @Test
  void rescue_blankOriginal_isInvalidInput() {
    assertThatThrownBy(() -> fake.rescue(id, " ", RescueRequest.defaults(), call()))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> fake.unrescue(id, null, call())).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void addImage_blank_isInvalidInput() {
    assertThatThrownBy(() -> fake.addImage(" ")).isInstanceOf(InvalidInputException.class);
  }
  @Test
  void rescue_definitionIsWhatTheCoresRewriterMakes_stableModeWithDeviceAndBus() {
    RescueRequest request = RescueRequest.builder().device(RescueDevice.CDROM).bus(RescueBus.SATA).build();
    String expected = RescueDomainXml.create(fake.clock()).rescue(original, RescueXmlSpec.of(request,
        "/var/lib/fake/web/disk.rescue", "qcow2", Optional.empty(), Optional.empty()));

    fake.rescue(id, original, request, call());

    assertThat(fake.definition(id)).isEqualTo(expected);
    assertThat(RescueDomainXml.create().disks(expected)).extracting(DomainDisk::device).contains("cdrom");
  }

  @Test
  void rescue_withKernel_bootsTheStagedKernelAsTheRewriterSays() {
    fake.addImage("/images/rescue.img");
    fake.addImage("/images/vmlinuz");
    fake.addImage("/images/initrd");
    RescueRequest request = RescueRequest.builder().image("/images/rescue.img").kernel("/images/vmlinuz")
        .ramdisk("/images/initrd").build();
    String expected = RescueDomainXml.create(fake.clock()).rescue(original, RescueXmlSpec.of(request,
        "/var/lib/fake/web/disk.rescue", "qcow2", Optional.of("/var/lib/fake/web/kernel.rescue"),
        Optional.of("/var/lib/fake/web/ramdisk.rescue")));

    fake.rescue(id, original, request, call());

    assertThat(fake.definition(id)).isEqualTo(expected);
  }

  @Test
  void rescue_volumeBackedRootInLegacyMode_isRefusedByTheRewriterAndChangesNothing() {
    String volume = """
        <domain type='kvm'>
          <name>vol</name>
          <uuid>6f1c2a4e-0d0b-4a53-9d1e-3b8a5c7d9e01</uuid>
          <memory unit='KiB'>262144</memory>
          <os><type arch='x86_64' machine='pc'>hvm</type></os>
          <devices>
            <disk type='network' device='disk'>
              <source protocol='rbd' name='pool/vol'/>
              <target dev='vda' bus='virtio'/>
            </disk>
          </devices>
        </domain>
        """;
    String vol = fake.define(FakeInstanceSpec.builder().name("vol").uuid("6f1c2a4e-0d0b-4a53-9d1e-3b8a5c7d9e01")
        .definition(volume).build());
    fake.addImage("/images/rescue.img");

    assertThatThrownBy(() -> fake.rescue(vol, volume, RescueRequest.builder().image("/images/rescue.img").build(),
        call())).isInstanceOf(InvalidDomainXmlException.class);
    assertThat(fake.guest(vol).powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(fake.guest(vol).files()).containsExactly("disk");

    fake.rescue(vol, volume, RescueRequest.builder().image("/images/rescue.img").stable(true).build(), call());
    assertThat(fake.guest(vol).inspect().rescueDefinition()).isTrue();
  }

  @Test
  void rescue_imageIsTheInstancesOwnDiskOrRescueFile_isInvalidInput() {
    fake.addImage("/var/lib/fake/web/disk");
    fake.addImage("/var/lib/fake/web/disk.rescue");

    assertThatThrownBy(() -> fake.rescue(id, original,
        RescueRequest.builder().image("/var/lib/fake/web/disk").build(), call()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("its own disk");
    assertThatThrownBy(() -> fake.rescue(id, original,
        RescueRequest.builder().image("/var/lib/fake/web/disk.rescue").build(), call()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("its own rescue file");
    assertThat(fake.guest(id).files()).containsExactly("disk");
  }

  @Test
  void rescue_alreadyRescued_isOperationInvalid() {
    fake.rescue(id, original, RescueRequest.defaults(), call());

    assertThatThrownBy(() -> fake.rescue(id, original, RescueRequest.defaults(), call()))
        .isInstanceOfSatisfying(HypervisorException.class,
            e -> assertThat(e.code()).isEqualTo(HypervisorException.Code.OPERATION_INVALID));
  }

  @Test
  void unrescue_originalNotADomain_isInvalidInputAndChangesNothing() {
    fake.rescue(id, original, RescueRequest.defaults(), call());

    assertThatThrownBy(() -> fake.unrescue(id, "not xml", call())).isInstanceOf(InvalidDomainXmlException.class);
    assertThat(fake.guest(id).inspect().rescueDefinition()).isTrue();
  }
}
