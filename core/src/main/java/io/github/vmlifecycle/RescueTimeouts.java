package io.github.vmlifecycle;

import io.github.vmlifecycle.rescue.RescueRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unrescues rescued instances whose rescue timeout has run out, each as an ordinary unrescue (accepted
 * with a compare-and-set, executed, logged and announced) whose action and events carry a note that
 * begins with {@value #NOTE_PREFIX}. Locked instances and instances with a task in flight are left for a
 * later round.
 */
final class RescueTimeouts {
  private static final Logger LOG = LoggerFactory.getLogger(LifecycleEngine.class);

  /** How the message of an unrescue started by a rescue timeout begins. */
  static final String NOTE_PREFIX = "rescue timeout";

  private final EngineContext ctx;
  private final OperationRunner runner;

  RescueTimeouts(EngineContext ctx, OperationRunner runner) {
    this.ctx = ctx;
    this.runner = runner;
  }

  List<ActionRecord> unrescueExpired() {
    return unrescueExpired(null);
  }

  /** Unrescues the expired instances, the process dying at {@code crashAt} (null: never) in the first. */
  List<ActionRecord> unrescueExpired(CrashPoint crashAt) {
    Instant now = ctx.clock.instant();
    List<ActionRecord> done = new ArrayList<>();
    for (Instance instance : ctx.store.list()) {
      if (expired(instance, now) && !instance.locked() && instance.taskState().isEmpty()) {
        unrescue(instance, now, crashAt).ifPresent(done::add);
      }
    }
    return done;
  }

  private static boolean expired(Instance instance, Instant now) {
    Optional<Instant> deadline = instance.rescueDeadline();
    return deadline.isPresent() && !now.isBefore(deadline.get());
  }

  private Optional<ActionRecord> unrescue(Instance instance, Instant now, CrashPoint crashAt) {
    String note = NOTE_PREFIX + " " + instance.rescueRequest().flatMap(RescueRequest::timeout).orElseThrow()
        + " ran out at " + instance.rescueDeadline().orElseThrow() + " (rescued at "
        + instance.rescuedAt().orElseThrow() + ")";
    Optional<OperationRunner.Accepted> accepted;
    try {
      accepted = runner.acceptIf(instance.id(), Operation.UNRESCUE, OperationOptions.defaults(),
          current -> expired(current, now), note);
    } catch (InstanceLockedException | InstanceBusyException | InvalidStateException
        | OperationSupersededException | InstanceNotFoundException e) {
      LOG.debug("Expired rescue of {} left alone: {}", instance.name(), e.getMessage());
      return Optional.empty();
    } catch (RuntimeException e) {
      LOG.warn("Could not start the unrescue of {} after its rescue timeout", instance.name(), e);
      return Optional.empty();
    }
    if (accepted.isEmpty()) {
      return Optional.empty();
    }
    try {
      runner.run(accepted.get(), crashAt);
    } catch (RuntimeException e) {
      LOG.warn("Unrescue of {} after its rescue timeout failed", instance.name(), e);
    }
    return Optional.ofNullable(accepted.get().outcome);
  }
}
