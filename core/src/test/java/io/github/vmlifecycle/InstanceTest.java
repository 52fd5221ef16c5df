package io.github.vmlifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.internal.InstanceRefs;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InstanceTest {
  @Test
  void build_rescuedWithoutOriginal_isRefused() {
    assertThatThrownBy(() -> Instance.builder().id("a").name("a").vmState(VmState.RESCUED)
        .powerState(PowerState.RUNNING).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without its original definition");
  }

  @Test
  void build_journalKeyWithPathCharacters_isRefused() {
    assertThatThrownBy(() -> Instance.builder().id("a").name("a").vmState(VmState.ACTIVE)
        .powerState(PowerState.RUNNING).putJournal("../x", "v").build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rescueRequest_kernelWithoutRamdisk_isInvalidInput() {
    assertThatThrownBy(() -> RescueRequest.builder().kernel("/boot/vmlinuz").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("kernel without a ramdisk");
  }

  @Test
  void rescueRequest_deviceOrBus_impliesStableMode() {
    assertThat(RescueRequest.defaults().stableMode()).isFalse();
    assertThat(RescueRequest.builder().bus(RescueBus.SATA).build().stableMode()).isTrue();
    assertThat(RescueRequest.builder().device(RescueDevice.CDROM).build().stableMode()).isTrue();
    assertThat(RescueRequest.builder().stable(true).build().stableMode()).isTrue();
  }

  @Test
  void rescueRequest_negativeTimeout_isInvalidInput() {
    assertThatThrownBy(() -> RescueRequest.builder().shutdownTimeout(Duration.ofSeconds(-1)).build())
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void validate_pathCharactersAndControlCharacters_areRefused() {
    for (String bad : new String[] {"../etc", "a/b", "a\0b", "..", "", " ", "a\\b", "x\ny"}) {
      assertThatThrownBy(() -> InstanceRefs.validate(bad)).as(bad).isInstanceOf(InvalidInputException.class);
    }
    assertThat(InstanceRefs.validate("web-1.example_2")).isEqualTo("web-1.example_2");
    assertThatThrownBy(() -> InstanceRefs.validate("a".repeat(256))).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void isUuid_acceptsOnlyTheCanonicalForm() {
    assertThat(InstanceRefs.isUuid("0f8fad5b-d9cb-469f-a165-70867728950e")).isTrue();
    assertThat(InstanceRefs.isUuid("0F8FAD5B-D9CB-469F-A165-70867728950E")).isTrue();
    assertThat(InstanceRefs.isUuid("0f8fad5b-d9cb-469f-a165-70867728950")).isFalse();
    assertThat(InstanceRefs.isUuid("0f8fad5bxd9cb-469f-a165-70867728950e")).isFalse();
    assertThat(InstanceRefs.isUuid("0f8fad5b-d9cb-469f-a165-70867728950g")).isFalse();
    assertThat(InstanceRefs.isUuid("web-1")).isFalse();
  }

  @Test
  void names_useNovasSpelling() {
    assertThat(TaskState.POWERING_OFF.novaName()).isEqualTo("powering-off");
    assertThat(VmState.SUSPENDED.novaName()).isEqualTo("suspended");
    assertThat(PowerState.NOSTATE.novaName()).isEqualTo("nostate");
    assertThat(VmState.fromName("Active")).isEqualTo(VmState.ACTIVE);
    assertThatThrownBy(() -> VmState.fromName("bogus")).isInstanceOf(InvalidInputException.class);
  }
}
