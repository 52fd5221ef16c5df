package io.github.vmlifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.fake.FakeCall;
import io.github.vmlifecycle.fake.FakeClock;
import io.github.vmlifecycle.fake.FakeHang;
import io.github.vmlifecycle.fake.FakeHypervisor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Soft reboot, Nova's default reboot: a clean shutdown and a start, a hard reboot when the guest does not react. */
class SoftRebootTest {
  private final FakeClock clock = new FakeClock();
  private final FakeHypervisor fake = new FakeHypervisor(clock);
  private final List<LifecycleEvent> events = new ArrayList<>();
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final String id = fake.createInstance("web-1");

  private LifecycleEngine engine(LifecycleEngine.Builder b) {
    return b.driver(fake).clock(clock).executor(pool).syncOnDriverEvents(false).listener(events::add).build();
  }

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
  }

  @Test
  void reboot_guestHonouringTheRequest_rebootsSoftly() {
    try (LifecycleEngine engine = engine(LifecycleEngine.builder())) {
      fake.guest(id).writeMemory("before the reboot");
      int boots = fake.guest(id).bootCount();
      Instance after = engine.reboot(id);
      assertThat(after.vmState()).isEqualTo(VmState.ACTIVE);
      assertThat(after.powerState()).isEqualTo(PowerState.RUNNING);
      assertThat(after.taskState()).isEmpty();
      assertThat(fake.guest(id).bootCount()).isEqualTo(boots + 1);
      assertThat(fake.guest(id).memory()).isEmpty();
      assertThat(fake.guest(id).shutdownRequests()).isEqualTo(1);
      ActionRecord last = engine.actions(id).get(engine.actions(id).size() - 1);
      assertThat(last.action()).isEqualTo(ActionKind.REBOOT);
      assertThat(last.action().actionName()).isEqualTo("reboot");
      assertThat(last.result()).isEqualTo(ActionRecord.Result.SUCCEEDED);
      assertThat(last.message()).contains("the guest rebooted cleanly (soft reboot)");
      assertThat(events).extracting(LifecycleEvent::name).containsSubsequence("instance.reboot.start", "instance.reboot.end");
    }
  }

  @Test
  void reboot_guestIgnoringTheRequest_isHardRebootedAfter120Seconds() {
    try (LifecycleEngine engine = engine(LifecycleEngine.builder())) {
      fake.guest(id).setIgnoresShutdown(true);
      int boots = fake.guest(id).bootCount();
      Instant before = clock.instant();
      Instance after = engine.reboot(id);
      assertThat(Duration.between(before, clock.instant())).isEqualTo(Duration.ofSeconds(120));
      assertThat(after.vmState()).isEqualTo(VmState.ACTIVE);
      assertThat(fake.guest(id).powerState()).isEqualTo(PowerState.RUNNING);
      assertThat(fake.guest(id).bootCount()).isEqualTo(boots + 1);
      assertThat(engine.actions(id).get(engine.actions(id).size() - 1).message()).get().asString()
          .contains("did not react to the soft reboot within 120 s").contains("hard-rebooted");
    }
  }

  @Test
  void reboot_timeoutComesFromTheBuilderOrTheOptions() {
    try (LifecycleEngine engine = engine(LifecycleEngine.builder().defaultSoftRebootTimeout(Duration.ofSeconds(30)))) {
      fake.guest(id).setIgnoresShutdown(true);
      Instant before = clock.instant();
      engine.reboot(id);
      assertThat(Duration.between(before, clock.instant())).isEqualTo(Duration.ofSeconds(30));
      Instant again = clock.instant();
      engine.execute(id, Operation.SOFT_REBOOT, OperationOptions.builder().softRebootTimeout(Duration.ofSeconds(5)).build());
      assertThat(Duration.between(again, clock.instant())).isEqualTo(Duration.ofSeconds(5));
    }
  }

  @Test
  void reboot_isAllowedOnlyFromActive() {
    try (LifecycleEngine engine = engine(LifecycleEngine.builder())) {
      engine.pause(id);
      assertThatThrownBy(() -> engine.reboot(id)).isInstanceOfSatisfying(InvalidStateException.class,
          e -> assertThat(e.getMessage()).isEqualTo("Cannot 'reboot' instance web-1 while it is in vm_state paused"));
      engine.unpause(id);
      engine.stop(id, Duration.ZERO);
      assertThatThrownBy(() -> engine.reboot(id)).isInstanceOf(InvalidStateException.class);
      assertThat(fake.guest(id).powerState()).isEqualTo(PowerState.SHUTDOWN);
    }
  }

  @Test
  void reboot_inFlight_isRebootingAndAHardRebootPreemptsIt() throws Exception {
    try (LifecycleEngine engine = engine(LifecycleEngine.builder())) {
      FakeHang hang = fake.onCall(FakeCall.SOFT_REBOOT).hang(Duration.ofMinutes(5));
      CompletableFuture<Instance> soft = engine.submit(id, Operation.SOFT_REBOOT, OperationOptions.defaults());
      assertThat(hang.awaitWaiting(Duration.ofSeconds(10))).isTrue();
      assertThat(engine.get(id).taskState()).contains(TaskState.REBOOTING);
      assertThatThrownBy(() -> engine.pause(id)).isInstanceOf(InstanceBusyException.class);
      Instance hard = engine.submit(id, Operation.HARD_REBOOT, OperationOptions.defaults()).get(10, TimeUnit.SECONDS);
      assertThat(hard.vmState()).isEqualTo(VmState.ACTIVE);
      hang.expire();
      assertThatThrownBy(() -> soft.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(HypervisorException.class);
      assertThat(engine.get(id).version()).isEqualTo(hard.version());
    }
  }
}
