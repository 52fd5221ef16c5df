package io.github.vmlifecycle;

import io.github.vmlifecycle.rescue.RescueRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.vmlifecycle.LifecycleModel.Vm;
import io.github.vmlifecycle.fake.FakeCall;
import io.github.vmlifecycle.fake.FaultScript;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.core.stateful.Command;
import org.quicktheories.core.stateful.Sequential;
import org.quicktheories.generators.Generate;

/**
 * Random sequences of every operation (legal and not), faults at random steps, simulated crashes
 * followed by recovery, locks, resets, changes behind the engine's back and power syncs, compared after
 * every step with {@link LifecycleModel}. Run longer with {@code -Dvmlifecycle.model.sequences=100000}.
 */
class LifecycleModelTest {
  private static final int INSTANCES = 3;
  private static final int SEQUENCES = Integer.getInteger("vmlifecycle.model.sequences", 1000);
  private static final int MAX_STEPS = 50;

  enum Fault { NONE, BEFORE, AFTER, MIDWAY }

  enum Behind { SHUTS_DOWN, PAUSED, DESTROYED }

  @Test
  void engine_followsTheModel_underRandomOperationsFaultsAndCrashes() {
    Gen<Integer> k = integers().between(0, INSTANCES - 1);
    Gen<Operation> op = Generate.pick(Arrays.asList(Operation.values()));
    Gen<Fault> fault = Generate.frequency(Pair.of(6, Generate.constant(Fault.NONE)),
        Pair.of(1, Generate.constant(Fault.BEFORE)), Pair.of(1, Generate.constant(Fault.AFTER)),
        Pair.of(1, Generate.constant(Fault.MIDWAY)));
    Gen<Integer> point = integers().between(1, 3);
    Gen<Command<EngineHarness, LifecycleModel>> opCmd = k.zip(op, fault, point, OpCmd::new);
    Gen<Command<EngineHarness, LifecycleModel>> crash =
        k.zip(op, Generate.pick(Arrays.asList(CrashPoint.values())), CrashCmd::new);
    Gen<Command<EngineHarness, LifecycleModel>> lock = k.zip(Generate.booleans(), LockCmd::new);
    Gen<Command<EngineHarness, LifecycleModel>> reset =
        k.zip(Generate.pick(List.of(VmState.ACTIVE, VmState.ERROR)), ResetCmd::new);
    Gen<Command<EngineHarness, LifecycleModel>> behind =
        k.zip(Generate.pick(Arrays.asList(Behind.values())), BehindCmd::new);
    Gen<Command<EngineHarness, LifecycleModel>> sync = k.map(SyncCmd::new);
    Gen<Command<EngineHarness, LifecycleModel>> any = Generate.frequency(Pair.of(20, opCmd), Pair.of(4, crash),
        Pair.of(2, lock), Pair.of(1, reset), Pair.of(2, behind), Pair.of(2, sync));

    qt().withExamples(SEQUENCES).withShrinkCycles(200)
        .forAll(lists().of(any).ofSizeBetween(1, MAX_STEPS))
        .checkAssert(commands -> Sequential.modelCheck(LifecycleModel.initial(INSTANCES), commands,
            m -> new EngineHarness(INSTANCES), EngineHarness::snapshot));
  }

  private static FakeCall callOf(Operation op) {
    for (FakeCall c : FakeCall.values()) {
      if (c.operation().equals(Optional.of(op))) {
        return c;
      }
    }
    throw new AssertionError(op);
  }

  private static OperationOptions options(Operation op) {
    OperationOptions.Builder b = OperationOptions.builder().shutdownTimeout(Duration.ZERO);
    if (op == Operation.RESCUE) {
      b.rescueRequest(RescueRequest.builder().image(EngineHarness.IMAGE).build());
    }
    return b.build();
  }

  /** The model's answer when a request is refused before anything changes, else empty. */
  private static Optional<LifecycleModel> refusedUpFront(LifecycleModel m, int k, Operation op) {
    Vm v = m.vms.get(k);
    if (v.locked) {
      return Optional.of(m.with(k, v, "InstanceLockedException"));
    }
    if (!LifecycleModel.allowed(op, v.vm)) {
      return Optional.of(m.with(k, v, "InvalidStateException"));
    }
    return Optional.empty();
  }

  private static boolean refusedUpFront(String outcome) {
    return outcome.equals("InvalidStateException") || outcome.equals("InstanceLockedException");
  }

  /** One operation, possibly with a scripted hypervisor fault. */
  record OpCmd(int k, Operation op, Fault fault, int point) implements Command<EngineHarness, LifecycleModel> {
    OpCmd {
      point = Math.min(point, callOf(op).midwayPoints());
    }

    private Fault effectiveFault() {
      return fault == Fault.MIDWAY && point == 0 ? Fault.AFTER : fault;
    }

    @Override
    public void run(EngineHarness h) {
      String id = h.ids.get(k);
      FaultScript script = h.fake.onCall(callOf(op)).forInstance(id);
      switch (effectiveFault()) {
        case BEFORE:
          script.failBefore();
          break;
        case AFTER:
          script.failAfter();
          break;
        case MIDWAY:
          script.failMidway(point);
          break;
        default:
          break;
      }
      int actionsBefore = h.store.actions(id).size();
      int eventsBefore = h.events.size();
      try {
        h.engine.execute(id, op, options(op));
        h.outcome = "ok";
      } catch (VmLifecycleException e) {
        h.outcome = EngineHarness.outcomeOf(e);
      } finally {
        h.fake.clearFaults();
      }
      List<ActionRecord> actions = h.store.actions(id);
      List<LifecycleEvent> events = h.events.subList(eventsBefore, h.events.size());
      if (refusedUpFront(h.outcome)) {
        assertThat(actions).as("no action for a refused request").hasSize(actionsBefore);
        assertThat(events).as("no event for a refused request").isEmpty();
        return;
      }
      assertThat(actions).as("one action per accepted request").hasSize(actionsBefore + 1);
      ActionRecord last = actions.get(actions.size() - 1);
      assertThat(last.action()).isEqualTo(op.action());
      assertThat(last.result()).isEqualTo(h.outcome.equals("ok") ? ActionRecord.Result.SUCCEEDED
          : ActionRecord.Result.FAILED);
      String end = h.outcome.equals("ok") ? "end" : "error";
      assertThat(events).extracting(LifecycleEvent::name)
          .containsExactly("instance." + op.action().notificationName() + ".start",
              "instance." + op.action().notificationName() + "." + end);
      assertThat(events).allMatch(e -> e.requestId().equals(last.requestId()));
    }

    @Override
    public LifecycleModel nextState(LifecycleModel m) {
      Vm v = m.vms.get(k);
      Optional<LifecycleModel> refused = refusedUpFront(m, k, op);
      if (refused.isPresent()) {
        return refused.get();
      }
      if (op == Operation.RESCUE && v.rescueDef) {
        return m.with(k, v.settled(), "InvalidInputException");
      }
      if (effectiveFault() == Fault.BEFORE) {
        return m.with(k, v.settled(), "HypervisorException");
      }
      Vm changed = LifecycleModel.hypervisor(op, v, effectiveFault() == Fault.MIDWAY ? point : 0);
      if (changed == null) {
        return m.with(k, v.settled(), "HypervisorException");
      }
      boolean noOpStop = op == Operation.STOP && !v.active();
      if (effectiveFault() != Fault.NONE && !(noOpStop && effectiveFault() == Fault.MIDWAY)) {
        return m.with(k, changed.settled(), "HypervisorException");
      }
      if (op == Operation.RESCUE) {
        return m.with(k, changed.vm(VmState.RESCUED).original(true), "ok");
      }
      if (v.original && op != Operation.UNRESCUE) {
        return m.with(k, changed.settled(), "ok");
      }
      return m.with(k, changed.vm(LifecycleModel.after(op)).original(false), "ok");
    }

    @Override
    public String toString() {
      return op + " vm-" + k + (fault == Fault.NONE ? "" : " fault " + effectiveFault()
          + (effectiveFault() == Fault.MIDWAY ? " at " + point : ""));
    }
  }

  /** An operation whose process dies at a step boundary, then a new engine that recovers. */
  record CrashCmd(int k, Operation op, CrashPoint point) implements Command<EngineHarness, LifecycleModel> {

    @Override
    public void run(EngineHarness h) {
      String id = h.ids.get(k);
      boolean crashed;
      try {
        crashed = h.crash.runUntil(point, () -> h.engine.execute(id, op, options(op)));
      } catch (VmLifecycleException e) {
        h.outcome = EngineHarness.outcomeOf(e);
        return;
      }
      assertThat(crashed).as("the operation reached " + point).isTrue();
      h.restartEngine();
      int before = h.store.actions(id).size();
      List<ActionRecord> recovered = h.engine.recover();
      assertThat(recovered).as("exactly the crashed instance is recovered").hasSize(1);
      assertThat(h.store.actions(id)).hasSize(before + 1);
      assertThat(h.store.actions(id).get(before).action()).isEqualTo(ActionKind.RECOVER);
      h.outcome = "recovered";
    }

    @Override
    public LifecycleModel nextState(LifecycleModel m) {
      Vm v = m.vms.get(k);
      Optional<LifecycleModel> refused = refusedUpFront(m, k, op);
      if (refused.isPresent()) {
        return refused.get();
      }
      if (op == Operation.RESCUE && v.rescueDef && point != CrashPoint.AFTER_ACCEPT) {
        return m.with(k, v.settled(), "InvalidInputException");
      }
      Vm crashed = v;
      if (point == CrashPoint.AFTER_DRIVER_CALL) {
        crashed = LifecycleModel.hypervisor(op, v, 0);
        if (crashed == null) {
          return m.with(k, v.settled(), "HypervisorException");
        }
      }
      return m.with(k, recover(LifecycleModel.task(op), crashed).settled(), "recovered");
    }

    /** The recovery policy: finish what was asked where that is safe. */
    private static Vm recover(TaskState task, Vm v) {
      PowerState p = v.power;
      switch (task) {
        case POWERING_OFF:
          return p == PowerState.RUNNING || p == PowerState.PAUSED ? v.hv(PowerState.SHUTDOWN, v.saved, v.rescueDef) : v;
        case POWERING_ON:
          return p == PowerState.SHUTDOWN && !v.rescueDef ? v.hv(PowerState.RUNNING, false, false) : v;
        case UNPAUSING:
          return p == PowerState.PAUSED ? v.hv(PowerState.RUNNING, v.saved, v.rescueDef) : v;
        case REBOOTING:
        case REBOOTING_HARD:
          return p != PowerState.RUNNING ? v.hv(PowerState.RUNNING, false, v.rescueDef) : v;
        case UNRESCUING:
          if (v.rescueDef || p != PowerState.RUNNING) {
            Vm done = LifecycleModel.hypervisor(Operation.UNRESCUE, v, 0);
            return done == null ? v : done;
          }
          return v;
        case RESCUING:
          return v.rescueDef && p == PowerState.SHUTDOWN ? v.hv(PowerState.RUNNING, false, true) : v;
        default:
          return v;
      }
    }

    @Override
    public String toString() {
      return "crash " + op + " vm-" + k + " " + point + " + recover";
    }
  }

  /** Lock or unlock. */
  record LockCmd(int k, boolean lock) implements Command<EngineHarness, LifecycleModel> {

    @Override
    public void run(EngineHarness h) {
      Instance i = lock ? h.engine.lock(h.ids.get(k)) : h.engine.unlock(h.ids.get(k));
      assertThat(i.locked()).isEqualTo(lock);
      h.outcome = "ok";
    }

    @Override
    public LifecycleModel nextState(LifecycleModel m) {
      return m.with(k, m.vms.get(k).locked(lock), "ok");
    }

    @Override
    public String toString() {
      return (lock ? "lock" : "unlock") + " vm-" + k;
    }
  }

  /** An administrator's reset-state. */
  record ResetCmd(int k, VmState state) implements Command<EngineHarness, LifecycleModel> {

    @Override
    public void run(EngineHarness h) {
      h.engine.resetState(h.ids.get(k), state);
      h.outcome = "ok";
    }

    @Override
    public LifecycleModel nextState(LifecycleModel m) {
      return m.with(k, m.vms.get(k).vm(state), "ok");
    }

    @Override
    public String toString() {
      return "reset-state vm-" + k + " " + state;
    }
  }

  /** A change behind the engine's back: the guest shuts down, is paused or is destroyed. */
  record BehindCmd(int k, Behind what) implements Command<EngineHarness, LifecycleModel> {

    @Override
    public void run(EngineHarness h) {
      String id = h.ids.get(k);
      PowerState p = h.fake.guest(id).inspect().powerState();
      if (what == Behind.SHUTS_DOWN && p == PowerState.RUNNING) {
        h.fake.guest(id).shutsDown();
      } else if (what == Behind.PAUSED && p == PowerState.RUNNING) {
        h.fake.guest(id).pauseBehindBack();
      } else if (what == Behind.DESTROYED) {
        h.fake.guest(id).destroyBehindBack();
      }
      h.outcome = "behind";
    }

    @Override
    public LifecycleModel nextState(LifecycleModel m) {
      Vm v = m.vms.get(k);
      Vm next = v;
      if (what == Behind.SHUTS_DOWN && v.power == PowerState.RUNNING) {
        next = v.hv(PowerState.SHUTDOWN, v.saved, v.rescueDef);
      } else if (what == Behind.PAUSED && v.power == PowerState.RUNNING) {
        next = v.hv(PowerState.PAUSED, v.saved, v.rescueDef);
      } else if (what == Behind.DESTROYED && v.active()) {
        next = v.hv(PowerState.SHUTDOWN, v.saved, v.rescueDef);
      }
      return m.with(k, next, "behind");
    }

    @Override
    public String toString() {
      return what + " behind the back of vm-" + k;
    }
  }

  /** A power-state sync of one instance. */
  record SyncCmd(int k) implements Command<EngineHarness, LifecycleModel> {

    @Override
    public void run(EngineHarness h) {
      String id = h.ids.get(k);
      Instance synced = h.engine.syncPowerState(id);
      assertThat(synced.powerState()).as("stored power state after sync")
          .isEqualTo(h.fake.guest(id).inspect().powerState());
      h.outcome = "synced";
    }

    @Override
    public LifecycleModel nextState(LifecycleModel m) {
      Vm v = m.vms.get(k);
      PowerState p = v.power;
      Vm next = v;
      if (v.vm == VmState.ACTIVE && p == PowerState.SHUTDOWN) {
        next = v.settled();
      } else if (v.vm == VmState.STOPPED
          && (p == PowerState.RUNNING || p == PowerState.PAUSED || p == PowerState.SUSPENDED)) {
        next = v.hv(PowerState.SHUTDOWN, v.saved, v.rescueDef).settled();
      } else if (v.vm == VmState.PAUSED && p == PowerState.SHUTDOWN) {
        next = v.settled();
      }
      return m.with(k, next, "synced");
    }

    @Override
    public String toString() {
      return "sync vm-" + k;
    }
  }
}
