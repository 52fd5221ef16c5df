package io.github.vmlifecycle.internal.engine;

import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.InstanceBusyException;
import io.github.vmlifecycle.InstanceLockedException;
import io.github.vmlifecycle.InstanceNotFoundException;
import io.github.vmlifecycle.InvalidStateException;
import io.github.vmlifecycle.LifecycleEngine;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.OperationOptions;
import io.github.vmlifecycle.OperationSupersededException;
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
public final class RescueTimeouts {
  private static final Logger LOG = LoggerFactory.getLogger(LifecycleEngine.class);

  /** How the message of an unrescue started by a rescue timeout begins. */
  public static final String NOTE_PREFIX = "rescue timeout";

  private final EngineContext ctx;
  private final OperationPath path;

  /**
   * Creates the rescue timeouts of one engine.
   *
   * @param ctx the engine's context
   * @param path the engine's operation path
   */
  public RescueTimeouts(EngineContext ctx, OperationPath path) {
    this.ctx = ctx;
    this.path = path;
  }

  /** Unrescues every instance whose rescue timeout ran out; returns the unrescue actions. */
  public List<ActionRecord> unrescueExpired() {
    Instant now = ctx.clock.instant();
    List<ActionRecord> done = new ArrayList<>();
    for (Instance instance : ctx.store.list()) {
      if (expired(instance, now) && !instance.locked() && instance.taskState().isEmpty()) {
        unrescue(instance, now).ifPresent(done::add);
      }
    }
    return done;
  }

  private static boolean expired(Instance instance, Instant now) {
    Optional<Instant> deadline = instance.rescueDeadline();
    return deadline.isPresent() && !now.isBefore(deadline.get());
  }

  private Optional<ActionRecord> unrescue(Instance instance, Instant now) {
    String note = NOTE_PREFIX + " " + instance.rescueRequest().flatMap(RescueRequest::timeout).orElseThrow()
        + " ran out at " + instance.rescueDeadline().orElseThrow() + " (rescued at "
        + instance.rescuedAt().orElseThrow() + ")";
    Optional<Accepted> accepted;
    try {
      accepted = path.acceptIf(instance.id(), Operation.UNRESCUE, OperationOptions.defaults(),
          current -> expired(current, now), note, true, false);
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
      path.run(accepted.get());
    } catch (RuntimeException e) {
      LOG.warn("Unrescue of {} after its rescue timeout failed", instance.name(), e);
    }
    return accepted.get().outcome();
  }
}
