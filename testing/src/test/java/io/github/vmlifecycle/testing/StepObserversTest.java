package io.github.vmlifecycle.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.vmlifecycle.spi.StepObserver;
import org.junit.jupiter.api.Test;

class StepObserversTest {

  @Test
  void dieAt_firstOccurrence_throwsSimulatedDeathNamingTheStep() {
    StepObserver observer = StepObservers.dieAt("store.write.after");
    observer.onStep("a", "store.write.before");
    SimulatedDeath death = catchThrowableOfType(SimulatedDeath.class,
        () -> observer.onStep("a", "store.write.after"));
    assertThat(death.step()).isEqualTo("store.write.after");
    assertThat(death.occurrence()).isEqualTo(1);
    assertThat(death).isInstanceOf(Error.class).hasMessageContaining("store.write.after");
  }

  @Test
  void dieAt_nthOccurrence_passesTheOthersAcrossInstances() {
    StepObserver observer = StepObservers.dieAt("store.write.before", 3);
    observer.onStep("a", "store.write.before");
    observer.onStep("b", "store.write.before");
    assertThatThrownBy(() -> observer.onStep("a", "store.write.before"))
        .isInstanceOfSatisfying(SimulatedDeath.class, d -> assertThat(d.occurrence()).isEqualTo(3));
    observer.onStep("a", "store.write.before");
  }

  @Test
  void dieAt_occurrenceBelowOne_isRefused() {
    assertThatThrownBy(() -> StepObservers.dieAt("x", 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void recording_keepsEveryStepInOrder() {
    StepObservers.Recorder recorder = StepObservers.recording();
    recorder.onStep("a", "engine.accepted");
    recorder.onStep("b", "store.write.before");
    recorder.onStep("a", "engine.accepted");
    assertThat(recorder.steps()).containsExactly("engine.accepted", "store.write.before", "engine.accepted");
  }
}
