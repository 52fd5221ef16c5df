package io.github.vmlifecycle;

import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.HypervisorDriver;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Runs operations in Nova's two phases: {@link #accept} checks the rules and sets task_state with a
 * compare-and-set; {@link #run} calls the driver under the instance's execution lock and saves the
 * final state, or after a failure the state that is true.
 */
final class OperationRunner {
  private static final int MAX_ACCEPT_ATTEMPTS = 1000;

  private final EngineContext ctx;
  private final InstanceResolver resolver;

  OperationRunner(EngineContext ctx, InstanceResolver resolver) {
    this.ctx = ctx;
    this.resolver = resolver;
  }

  /** An operation whose task_state is set in the store and that is ready to run. */
  static final class Accepted {
    final Instance instance;
    final Operation operation;
    final OperationOptions options;
    final VmState vmStateBefore;
    final Instant acceptedAt;
    /** Why the engine itself started this operation, recorded in its action and events; empty for a caller's. */
    final Optional<String> note;
    /** The action recorded when the operation ended; written and read by the thread that ran it. */
    ActionRecord outcome;

    Accepted(Instance instance, Operation operation, OperationOptions options, VmState before, Instant at,
        Optional<String> note) {
      this.instance = instance;
      this.operation = operation;
      this.options = options;
      this.vmStateBefore = before;
      this.acceptedAt = at;
      this.note = note;
    }

    String requestId() {
      return instance.requestId().orElseThrow();
    }

    /** {@code message} prefixed with the note, when there is one. */
    String withNote(String message) {
      return note.map(n -> n + "; " + message).orElse(message);
    }
  }

  Accepted accept(String ref, Operation operation, OperationOptions options) {
    return accept(ref, operation, options, null, Optional.empty());
  }

  /**
   * Accepts {@code operation} for the engine's own reasons: only while {@code due} holds for the current
   * record (checked again on every compare-and-set attempt), noting why in its action and events.
   *
   * @return the accepted operation, or empty when the record no longer satisfies {@code due}
   */
  Optional<Accepted> acceptIf(String ref, Operation operation, OperationOptions options, Predicate<Instance> due,
      String note) {
    return Optional.ofNullable(accept(ref, operation, options, due, Optional.of(note)));
  }

  /** The acceptance loop; returns null only when {@code due} is given and fails. */
  private Accepted accept(String ref, Operation operation, OperationOptions options, Predicate<Instance> due,
      Optional<String> note) {
    TransitionRule rule = ctx.rules.rule(operation);
    for (int attempt = 0; attempt < MAX_ACCEPT_ATTEMPTS; attempt++) {
      Instance current = resolver.resolve(ref);
      if (due != null && !due.test(current)) {
        return null;
      }
      ctx.rules.check(current, operation);
      Instant now = ctx.clock.instant();
      Instance.Builder next = Instance.copyOf(current)
          .taskState(rule.taskState())
          .requestId(ctx.requestIds.get())
          .taskStartedAt(now)
          .version(current.version() + 1)
          .updatedAt(now);
      if (operation == Operation.RESCUE) {
        next.rescueRequest(options.rescueRequest().orElse(RescueRequest.defaults()));
      }
      Instance accepted = next.build();
      if (ctx.store.compareAndSet(current.version(), accepted)) {
        ctx.slot(accepted.id()).inFlight.add(accepted.requestId().orElseThrow());
        return new Accepted(accepted, operation, options, current.vmState(), now, note);
      }
    }
    throw new OperationSupersededException(ref, operation,
        "its record changed under " + MAX_ACCEPT_ATTEMPTS + " concurrent updates in a row; nothing was changed");
  }

  /** Gives up an accepted operation that could not be started (its executor refused it). */
  void abandon(Accepted acc, RuntimeException cause) {
    ctx.slot(acc.instance.id()).inFlight.remove(acc.requestId());
    Instance current = acc.instance;
    Instance back = Instance.copyOf(current)
        .taskState(Optional.empty())
        .requestId(Optional.empty())
        .taskStartedAt(Optional.empty())
        .version(current.version() + 1)
        .updatedAt(ctx.clock.instant())
        .build();
    ctx.store.compareAndSet(current.version(), back);
    ctx.record(back.id(), acc.vmStateBefore, back.vmState(), acc.operation.action(), acc.requestId(), acc.acceptedAt, ActionRecord.Result.FAILED,
        Optional.of("could not be started: " + cause), Optional.of(VmLifecycleException.Kind.HYPERVISOR));
  }

  Instance run(Accepted acc) {
    return run(acc, null);
  }

  /** Runs {@code acc}, dying at {@code crashAt} (null: never) as a killed process would. */
  Instance run(Accepted acc, CrashPoint crashAt) {
    InstanceSlot slot = ctx.slot(acc.instance.id());
    ReentrantLock lock = slot.executionLock;
    lock.lock();
    try {
      return runLocked(acc, crashAt);
    } finally {
      slot.inFlight.remove(acc.requestId());
      lock.unlock();
    }
  }

  private static void crashIf(CrashPoint crashAt, CrashPoint here) {
    if (crashAt == here) {
      throw new CrashPoint.SimulatedCrash(here);
    }
  }

  private Instance runLocked(Accepted acc, CrashPoint crashAt) {
    Instance current = ctx.store.get(acc.instance.id()).orElse(null);
    if (current == null || !current.requestId().equals(acc.instance.requestId())) {
      throw superseded(acc, current == null ? acc.instance : current, current);
    }
    String api = acc.operation.apiName();
    ActionKind kind = acc.operation.action();
    ctx.emit(current, kind, LifecycleEvent.Phase.START, acc.requestId(), acc.note);
    crashIf(crashAt, CrashPoint.AFTER_ACCEPT);
    StoreJournal journal = null;
    try {
      if (acc.operation == Operation.RESCUE) {
        current = saveRescueIntent(acc, current);
      }
      crashIf(crashAt, CrashPoint.AFTER_INTENT);
      journal = new StoreJournal(ctx.store, ctx.clock, acc.operation, current);
      try {
        call(acc, current, journal);
      } finally {
        current = journal.current();
      }
      crashIf(crashAt, CrashPoint.AFTER_DRIVER_CALL);
      Instance done = succeeded(acc, current);
      if (!ctx.store.compareAndSet(current.version(), done)) {
        throw superseded(acc, current, ctx.store.get(current.id()).orElse(null));
      }
      acc.outcome = ctx.record(done.id(), acc.vmStateBefore, done.vmState(), kind, acc.requestId(),
          acc.acceptedAt, done.updatedAt().orElseThrow(), ActionRecord.Result.SUCCEEDED, acc.note, Optional.empty());
      ctx.emit(done, kind, LifecycleEvent.Phase.END, acc.requestId(), acc.note);
      return done;
    } catch (OperationSupersededException e) {
      throw e;
    } catch (VmLifecycleException e) {
      throw failed(acc, repair(journal, current, e), e);
    } catch (RuntimeException e) {
      throw failed(acc, repair(journal, current, e), new HypervisorException(HypervisorException.Code.OPERATION_FAILED,
          current.name(), acc.operation, "The driver failed unexpectedly during '" + api + "' of instance "
          + current.name() + ": " + e, e));
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
    Instance withIntent = Instance.copyOf(current)
        .originalDefinition(original)
        .version(current.version() + 1)
        .updatedAt(ctx.clock.instant())
        .build();
    if (!ctx.store.compareAndSet(current.version(), withIntent)) {
      throw superseded(acc, current, ctx.store.get(current.id()).orElse(null));
    }
    return withIntent;
  }

  private void call(Accepted acc, Instance current, StoreJournal journal) {
    HypervisorDriver d = ctx.driver;
    String id = current.id();
    Duration timeout = acc.options.shutdownTimeout().orElse(ctx.defaultShutdownTimeout);
    DriverCall c = DriverCall.builder().steps(ctx.steps).journal(journal).progress(acc.options.progress()).shutdownTimeout(timeout)
        .build();
    switch (acc.operation) {
      case PAUSE:
        d.pause(id, c);
        break;
      case UNPAUSE:
        d.unpause(id, c);
        break;
      case SUSPEND:
        d.suspend(id, c);
        break;
      case RESUME:
        d.resume(id, c);
        break;
      case STOP:
        d.stop(id, c);
        break;
      case START:
        d.start(id, c);
        break;
      case HARD_REBOOT:
        d.hardReboot(id, c);
        break;
      case RESCUE:
        RescueRequest request = current.rescueRequest().orElse(RescueRequest.defaults());
        if (request.shutdownTimeout().isEmpty()) {
          request = RescueRequest.builder().from(request).shutdownTimeout(timeout).build();
        }
        d.rescue(id, current.originalDefinition().orElseThrow(), request, c);
        break;
      case UNRESCUE:
        d.unrescue(id, current.originalDefinition().orElseThrow(
            () -> new IllegalStateException("rescued instance without its original definition")), c);
        break;
      default:
        throw new AssertionError(acc.operation);
    }
  }

  private Instance succeeded(Accepted acc, Instance current) {
    TransitionRule rule = ctx.rules.rule(acc.operation);
    if (current.originalDefinition().isPresent()
        && acc.operation != Operation.RESCUE && acc.operation != Operation.UNRESCUE) {
      // The record says a rescue definition may be in place (an operator reset a rescued instance):
      // land on what the hypervisor shows, so the original is kept for as long as it is needed.
      return ctx.settle(current, ctx.observe(current.id()), rule.vmStateAfter(), false);
    }
    Instant now = ctx.clock.instant();
    Instance.Builder b = Instance.copyOf(current)
        .vmState(rule.vmStateAfter())
        .powerState(rule.powerStateAfter())
        .taskState(Optional.empty())
        .requestId(Optional.empty())
        .taskStartedAt(Optional.empty())
        .version(current.version() + 1)
        .updatedAt(now);
    if (acc.operation == Operation.RESCUE) {
      b.rescuedAt(now);
    } else if (rule.vmStateAfter() != VmState.RESCUED) {
      b.originalDefinition(Optional.empty()).rescueRequest(Optional.empty()).rescuedAt(Optional.empty());
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
      ctx.driver.repair(current.id(), DriverCall.builder().steps(ctx.steps).journal(journal).build());
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
    return journal.current();
  }

  private VmLifecycleException failed(Accepted acc, Instance current, VmLifecycleException cause) {
    String api = acc.operation.apiName();
    EngineContext.Observation observation = ctx.observe(current.id());
    if (!observation.known()) {
      cause.addSuppressed(observation.error);
    }
    // Unknown truth means ERROR, unless the driver refused the input, which changes nothing.
    VmState unknown = cause instanceof InvalidInputException ? acc.vmStateBefore : VmState.ERROR;
    Instance landed = ctx.settle(current, observation, unknown, acc.operation == Operation.RESCUE);
    String message = acc.withNote(cause.getMessage());
    if (!ctx.store.compareAndSet(current.version(), landed)) {
      Instance now = ctx.store.get(current.id()).orElse(current);
      acc.outcome = ctx.record(now.id(), acc.vmStateBefore, now.vmState(), acc.operation.action(), acc.requestId(), acc.acceptedAt,
          ActionRecord.Result.FAILED, Optional.of(message + " (and the instance was taken over meanwhile)"),
          Optional.of(cause.kind()));
      ctx.emit(now, acc.operation.action(), LifecycleEvent.Phase.ERROR, acc.requestId(), Optional.of(message));
      return cause;
    }
    acc.outcome = ctx.record(landed.id(), acc.vmStateBefore, landed.vmState(), acc.operation.action(), acc.requestId(),
        acc.acceptedAt, ActionRecord.Result.FAILED, Optional.of(message), Optional.of(cause.kind()));
    ctx.emit(landed, acc.operation.action(), LifecycleEvent.Phase.ERROR, acc.requestId(), Optional.of(message));
    return cause;
  }

  private OperationSupersededException superseded(Accepted acc, Instance mine, Instance now) {
    String detail = now == null ? "the instance is gone from the store"
        : now.taskState().map(t -> "task_state is now " + t.novaName())
            .orElse("the instance was reset to " + now.vmState().novaName());
    OperationSupersededException e = new OperationSupersededException(mine.name(), acc.operation, detail);
    Instance after = now == null ? mine : now;
    String message = acc.withNote(e.getMessage());
    acc.outcome = ctx.record(after.id(), acc.vmStateBefore, after.vmState(), acc.operation.action(),
        acc.requestId(), acc.acceptedAt, ActionRecord.Result.FAILED, Optional.of(message), Optional.of(e.kind()));
    ctx.emit(after, acc.operation.action(), LifecycleEvent.Phase.ERROR, acc.requestId(), Optional.of(message));
    return e;
  }
}
