package io.github.vmlifecycle.internal.engine;

import io.github.vmlifecycle.ActionKind;
import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.OperationOptions;
import io.github.vmlifecycle.OperationSupersededException;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.TaskState;
import io.github.vmlifecycle.VmLifecycleException;
import io.github.vmlifecycle.VmState;
import io.github.vmlifecycle.spi.DriverInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Resolves instances left with a task_state by a managing process that died: each is taken over on the
 * {@link OperationPath}, finished where that is what the user asked for and safe (a stop, a start, an
 * unpause, a reboot, an unrescue, the start of a defined rescue; a stop is a clean one with the engine's
 * shutdown timeout and retry interval), and landed on the state the
 * hypervisor shows as a {@code recover} action. Thread-safe.
 */
public final class Recovery {
  /** How many instances are recovered at once; their store writes (fsyncs) and driver calls overlap. */
  static final int PARALLELISM = 8;

  private final EngineContext ctx;
  private final OperationPath path;

  /**
   * Creates the recovery of one engine.
   *
   * @param ctx the engine's context
   * @param path the engine's operation path
   */
  public Recovery(EngineContext ctx, OperationPath path) {
    this.ctx = ctx;
    this.path = path;
  }

  /**
   * Recovers every stuck instance, up to {@link #PARALLELISM} at once on {@code executor}; a stop it
   * finishes uses {@code options}' shutdown timeout and retry interval (the engine's defaults where they
   * name none).
   */
  public List<ActionRecord> recoverAll(Executor executor, OperationOptions options) {
    List<String> stuck = new ArrayList<>();
    for (Instance instance : ctx.store.list()) {
      if (instance.taskState().isPresent() || !instance.journal().isEmpty()) {
        stuck.add(instance.id());
      }
    }
    if (stuck.size() <= 1) {
      List<ActionRecord> done = new ArrayList<>();
      stuck.forEach(id -> recover(id, options).ifPresent(done::add));
      return done;
    }
    List<CompletableFuture<List<ActionRecord>>> parts = new ArrayList<>();
    int size = (stuck.size() + PARALLELISM - 1) / PARALLELISM;
    for (int from = 0; from < stuck.size(); from += size) {
      List<String> part = stuck.subList(from, Math.min(stuck.size(), from + size));
      parts.add(CompletableFuture.supplyAsync(() -> {
        List<ActionRecord> done = new ArrayList<>();
        part.forEach(id -> recover(id, options).ifPresent(done::add));
        return done;
      }, executor));
    }
    List<ActionRecord> done = new ArrayList<>();
    for (CompletableFuture<List<ActionRecord>> part : parts) {
      try {
        done.addAll(part.join());
      } catch (CompletionException e) {
        if (e.getCause() instanceof RuntimeException) {
          throw (RuntimeException) e.getCause();
        }
        if (e.getCause() instanceof Error) {
          throw (Error) e.getCause();
        }
        throw e;
      }
    }
    return done;
  }

  /** Recovers one instance unless an operation of this engine runs on it; returns the action logged. */
  Optional<ActionRecord> recover(String id, OperationOptions options) {
    ReentrantLock lock = ctx.slot(id).executionLock;
    if (!lock.tryLock()) {
      return Optional.empty(); // an operation of this engine runs on it now
    }
    try {
      Optional<Instance> stored = ctx.store.get(id);
      if (stored.isEmpty() || stored.get().requestId().map(r -> ctx.inFlight(id, r)).orElse(false)) {
        return Optional.empty();
      }
      if (stored.get().taskState().isEmpty()) {
        return repairLeftovers(stored.get());
      }
      return Optional.of(resolve(stored.get(), options));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Lets the driver undo what an operation that failed while the hypervisor could not be reached left
   * behind (its notes are still in the journal); logs a {@code recover} action when a note was dealt
   * with. Notes the current state still needs (a suspend's devices, a rescue's files) stay.
   */
  private Optional<ActionRecord> repairLeftovers(Instance idle) {
    if (idle.journal().isEmpty()) {
      return Optional.empty();
    }
    ActionLog.Entry entry = new ActionLog.Entry(ActionKind.RECOVER, ctx.requestIds.get(), ctx.clock.instant(),
        idle.vmState());
    StoreJournal journal = new StoreJournal(ctx, idle, TakenOver::new);
    try {
      ctx.driver.repair(idle.id(), ctx.call(journal).build());
    } catch (TakenOver e) {
      return Optional.empty(); // another writer changed it meanwhile; it is not idle any more
    } catch (RuntimeException e) {
      return Optional.of(ctx.log.ended(idle, entry.failed("could not undo what an interrupted operation left ("
          + idle.journal().keySet() + "): " + e.getMessage(), VmLifecycleException.Kind.HYPERVISOR)));
    }
    Instance after = journal.current();
    if (after.journal().equals(idle.journal())) {
      return Optional.empty();
    }
    Set<String> done = new TreeSet<>(idle.journal().keySet());
    done.removeAll(after.journal().keySet());
    return Optional.of(ctx.log.ended(after,
        entry.note(Optional.of("undid what an interrupted operation left: " + done))));
  }

  /** Unwinds a repair whose instance another writer changed meanwhile; never leaves this class. */
  private static final class TakenOver extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TakenOver(String detail) {
      super(detail, null, false, false);
    }
  }

  private ActionRecord resolve(Instance stuck, OperationOptions options) {
    TaskState task = stuck.taskState().orElseThrow();
    Accepted acc = path.takeOver(stuck, operationOf(task));
    Truth seen = ctx.observe(stuck.id());
    String how = "landed on the hypervisor's state";
    RuntimeException rollForwardFailure = null;
    StoreJournal journal = new StoreJournal(ctx, stuck, detail -> new OperationSupersededException(
        stuck.name(), acc.operation, detail));
    if (seen.known() && seen.instance.isPresent()) {
      try {
        Optional<String> finished = finish(stuck, task, seen.instance.get(), new Driving(journal, options));
        if (finished.isPresent()) {
          how = finished.get();
        }
        if (!journal.entries().isEmpty()) {
          ctx.driver.repair(stuck.id(), ctx.call(journal).build());
        }
      } catch (RuntimeException e) {
        rollForwardFailure = e;
        how = "could not finish it: " + e.getMessage();
      }
      seen = ctx.observe(stuck.id());
    }
    Instance before = journal.current();
    Instance landed = seen.settle(ctx.driver, before, ctx.clock.instant(), VmState.ERROR,
        task == TaskState.RESCUING);
    String message = "recovered task_state " + task.novaName() + ": " + how + "; now "
        + landed.vmState().novaName() + " (power " + landed.powerState().novaName() + ")"
        + (seen.known() ? "" : "; the hypervisor could not be asked: " + seen.error.getMessage());
    String requestId = stuck.requestId().orElseGet(ctx.requestIds);
    ActionLog.Entry entry = new ActionLog.Entry(ActionKind.RECOVER, requestId, acc.acceptedAt, stuck.vmState());
    if (rollForwardFailure == null && seen.known()) {
      entry.note(Optional.of(message));
    } else {
      entry.failed(message, VmLifecycleException.Kind.HYPERVISOR);
    }
    path.land(acc, before, landed, entry, now -> new ActionLog.Entry(ActionKind.RECOVER, requestId,
        acc.acceptedAt, stuck.vmState()).failed("the instance changed while it was being recovered",
        VmLifecycleException.Kind.BUSY));
    return acc.outcome;
  }

  private Operation operationOf(TaskState task) {
    for (Operation op : Operation.values()) {
      if (ctx.rules.rule(op).taskState().equals(task)) {
        return op;
      }
    }
    throw new IllegalStateException("no operation sets task_state " + task);
  }

  /**
   * Calls the driver to finish part of {@code operation} for a recovery, with the instance's journal and
   * the engine's defaults (a stop is a clean one, as the user's); returns how a stop went, if it was one.
   */
  private String drive(Operation operation, Instance stuck, Driving driving) {
    return path.callDriver(operation, stuck, ctx.call(driving.journal, driving.options).build())
        .map(how -> " (" + how + ")").orElse("");
  }

  /** The journal and options the driver calls of one recovery use. */
  private record Driving(StoreJournal journal, OperationOptions options) {}

  /**
   * A start or restore that the hypervisor went on with after the caller died shows the guest paused
   * while it loads (libvirt starts it paused, then runs it); the user asked for it running, so the
   * unpause that completes it is finished too (it waits for the hypervisor's own job).
   */
  private Optional<String> finishLoading(Instance stuck, PowerState power, String what, Driving driving) {
    if (power != PowerState.PAUSED) {
      return Optional.empty();
    }
    drive(Operation.UNPAUSE, stuck, driving);
    return Optional.of("finished the " + what + " (the guest was still paused, loading)");
  }

  /** Finishes what the user asked where that is safe; returns what was done, or empty. */
  private Optional<String> finish(Instance stuck, TaskState task, DriverInstance d, Driving driving) {
    PowerState power = d.powerState();
    switch (task) {
      case POWERING_OFF:
        if (power == PowerState.RUNNING || power == PowerState.PAUSED || power == PowerState.CRASHED) {
          return Optional.of("finished the stop" + drive(Operation.STOP, stuck, driving));
        }
        return Optional.empty();
      case POWERING_ON:
        if (power == PowerState.SHUTDOWN && !d.rescueDefinition()) {
          drive(Operation.START, stuck, driving);
          return Optional.of("finished the start");
        }
        return finishLoading(stuck, power, "start", driving);
      case RESUMING:
        return finishLoading(stuck, power, "resume", driving);
      case UNPAUSING:
        if (power == PowerState.PAUSED) {
          drive(Operation.UNPAUSE, stuck, driving);
          return Optional.of("finished the unpause");
        }
        return Optional.empty();
      case REBOOTING:
      case REBOOTING_HARD:
        if (power != PowerState.RUNNING) {
          drive(Operation.HARD_REBOOT, stuck, driving);
          return Optional.of(task == TaskState.REBOOTING ? "finished the reboot (hard)" : "finished the hard reboot");
        }
        return Optional.empty();
      case UNRESCUING:
        Optional<String> original = stuck.originalDefinition(); // never the domain's embedded copy alone
        if (original.isPresent() && (d.rescueDefinition() || power != PowerState.RUNNING)) {
          drive(Operation.UNRESCUE, Instance.copyOf(stuck).originalDefinition(original).build(), driving);
          return Optional.of("finished the unrescue");
        }
        return Optional.empty();
      case RESCUING:
        if (d.rescueDefinition() && power == PowerState.SHUTDOWN) {
          drive(Operation.START, stuck, driving);
          return Optional.of("started the rescue definition");
        }
        return Optional.empty();
      default:
        return Optional.empty();
    }
  }
}
