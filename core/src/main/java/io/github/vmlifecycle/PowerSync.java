package io.github.vmlifecycle;

import io.github.vmlifecycle.internal.TruthDerivation;
import io.github.vmlifecycle.spi.DriverCall;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes the stored state follow the hypervisor for idle instances, after {@link PowerSyncRules}: the
 * stored power state always becomes the reported one; a guest that stopped by itself makes the
 * instance STOPPED; a guest running while the instance is STOPPED (or off while PAUSED) is forced off.
 */
final class PowerSync {
  private final EngineContext ctx;

  PowerSync(EngineContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Syncs one instance; returns the action taken, or empty when nothing but the power state changed.
   * While an operation runs on it, nothing is done (it saves the truth itself). While another sync of
   * it runs, this request is handed to that sync, which looks again once it is done: otherwise a
   * change during its look (a pause and a resume a few milliseconds apart, two lifecycle events) would
   * leave the first look's state stored.
   */
  Optional<ActionRecord> sync(String id) {
    InstanceSlot slot = ctx.slot(id);
    ReentrantLock lock = slot.executionLock;
    slot.syncRequested.set(true);
    Optional<ActionRecord> taken = Optional.empty();
    // Re-checked after unlocking: a request may have found the lock held just before it was released.
    while (slot.syncRequested.get() && lock.tryLock()) {
      try {
        while (slot.syncRequested.getAndSet(false)) {
          Optional<ActionRecord> action = syncLocked(id);
          if (action.isPresent()) {
            taken = action;
          }
        }
      } finally {
        lock.unlock();
      }
    }
    return taken;
  }

  private Optional<ActionRecord> syncLocked(String id) {
    Optional<Instance> stored = ctx.store.get(id);
    if (stored.isEmpty() || stored.get().taskState().isPresent()) {
      return Optional.empty();
    }
    Instance current = stored.get();
    EngineContext.Observation seen = ctx.observe(id);
    if (!seen.known()) {
      return Optional.empty();
    }
    PowerState reported = TruthDerivation.powerState(seen.instance);
    if (reported != current.powerState()) {
      Instance updated = Instance.copyOf(current)
          .powerState(reported)
          .version(current.version() + 1)
          .updatedAt(ctx.clock.instant())
          .build();
      if (!ctx.store.compareAndSet(current.version(), updated)) {
        return Optional.empty();
      }
      current = updated;
    }
    PowerSyncRules.Action action = ctx.syncRules.action(current.vmState(), reported);
    String requestId = ctx.requestIds.get();
    String what = "instance is " + current.vmState().novaName() + " but the hypervisor reports "
        + reported.novaName();
    switch (action) {
      case REPORT:
        ctx.emit(current, ActionKind.POWER_SYNC, LifecycleEvent.Phase.END, requestId, Optional.of(what));
        return Optional.empty();
      case STOP:
        EngineContext.Observation again = ctx.observe(id);
        if (!again.known() || TruthDerivation.powerState(again.instance) != reported) {
          return Optional.empty(); // not confirmed by a second look
        }
        return Optional.of(forceStop(current, reported, what, requestId));
      case FORCE_STOP:
        return Optional.of(forceStop(current, reported, what, requestId));
      default:
        return Optional.empty();
    }
  }

  private ActionRecord forceStop(Instance current, PowerState reported, String what, String requestId) {
    Instant started = ctx.clock.instant();
    Instance stopping = Instance.copyOf(current)
        .taskState(TaskState.POWERING_OFF)
        .requestId(requestId)
        .taskStartedAt(started)
        .version(current.version() + 1)
        .updatedAt(started)
        .build();
    if (!ctx.store.compareAndSet(current.version(), stopping)) {
      return ctx.record(current.id(), current.vmState(), current.vmState(), ActionKind.STOP, requestId, started,
          ActionRecord.Result.FAILED, Optional.of(what + "; the instance changed, nothing done"),
          Optional.of(VmLifecycleException.Kind.BUSY));
    }
    ctx.emit(stopping, ActionKind.POWER_SYNC, LifecycleEvent.Phase.START, requestId, Optional.of(what));
    String fault = null;
    if (reported != PowerState.SHUTDOWN && reported != PowerState.NOSTATE) {
      try {
        ctx.driver.stop(current.id(), DriverCall.builder().steps(ctx.steps).shutdownTimeout(Duration.ZERO).build());
      } catch (RuntimeException e) {
        fault = e.getMessage();
      }
    }
    EngineContext.Observation after = ctx.observe(current.id());
    Instance landed = ctx.settle(stopping, after, VmState.ERROR, false);
    ctx.store.compareAndSet(stopping.version(), landed);
    String message = what + "; stopped it, now " + landed.vmState().novaName()
        + (fault == null ? "" : "; the power-off failed: " + fault);
    ctx.emit(landed, ActionKind.POWER_SYNC, fault == null ? LifecycleEvent.Phase.END : LifecycleEvent.Phase.ERROR,
        requestId, Optional.of(message));
    return ctx.record(current.id(), current.vmState(), landed.vmState(), ActionKind.STOP, requestId, started,
        fault == null ? ActionRecord.Result.SUCCEEDED : ActionRecord.Result.FAILED, Optional.of(message),
        fault == null ? Optional.empty() : Optional.of(VmLifecycleException.Kind.HYPERVISOR));
  }
}
