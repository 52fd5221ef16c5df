package io.github.vmlifecycle.rescue;

import io.github.vmlifecycle.InvalidInputException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class RescueDomainXmlSpecTest {
  @Test
  void build_withOnlyADiskPath_isLegacyQcow2() {
    RescueXmlSpec spec = RescueXmlSpec.builder().rescueDiskPath("/i/disk.rescue").build();

    assertThat(spec.stableMode()).isFalse();
    assertThat(spec.rescueDiskFormat()).isEqualTo("qcow2");
    assertThat(spec.kernelPath()).isEmpty();
  }

  @Test
  void build_withABus_isStable() {
    assertThat(RescueXmlSpec.builder().rescueDiskPath("/r").bus(RescueBus.SCSI).build().stableMode()).isTrue();
  }

  @Test
  void build_withADeviceButStableModeOff_isRefused() {
    assertThatThrownBy(
            () -> RescueXmlSpec.builder().rescueDiskPath("/r").device(RescueDevice.CDROM).stableMode(false).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("stable device mode");
  }

  @Test
  void build_withARelativeOrControlCharacterPath_isRefused() {
    assertThatThrownBy(() -> RescueXmlSpec.builder().rescueDiskPath("disk.rescue").build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("absolute");
    assertThatThrownBy(() -> RescueXmlSpec.builder().rescueDiskPath("/i/a\nb").build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("control characters");
    assertThatThrownBy(() -> RescueXmlSpec.builder().rescueDiskPath("/i/a").kernelPath("/k\0").ramdiskPath("/r").build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("control characters");
  }

  @Test
  void build_withAnUnknownFormat_isRefused() {
    assertThatThrownBy(() -> RescueXmlSpec.builder().rescueDiskPath("/r").rescueDiskFormat("vmdk").build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("qcow2 or raw");
  }

  @Test
  void of_withAKernelButNoRamdisk_isRefused() {
    assertThatThrownBy(
            () -> RescueXmlSpec.of(RescueRequest.defaults(), "/r", "raw", Optional.of("/k"), Optional.empty()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("together");
  }

  @Test
  void of_withAStableRequest_carriesTheBusAndTheKernel() {
    RescueRequest request = RescueRequest.builder().stable(true).bus(RescueBus.VIRTIO).build();

    RescueXmlSpec spec = RescueXmlSpec.of(request, "/r", "qcow2", Optional.of("/k"), Optional.of("/rd"));

    assertThat(spec.stableMode()).isTrue();
    assertThat(spec.bus()).contains(RescueBus.VIRTIO);
    assertThat(spec.kernelPath()).contains("/k");
    assertThat(spec.ramdiskPath()).contains("/rd");
  }
}
