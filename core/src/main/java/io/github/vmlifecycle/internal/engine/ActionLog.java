package io.github.vmlifecycle.internal.engine;

import io.github.vmlifecycle.ActionKind;
import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.LifecycleEvent;
import io.github.vmlifecycle.LifecycleListener;
import io.github.vmlifecycle.VmLifecycleException;
import io.github.vmlifecycle.VmState;
import io.github.vmlifecycle.spi.InstanceStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that writes an action-log entry and emits the lifecycle events: {@link #started}
 * before a hypervisor call, {@link #ended} once the record is saved (the action entry, then an
 * {@code .end} or {@code .error} event). Thread-safe.
 */
public final class ActionLog {
  private static final Logger LOG = LoggerFactory.getLogger("io.github.vmlifecycle.LifecycleEngine");

  private final InstanceStore store;
  private final Clock clock;
  private final List<LifecycleListener> listeners = new CopyOnWriteArrayList<>();

  ActionLog(InstanceStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Registers a listener. */
  public void addListener(LifecycleListener listener) {
    listeners.add(listener);
  }

  /** Unregisters a listener. */
  public void removeListener(LifecycleListener listener) {
    listeners.remove(listener);
  }

  /** One finished action: what it was about, how it ended and what to say. */
  static final class Entry {
    final ActionKind kind;
    final String requestId;
    final Instant startedAt;
    final VmState vmStateBefore;
    ActionRecord.Result result = ActionRecord.Result.SUCCEEDED;
    Optional<String> message = Optional.empty();
    Optional<VmLifecycleException.Kind> fault = Optional.empty();

    Entry(ActionKind kind, String requestId, Instant startedAt, VmState vmStateBefore) {
      this.kind = kind;
      this.requestId = requestId;
      this.startedAt = startedAt;
      this.vmStateBefore = vmStateBefore;
    }

    Entry note(Optional<String> note) {
      this.message = note;
      return this;
    }

    Entry failed(String why, VmLifecycleException.Kind kind) {
      this.result = ActionRecord.Result.FAILED;
      this.message = Optional.of(why);
      this.fault = Optional.of(kind);
      return this;
    }
  }

  /** Emits {@code instance.<kind>.start}. */
  void started(Instance instance, ActionKind kind, String requestId, Optional<String> note) {
    emit(instance, kind, LifecycleEvent.Phase.START, requestId, note);
  }

  /**
   * Writes the action entry for {@code entry}, the instance now being {@code after}, and emits its
   * {@code .end} (or {@code .error}) event; kinds without notifications (adopt, reset-state) only log.
   */
  ActionRecord ended(Instance after, Entry entry) {
    Instant finished = clock.instant();
    ActionRecord record = ActionRecord.builder()
        .instanceId(after.id())
        .requestId(entry.requestId)
        .action(entry.kind)
        .startedAt(entry.startedAt)
        .finishedAt(finished.isBefore(entry.startedAt) ? entry.startedAt : finished)
        .result(entry.result)
        .vmStateBefore(entry.vmStateBefore)
        .vmStateAfter(after.vmState())
        .message(entry.message)
        .faultKind(entry.fault)
        .build();
    store.appendAction(record);
    if (entry.kind != ActionKind.ADOPT && entry.kind != ActionKind.RESET_STATE) {
      emit(after, entry.kind, entry.result == ActionRecord.Result.SUCCEEDED
          ? LifecycleEvent.Phase.END : LifecycleEvent.Phase.ERROR, entry.requestId, entry.message);
    }
    return record;
  }

  /** Emits an event that no action entry goes with: the power sync's report of what it leaves alone. */
  void report(Instance instance, ActionKind kind, String requestId, String message) {
    emit(instance, kind, LifecycleEvent.Phase.END, requestId, Optional.of(message));
  }

  private void emit(Instance instance, ActionKind kind, LifecycleEvent.Phase phase, String requestId,
      Optional<String> message) {
    if (listeners.isEmpty()) {
      return;
    }
    LifecycleEvent event = LifecycleEvent.builder()
        .action(kind)
        .phase(phase)
        .instanceId(instance.id())
        .instanceName(instance.name())
        .requestId(requestId)
        .timestamp(clock.instant())
        .vmState(instance.vmState())
        .taskState(instance.taskState())
        .powerState(instance.powerState())
        .message(message)
        .build();
    for (LifecycleListener listener : listeners) {
      try {
        listener.onEvent(event);
      } catch (RuntimeException e) {
        LOG.warn("Lifecycle listener {} failed on {}", listener, event.name(), e);
      }
    }
  }
}
