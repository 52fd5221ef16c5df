package io.github.vmlifecycle;

import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.DriverInstance;
import java.time.Duration;
import java.time.Instant;
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
 * Resolves instances left with a task_state by a managing process that died: each is brought to the
 * state the hypervisor shows, finishing the operation where that is what the user asked for and safe
 * (a stop, a start, an unpause, a hard reboot, an unrescue, the start of a defined rescue), and every
 * resolution is logged as a {@code recover} action.
 */
final class Recovery {
  private final EngineContext ctx;

  Recovery(EngineContext ctx) {
    this.ctx = ctx;
  }

  /** How many instances are recovered at once; their store writes (fsyncs) and driver calls overlap. */
  static final int PARALLELISM = 8;

  List<ActionRecord> recoverAll(Executor executor) {
    List<String> stuck = new ArrayList<>();
    for (Instance instance : ctx.store.list()) {
      if (instance.taskState().isPresent() || !instance.journal().isEmpty()) {
        stuck.add(instance.id());
      }
    }
    if (stuck.size() <= 1) {
      List<ActionRecord> done = new ArrayList<>();
      stuck.forEach(id -> recover(id).ifPresent(done::add));
      return done;
    }
    List<CompletableFuture<List<ActionRecord>>> parts = new ArrayList<>();
    int size = (stuck.size() + PARALLELISM - 1) / PARALLELISM;
    for (int from = 0; from < stuck.size(); from += size) {
      List<String> part = stuck.subList(from, Math.min(stuck.size(), from + size));
      parts.add(CompletableFuture.supplyAsync(() -> {
        List<ActionRecord> done = new ArrayList<>();
        part.forEach(id -> recover(id).ifPresent(done::add));
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

  Optional<ActionRecord> recover(String id) {
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
      return Optional.of(resolve(stored.get()));
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
    Instant started = ctx.clock.instant();
    StoreJournal journal = new StoreJournal(ctx.store, ctx.clock, idle, TakenOver::new);
    try {
      ctx.driver.repair(idle.id(), DriverCall.builder().steps(ctx.steps).journal(journal).build());
    } catch (TakenOver e) {
      return Optional.empty(); // another writer changed it meanwhile; it is not idle any more
    } catch (RuntimeException e) {
      return Optional.of(ctx.record(idle.id(), idle.vmState(), idle.vmState(), ActionKind.RECOVER,
          ctx.requestIds.get(), started, ActionRecord.Result.FAILED,
          Optional.of("could not undo what an interrupted operation left (" + idle.journal().keySet() + "): "
              + e.getMessage()), Optional.of(VmLifecycleException.Kind.HYPERVISOR)));
    }
    Instance after = journal.current();
    if (after.journal().equals(idle.journal())) {
      return Optional.empty();
    }
    Set<String> done = new TreeSet<>(idle.journal().keySet());
    done.removeAll(after.journal().keySet());
    return Optional.of(ctx.record(idle.id(), idle.vmState(), after.vmState(), ActionKind.RECOVER, ctx.requestIds.get(),
        started, ActionRecord.Result.SUCCEEDED,
        Optional.of("undid what an interrupted operation left: " + done), Optional.empty()));
  }

  /** Unwinds a repair whose instance another writer changed meanwhile; never leaves this class. */
  private static final class TakenOver extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TakenOver(String detail) {
      super(detail, null, false, false);
    }
  }

  private ActionRecord resolve(Instance stuck) {
    Instant started = ctx.clock.instant();
    TaskState task = stuck.taskState().orElseThrow();
    EngineContext.Observation seen = ctx.observe(stuck.id());
    String how = "landed on the hypervisor's state";
    RuntimeException rollForwardFailure = null;
    StoreJournal journal = new StoreJournal(ctx.store, ctx.clock, operationOf(task), stuck);
    if (seen.known() && seen.instance.isPresent()) {
      try {
        Optional<String> finished = finish(stuck, task, seen.instance.get(), journal);
        if (finished.isPresent()) {
          how = finished.get();
        }
        if (!journal.entries().isEmpty()) {
          ctx.driver.repair(stuck.id(), DriverCall.builder().steps(ctx.steps).journal(journal).build());
        }
      } catch (RuntimeException e) {
        rollForwardFailure = e;
        how = "could not finish it: " + e.getMessage();
      }
      seen = ctx.observe(stuck.id());
    }
    Instance before = journal.current();
    Instance landed = ctx.settle(before, seen, VmState.ERROR, task == TaskState.RESCUING);
    String message = "recovered task_state " + task.novaName() + ": " + how + "; now "
        + landed.vmState().novaName() + " (power " + landed.powerState().novaName() + ")"
        + (seen.known() ? "" : "; the hypervisor could not be asked: " + seen.error.getMessage());
    String requestId = stuck.requestId().orElseGet(ctx.requestIds);
    if (!ctx.store.compareAndSet(before.version(), landed)) {
      Instance now = ctx.store.get(stuck.id()).orElse(stuck);
      return ctx.record(stuck.id(), stuck.vmState(), now.vmState(), ActionKind.RECOVER, requestId, started,
          ActionRecord.Result.FAILED, Optional.of("the instance changed while it was being recovered"),
          Optional.of(VmLifecycleException.Kind.BUSY));
    }
    boolean ok = rollForwardFailure == null && seen.known();
    ctx.emit(landed, ActionKind.RECOVER, ok ? LifecycleEvent.Phase.END : LifecycleEvent.Phase.ERROR, requestId,
        Optional.of(message));
    return ctx.record(stuck.id(), stuck.vmState(), landed.vmState(), ActionKind.RECOVER, requestId, started,
        ok ? ActionRecord.Result.SUCCEEDED : ActionRecord.Result.FAILED, Optional.of(message),
        ok ? Optional.empty() : Optional.of(VmLifecycleException.Kind.HYPERVISOR));
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
   * A start or restore that the hypervisor went on with after the caller died shows the guest paused
   * while it loads (libvirt starts it paused, then runs it); the user asked for it running, so the
   * unpause that completes it is finished too (it waits for the hypervisor's own job).
   */
  private Optional<String> finishLoading(Instance stuck, PowerState power, String what, StoreJournal journal) {
    if (power != PowerState.PAUSED) {
      return Optional.empty();
    }
    ctx.driver.unpause(stuck.id(), DriverCall.builder().steps(ctx.steps).journal(journal).build());
    return Optional.of("finished the " + what + " (the guest was still paused, loading)");
  }

  /** Finishes what the user asked where that is safe; returns what was done, or empty. */
  private Optional<String> finish(Instance stuck, TaskState task, DriverInstance d, StoreJournal journal) {
    PowerState power = d.powerState();
    switch (task) {
      case POWERING_OFF:
        if (power == PowerState.RUNNING || power == PowerState.PAUSED || power == PowerState.CRASHED) {
          ctx.driver.stop(stuck.id(), DriverCall.builder().steps(ctx.steps).journal(journal).shutdownTimeout(Duration.ZERO).build());
          return Optional.of("finished the stop");
        }
        return Optional.empty();
      case POWERING_ON:
        if (power == PowerState.SHUTDOWN && !d.rescueDefinition()) {
          ctx.driver.start(stuck.id(), DriverCall.builder().steps(ctx.steps).journal(journal).build());
          return Optional.of("finished the start");
        }
        return finishLoading(stuck, power, "start", journal);
      case RESUMING:
        return finishLoading(stuck, power, "resume", journal);
      case UNPAUSING:
        if (power == PowerState.PAUSED) {
          ctx.driver.unpause(stuck.id(), DriverCall.builder().steps(ctx.steps).journal(journal).build());
          return Optional.of("finished the unpause");
        }
        return Optional.empty();
      case REBOOTING_HARD:
        if (power != PowerState.RUNNING) {
          ctx.driver.hardReboot(stuck.id(), DriverCall.builder().steps(ctx.steps).journal(journal).build());
          return Optional.of("finished the hard reboot");
        }
        return Optional.empty();
      case UNRESCUING:
        Optional<String> original = stuck.originalDefinition().or(() -> ctx.embeddedOriginal(stuck.id()));
        if (original.isPresent() && (d.rescueDefinition() || power != PowerState.RUNNING)) {
          ctx.driver.unrescue(stuck.id(), original.get(), DriverCall.builder().steps(ctx.steps).journal(journal).build());
          return Optional.of("finished the unrescue");
        }
        return Optional.empty();
      case RESCUING:
        if (d.rescueDefinition() && power == PowerState.SHUTDOWN) {
          ctx.driver.start(stuck.id(), DriverCall.builder().steps(ctx.steps).journal(journal).build());
          return Optional.of("started the rescue definition");
        }
        return Optional.empty();
      default:
        return Optional.empty();
    }
  }
}
