package io.github.vmlifecycle.fake;

import static io.github.vmlifecycle.fake.Calls.call;
import static io.github.vmlifecycle.fake.Calls.timeout;
import static io.github.vmlifecycle.fake.Calls.progress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.HypervisorException.Code;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.DriverEvent;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.ProgressListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class FaultScriptTest {

  private final FakeHypervisor fake = new FakeHypervisor();
  private final String id =
      fake.define(FakeInstanceSpec.builder().name("web").backingImage("/images/base.qcow2").build());
  private final String original = fake.definition(id);

  private static HypervisorException failure(ThrowingCallable call, Code code) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
    assertThat(t).isInstanceOf(HypervisorException.class);
    HypervisorException e = (HypervisorException) t;
    assertThat(e.code()).isEqualTo(code);
    return e;
  }

  private DriverInstance vm() {
    return fake.guest(id).inspect();
  }

  @Test
  void failBefore_throwsOperationFailedAndChangesNothing() {
    fake.onCall(FakeCall.PAUSE).failBefore();

    HypervisorException e = failure(() -> fake.pause(id, call()), Code.OPERATION_FAILED);

    assertThat(e.operation()).contains(Operation.PAUSE);
    assertThat(e.instance()).contains(id);
    assertThat(vm().powerState()).isEqualTo(PowerState.RUNNING);
    fake.pause(id, call());
    assertThat(vm().powerState()).isEqualTo(PowerState.PAUSED);
  }

  @Test
  void failNext_isFailBefore() {
    fake.failNext(FakeCall.START);
    fake.stop(id, timeout(Duration.ZERO));

    failure(() -> fake.start(id, call()), Code.OPERATION_FAILED);

    assertThat(vm().powerState()).isEqualTo(PowerState.SHUTDOWN);
  }

  @Test
  void failBefore_onReadCalls_throws() {
    fake.failNext(FakeCall.LIST);
    fake.failNext(FakeCall.FIND);
    fake.failNext(FakeCall.DEFINITION);
    fake.failNext(FakeCall.EMBEDDED_ORIGINAL);

    failure(fake::list, Code.OPERATION_FAILED);
    failure(() -> fake.find(id), Code.OPERATION_FAILED);
    failure(() -> fake.definition(id), Code.OPERATION_FAILED);
    failure(() -> fake.embeddedOriginalDefinition(id), Code.OPERATION_FAILED);
    assertThat(fake.list()).hasSize(1);
  }

  @Test
  void failAfter_changesStateThenThrows() {
    List<DriverEvent> events = new CopyOnWriteArrayList<>();
    fake.subscribe(events::add);
    fake.onCall(FakeCall.SUSPEND).failAfter();

    failure(() -> fake.suspend(id, call()), Code.OPERATION_FAILED);

    assertThat(vm().powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(vm().hasSavedMemory()).isTrue();
    assertThat(events).extracting(DriverEvent::type)
        .containsExactly(DriverEvent.Type.SUSPENDED, DriverEvent.Type.STOPPED);
  }

  @Test
  void withCodeAndMessage_areUsed() {
    fake.onCall(FakeCall.PAUSE).withCode(Code.UNSUPPORTED).withMessage("no can do").failBefore();

    HypervisorException e = failure(() -> fake.pause(id, call()), Code.UNSUPPORTED);

    assertThat(e).hasMessage("no can do");
  }

  @Test
  void times_failsThatManyCallsThenStops() {
    fake.onCall(FakeCall.PAUSE).times(2).failBefore();

    failure(() -> fake.pause(id, call()), Code.OPERATION_FAILED);
    failure(() -> fake.pause(id, call()), Code.OPERATION_FAILED);
    fake.pause(id, call());

    assertThat(vm().powerState()).isEqualTo(PowerState.PAUSED);
  }

  @Test
  void always_failsUntilCleared() {
    fake.onCall(FakeCall.PAUSE).always().failBefore();
    for (int i = 0; i < 5; i++) {
      failure(() -> fake.pause(id, call()), Code.OPERATION_FAILED);
    }

    fake.clearFaults();
    fake.pause(id, call());

    assertThat(vm().powerState()).isEqualTo(PowerState.PAUSED);
  }

  @Test
  void forInstance_byNameOrId_affectsOnlyThatInstance() {
    String other = fake.createInstance("other");
    fake.onCall(FakeCall.PAUSE).forInstance("web").failBefore();
    fake.onCall(FakeCall.UNPAUSE).forInstance(id.toUpperCase(java.util.Locale.ROOT)).failBefore();

    fake.pause(other, call());
    failure(() -> fake.pause(id, call()), Code.OPERATION_FAILED);
    fake.pause(id, call());
    fake.unpause(other, call());
    failure(() -> fake.unpause(id, call()), Code.OPERATION_FAILED);

    assertThat(fake.guest(other).inspect().powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(vm().powerState()).isEqualTo(PowerState.PAUSED);
  }

  @Test
  void faults_matchOnlyTheirCallKind() {
    fake.failNext(FakeCall.RESUME);

    fake.pause(id, call());
    fake.unpause(id, call());

    assertThat(vm().powerState()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void failMidway_rejectsPointsTheCallDoesNotHave() {
    assertThatThrownBy(() -> fake.onCall(FakeCall.PAUSE).failMidway())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> fake.onCall(FakeCall.RESCUE).failMidway(4))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> fake.onCall(FakeCall.PAUSE).times(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void suspendMidway_leavesTheGuestPausedWithoutImageAfterHalfTheProgress() {
    AtomicLong last = new AtomicLong();
    fake.onCall(FakeCall.SUSPEND).failMidway();

    failure(() -> fake.suspend(id, progress((i, p, t) -> last.set(p))), Code.OPERATION_FAILED);

    assertThat(vm().powerState()).isEqualTo(PowerState.PAUSED);
    assertThat(vm().hasSavedMemory()).isFalse();
    assertThat(last.get()).isEqualTo(FakeInstanceSpec.DEFAULT_MEMORY_BYTES / 2);
  }

  @Test
  void resumeMidway_keepsTheImage() {
    fake.guest(id).writeMemory("kept");
    fake.suspend(id, call());
    fake.onCall(FakeCall.RESUME).failMidway();

    failure(() -> fake.resume(id, call()), Code.OPERATION_FAILED);

    assertThat(vm().powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(vm().hasSavedMemory()).isTrue();
    fake.resume(id, call());
    assertThat(fake.guest(id).memory()).isEqualTo("kept");
  }

  @Test
  void stopMidway_guestStillRuns() {
    fake.onCall(FakeCall.STOP).failMidway();

    failure(() -> fake.stop(id, timeout(Duration.ofSeconds(30))), Code.OPERATION_FAILED);

    assertThat(vm().powerState()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void hardRebootMidway_leavesItDestroyed() {
    fake.suspend(id, call());
    fake.onCall(FakeCall.HARD_REBOOT).failMidway();

    failure(() -> fake.hardReboot(id, call()), Code.OPERATION_FAILED);

    assertThat(vm().powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(vm().hasSavedMemory()).isFalse();
  }

  @Test
  void rescueMidway1_poweredOffOnly() {
    fake.onCall(FakeCall.RESCUE).failMidway(1);

    failure(() -> fake.rescue(id, original, RescueRequest.defaults(), call()), Code.OPERATION_FAILED);

    assertThat(vm().powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(vm().rescueDefinition()).isFalse();
    assertThat(fake.guest(id).files()).containsExactly("disk");
  }

  @Test
  void rescueMidway2_filesCreatedDefinitionUnchanged() {
    fake.onCall(FakeCall.RESCUE).failMidway(2);

    failure(() -> fake.rescue(id, original, RescueRequest.defaults(), call()), Code.OPERATION_FAILED);

    assertThat(vm().powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(fake.definition(id)).isEqualTo(original);
    assertThat(fake.guest(id).files()).containsExactlyInAnyOrder("disk", "disk.rescue");
  }

  @Test
  void rescueMidway3_rescueDefinedNotStarted() {
    fake.onCall(FakeCall.RESCUE).failMidway(3);

    failure(() -> fake.rescue(id, original, RescueRequest.defaults(), call()), Code.OPERATION_FAILED);

    assertThat(vm().powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(vm().rescueDefinition()).isTrue();
    assertThat(fake.embeddedOriginalDefinition(id)).contains(original);
  }

  @Test
  void unrescueMidway1_destroyedStillRescueDefinition() {
    fake.rescue(id, original, RescueRequest.defaults(), call());
    fake.onCall(FakeCall.UNRESCUE).failMidway(1);

    failure(() -> fake.unrescue(id, original, call()), Code.OPERATION_FAILED);

    assertThat(vm().powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(vm().rescueDefinition()).isTrue();
    assertThat(fake.guest(id).files()).contains("disk.rescue");
  }

  @Test
  void unrescueMidway2_originalDefinedNotStarted() {
    fake.rescue(id, original, RescueRequest.defaults(), call());
    fake.onCall(FakeCall.UNRESCUE).failMidway(2);

    failure(() -> fake.unrescue(id, original, call()), Code.OPERATION_FAILED);

    assertThat(vm().powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(fake.definition(id)).isEqualTo(original);
    assertThat(fake.guest(id).files()).contains("disk.rescue");
  }

  @Test
  void unrescueMidway3_runningButRescueFilesLeft_thenARepeatCleansUp() {
    fake.rescue(id, original, RescueRequest.defaults(), call());
    fake.onCall(FakeCall.UNRESCUE).failMidway(3);

    failure(() -> fake.unrescue(id, original, call()), Code.OPERATION_FAILED);
    assertThat(vm().powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(fake.guest(id).files()).contains("disk.rescue");

    fake.unrescue(id, original, call());
    assertThat(fake.guest(id).files()).containsExactly("disk");
  }

  @Test
  void midwayFault_stillDeliversTheEventsOfTheStepsDone() {
    List<DriverEvent.Type> events = new CopyOnWriteArrayList<>();
    fake.subscribe(e -> events.add(e.type()));
    fake.onCall(FakeCall.RESCUE).failMidway(3);

    failure(() -> fake.rescue(id, original, RescueRequest.defaults(), call()), Code.OPERATION_FAILED);

    assertThat(events).containsExactly(DriverEvent.Type.SHUTDOWN, DriverEvent.Type.STOPPED, DriverEvent.Type.DEFINED);
  }

  @Test
  void disconnect_failsEveryCallUntilReconnected() {
    fake.onCall(FakeCall.PAUSE).disconnect();

    failure(() -> fake.pause(id, call()), Code.CONNECTION);
    assertThat(fake.isConnected()).isFalse();
    failure(() -> fake.unpause(id, call()), Code.CONNECTION);
    failure(fake::list, Code.CONNECTION);
    assertThat(vm().powerState()).isEqualTo(PowerState.RUNNING);

    fake.reconnect();
    fake.pause(id, call());
    assertThat(vm().powerState()).isEqualTo(PowerState.PAUSED);
  }

  @Test
  void disconnect_direct_failsCallsWithConnection() {
    fake.disconnect();

    HypervisorException e = failure(() -> fake.start(id, call()), Code.CONNECTION);

    assertThat(e).hasMessageContaining("Connection reset by peer");
  }

  @Test
  void faultOnMissingInstance_instanceNotFoundWins() {
    fake.failNext(FakeCall.PAUSE);

    assertThatThrownBy(() -> fake.pause("00000000-0000-0000-0000-000000000009", call()))
        .isInstanceOf(io.github.vmlifecycle.InstanceNotFoundException.class);
  }

  @Test
  void fault_consumedByACallRefusedForItsState() {
    fake.stop(id, timeout(Duration.ZERO));
    fake.onCall(FakeCall.PAUSE).failAfter();

    failure(() -> fake.pause(id, call()), Code.OPERATION_INVALID);
    fake.start(id, call());
    fake.pause(id, call());

    assertThat(vm().powerState()).isEqualTo(PowerState.PAUSED);
  }
}
