package io.github.vmlifecycle.internal.engine;

import io.github.vmlifecycle.ActionKind;
import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.OperationOptions;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.PowerSyncRules;
import io.github.vmlifecycle.internal.TruthDerivation;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes the stored state follow the hypervisor for idle instances, after {@link PowerSyncRules}: the
 * stored power state always becomes the reported one; a guest that stopped by itself makes the
 * instance STOPPED; a guest running while the instance is STOPPED (or off while PAUSED) is stopped.
 * Each stop is Nova's {@code force_stop}: the user's stop on the {@link OperationPath}, only without
 * the vm_state check (a clean shutdown with the engine's shutdown timeout and retry interval, then a
 * destroy), recorded as a {@code stop} action whose message begins with {@value #NOTE_PREFIX} and says
 * whether the guest went down cleanly or was destroyed.
 * Thread-safe.
 */
public final class PowerSync {
  /** How the message of a stop the power sync started begins. */
  public static final String NOTE_PREFIX = "power sync";

  private final EngineContext ctx;
  private final OperationPath path;

  /**
   * Creates the power sync of one engine.
   *
   * @param ctx the engine's context
   * @param path the engine's operation path
   */
  public PowerSync(EngineContext ctx, OperationPath path) {
    this.ctx = ctx;
    this.path = path;
  }

  /**
   * Syncs one instance; returns the action taken, or empty when nothing but the power state changed.
   * While an operation runs on it, nothing is done (it saves the truth itself). While another sync of
   * it runs, this request is handed to that sync, which looks again once it is done: otherwise a
   * change during its look (a pause and a resume a few milliseconds apart, two lifecycle events) would
   * leave the first look's state stored.
   */
  public Optional<ActionRecord> sync(String id) {
    return sync(id, OperationOptions.defaults());
  }

  /**
   * Syncs one instance as {@link #sync(String)} does, a stop using {@code options} (shutdown timeout and
   * retry interval; the engine's defaults where they name none). A request handed to a sync already
   * running is done with that sync's options.
   */
  public Optional<ActionRecord> sync(String id, OperationOptions options) {
    InstanceSlot slot = ctx.slot(id);
    ReentrantLock lock = slot.executionLock;
    slot.syncRequested.set(true);
    Optional<ActionRecord> taken = Optional.empty();
    // Re-checked after unlocking: a request may have found the lock held just before it was released.
    while (slot.syncRequested.get() && lock.tryLock()) {
      try {
        while (slot.syncRequested.getAndSet(false)) {
          Optional<ActionRecord> action = syncLocked(id, options);
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

  private Optional<ActionRecord> syncLocked(String id, OperationOptions options) {
    Optional<Instance> stored = ctx.store.get(id);
    if (stored.isEmpty() || stored.get().taskState().isPresent()) {
      return Optional.empty();
    }
    Instance current = stored.get();
    Truth seen = ctx.observe(id);
    if (!seen.known()) {
      return Optional.empty();
    }
    PowerState reported = TruthDerivation.powerState(seen.instance);
    if (reported != current.powerState()) {
      Instance updated = NextRecord.after(current, ctx.clock.instant()).powerState(reported).build();
      if (!ctx.store.compareAndSet(current.version(), updated)) {
        return Optional.empty();
      }
      current = updated;
    }
    PowerSyncRules.Action action = ctx.syncRules.action(current.vmState(), reported);
    String what = "instance is " + current.vmState().novaName() + " but the hypervisor reports "
        + reported.novaName();
    switch (action) {
      case REPORT:
        ctx.log.report(current, ActionKind.POWER_SYNC, ctx.requestIds.get(), what);
        return Optional.empty();
      case STOP:
        Truth again = ctx.observe(id);
        if (!again.known() || TruthDerivation.powerState(again.instance) != reported) {
          return Optional.empty(); // not confirmed by a second look
        }
        return forceStop(current, what, options);
      case FORCE_STOP:
        return forceStop(current, what, options);
      default:
        return Optional.empty();
    }
  }

  /** Nova's {@code force_stop}: a stop without the vm_state check, only while the record is unchanged. */
  private Optional<ActionRecord> forceStop(Instance current, String what, OperationOptions options) {
    long version = current.version();
    Optional<Accepted> accepted = path.acceptIf(current.id(), Operation.STOP,
        options, i -> i.version() == version,
        NOTE_PREFIX + ": " + what, false, true);
    return path.runStarted(accepted); // empty when the instance changed meanwhile
  }
}
