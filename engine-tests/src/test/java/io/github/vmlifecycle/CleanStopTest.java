package io.github.vmlifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.fake.FakeClock;
import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.InstanceStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every stop the engine starts itself (the power sync's force stop, recovery's stop again, a rescue's
 * power-off) is Nova's clean one: the guest is asked, asked again every retry interval, and destroyed
 * only after the shutdown timeout; the action says which. Waits run on the fake clock.
 */
class CleanStopTest {
  private static final String IMAGE = "/images/rescue.qcow2";

  private final FakeClock clock = new FakeClock();
  private final FakeHypervisor fake = new FakeHypervisor(clock);
  private final CrashPoint.Armed crash = new CrashPoint.Armed();
  private final InstanceStore store = InstanceStores.inMemory();

  private LifecycleEngine engine(LifecycleEngine.Builder b) {
    return b.driver(fake).store(store).clock(clock).executor(Runnable::run).syncOnDriverEvents(false)
        .stepObserver(crash).build();
  }

  private LifecycleEngine engine() {
    return engine(LifecycleEngine.builder());
  }

  /** A STOPPED instance whose guest was started behind the engine's back. */
  private String stoppedButRunning(LifecycleEngine engine) {
    String id = fake.createInstance("web-1");
    engine.stop(id, Duration.ZERO);
    fake.start(id, DriverCall.defaults());
    return id;
  }

  @Test
  void powerSync_guestHonouringTheRequest_goesDownCleanlyAndTheActionSaysSo() {
    try (LifecycleEngine engine = engine()) {
      String id = stoppedButRunning(engine);
      List<ActionRecord> actions = engine.syncPowerStates();
      assertThat(actions).singleElement().satisfies(a -> {
        assertThat(a.action()).isEqualTo(ActionKind.STOP);
        assertThat(a.message()).get().asString().startsWith("power sync").contains("the guest shut down cleanly");
      });
      assertThat(fake.guest(id).shutdownRequests()).isEqualTo(1);
      assertThat(engine.get(id).vmState()).isEqualTo(VmState.STOPPED);
      assertThat(fake.guest(id).powerState()).isEqualTo(PowerState.SHUTDOWN);
    }
  }

  @Test
  void powerSync_guestIgnoringRequests_isAskedEveryTenSecondsAndDestroyedAfterSixty() {
    try (LifecycleEngine engine = engine()) {
      String id = stoppedButRunning(engine);
      fake.guest(id).setIgnoresShutdown(true);
      Instant before = clock.instant();
      List<ActionRecord> actions = engine.syncPowerStates();
      assertThat(Duration.between(before, clock.instant())).isEqualTo(Duration.ofSeconds(60));
      assertThat(fake.guest(id).shutdownRequests()).isEqualTo(6);
      assertThat(actions).singleElement().extracting(a -> a.message().orElseThrow()).asString()
          .contains("did not shut down within 60 s and was destroyed");
      assertThat(engine.get(id).vmState()).isEqualTo(VmState.STOPPED);
    }
  }

  @Test
  void powerSync_usesTheBuildersDefaultsAndTheCallersOptions() {
    try (LifecycleEngine engine = engine(LifecycleEngine.builder()
        .defaultShutdownTimeout(Duration.ofSeconds(5)).defaultShutdownRetryInterval(Duration.ofSeconds(1)))) {
      String id = stoppedButRunning(engine);
      fake.guest(id).setIgnoresShutdown(true);
      Instant before = clock.instant();
      engine.syncPowerStates();
      assertThat(Duration.between(before, clock.instant())).isEqualTo(Duration.ofSeconds(5));
      assertThat(fake.guest(id).shutdownRequests()).isEqualTo(5);

      fake.start(id, DriverCall.defaults());
      Instant again = clock.instant();
      Instance synced = engine.syncPowerState(id, OperationOptions.builder().shutdownTimeout(Duration.ofSeconds(4))
          .shutdownRetryInterval(Duration.ofSeconds(2)).build());
      assertThat(Duration.between(again, clock.instant())).isEqualTo(Duration.ofSeconds(4));
      assertThat(fake.guest(id).shutdownRequests()).isEqualTo(5 + 2);
      assertThat(synced.vmState()).isEqualTo(VmState.STOPPED);
    }
  }

  @Test
  void powerSync_stoppedInstanceWhoseGuestIsPmsuspended_isForceStopped() {
    try (LifecycleEngine engine = engine()) {
      String id = stoppedButRunning(engine);
      fake.guest(id).suspendsToRam();
      List<ActionRecord> actions = engine.syncPowerStates(
          OperationOptions.builder().shutdownTimeout(Duration.ZERO).build());
      assertThat(actions).singleElement().extracting(a -> a.message().orElseThrow()).asString()
          .contains("stopped but the hypervisor reports suspended").contains("destroyed (shutdown timeout 0)");
      assertThat(fake.guest(id).powerState()).isEqualTo(PowerState.SHUTDOWN);
      assertThat(engine.get(id).vmState()).isEqualTo(VmState.STOPPED);
      assertThat(engine.get(id).powerState()).isEqualTo(PowerState.SHUTDOWN);
    }
  }

  /** A stop whose process died once it was accepted: POWERING_OFF stored, the guest still running. */
  private String stopCrashedAfterAccept() {
    String id = fake.createInstance("web-1");
    try (LifecycleEngine first = engine()) {
      first.get(id);
      assertThat(crash.runUntil(CrashPoint.AFTER_ACCEPT, () -> first.stop(id))).isTrue();
    }
    return id;
  }

  @Test
  void recovery_stopAgain_isACleanStopAndTheActionSaysSo() {
    String id = stopCrashedAfterAccept();
    try (LifecycleEngine restarted = engine()) {
      List<ActionRecord> recovered = restarted.recover();
      assertThat(recovered).singleElement().extracting(a -> a.message().orElseThrow()).asString()
          .contains("finished the stop (the guest shut down cleanly)");
      assertThat(fake.guest(id).shutdownRequests()).isEqualTo(1);
      assertThat(restarted.get(id).vmState()).isEqualTo(VmState.STOPPED);
    }
  }

  @Test
  void recovery_stopAgain_destroysAGuestIgnoringRequestsAfterTheGivenTimeout() {
    String id = stopCrashedAfterAccept();
    fake.guest(id).setIgnoresShutdown(true);
    try (LifecycleEngine restarted = engine()) {
      Instant before = clock.instant();
      List<ActionRecord> recovered = restarted.recover(OperationOptions.builder()
          .shutdownTimeout(Duration.ofSeconds(3)).shutdownRetryInterval(Duration.ofSeconds(1)).build());
      assertThat(Duration.between(before, clock.instant())).isEqualTo(Duration.ofSeconds(3));
      assertThat(recovered).singleElement().extracting(a -> a.message().orElseThrow()).asString()
          .contains("did not shut down within 3 s and was destroyed");
      assertThat(restarted.get(id).vmState()).isEqualTo(VmState.STOPPED);
    }
  }

  @Test
  void rescue_powerOff_isACleanShutdown() {
    fake.addImage(IMAGE);
    String id = fake.createInstance("web-1");
    try (LifecycleEngine engine = engine()) {
      engine.rescue(id, RescueRequest.builder().image(IMAGE).build());
      assertThat(fake.guest(id).shutdownRequests()).isEqualTo(1);
      assertThat(engine.get(id).vmState()).isEqualTo(VmState.RESCUED);
    }
  }
}
