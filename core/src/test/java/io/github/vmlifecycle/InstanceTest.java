package io.github.vmlifecycle;

import io.github.vmlifecycle.rescue.RescueBus;
import io.github.vmlifecycle.rescue.RescueDevice;
import io.github.vmlifecycle.rescue.RescueRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.internal.InstanceRefs;
import java.time.Duration;
import java.time.Instant;
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
  void rescueRequest_timeoutNotPositive_isInvalidInput() {
    for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofSeconds(-1), Duration.ofNanos(-1)}) {
      assertThatThrownBy(() -> RescueRequest.builder().timeout(bad).build()).as(bad.toString())
          .isInstanceOfSatisfying(InvalidInputException.class,
              e -> assertThat(e.kind()).isEqualTo(VmLifecycleException.Kind.INVALID_INPUT))
          .hasMessage("The rescue timeout must be positive: " + bad);
    }
    assertThat(RescueRequest.builder().timeout(Duration.ofNanos(1)).build().timeout()).contains(Duration.ofNanos(1));
  }

  @Test
  void rescueDeadline_rescuedWithTimeout_isRescuedAtPlusTimeout() {
    Instant at = Instant.parse("2026-03-01T10:00:00Z");
    Instance rescued = rescued(at, RescueRequest.builder().timeout(Duration.ofMinutes(45)).build());
    assertThat(rescued.rescueDeadline()).contains(Instant.parse("2026-03-01T10:45:00Z"));
  }

  @Test
  void rescueDeadline_timeoutBeyondInstantMax_isInstantMax() {
    Instance rescued = rescued(Instant.parse("2026-03-01T10:00:00Z"),
        RescueRequest.builder().timeout(Duration.ofSeconds(Long.MAX_VALUE)).build());
    assertThat(rescued.rescueDeadline()).contains(Instant.MAX);
  }

  @Test
  void rescueDeadline_withoutTimeoutOrNotRescued_isEmpty() {
    Instant at = Instant.parse("2026-03-01T10:00:00Z");
    assertThat(rescued(at, RescueRequest.defaults()).rescueDeadline()).isEmpty();
    Instance rescuing = Instance.copyOf(rescued(at, RescueRequest.builder().timeout(Duration.ofMinutes(1)).build()))
        .vmState(VmState.ACTIVE).taskState(TaskState.RESCUING).rescuedAt(java.util.Optional.empty()).build();
    assertThat(rescuing.rescueDeadline()).isEmpty();
  }

  private static Instance rescued(Instant at, RescueRequest request) {
    return Instance.builder().id("a").name("a").vmState(VmState.RESCUED).powerState(PowerState.RUNNING)
        .originalDefinition("<domain/>").rescueRequest(request).rescuedAt(at).build();
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
