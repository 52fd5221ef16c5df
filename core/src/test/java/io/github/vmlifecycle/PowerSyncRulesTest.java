package io.github.vmlifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.PowerSyncRules.Action;
import io.github.vmlifecycle.internal.TruthDerivation;
import io.github.vmlifecycle.spi.DriverInstance;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PowerSyncRulesTest {
  private final PowerSyncRules rules = PowerSyncRules.standard();

  @Test
  void action_everyCombination_followsReferenceSection7() {
    for (VmState vm : VmState.values()) {
      for (PowerState power : PowerState.values()) {
        assertThat(rules.action(vm, power)).as(vm + "/" + power).isEqualTo(expected(vm, power));
      }
    }
  }

  private static Action expected(VmState vm, PowerState power) {
    switch (vm) {
      case ACTIVE:
        if (power == PowerState.SHUTDOWN || power == PowerState.CRASHED || power == PowerState.SUSPENDED) {
          return Action.STOP;
        }
        return power == PowerState.PAUSED ? Action.REPORT : Action.NONE;
      case STOPPED:
        return power == PowerState.RUNNING || power == PowerState.PAUSED || power == PowerState.SUSPENDED
            ? Action.FORCE_STOP : Action.NONE;
      case PAUSED:
        return power == PowerState.SHUTDOWN || power == PowerState.CRASHED ? Action.FORCE_STOP : Action.NONE;
      default:
        return Action.NONE;
    }
  }

  @Test
  void truth_fromPowerStateAndFlags() {
    assertThat(TruthDerivation.vmState(Optional.of(d(PowerState.RUNNING, false, false)))).isEqualTo(VmState.ACTIVE);
    assertThat(TruthDerivation.vmState(Optional.of(d(PowerState.PAUSED, false, false)))).isEqualTo(VmState.PAUSED);
    assertThat(TruthDerivation.vmState(Optional.of(d(PowerState.SHUTDOWN, true, false))))
        .isEqualTo(VmState.SUSPENDED);
    assertThat(TruthDerivation.vmState(Optional.of(d(PowerState.SHUTDOWN, false, false))))
        .isEqualTo(VmState.STOPPED);
    assertThat(TruthDerivation.vmState(Optional.of(d(PowerState.SHUTDOWN, false, true))))
        .isEqualTo(VmState.RESCUED);
    assertThat(TruthDerivation.vmState(Optional.of(d(PowerState.CRASHED, false, false)))).isEqualTo(VmState.ERROR);
    assertThat(TruthDerivation.vmState(Optional.empty())).isEqualTo(VmState.ERROR);
    assertThat(TruthDerivation.powerState(Optional.empty())).isEqualTo(PowerState.NOSTATE);
  }

  private static DriverInstance d(PowerState power, boolean saved, boolean rescue) {
    return DriverInstance.builder().id("id").name("n").powerState(power).hasSavedMemory(saved)
        .rescueDefinition(rescue).build();
  }
}
