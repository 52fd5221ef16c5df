package io.github.vmlifecycle.internal.engine;

import io.github.vmlifecycle.ActionKind;
import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.InstanceNotFoundException;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.OperationOptions;
import io.github.vmlifecycle.OperationSupersededException;
import io.github.vmlifecycle.TransitionRule;
import io.github.vmlifecycle.VmLifecycleException;
import io.github.vmlifecycle.VmState;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.RebootOutcome;
import io.github.vmlifecycle.spi.StopOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The one path every change of an instance record takes. An operation is <em>accepted</em> (rules
 * checked, task_state set with a compare-and-set), <em>run</em> (the driver called with the instance's
 * journal under its execution lock) and <em>landed</em> (the final record written with a
 * compare-and-set, then the action entry and the events); recovery takes over a dead process's
 * operation and lands it the same way; {@link #change} does the same for changes without a driver
 * call (lock, unlock, reset-state). The next record is always built by {@link NextRecord}, the action
 * and the events always written by {@link ActionLog}. Thread-safe.
 */
public final class OperationPath {
  /** Step reported once an operation's START event is out, before anything else. */
  public static final String STEP_ACCEPTED = "engine.accepted";
  /** Step reported once the write-ahead intent is stored (rescue: the original definition). */
  public static final String STEP_INTENT_SAVED = "engine.intent-saved";
  /** Step reported once the driver call returned, before the final record is written. */
  public static final String STEP_DRIVER_RETURNED = "engine.driver-returned";

  private static final int MAX_ACCEPT_ATTEMPTS = 1000;

  private final EngineContext ctx;
  private final InstanceResolver resolver;

  /**
   * Creates the path of one engine.
   *
   * @param ctx the engine's shared context
   * @param resolver resolves names and UUIDs to stored records
   */
  public OperationPath(EngineContext ctx, InstanceResolver resolver) {
    this.ctx = ctx;
    this.resolver = resolver;
  }

  /**
   * Accepts a caller's operation: checks the rules and sets the task_state with a compare-and-set.
   *
   * @return the accepted operation
   * @throws VmLifecycleException as {@code LifecycleEngine.execute} documents, nothing changed
   */
  public Accepted accept(String ref, Operation operation, OperationOptions options) {
    return accept(ref, operation, options, null, Optional.empty(), true, false);
  }

  /**
   * Accepts an operation the engine starts itself, only while {@code due} holds for the current record
   * (checked again on every attempt), noting why in its action and events.
   *
   * @param checkRules false for Nova's {@code force_stop}: only an idle record is required, whatever its
   *     vm_state or lock
   * @param landOnTruth true to land on what the hypervisor shows once the driver returned
   * @return the accepted operation, or empty when the record no longer satisfies {@code due}
   */
  Optional<Accepted> acceptIf(String ref, Operation operation, OperationOptions options, Predicate<Instance> due,
      String note, boolean checkRules, boolean landOnTruth) {
    return Optional.ofNullable(accept(ref, operation, options, due, Optional.of(note), checkRules, landOnTruth));
  }

  private Accepted accept(String ref, Operation operation, OperationOptions options, Predicate<Instance> due,
      Optional<String> note, boolean checkRules, boolean landOnTruth) {
    TransitionRule rule = ctx.rules.rule(operation);
    Optional<String> definition = null;
    for (int attempt = 0; attempt < MAX_ACCEPT_ATTEMPTS; attempt++) {
      Instance current = resolver.resolve(ref);
      if (due != null && !due.test(current)) {
        return null;
      }
      if (checkRules) {
        ctx.rules.check(current, operation);
      } else if (current.taskState().isPresent()) {
        return null;
      }
      Instant now = ctx.clock.instant();
      Instance.Builder next = NextRecord.busy(current, rule.taskState(), ctx.requestIds.get(), now);
      if (keepsDefinition(operation)) {
        if (definition == null) {
          definition = definitionNow(current.id());
        }
        next.definitionAtAccept(definition);
      }
      if (operation == Operation.RESCUE) {
        next.rescueRequest(options.rescueRequest().orElse(RescueRequest.defaults()));
      }
      Instance accepted = next.build();
      if (ctx.store.compareAndSet(current.version(), accepted)) {
        ctx.slot(accepted.id()).inFlight.add(accepted.requestId().orElseThrow());
        return new Accepted(accepted, operation, options, operation.action(), current.vmState(), now, note,
            landOnTruth);
      }
    }
    throw new OperationSupersededException(ref, operation,
        "its record changed under " + MAX_ACCEPT_ATTEMPTS + " concurrent updates in a row; nothing was changed");
  }

  /**
   * Whether accepting {@code operation} keeps the guest's definition in the record: an operation a hard
   * reboot may pre-empt (a hard reboot itself keeps what the call it pre-empts kept).
   */
  private boolean keepsDefinition(Operation operation) {
    return operation != Operation.HARD_REBOOT && ctx.rules.rule(Operation.HARD_REBOOT).preemptableTaskStates()
        .contains(ctx.rules.rule(operation).taskState());
  }

  /**
   * The guest's persistent definition now; empty when the hypervisor cannot give it (the operation's own
   * call then meets the same failure and reports it).
   */
  private Optional<String> definitionNow(String id) {
    try {
      return Optional.of(ctx.driver.definition(id));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Runs an operation the engine started itself ({@link #acceptIf}), if it was accepted: a failure is
   * recorded in its action (the instance landed on its true state), not thrown.
   *
   * @return the action logged, or empty when nothing was accepted
   */
  Optional<ActionRecord> runStarted(Optional<Accepted> accepted) {
    if (accepted.isEmpty()) {
      return Optional.empty();
    }
    try {
      run(accepted.get());
    } catch (RuntimeException e) {
      // recorded as a failed action; the instance landed on its true state
    }
    return accepted.get().outcome();
  }

  /** Takes over the operation a dead process left on {@code stuck}, to be landed as a {@code recover} action. */
  Accepted takeOver(Instance stuck, Operation operation) {
    return new Accepted(stuck, operation, OperationOptions.defaults(), ActionKind.RECOVER, stuck.vmState(),
        ctx.clock.instant(), Optional.empty(), true);
  }

  /** Gives up an accepted operation that could not be started (its executor refused it). */
  public void abandon(Accepted acc, RuntimeException cause) {
    ctx.slot(acc.instance.id()).inFlight.remove(acc.requestId());
    Instance back = NextRecord.idle(acc.instance, ctx.clock.instant()).build();
    if (ctx.store.compareAndSet(acc.instance.version(), back)) {
      acc.outcome = ctx.log.ended(back, acc.entry().failed("could not be started: " + cause,
          VmLifecycleException.Kind.HYPERVISOR));
    }
  }

  /**
   * Runs an accepted operation under the instance's execution lock and lands it: on the rule's target
   * state after success, on what the hypervisor shows after a failure. A hard reboot does not wait for
   * the lock: it is the way out of a call that hangs while holding it, and it runs at once (the hung
   * call's final compare-and-set then loses, its request id being no longer the record's).
   *
   * @return the record as saved
   * @throws VmLifecycleException the driver's failure, after the instance landed on its true state
   * @throws OperationSupersededException if a hard reboot or a reset took the instance over meanwhile
   */
  public Instance run(Accepted acc) {
    InstanceSlot slot = ctx.slot(acc.instance.id());
    boolean locked;
    if (acc.operation == Operation.HARD_REBOOT) {
      locked = slot.executionLock.tryLock();
    } else {
      slot.executionLock.lock();
      locked = true;
    }
    try {
      return runLocked(acc);
    } finally {
      slot.inFlight.remove(acc.requestId());
      if (locked) {
        slot.executionLock.unlock();
      }
    }
  }

  private Instance runLocked(Accepted acc) {
    String id = acc.instance.id();
    Instance current = ctx.store.get(id).orElse(null);
    if (current == null || !current.requestId().equals(acc.instance.requestId())) {
      throw superseded(acc, current == null ? acc.instance : current, current);
    }
    ctx.log.started(current, acc.kind, acc.requestId(), acc.note);
    ctx.step(id, STEP_ACCEPTED);
    StoreJournal journal = null;
    try {
      if (acc.operation == Operation.RESCUE) {
        current = saveRescueIntent(acc, current);
      }
      ctx.step(id, STEP_INTENT_SAVED);
      journal = new StoreJournal(ctx, current, detail -> new OperationSupersededException(
          acc.instance.name(), acc.operation, detail));
      Optional<String> how;
      try {
        how = callDriver(acc.operation, journal.current(), ctx.call(journal, acc.options).build());
      } finally {
        current = journal.current();
      }
      ctx.step(id, STEP_DRIVER_RETURNED);
      Instance done = succeeded(acc, current);
      if (!ctx.store.compareAndSet(current.version(), done)) {
        throw superseded(acc, current, ctx.store.get(id).orElse(null));
      }
      Optional<String> note = how.map(acc::withNote).or(() -> acc.note);
      acc.outcome = ctx.log.ended(done, acc.entry().note(note));
      return done;
    } catch (OperationSupersededException e) {
      throw e;
    } catch (VmLifecycleException e) {
      throw failed(acc, repair(journal, current, e), e);
    } catch (RuntimeException e) {
      throw failed(acc, repair(journal, current, e), new HypervisorException(
          HypervisorException.Code.OPERATION_FAILED, current.name(), acc.operation, "The driver failed "
          + "unexpectedly during '" + acc.operation.apiName() + "' of instance " + current.name() + ": " + e, e));
    }
  }

  /** What the action log says of a stop. */
  static String describe(StopOutcome outcome, DriverCall call) {
    switch (outcome) {
      case CLEAN:
        return "the guest shut down cleanly";
      case DESTROYED:
        return call.shutdownTimeout().isZero() ? "the guest was destroyed (shutdown timeout 0)"
            : "the guest did not shut down within " + seconds(call.shutdownTimeout()) + " and was destroyed";
      default:
        return "the guest was already off";
    }
  }

  /** What the action log says of a soft reboot. */
  static String describe(RebootOutcome outcome, DriverCall call) {
    return outcome == RebootOutcome.SOFT ? "the guest rebooted cleanly (soft reboot)"
        : "the guest did not react to the soft reboot within " + seconds(call.softRebootTimeout())
            + " (or was not running); it was hard-rebooted";
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  /**
   * Calls the driver method of {@code operation} on the instance {@code current} describes; the one
   * place the engine calls a driver operation (user operations and recovery alike). A hard reboot
   * defines again the definition kept when the call it pre-empts was accepted, if any.
   *
   * @return what the action log says of how a stop or a soft reboot went; empty for other operations
   */
  Optional<String> callDriver(Operation operation, Instance current, DriverCall call) {
    String id = current.id();
    switch (operation) {
      case PAUSE:
        ctx.driver.pause(id, call);
        return Optional.empty();
      case UNPAUSE:
        ctx.driver.unpause(id, call);
        return Optional.empty();
      case SUSPEND:
        ctx.driver.suspend(id, call);
        return Optional.empty();
      case RESUME:
        ctx.driver.resume(id, call);
        return Optional.empty();
      case STOP:
        return Optional.of(describe(ctx.driver.stop(id, call), call));
      case SOFT_REBOOT:
        return Optional.of(describe(ctx.driver.softReboot(id, call), call));
      case START:
        ctx.driver.start(id, call);
        return Optional.empty();
      case HARD_REBOOT:
        ctx.driver.hardReboot(id, current.definitionAtAccept().isEmpty() ? call
            : DriverCall.builder().from(call).definition(current.definitionAtAccept()).build());
        return Optional.empty();
      case RESCUE:
        RescueRequest request = current.rescueRequest().orElse(RescueRequest.defaults());
        if (request.shutdownTimeout().isEmpty()) {
          request = RescueRequest.builder().from(request).shutdownTimeout(call.shutdownTimeout()).build();
        }
        ctx.driver.rescue(id, current.originalDefinition().orElseThrow(), request, call);
        return Optional.empty();
      case UNRESCUE:
        String original = current.originalDefinition().orElseThrow(
            () -> new IllegalStateException("rescued instance without its original definition"));
        Truth.requireEmbeddedMatches(ctx.driver, current, original);
        ctx.driver.unrescue(id, original, call);
        return Optional.empty();
      default:
        throw new AssertionError(operation);
    }
  }

  /** Stores the original definition before the first change a rescue makes (write-ahead). */
  private Instance saveRescueIntent(Accepted acc, Instance current) {
    Optional<DriverInstance> observed = ctx.driver.find(current.id());
    if (observed.isEmpty()) {
      throw new InstanceNotFoundException(current.name());
    }
    if (observed.get().rescueDefinition()) {
      throw new InvalidInputException(current.name(), "Instance " + current.name()
          + " already runs a rescue definition; it cannot be rescued again", null);
    }
    String original = ctx.driver.definition(current.id());
    RescueInputs.requireNotOwnDisk(current.name(), original,
        current.rescueRequest().orElse(RescueRequest.defaults()));
    Instance withIntent = NextRecord.after(current, ctx.clock.instant()).originalDefinition(original).build();
    if (!ctx.store.compareAndSet(current.version(), withIntent)) {
      throw superseded(acc, current, ctx.store.get(current.id()).orElse(null));
    }
    return withIntent;
  }

  private Instance succeeded(Accepted acc, Instance current) {
    TransitionRule rule = ctx.rules.rule(acc.operation);
    boolean rescueOp = acc.operation == Operation.RESCUE || acc.operation == Operation.UNRESCUE;
    if (acc.landOnTruth || (current.originalDefinition().isPresent() && !rescueOp)) {
      // The record says a rescue definition may be in place (an operator reset a rescued instance):
      // land on what the hypervisor shows, so the original is kept for as long as it is needed.
      return ctx.observe(current.id()).settle(ctx.driver, current, ctx.clock.instant(), rule.vmStateAfter(), false);
    }
    Instant now = ctx.clock.instant();
    Instance.Builder b = NextRecord.idle(current, now)
        .vmState(rule.vmStateAfter())
        .powerState(rule.powerStateAfter());
    if (acc.operation == Operation.RESCUE) {
      b.rescuedAt(now);
    } else if (rule.vmStateAfter() != VmState.RESCUED) {
      NextRecord.outOfRescue(b);
    }
    return b.build();
  }

  /**
   * Lets the driver undo what a failed call left behind that its journal records; a failure to do so
   * is kept as suppressed. Returns the record as last written.
   */
  private Instance repair(StoreJournal journal, Instance current, RuntimeException failure) {
    if (journal == null || journal.entries().isEmpty()) {
      return current;
    }
    try {
      ctx.driver.repair(current.id(), ctx.call(journal).build());
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
    return journal.current();
  }

  private VmLifecycleException failed(Accepted acc, Instance current, VmLifecycleException cause) {
    Truth truth = ctx.observe(current.id());
    if (!truth.known()) {
      cause.addSuppressed(truth.error);
    }
    // Unknown truth means ERROR, unless the driver refused the input, which changes nothing.
    VmState unknown = cause instanceof InvalidInputException ? acc.vmStateBefore : VmState.ERROR;
    Instance landed = truth.settle(ctx.driver, current, ctx.clock.instant(), unknown,
        acc.operation == Operation.RESCUE);
    String message = acc.withNote(cause.getMessage());
    land(acc, current, landed, acc.entry().failed(message, cause.kind()),
        now -> acc.entry().failed(message + " (and the instance was taken over meanwhile)", cause.kind()));
    return cause;
  }

  private OperationSupersededException superseded(Accepted acc, Instance mine, Instance now) {
    String detail = now == null ? "the instance is gone from the store"
        : now.taskState().map(t -> "task_state is now " + t.novaName())
            .orElse("the instance was reset to " + now.vmState().novaName());
    OperationSupersededException e = new OperationSupersededException(mine.name(), acc.operation, detail);
    acc.outcome = ctx.log.ended(now == null ? mine : now, acc.entry().failed(acc.withNote(e.getMessage()), e.kind()));
    return e;
  }

  /**
   * Writes {@code landed} over {@code before} with a compare-and-set and logs {@code entry}; when another
   * writer got there first, logs {@code takenOver} against the record as it now is instead.
   *
   * @return whether {@code landed} was written
   */
  boolean land(Accepted acc, Instance before, Instance landed, ActionLog.Entry entry,
      Function<Instance, ActionLog.Entry> takenOver) {
    if (ctx.store.compareAndSet(before.version(), landed)) {
      acc.outcome = ctx.log.ended(landed, entry);
      return true;
    }
    Instance now = ctx.store.get(before.id()).orElse(before);
    acc.outcome = ctx.log.ended(now, takenOver.apply(now));
    return false;
  }

  /**
   * Changes an idle-or-busy record without calling the driver (lock, unlock, reset-state): builds the
   * next record with {@code edit} from {@link NextRecord}, writes it with a compare-and-set (again on a
   * lost race) and logs a {@code kind} action with {@code note}'s message.
   *
   * @param needed whether the current record needs the change at all; when not, it is returned as is
   * @return the record as saved
   */
  public Instance change(String ref, ActionKind kind, Predicate<Instance> needed,
      BiFunction<Instance, Instant, Instance.Builder> edit, Function<Instance, Optional<String>> note) {
    while (true) {
      Instance current = resolver.resolve(ref);
      if (!needed.test(current)) {
        return current;
      }
      Instant now = ctx.clock.instant();
      Instance next = edit.apply(current, now).build();
      if (ctx.store.compareAndSet(current.version(), next)) {
        ctx.log.ended(next, new ActionLog.Entry(kind, ctx.requestIds.get(), now, current.vmState())
            .note(note.apply(current)));
        return next;
      }
    }
  }
}
