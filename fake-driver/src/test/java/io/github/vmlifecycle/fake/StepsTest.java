package io.github.vmlifecycle.fake;

import static io.github.vmlifecycle.fake.Calls.call;
import static io.github.vmlifecycle.fake.Calls.steps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.OperationJournal;
import io.github.vmlifecycle.spi.StepObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The steps the fake reports, a process dying at one, and the midway faults at the same points. */
class StepsTest {

  /** What a test's observer throws to stand for the death of the managing process. */
  private static final class Died extends Error {
    private static final long serialVersionUID = 1L;
  }

  private final FakeHypervisor fake = new FakeHypervisor();
  private final String id = fake.define(
      FakeInstanceSpec.builder().name("web-1").backingImage("/images/base.qcow2").build());
  private final FakeGuest guest = fake.guest(id);
  private final String original = fake.definition(id);
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private final StepObserver recorder = (instance, step) -> seen.add(instance + " " + step);

  private static StepObserver dieAt(String step) {
    return (instance, s) -> {
      if (s.equals(step)) {
        throw new Died();
      }
    };
  }

  @Test
  void everyCall_reportsItsStepsInOrder() {
    fake.suspend(id, steps(recorder));
    fake.resume(id, steps(recorder));
    fake.stop(id, steps(recorder));
    fake.hardReboot(id, steps(recorder));
    fake.rescue(id, original, RescueRequest.defaults(), steps(recorder));
    fake.unrescue(id, original, steps(recorder));
    fake.pause(id, steps(recorder));

    assertThat(seen).containsExactly(id + " suspend.midway", id + " resume.midway", id + " stop.midway",
        id + " reboot.destroyed", id + " rescue.powered-off", id + " rescue.files-created",
        id + " rescue.defined", id + " unrescue.destroyed", id + " unrescue.defined", id + " unrescue.started");
  }

  @Test
  void steps_listedOnFakeCall_matchTheMidwayPoints() {
    for (FakeCall c : FakeCall.values()) {
      assertThat(c.steps()).hasSize(c.midwayPoints()).allSatisfy(s -> assertThat(s).matches("[a-z]+\\.[a-z-]+"));
    }
  }

  @Test
  void processDeathAtSuspendMidway_leavesTheGuestPausedWithoutImage() {
    assertThatThrownBy(() -> fake.suspend(id, steps(dieAt("suspend.midway")))).isInstanceOf(Died.class);

    assertThat(guest.powerState()).isEqualTo(PowerState.PAUSED);
    assertThat(guest.inspect().hasSavedMemory()).isFalse();
    assertThat(fake.calls(FakeCall.SUSPEND)).singleElement()
        .satisfies(c -> assertThat(c.failure()).contains(Died.class));
  }

  @Test
  void processDeathAfterRescueFilesCreated_leavesNoteAndFilesWithTheOriginalDefinition() {
    OperationJournal journal = OperationJournal.inMemory();
    DriverCall call = DriverCall.builder().journal(journal).steps(dieAt("rescue.files-created")).build();

    assertThatThrownBy(() -> fake.rescue(id, original, RescueRequest.defaults(), call)).isInstanceOf(Died.class);

    assertThat(guest.powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(guest.files()).containsExactlyInAnyOrder("disk", "disk.rescue");
    assertThat(guest.definition()).isEqualTo(original);
    assertThat(journal.get("rescue.files")).contains("disk.rescue");
  }

  @Test
  void processDeathAfterRescueDefined_leavesTheRescueDefinitionOff() {
    assertThatThrownBy(() -> fake.rescue(id, original, RescueRequest.defaults(), steps(dieAt("rescue.defined"))))
        .isInstanceOf(Died.class);

    assertThat(guest.powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(guest.inspect().rescueDefinition()).isTrue();
    assertThat(fake.embeddedOriginalDefinition(id)).contains(original);
  }

  @Test
  void failMidwayTwoOfRescue_reportsTheStepThenFailsWithFilesButNoRescueDefinition() {
    fake.onCall(FakeCall.RESCUE).failMidway(2);

    assertThatThrownBy(() -> fake.rescue(id, original, RescueRequest.defaults(), steps(recorder)))
        .isInstanceOfSatisfying(HypervisorException.class,
            e -> assertThat(e.code()).isEqualTo(HypervisorException.Code.OPERATION_FAILED));

    assertThat(seen).containsExactly(id + " rescue.powered-off", id + " rescue.files-created");
    assertThat(guest.files()).contains("disk.rescue");
    assertThat(guest.inspect().rescueDefinition()).isFalse();
  }

  @Test
  void failMidwayTwoOfSuspend_isRefusedAsSuspendHasOnePoint() {
    assertThatThrownBy(() -> fake.onCall(FakeCall.SUSPEND).failMidway(2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 midway points");
    fake.suspend(id, call());

    assertThat(guest.inspect().hasSavedMemory()).isTrue();
  }
}
