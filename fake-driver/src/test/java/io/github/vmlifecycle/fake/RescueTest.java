package io.github.vmlifecycle.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.ProgressListener;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RescueTest {

  private final FakeHypervisor fake = new FakeHypervisor();
  private final String id =
      fake.define(FakeInstanceSpec.builder().name("web").backingImage("/images/base.qcow2").build());
  private final String original = fake.definition(id);

  @Test
  void rescue_replacesTheDefinitionWithOneCarryingTheOriginal() {
    fake.rescue(id, original, RescueRequest.defaults());

    assertThat(fake.inspect(id).rescueDefinition()).isTrue();
    assertThat(fake.inspect(id).powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(fake.definition(id)).isNotEqualTo(original).contains("disk.rescue");
    assertThat(fake.embeddedOriginalDefinition(id)).contains(original);
  }

  @Test
  void rescue_createsTheRescueDisk() {
    fake.rescue(id, original, RescueRequest.defaults());

    assertThat(fake.files(id)).containsExactlyInAnyOrder("disk", "disk.rescue");
  }

  @Test
  void rescue_withKernel_createsKernelAndRamdiskToo() {
    fake.addImage("/images/rescue.img");
    fake.addImage("/images/vmlinuz");
    fake.addImage("/images/initrd");

    fake.rescue(id, original, RescueRequest.builder().image("/images/rescue.img").kernel("/images/vmlinuz")
        .ramdisk("/images/initrd").build());

    assertThat(fake.files(id))
        .containsExactlyInAnyOrder("disk", "disk.rescue", "kernel.rescue", "ramdisk.rescue");
    assertThat(fake.definition(id)).contains("<kernel>").contains("root=/dev/vda console=ttyS0");
  }

  @Test
  void unrescue_restoresTheOriginalExactlyAndDeletesOnlyRescueFiles() {
    fake.rescue(id, original, RescueRequest.defaults());

    fake.unrescue(id, original);

    assertThat(fake.definition(id)).isEqualTo(original);
    assertThat(fake.inspect(id).rescueDefinition()).isFalse();
    assertThat(fake.inspect(id).powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(fake.files(id)).containsExactly("disk");
    assertThat(fake.embeddedOriginalDefinition(id)).isEmpty();
  }

  @Test
  void unrescue_repeated_isSafe() {
    fake.rescue(id, original, RescueRequest.defaults());
    fake.unrescue(id, original);

    fake.unrescue(id, original);

    assertThat(fake.definition(id)).isEqualTo(original);
    assertThat(fake.inspect(id).powerState()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void rescue_ofStoppedGuest_runsTheRescue() {
    fake.stop(id, Duration.ZERO);

    fake.rescue(id, original, RescueRequest.defaults());

    assertThat(fake.inspect(id).powerState()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void embeddedOriginal_survivesXmlSpecialCharacters() {
    String tricky = "<domain><name>a]]>&amp;'\"</name></domain>";
    fake.rescue(id, tricky, RescueRequest.defaults());

    assertThat(fake.embeddedOriginalDefinition(id)).contains(tricky);
  }

  @Test
  void rescue_withSavedMemory_isRefusedAndChangesNothing() {
    fake.suspend(id, ProgressListener.NONE);

    assertThatThrownBy(() -> fake.rescue(id, original, RescueRequest.defaults()))
        .isInstanceOfSatisfying(HypervisorException.class,
            e -> assertThat(e.code()).isEqualTo(HypervisorException.Code.OPERATION_INVALID));
    assertThat(fake.inspect(id).hasSavedMemory()).isTrue();
    assertThat(fake.files(id)).containsExactly("disk");
  }

  @Test
  void unrescue_withSavedMemory_isRefused() {
    fake.suspend(id, ProgressListener.NONE);

    assertThatThrownBy(() -> fake.unrescue(id, original)).isInstanceOf(HypervisorException.class);
  }

  @Test
  void rescue_withoutImageAndWithoutBackingImage_isInvalidInput() {
    String bare = fake.createInstance("bare");

    assertThatThrownBy(() -> fake.rescue(bare, fake.definition(bare), RescueRequest.defaults()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("no backing image");
    assertThat(fake.inspect(bare).powerState()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void rescue_unknownImageOrKernel_isInvalidInputAndChangesNothing() {
    fake.addImage("/images/rescue.img");

    assertThatThrownBy(() -> fake.rescue(id, original, RescueRequest.builder().image("/images/nope").build()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("/images/nope");
    assertThatThrownBy(() -> fake.rescue(id, original, RescueRequest.builder().image("/images/rescue.img")
        .kernel("/k").ramdisk("/r").build()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("/k");
    assertThat(fake.inspect(id).powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(fake.files(id)).containsExactly("disk");
    assertThat(fake.definition(id)).isEqualTo(original);
  }

  @Test
  void rescue_blankOriginal_isInvalidInput() {
    assertThatThrownBy(() -> fake.rescue(id, " ", RescueRequest.defaults()))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> fake.unrescue(id, null)).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void addImage_blank_isInvalidInput() {
    assertThatThrownBy(() -> fake.addImage(" ")).isInstanceOf(InvalidInputException.class);
  }
}
