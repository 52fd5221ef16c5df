package io.github.vmlifecycle;

import io.github.vmlifecycle.rescue.RescueRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.fake.FakeCall;
import io.github.vmlifecycle.fake.FakeClock;
import io.github.vmlifecycle.fake.FakeHang;
import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.fake.FakeInstanceSpec;
import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.InstanceStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LifecycleEngineTest {
  private static final String IMAGE = "/images/rescue.qcow2";

  private final FakeClock clock = new FakeClock();
  private final FakeHypervisor fake = new FakeHypervisor(clock);
  private final InstanceStore store = InstanceStores.inMemory();
  private final List<LifecycleEvent> events = new ArrayList<>();
  private final ExecutorService pool = Executors.newFixedThreadPool(4);
  private LifecycleEngine engine;
  private String web;

  @BeforeEach
  void setUp() {
    fake.addImage(IMAGE);
    web = fake.createInstance("web-1");
    engine = LifecycleEngine.builder().driver(fake).store(store).clock(clock).executor(pool)
        .syncOnDriverEvents(false).listener(events::add).build();
  }

  @AfterEach
  void tearDown() {
    engine.close();
    pool.shutdownNow();
  }

  @Test
  void pauseUnpause_landsAndKeepsGuestMemory() {
    fake.guest(web).writeMemory("hello");
    assertThat(engine.pause("web-1").vmState()).isEqualTo(VmState.PAUSED);
    assertThat(fake.guest(web).inspect().powerState()).isEqualTo(PowerState.PAUSED);
    Instance active = engine.unpause("web-1");
    assertThat(active.vmState()).isEqualTo(VmState.ACTIVE);
    assertThat(active.taskState()).isEmpty();
    assertThat(active.powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(fake.guest(web).memory()).isEqualTo("hello");
  }

  @Test
  void suspendResume_savesMemoryAndReportsProgress() {
    fake.guest(web).writeMemory("state");
    List<Long> progress = new ArrayList<>();
    Instance suspended = engine.suspend("web-1", (id, done, total) -> progress.add(done));
    assertThat(suspended.vmState()).isEqualTo(VmState.SUSPENDED);
    assertThat(suspended.powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(fake.guest(web).inspect().hasSavedMemory()).isTrue();
    assertThat(progress).isNotEmpty().isSorted();
    int boots = fake.guest(web).bootCount();
    assertThat(engine.resume("web-1").vmState()).isEqualTo(VmState.ACTIVE);
    assertThat(fake.guest(web).memory()).isEqualTo("state");
    assertThat(fake.guest(web).bootCount()).isEqualTo(boots);
  }

  @Test
  void rescueUnrescue_storesOriginalAndRestoresItExactly() {
    String original = fake.definition(web);
    Instance rescued = engine.rescue("web-1", RescueRequest.builder().image(IMAGE).build());
    assertThat(rescued.vmState()).isEqualTo(VmState.RESCUED);
    assertThat(rescued.originalDefinition()).contains(original);
    assertThat(rescued.rescuedAt()).contains(clock.instant());
    assertThat(store.get(web).orElseThrow().originalDefinition()).contains(original);
    assertThat(fake.guest(web).inspect().rescueDefinition()).isTrue();
    assertThat(fake.guest(web).files()).contains("disk.rescue");
    Instance back = engine.unrescue("web-1");
    assertThat(back.vmState()).isEqualTo(VmState.ACTIVE);
    assertThat(back.originalDefinition()).isEmpty();
    assertThat(fake.definition(web)).isEqualTo(original);
    assertThat(fake.guest(web).files()).doesNotContain("disk.rescue");
  }

  @Test
  void rescued_onlyUnrescueIsAllowed() {
    engine.rescue("web-1", RescueRequest.builder().image(IMAGE).build());
    for (Operation op : Operation.values()) {
      if (op != Operation.UNRESCUE) {
        assertThatThrownBy(() -> engine.execute("web-1", op, OperationOptions.defaults())).as(op.name())
            .isInstanceOf(InvalidStateException.class).hasMessageContaining("vm_state rescued");
      }
    }
    assertThat(engine.get("web-1").vmState()).isEqualTo(VmState.RESCUED);
  }

  @Test
  void stopStartHardReboot_land() {
    assertThat(engine.stop("web-1", Duration.ZERO).vmState()).isEqualTo(VmState.STOPPED);
    assertThat(engine.start("web-1").vmState()).isEqualTo(VmState.ACTIVE);
    engine.pause("web-1");
    Instance rebooted = engine.hardReboot("web-1");
    assertThat(rebooted.vmState()).isEqualTo(VmState.ACTIVE);
    assertThat(fake.guest(web).inspect().powerState()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void illegalRequest_changesNothingAndCallsNoDriver() {
    engine.stop("web-1", Duration.ZERO);
    Instance before = engine.get("web-1");
    fake.clearCalls();
    assertThatThrownBy(() -> engine.pause("web-1"))
        .isInstanceOf(InvalidStateException.class)
        .hasMessage("Cannot 'pause' instance web-1 while it is in vm_state stopped");
    assertThat(engine.get("web-1")).isEqualTo(before);
    assertThat(fake.calls().stream().map(c -> c.call()).collect(Collectors.toSet()))
        .doesNotContain(FakeCall.PAUSE);
  }

  @Test
  void unknownInstance_isNotFound() {
    assertThatThrownBy(() -> engine.pause("nope")).isInstanceOf(InstanceNotFoundException.class)
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> engine.pause("../etc/passwd")).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void lockedInstance_isRefusedUntilUnlocked() {
    engine.lock("web-1");
    assertThatThrownBy(() -> engine.pause("web-1")).isInstanceOf(InstanceLockedException.class);
    engine.unlock("web-1");
    assertThat(engine.pause("web-1").vmState()).isEqualTo(VmState.PAUSED);
    assertThat(engine.actions("web-1")).extracting(ActionRecord::action).containsSubsequence(ActionKind.LOCK, ActionKind.UNLOCK, ActionKind.PAUSE);
  }

  @Test
  void busyInstance_refusesASecondRequestNamingTheTask() throws Exception {
    FakeHang hang = fake.onCall(FakeCall.SUSPEND).hang(Duration.ofMinutes(5));
    CompletableFuture<Instance> suspending = engine.submit("web-1", Operation.SUSPEND, OperationOptions.defaults());
    assertThat(engine.get("web-1").taskState()).contains(TaskState.SUSPENDING);
    assertThatThrownBy(() -> engine.pause("web-1"))
        .isInstanceOfSatisfying(InstanceBusyException.class,
            e -> assertThat(e.blockingTask()).isEqualTo(TaskState.SUSPENDING))
        .hasMessage("Cannot 'pause' instance web-1 while it is in task_state suspending");
    hang.release();
    assertThat(suspending.get(10, TimeUnit.SECONDS).vmState()).isEqualTo(VmState.SUSPENDED);
  }

  @Test
  void failureBeforeChange_keepsTheStateAndRecordsTheFault() {
    fake.onCall(FakeCall.PAUSE).withMessage("boom").failBefore();
    assertThatThrownBy(() -> engine.pause("web-1")).isInstanceOf(HypervisorException.class).hasMessageContaining("boom");
    Instance after = engine.get("web-1");
    assertThat(after.vmState()).isEqualTo(VmState.ACTIVE);
    assertThat(after.taskState()).isEmpty();
    ActionRecord last = last(engine.actions("web-1"));
    assertThat(last.result()).isEqualTo(ActionRecord.Result.FAILED);
    assertThat(last.message()).hasValueSatisfying(m -> assertThat(m).contains("boom"));
    assertThat(last.faultKind()).contains(VmLifecycleException.Kind.HYPERVISOR);
    assertThat(events).extracting(LifecycleEvent::name).endsWith("instance.pause.start", "instance.pause.error");
  }

  @Test
  void failureAfterChange_landsInTheTrueState() {
    fake.onCall(FakeCall.SUSPEND).failAfter();
    assertThatThrownBy(() -> engine.suspend("web-1")).isInstanceOf(HypervisorException.class);
    assertThat(engine.get("web-1").vmState()).isEqualTo(VmState.SUSPENDED);
    assertThat(engine.get("web-1").taskState()).isEmpty();
  }

  @Test
  void failureMidwayThroughSuspend_landsPausedNotError() {
    fake.onCall(FakeCall.SUSPEND).failMidway(1);
    assertThatThrownBy(() -> engine.suspend("web-1")).isInstanceOf(HypervisorException.class);
    assertThat(engine.get("web-1").vmState()).isEqualTo(TruthOf.fake(fake, web));
  }

  @Test
  void hypervisorGone_landsInErrorWithTaskCleared() {
    fake.onCall(FakeCall.STOP).disconnect();
    assertThatThrownBy(() -> engine.stop("web-1", Duration.ZERO))
        .isInstanceOfSatisfying(HypervisorException.class,
            e -> assertThat(e.code()).isEqualTo(HypervisorException.Code.CONNECTION));
    fake.reconnect();
    Instance after = engine.get("web-1");
    assertThat(after.vmState()).isEqualTo(VmState.ERROR);
    assertThat(after.taskState()).isEmpty();
    assertThat(engine.stop("web-1", Duration.ZERO).vmState()).isEqualTo(VmState.STOPPED);
  }

  @Test
  void rescueRefusedByTheDriver_rollsBackAndKeepsNoOriginal() {
    assertThatThrownBy(() -> engine.rescue("web-1", RescueRequest.builder().image("/missing.qcow2").build()))
        .isInstanceOf(InvalidInputException.class);
    Instance after = engine.get("web-1");
    assertThat(after.vmState()).isEqualTo(TruthOf.fake(fake, web));
    assertThat(after.originalDefinition()).isEmpty();
  }

  @Test
  void unrescueFailingMidway_staysRescuedAndCanBeRetried() {
    String original = fake.definition(web);
    engine.rescue("web-1", RescueRequest.builder().image(IMAGE).build());
    fake.onCall(FakeCall.UNRESCUE).failMidway(1);
    assertThatThrownBy(() -> engine.unrescue("web-1")).isInstanceOf(HypervisorException.class);
    Instance stillRescued = engine.get("web-1");
    assertThat(stillRescued.vmState()).isEqualTo(VmState.RESCUED);
    assertThat(stillRescued.originalDefinition()).contains(original);
    assertThat(engine.unrescue("web-1").vmState()).isEqualTo(VmState.ACTIVE);
    assertThat(fake.definition(web)).isEqualTo(original);
  }

  @Test
  void events_startAndEndAroundEveryOperation() {
    engine.pause("web-1");
    engine.unpause("web-1");
    assertThat(events).extracting(LifecycleEvent::name).containsExactly(
        "instance.pause.start", "instance.pause.end", "instance.unpause.start", "instance.unpause.end");
    assertThat(events.get(0).taskState()).contains(TaskState.PAUSING);
    assertThat(events.get(1).vmState()).isEqualTo(VmState.PAUSED);
    assertThat(events.get(0).requestId()).isEqualTo(events.get(1).requestId());
  }

  @Test
  void actionLog_recordsOperationRequestTimesAndOutcome() {
    clock.advance(Duration.ofSeconds(1));
    fake.setLatency(FakeCall.PAUSE, Duration.ofMillis(250));
    engine.pause("web-1");
    ActionRecord a = last(engine.actions("web-1"));
    assertThat(a.action()).isEqualTo(ActionKind.PAUSE);
    assertThat(a.result()).isEqualTo(ActionRecord.Result.SUCCEEDED);
    assertThat(Duration.between(a.startedAt(), a.finishedAt())).isEqualTo(Duration.ofMillis(250));
    assertThat(a.vmStateBefore()).isEqualTo(VmState.ACTIVE);
    assertThat(a.vmStateAfter()).isEqualTo(VmState.PAUSED);
    assertThat(a.requestId()).startsWith("req-");
  }

  @Test
  void submit_illegalRequestThrowsAtOnce() {
    engine.pause("web-1");
    assertThatThrownBy(() -> engine.submit("web-1", Operation.SUSPEND, OperationOptions.defaults()))
        .isInstanceOf(InvalidStateException.class);
  }

  @Test
  void hardReboot_preemptsASuspendInFlight() throws Exception {
    FakeHang hang = fake.onCall(FakeCall.SUSPEND).hang(Duration.ofMinutes(5));
    CompletableFuture<Instance> suspending = engine.submit("web-1", Operation.SUSPEND, OperationOptions.defaults());
    hang.awaitWaiting(Duration.ofSeconds(10));
    CompletableFuture<Instance> rebooting = engine.submit("web-1", Operation.HARD_REBOOT, OperationOptions.defaults());
    assertThat(rebooting.get(10, TimeUnit.SECONDS).vmState()).as("done while the suspend hangs")
        .isEqualTo(VmState.ACTIVE);
    assertThat(hang.waitingCalls()).isEqualTo(1);
    hang.expire();
    assertThatThrownBy(() -> suspending.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(HypervisorException.class);
    assertThat(engine.get("web-1").vmState()).isEqualTo(VmState.ACTIVE);
    assertThat(fake.guest(web).inspect().powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(fake.guest(web).inspect().hasSavedMemory()).isFalse();
  }

  @Test
  void resetState_clearsAStuckTask() throws Exception {
    FakeHang hang = fake.onCall(FakeCall.PAUSE).hang(Duration.ofMinutes(5));
    CompletableFuture<Instance> pausing = engine.submit("web-1", Operation.PAUSE, OperationOptions.defaults());
    hang.awaitWaiting(Duration.ofSeconds(10));
    Instance reset = engine.resetState("web-1", VmState.ERROR);
    assertThat(reset.vmState()).isEqualTo(VmState.ERROR);
    assertThat(reset.taskState()).isEmpty();
    hang.release();
    assertThatThrownBy(() -> pausing.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(OperationSupersededException.class);
    assertThat(engine.get("web-1").vmState()).isEqualTo(VmState.ERROR);
    assertThatThrownBy(() -> engine.resetState("web-1", VmState.PAUSED)).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void adoption_derivesTheStateFromThePowerState() {
    fake.define(FakeInstanceSpec.builder().name("off").powerState(PowerState.SHUTDOWN).build());
    fake.define(FakeInstanceSpec.builder().name("saved").powerState(PowerState.SHUTDOWN).savedMemory(true).build());
    fake.define(FakeInstanceSpec.builder().name("paused").powerState(PowerState.PAUSED).build());
    assertThat(engine.get("off").vmState()).isEqualTo(VmState.STOPPED);
    assertThat(engine.get("saved").vmState()).isEqualTo(VmState.SUSPENDED);
    assertThat(engine.get("paused").vmState()).isEqualTo(VmState.PAUSED);
    assertThat(engine.get("web-1").vmState()).isEqualTo(VmState.ACTIVE);
    assertThat(engine.list()).hasSize(4);
    assertThat(engine.actions("off")).extracting(ActionRecord::action).containsExactly(ActionKind.ADOPT);
  }

  @Test
  void adoption_ofARescuedGuest_isErrorWithoutTheStoresCopyOfTheOriginal() {
    String original = fake.definition(web);
    fake.rescue(web, original, RescueRequest.builder().image(IMAGE).build(), DriverCall.defaults());
    Instance adopted = engine.get("web-1");
    assertThat(adopted.vmState()).isEqualTo(VmState.ERROR);
    assertThat(adopted.originalDefinition()).isEmpty();
    assertThat(engine.actions("web-1")).singleElement()
        .satisfies(a -> assertThat(a.message().orElseThrow()).contains("not trusted"));
  }

  @Test
  void uuid_inAnyCase_findsTheInstance() {
    assertThat(engine.get(web.toUpperCase()).id()).isEqualTo(web);
    assertThat(engine.pause(web.toUpperCase()).vmState()).isEqualTo(VmState.PAUSED);
  }

  private static ActionRecord last(List<ActionRecord> actions) {
    return actions.get(actions.size() - 1);
  }
}
