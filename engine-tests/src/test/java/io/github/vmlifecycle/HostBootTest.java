package io.github.vmlifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.fake.FakeClock;
import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.spi.InstanceStore;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * After the host restarted: guests that were running and are off are synced to STOPPED, or with
 * resume-guests hard-rebooted; paused, suspended and still-running guests are left alone.
 */
class HostBootTest {
  private final FakeClock clock = new FakeClock();
  private final FakeHypervisor fake = new FakeHypervisor(clock);
  private final InstanceStore store = InstanceStores.inMemory();
  private String web;
  private String paused;
  private String suspended;
  private String alive;

  private LifecycleEngine engine() {
    return LifecycleEngine.builder().driver(fake).store(store).clock(clock).executor(Runnable::run)
        .syncOnDriverEvents(false).build();
  }

  /** Four instances, then a host restart: every guest's QEMU is gone except the one still alive. */
  @BeforeEach
  void hostRestarts() {
    web = fake.createInstance("web-1");
    paused = fake.createInstance("paused-1");
    suspended = fake.createInstance("suspended-1");
    alive = fake.createInstance("alive-1");
    try (LifecycleEngine before = engine()) {
      before.list();
      before.pause(paused);
      before.suspend(suspended);
    }
    fake.guest(web).destroyBehindBack();
    fake.guest(paused).destroyBehindBack();
  }

  @Test
  void recoverHostBoot_byDefault_syncsTheGuestsThatWereRunningToStopped() {
    try (LifecycleEngine engine = engine()) {
      List<ActionRecord> actions = engine.recoverHostBoot(false);
      assertThat(actions).singleElement().satisfies(a -> {
        assertThat(a.instanceId()).isEqualTo(web);
        assertThat(a.action()).isEqualTo(ActionKind.STOP);
        assertThat(a.message()).get().asString().startsWith("power sync").contains("the guest was already off");
      });
      assertThat(engine.get(web).vmState()).isEqualTo(VmState.STOPPED);
      assertThat(fake.guest(web).powerState()).isEqualTo(PowerState.SHUTDOWN);
      leftAlone(engine);
    }
  }

  @Test
  void recoverHostBoot_resumingGuests_hardRebootsTheGuestsThatWereRunning() {
    try (LifecycleEngine engine = engine()) {
      List<ActionRecord> actions = engine.recoverHostBoot(true);
      assertThat(actions).singleElement().satisfies(a -> {
        assertThat(a.instanceId()).isEqualTo(web);
        assertThat(a.action()).isEqualTo(ActionKind.REBOOT);
        assertThat(a.result()).isEqualTo(ActionRecord.Result.SUCCEEDED);
        assertThat(a.message()).get().asString().startsWith("host boot");
      });
      assertThat(engine.get(web).vmState()).isEqualTo(VmState.ACTIVE);
      assertThat(fake.guest(web).powerState()).isEqualTo(PowerState.RUNNING);
      leftAlone(engine);
      assertThat(engine.recoverHostBoot(true)).as("nothing left to do").isEmpty();
    }
  }

  @Test
  void recoverHostBoot_leavesAPmsuspendedGuestAlone() {
    fake.guest(alive).suspendsToRam();
    try (LifecycleEngine engine = engine()) {
      engine.recoverHostBoot(true);
      assertThat(fake.guest(alive).powerState()).isEqualTo(PowerState.SUSPENDED);
      assertThat(engine.get(alive).vmState()).isEqualTo(VmState.ACTIVE);
    }
  }

  private void leftAlone(LifecycleEngine engine) {
    assertThat(engine.get(paused).vmState()).isEqualTo(VmState.PAUSED);
    assertThat(fake.guest(paused).powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(engine.get(suspended).vmState()).isEqualTo(VmState.SUSPENDED);
    assertThat(fake.guest(suspended).inspect().hasSavedMemory()).isTrue();
    assertThat(engine.get(alive).vmState()).isEqualTo(VmState.ACTIVE);
    assertThat(fake.guest(alive).powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(engine.actions(alive)).noneMatch(a -> a.action() == ActionKind.REBOOT || a.action() == ActionKind.STOP);
  }
}
