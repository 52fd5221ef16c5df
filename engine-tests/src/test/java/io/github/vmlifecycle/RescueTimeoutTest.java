package io.github.vmlifecycle;

import io.github.vmlifecycle.rescue.RescueRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.fake.FakeCall;
import io.github.vmlifecycle.fake.FakeClock;
import io.github.vmlifecycle.fake.FakeHang;
import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.spi.InstanceStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The rescue timeout: {@link LifecycleEngine#unrescueExpired()} and its schedule, over the fake and the file store. */
class RescueTimeoutTest {
  private static final String IMAGE = "/images/rescue.qcow2";
  private static final Duration TIMEOUT = Duration.ofMinutes(30);
  private static final Instant RESCUED_AT = FakeClock.DEFAULT_START;
  private static final Instant DEADLINE = RESCUED_AT.plus(TIMEOUT);

  @TempDir Path dir;
  private final FakeClock clock = new FakeClock();
  private final CrashPoint.Armed crash = new CrashPoint.Armed();
  private final FakeHypervisor fake = new FakeHypervisor(clock);
  private final List<LifecycleEvent> events = Collections.synchronizedList(new ArrayList<>());
  private LifecycleEngine engine;
  private String web;
  private String original;

  @BeforeEach
  void setUp() {
    fake.addImage(IMAGE);
    web = fake.createInstance("web-1");
    original = fake.definition(web);
    engine = engine(InstanceStores.directory(dir));
  }

  @AfterEach
  void tearDown() {
    engine.close();
  }

  private LifecycleEngine engine(InstanceStore store) {
    return LifecycleEngine.builder().driver(fake).store(store).clock(clock).executor(Runnable::run)
        .syncOnDriverEvents(false).listener(events::add).stepObserver(crash).build();
  }

  private static RescueRequest withTimeout(Duration timeout) {
    return RescueRequest.builder().image(IMAGE).timeout(timeout).build();
  }

  @Test
  void rescue_withTimeout_exposesTheDeadline() {
    Instance rescued = engine.rescue("web-1", withTimeout(TIMEOUT));
    assertThat(rescued.rescuedAt()).contains(RESCUED_AT);
    assertThat(rescued.rescueRequest().flatMap(RescueRequest::timeout)).contains(TIMEOUT);
    assertThat(rescued.rescueDeadline()).contains(DEADLINE);
  }

  @Test
  void unrescueExpired_beforeTheDeadline_doesNothing() {
    engine.rescue("web-1", withTimeout(TIMEOUT));
    clock.advance(TIMEOUT.minusNanos(1));
    int actionsBefore = engine.actions(web).size();

    assertThat(engine.unrescueExpired()).isEmpty();

    Instance after = engine.get(web);
    assertThat(after.vmState()).isEqualTo(VmState.RESCUED);
    assertThat(after.taskState()).isEmpty();
    assertThat(engine.actions(web)).hasSize(actionsBefore);
    fake.assertNotCalled(FakeCall.UNRESCUE);
  }

  @Test
  void unrescueExpired_deadlineReached_unrescuesAndRestoresTheOriginalDefinition() {
    engine.rescue("web-1", withTimeout(TIMEOUT));
    clock.advance(TIMEOUT);
    events.clear();

    List<ActionRecord> done = engine.unrescueExpired();

    assertThat(done).hasSize(1);
    ActionRecord action = done.get(0);
    assertThat(action.instanceId()).isEqualTo(web);
    assertThat(action.action()).isEqualTo(ActionKind.UNRESCUE);
    assertThat(action.result()).isEqualTo(ActionRecord.Result.SUCCEEDED);
    assertThat(action.vmStateBefore()).isEqualTo(VmState.RESCUED);
    assertThat(action.vmStateAfter()).isEqualTo(VmState.ACTIVE);
    assertThat(action.message()).contains("rescue timeout PT30M ran out at " + DEADLINE + " (rescued at " + RESCUED_AT + ")");
    assertThat(engine.actions(web)).last().isEqualTo(action);

    Instance after = engine.get(web);
    assertThat(after.vmState()).isEqualTo(VmState.ACTIVE);
    assertThat(after.powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(after.taskState()).isEmpty();
    assertThat(after.originalDefinition()).isEmpty();
    assertThat(after.rescueRequest()).isEmpty();
    assertThat(after.rescueDeadline()).isEmpty();
    assertThat(fake.definition(web)).isEqualTo(original);
    assertThat(fake.guest(web).inspect().rescueDefinition()).isFalse();
    assertThat(fake.guest(web).files()).noneMatch(f -> f.endsWith(".rescue"));

    assertThat(events).extracting(LifecycleEvent::name).containsExactly("instance.unrescue.start", "instance.unrescue.end");
    assertThat(events).allSatisfy(e -> assertThat(e.message()).hasValueSatisfying(m -> assertThat(m).startsWith("rescue timeout")));
    assertThat(engine.unrescueExpired()).as("a second round has nothing left to do").isEmpty();
  }

  @Test
  void unrescueExpired_rescueWithoutTimeout_staysRescued() {
    engine.rescue("web-1", RescueRequest.builder().image(IMAGE).build());
    clock.advance(Duration.ofDays(3650));

    assertThat(engine.unrescueExpired()).isEmpty();
    assertThat(engine.get(web).vmState()).isEqualTo(VmState.RESCUED);
    assertThat(engine.get(web).rescueDeadline()).isEmpty();
  }

  @Test
  void unrescueExpired_lockedInstance_isSkippedUntilUnlocked() {
    engine.rescue("web-1", withTimeout(TIMEOUT));
    engine.lock(web);
    clock.advance(TIMEOUT.multipliedBy(2));
    int actionsBefore = engine.actions(web).size();

    assertThat(engine.unrescueExpired()).isEmpty();
    assertThat(engine.get(web).vmState()).isEqualTo(VmState.RESCUED);
    assertThat(engine.actions(web)).as("a skipped instance gets no action").hasSize(actionsBefore);
    fake.assertNotCalled(FakeCall.UNRESCUE);

    engine.unlock(web);
    List<ActionRecord> done = engine.unrescueExpired();
    assertThat(done).extracting(ActionRecord::result).containsExactly(ActionRecord.Result.SUCCEEDED);
    assertThat(engine.get(web).vmState()).isEqualTo(VmState.ACTIVE);
  }

  @Test
  void unrescueExpired_operationQueued_isSkippedAndNotRepeated() throws Exception {
    List<Runnable> queue = new ArrayList<>();
    try (LifecycleEngine queued = LifecycleEngine.builder().driver(fake).store(InstanceStores.directory(dir))
        .clock(clock).executor(queue::add).syncOnDriverEvents(false).build()) {
      queued.rescue("web-1", withTimeout(TIMEOUT));
      clock.advance(TIMEOUT);
      CompletableFuture<Instance> byHand = queued.submit(web, Operation.UNRESCUE, OperationOptions.defaults());
      assertThat(queued.get(web).taskState()).contains(TaskState.UNRESCUING);

      assertThat(queued.unrescueExpired()).isEmpty();

      queue.forEach(Runnable::run);
      assertThat(byHand.get().vmState()).isEqualTo(VmState.ACTIVE);
      assertThat(fake.calls(FakeCall.UNRESCUE)).hasSize(1);
      assertThat(queued.actions(web)).last().satisfies(a -> {
        assertThat(a.action()).isEqualTo(ActionKind.UNRESCUE);
        assertThat(a.message()).as("an unrescue by hand carries no timeout note").isEmpty();
      });
    }
  }

  @Test
  void unrescueExpired_twoEnginesOnOneStore_unrescueOnce() throws Exception {
    engine.rescue("web-1", withTimeout(TIMEOUT));
    clock.advance(TIMEOUT);
    FakeHang hang = fake.onCall(FakeCall.UNRESCUE).hang(Duration.ofHours(1));
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (LifecycleEngine other = engine(InstanceStores.directory(dir))) {
      CompletableFuture<List<ActionRecord>> first = CompletableFuture.supplyAsync(engine::unrescueExpired, thread);
      assertThat(hang.awaitWaiting(Duration.ofSeconds(10))).isTrue();

      assertThat(other.unrescueExpired()).as("the instance is unrescuing in the other engine").isEmpty();

      hang.release();
      assertThat(first.get(10, TimeUnit.SECONDS)).extracting(ActionRecord::result)
          .containsExactly(ActionRecord.Result.SUCCEEDED);
      assertThat(fake.calls(FakeCall.UNRESCUE)).hasSize(1);
      assertThat(other.get(web).vmState()).isEqualTo(VmState.ACTIVE);
    } finally {
      thread.shutdownNow();
    }
  }

  @Test
  void unrescueExpired_driverFailsForOne_othersAreUnrescuedAndTheFaultIsRecorded() {
    String db = fake.createInstance("db-1");
    String app = fake.createInstance("app-1");
    for (String id : List.of(web, db, app)) {
      engine.rescue(id, withTimeout(TIMEOUT));
    }
    clock.advance(TIMEOUT);
    fake.onCall(FakeCall.UNRESCUE).forInstance(db).withMessage("internal error: qemu unexpectedly closed the monitor")
        .failBefore();

    Map<String, ActionRecord> done = engine.unrescueExpired().stream()
        .collect(Collectors.toMap(ActionRecord::instanceId, a -> a));

    assertThat(done).containsOnlyKeys(web, db, app);
    assertThat(done.get(web).result()).isEqualTo(ActionRecord.Result.SUCCEEDED);
    assertThat(done.get(app).result()).isEqualTo(ActionRecord.Result.SUCCEEDED);
    ActionRecord failed = done.get(db);
    assertThat(failed.result()).isEqualTo(ActionRecord.Result.FAILED);
    assertThat(failed.faultKind()).contains(VmLifecycleException.Kind.HYPERVISOR);
    assertThat(failed.message()).hasValueSatisfying(m -> assertThat(m).startsWith("rescue timeout PT30M ran out at")
        .contains("qemu unexpectedly closed the monitor"));
    assertThat(engine.get(web).vmState()).isEqualTo(VmState.ACTIVE);
    assertThat(engine.get(app).vmState()).isEqualTo(VmState.ACTIVE);
    Instance stillRescued = engine.get(db);
    assertThat(stillRescued.vmState()).as("the failed unrescue lands on the truth").isEqualTo(VmState.RESCUED);
    assertThat(stillRescued.taskState()).isEmpty();
    assertThat(events).filteredOn(e -> e.instanceId().equals(db)).extracting(LifecycleEvent::name)
        .contains("instance.unrescue.error");

    List<ActionRecord> retried = engine.unrescueExpired();
    assertThat(retried).extracting(ActionRecord::instanceId).containsExactly(db);
    assertThat(retried.get(0).result()).isEqualTo(ActionRecord.Result.SUCCEEDED);
    assertThat(engine.get(db).vmState()).isEqualTo(VmState.ACTIVE);
  }

  @Test
  void fileStore_roundTripsTheTimeoutAcrossARestart() {
    engine.rescue("web-1", withTimeout(TIMEOUT));
    engine.close();

    engine = engine(InstanceStores.directory(dir));
    Instance reloaded = engine.get(web);
    assertThat(reloaded.rescueRequest().flatMap(RescueRequest::timeout)).contains(TIMEOUT);
    assertThat(reloaded.rescueDeadline()).contains(DEADLINE);

    clock.advance(TIMEOUT);
    assertThat(engine.unrescueExpired()).extracting(ActionRecord::result).containsExactly(ActionRecord.Result.SUCCEEDED);
    assertThat(fake.definition(web)).isEqualTo(original);
  }

  @ParameterizedTest(name = "killed {0}")
  @EnumSource(CrashPoint.class)
  void recover_afterTheProcessDiesDuringAnAutomaticUnrescue_finishesIt(CrashPoint point) {
    engine.rescue("web-1", withTimeout(TIMEOUT));
    clock.advance(TIMEOUT);
    assertThat(crash.runUntil(point, engine::unrescueExpired)).isTrue();
    assertThat(engine.get(web).taskState()).contains(TaskState.UNRESCUING);
    engine.close();

    engine = engine(InstanceStores.directory(dir));
    assertThat(engine.unrescueExpired()).as("busy with the dead process's unrescue").isEmpty();
    List<ActionRecord> recovered = engine.recover();

    assertThat(recovered).extracting(ActionRecord::action).containsExactly(ActionKind.RECOVER);
    Instance after = engine.get(web);
    assertThat(after.vmState()).isEqualTo(VmState.ACTIVE);
    assertThat(after.taskState()).isEmpty();
    assertThat(after.rescueDeadline()).isEmpty();
    assertThat(fake.definition(web)).isEqualTo(original);
    assertThat(fake.guest(web).files()).noneMatch(f -> f.endsWith(".rescue"));
    assertThat(engine.unrescueExpired()).isEmpty();
  }

  @Test
  void recover_afterACrashMidRescue_keepsTheTimeoutFromTheRescueStart() {
    crash.runUntil(CrashPoint.AFTER_DRIVER_CALL, () -> engine.execute(web, Operation.RESCUE,
        OperationOptions.builder().rescueRequest(withTimeout(TIMEOUT)).build()));
    engine.close();
    clock.advance(Duration.ofMinutes(5));

    engine = engine(InstanceStores.directory(dir));
    engine.recover();
    Instance recovered = engine.get(web);
    assertThat(recovered.vmState()).isEqualTo(VmState.RESCUED);
    assertThat(recovered.rescueDeadline()).as("counted from when recovery saw it rescued")
        .contains(RESCUED_AT.plus(Duration.ofMinutes(5)).plus(TIMEOUT));
  }

  @Test
  void scheduleRescueTimeouts_runsRoundsOnTheScheduler() {
    ManualScheduler scheduler = new ManualScheduler();
    engine.rescue("web-1", withTimeout(TIMEOUT));

    java.util.concurrent.ScheduledFuture<?> task = engine.scheduleRescueTimeouts(scheduler, Duration.ofMinutes(1));

    assertThat(scheduler.tasks).singleElement().satisfies(t -> {
      assertThat(t.initialDelay).isEqualTo(Duration.ofMinutes(1));
      assertThat(t.delay).isEqualTo(Duration.ofMinutes(1));
    });
    clock.advance(Duration.ofMinutes(29));
    scheduler.runRound();
    assertThat(engine.get(web).vmState()).isEqualTo(VmState.RESCUED);
    clock.advance(Duration.ofMinutes(1));
    scheduler.runRound();
    assertThat(engine.get(web).vmState()).isEqualTo(VmState.ACTIVE);
    assertThat(engine.actions(web)).last().satisfies(a -> assertThat(a.message())
        .hasValueSatisfying(m -> assertThat(m).startsWith("rescue timeout")));

    task.cancel(false);
    assertThat(scheduler.runRound()).isZero();
  }

  @Test
  void scheduleRescueTimeouts_failingRound_doesNotStopTheNext() {
    AtomicBoolean storeDown = new AtomicBoolean();
    InstanceStore real = InstanceStores.directory(dir);
    InstanceStore flaky = (InstanceStore) Proxy.newProxyInstance(InstanceStore.class.getClassLoader(),
        new Class<?>[] {InstanceStore.class}, (proxy, method, args) -> {
          if (method.getName().equals("list") && storeDown.get()) {
            throw new StoreException(dir, "disk went away", null);
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    ManualScheduler scheduler = new ManualScheduler();
    try (LifecycleEngine onFlaky = engine(flaky)) {
      onFlaky.rescue("web-1", withTimeout(TIMEOUT));
      onFlaky.scheduleRescueTimeouts(scheduler, Duration.ofMinutes(1));
      clock.advance(TIMEOUT);
      storeDown.set(true);
      assertThatThrownBy(onFlaky::unrescueExpired).isInstanceOf(StoreException.class);

      assertThat(scheduler.runRound()).as("the failing round is logged, not thrown").isOne();
      assertThat(onFlaky.get(web).vmState()).isEqualTo(VmState.RESCUED);

      storeDown.set(false);
      scheduler.runRound();
      assertThat(onFlaky.get(web).vmState()).isEqualTo(VmState.ACTIVE);
    }
  }

  @Test
  void scheduleRescueTimeouts_periodNotPositive_isInvalidInput() {
    ManualScheduler scheduler = new ManualScheduler();
    assertThatThrownBy(() -> engine.scheduleRescueTimeouts(scheduler, Duration.ZERO))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("rescue-timeout period must be positive");
    assertThatThrownBy(() -> engine.scheduleRescueTimeouts(scheduler, Duration.ofSeconds(-1)))
        .isInstanceOf(InvalidInputException.class);
    assertThat(scheduler.tasks).isEmpty();
  }
}
