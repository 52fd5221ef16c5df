package io.github.vmlifecycle;

import io.github.vmlifecycle.rescue.RescueRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.fake.FakeClock;
import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.spi.DriverCall;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RecoveryAndSyncTest {
  private static final String IMAGE = "/images/rescue.qcow2";

  @TempDir Path dir;
  private final FakeClock clock = new FakeClock();
  private final CrashPoint.Armed crash = new CrashPoint.Armed();
  private final FakeHypervisor fake = new FakeHypervisor(clock);
  private final List<LifecycleEvent> events = new ArrayList<>();

  private LifecycleEngine engine(boolean syncOnEvents) {
    return LifecycleEngine.builder().driver(fake).store(InstanceStores.directory(dir)).clock(clock)
        .executor(Runnable::run).syncOnDriverEvents(syncOnEvents).listener(events::add).stepObserver(crash).build();
  }

  static Stream<Arguments> crashes() {
    return Stream.of(Operation.values()).flatMap(op -> Stream.of(CrashPoint.values()).map(p -> Arguments.of(op, p)));
  }

  @ParameterizedTest(name = "{0} killed {1}")
  @MethodSource("crashes")
  void recover_afterAProcessDiesAtAnyStep_leavesNothingStuck(Operation op, CrashPoint point) {
    fake.addImage(IMAGE);
    String id = fake.createInstance("web-1");
    String original = fake.definition(id);
    try (LifecycleEngine first = engine(false)) {
      first.get(id);
      prepare(first, op);
      boolean crashed = crash.runUntil(point, () -> first.execute(id, op, OperationOptions.builder().shutdownTimeout(Duration.ZERO)
          .rescueRequest(RescueRequest.builder().image(IMAGE).build()).build()));
      assertThat(crashed).isTrue();
      assertThat(first.get(id).taskState()).isPresent();
    }
    try (LifecycleEngine restarted = engine(false)) {
      List<ActionRecord> recovered = restarted.recover();
      assertThat(recovered).hasSize(1);
      assertThat(recovered.get(0).action()).isEqualTo(ActionKind.RECOVER);
      Instance after = restarted.get(id);
      assertThat(after.taskState()).isEmpty();
      assertThat(after.vmState()).isEqualTo(TruthOf.fake(fake, id));
      if (fake.guest(id).inspect().rescueDefinition()) {
        assertThat(after.originalDefinition()).contains(original);
      } else {
        assertThat(fake.definition(id)).isEqualTo(original);
      }
      assertThat(restarted.actions(id)).last().extracting(ActionRecord::action).isEqualTo(ActionKind.RECOVER);
      assertThat(restarted.recover()).as("a second recovery has nothing to do").isEmpty();
    }
  }

  /** Brings the instance into a state from which {@code op} is allowed. */
  private static void prepare(LifecycleEngine engine, Operation op) {
    switch (op) {
      case UNPAUSE:
        engine.pause("web-1");
        break;
      case RESUME:
        engine.suspend("web-1");
        break;
      case UNRESCUE:
        engine.rescue("web-1", RescueRequest.builder().image(IMAGE).build());
        break;
      case START:
        engine.stop("web-1", Duration.ZERO);
        break;
      default:
        break;
    }
  }

  @Test
  void recover_leavesAnOperationQueuedInThisEngineAlone() throws Exception {
    String id = fake.createInstance("web-1");
    java.util.List<Runnable> queue = new java.util.ArrayList<>();
    try (LifecycleEngine engine = LifecycleEngine.builder().driver(fake).store(InstanceStores.directory(dir))
        .clock(clock).executor(queue::add).syncOnDriverEvents(false).build()) {
      java.util.concurrent.CompletableFuture<Instance> paused =
          engine.submit(id, Operation.PAUSE, OperationOptions.defaults());
      assertThat(engine.recover()).as("the queued pause is not stuck").isEmpty();
      assertThat(engine.get(id).taskState()).contains(TaskState.PAUSING);
      queue.forEach(Runnable::run);
      assertThat(paused.get().vmState()).isEqualTo(VmState.PAUSED);
    }
  }

  @Test
  void recover_finishesAnUnrescueAndLeavesNoRescueFile() {
    fake.addImage(IMAGE);
    String id = fake.createInstance("web-1");
    try (LifecycleEngine first = engine(false)) {
      first.rescue("web-1", RescueRequest.builder().image(IMAGE).build());
      crash.runUntil(CrashPoint.AFTER_ACCEPT, () -> first.execute(id, Operation.UNRESCUE, OperationOptions.defaults()));
    }
    try (LifecycleEngine restarted = engine(false)) {
      restarted.recover();
      assertThat(restarted.get(id).vmState()).isEqualTo(VmState.ACTIVE);
      assertThat(fake.guest(id).files()).noneMatch(f -> f.endsWith(".rescue"));
    }
  }

  @Test
  void recover_resumeWhoseRestoreTheHypervisorFinishedPaused_runsTheGuest() {
    String id = fake.createInstance("web-1");
    try (LifecycleEngine first = engine(false)) {
      first.suspend(id);
      crash.runUntil(CrashPoint.AFTER_ACCEPT, () -> first.execute(id, Operation.RESUME, OperationOptions.defaults()));
    }
    // libvirt goes on with a restore whose caller died, and shows the guest paused while it loads
    fake.start(id, DriverCall.defaults());
    fake.guest(id).pauseBehindBack();
    try (LifecycleEngine restarted = engine(false)) {
      List<ActionRecord> done = restarted.recover();
      assertThat(done).singleElement().satisfies(a -> assertThat(a.message()).hasValueSatisfying(
          m -> assertThat(m).contains("finished the resume")));
      Instance after = restarted.get(id);
      assertThat(after.vmState()).isEqualTo(VmState.ACTIVE);
      assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.RUNNING);
      assertThat(fake.guest(id).inspect().hasSavedMemory()).isFalse();
    }
  }

  @Test
  void guestShuttingDownByItself_isSeenThroughTheEventAndStopsTheInstance() {
    String id = fake.createInstance("web-1");
    try (LifecycleEngine engine = engine(true)) {
      engine.get(id);
      fake.guest(id).shutsDown();
      Instance after = engine.get(id);
      assertThat(after.vmState()).isEqualTo(VmState.STOPPED);
      assertThat(after.powerState()).isEqualTo(PowerState.SHUTDOWN);
      assertThat(engine.actions(id)).extracting(ActionRecord::action).contains(ActionKind.STOP);
    }
  }

  @Test
  void guestPausedBehindTheBack_isReportedNotChanged() {
    String id = fake.createInstance("web-1");
    try (LifecycleEngine engine = engine(true)) {
      engine.get(id);
      fake.guest(id).pauseBehindBack();
      Instance after = engine.get(id);
      assertThat(after.vmState()).isEqualTo(VmState.ACTIVE);
      assertThat(after.powerState()).isEqualTo(PowerState.PAUSED);
      assertThat(events).extracting(LifecycleEvent::name).contains("instance.power_sync.end");
    }
  }

  @Test
  void syncPowerStates_forcesOffAGuestRunningWhileStopped() {
    String id = fake.createInstance("web-1");
    try (LifecycleEngine engine = engine(false)) {
      engine.stop(id, Duration.ZERO);
      fake.start(id, DriverCall.defaults());
      List<ActionRecord> actions = engine.syncPowerStates();
      assertThat(actions).hasSize(1);
      assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.SHUTDOWN);
      assertThat(engine.get(id).vmState()).isEqualTo(VmState.STOPPED);
    }
  }

  @Test
  void schedulePowerSync_runsRoundsUntilCancelled() throws Exception {
    String id = fake.createInstance("web-1");
    java.util.concurrent.ScheduledExecutorService scheduler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    try (LifecycleEngine engine = engine(false)) {
      engine.get(id);
      fake.guest(id).shutsDown();
      java.util.concurrent.ScheduledFuture<?> task = engine.schedulePowerSync(scheduler, Duration.ofMillis(10));
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
      while (engine.get(id).vmState() != VmState.STOPPED && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      task.cancel(false);
      assertThat(engine.get(id).vmState()).isEqualTo(VmState.STOPPED);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.schedulePowerSync(scheduler, Duration.ZERO))
          .isInstanceOf(InvalidInputException.class);
    } finally {
      scheduler.shutdownNow();
      assertThat(scheduler.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void crashedGuest_isStoppedBySync() {
    String id = fake.createInstance("web-1");
    try (LifecycleEngine engine = engine(false)) {
      engine.get(id);
      fake.guest(id).crashes();
      engine.syncPowerStates();
      assertThat(engine.get(id).vmState()).isEqualTo(VmState.STOPPED);
      assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.SHUTDOWN);
    }
  }

  @Test
  void aSyncRequestedWhileAnotherSyncRuns_looksAgainAfterIt() throws Exception {
    // A pause and a resume behind our back a few ms apart (two libvirt events): the second event's sync
    // finds the first one running; the first must look again, or the stale PAUSED stays stored.
    String id = fake.createInstance("web-1");
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
    io.github.vmlifecycle.spi.InstanceStore files = InstanceStores.directory(dir);
    io.github.vmlifecycle.spi.InstanceStore store = new io.github.vmlifecycle.spi.InstanceStore() {
      @Override
      public java.util.Optional<Instance> get(String instanceId) {
        return files.get(instanceId);
      }

      @Override
      public List<Instance> list() {
        return files.list();
      }

      @Override
      public boolean insertIfAbsent(Instance instance) {
        return files.insertIfAbsent(instance);
      }

      @Override
      public boolean compareAndSet(long expectedVersion, Instance updated) {
        if (armed.getAndSet(false)) { // the first sync saves what it saw: wait there
          entered.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return files.compareAndSet(expectedVersion, updated);
      }

      @Override
      public void appendAction(ActionRecord action) {
        files.appendAction(action);
      }

      @Override
      public List<ActionRecord> actions(String instanceId) {
        return files.actions(instanceId);
      }
    };
    try (LifecycleEngine engine = LifecycleEngine.builder().driver(fake).store(store).clock(clock)
        .syncOnDriverEvents(false).listener(events::add).build()) {
      engine.get(id);
      fake.guest(id).pauseBehindBack();
      armed.set(true);
      Thread first = new Thread(() -> engine.syncPowerState(id));
      first.start();
      assertThat(entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      fake.unpause(id, DriverCall.defaults()); // resumed behind our back while the first sync still saves PAUSED
      engine.syncPowerState(id); // finds the first sync running: hands over to it
      release.countDown();
      first.join(10_000);
      assertThat(first.isAlive()).isFalse();
      Instance after = files.get(id).orElseThrow();
      assertThat(after.vmState()).isEqualTo(VmState.ACTIVE);
      assertThat(after.powerState()).isEqualTo(PowerState.RUNNING);
    }
  }

  @Test
  void vanishedGuest_keepsItsStateWithPowerNostate() {
    String id = fake.createInstance("web-1");
    try (LifecycleEngine engine = engine(false)) {
      engine.get(id);
      fake.guest(id).removeBehindBack();
      assertThat(engine.syncPowerStates()).isEmpty();
      Instance after = engine.get(id);
      assertThat(after.vmState()).isEqualTo(VmState.ACTIVE);
      assertThat(after.powerState()).isEqualTo(PowerState.NOSTATE);
    }
  }
}
