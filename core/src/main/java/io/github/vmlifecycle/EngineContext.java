package io.github.vmlifecycle;

import io.github.vmlifecycle.internal.TruthDerivation;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.HypervisorDriver;
import io.github.vmlifecycle.spi.InstanceStore;
import io.github.vmlifecycle.spi.StepObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the engine's parts share: the driver, the store, the clock, listeners and per-instance locks. */
final class EngineContext {
  private static final Logger LOG = LoggerFactory.getLogger(LifecycleEngine.class);

  final HypervisorDriver driver;
  final InstanceStore store;
  final Clock clock;
  final LifecycleRules rules;
  final PowerSyncRules syncRules;
  final Supplier<String> requestIds;
  final Duration defaultShutdownTimeout;
  final StepObserver steps;
  final List<LifecycleListener> listeners = new CopyOnWriteArrayList<>();
  private final ConcurrentMap<String, InstanceSlot> slots = new ConcurrentHashMap<>();

  EngineContext(HypervisorDriver driver, InstanceStore store, Clock clock, LifecycleRules rules,
      PowerSyncRules syncRules, Supplier<String> requestIds, Duration defaultShutdownTimeout, StepObserver steps) {
    this.driver = driver;
    this.store = store;
    this.clock = clock;
    this.rules = rules;
    this.syncRules = syncRules;
    this.requestIds = requestIds;
    this.defaultShutdownTimeout = defaultShutdownTimeout;
    this.steps = steps;
  }

  /** The in-memory slot of one instance (its execution lock and in-flight requests); never shared. */
  InstanceSlot slot(String id) {
    InstanceSlot slot = slots.get(id);
    return slot != null ? slot : slots.computeIfAbsent(id, k -> new InstanceSlot());
  }

  /** Whether this engine accepted {@code requestId} on instance {@code id} and has not finished it. */
  boolean inFlight(String id, String requestId) {
    InstanceSlot slot = slots.get(id);
    return slot != null && slot.inFlight.contains(requestId);
  }

  void emit(Instance instance, ActionKind action, LifecycleEvent.Phase phase, String requestId, Optional<String> message) {
    if (listeners.isEmpty()) {
      return;
    }
    LifecycleEvent event = LifecycleEvent.builder()
        .action(action)
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

  ActionRecord record(String instanceId, VmState before, VmState after, ActionKind action, String requestId,
      Instant startedAt, ActionRecord.Result result, Optional<String> message,
      Optional<VmLifecycleException.Kind> faultKind) {
    return record(instanceId, before, after, action, requestId, startedAt, clock.instant(), result, message,
        faultKind);
  }

  ActionRecord record(String instanceId, VmState before, VmState after, ActionKind action, String requestId,
      Instant startedAt, Instant finishedAt, ActionRecord.Result result, Optional<String> message,
      Optional<VmLifecycleException.Kind> faultKind) {
    ActionRecord record = ActionRecord.builder()
        .instanceId(instanceId)
        .requestId(requestId)
        .action(action)
        .startedAt(startedAt)
        .finishedAt(max(startedAt, finishedAt))
        .result(result)
        .vmStateBefore(before)
        .vmStateAfter(after)
        .message(message)
        .faultKind(faultKind)
        .build();
    store.appendAction(record);
    return record;
  }

  private static Instant max(Instant a, Instant b) {
    return b.isBefore(a) ? a : b;
  }

  /** What the hypervisor says about one instance, or why it could not say. */
  static final class Observation {
    final Optional<DriverInstance> instance;
    final RuntimeException error;

    private Observation(Optional<DriverInstance> instance, RuntimeException error) {
      this.instance = instance;
      this.error = error;
    }

    boolean known() {
      return error == null;
    }
  }

  Observation observe(String id) {
    try {
      return new Observation(driver.find(id), null);
    } catch (RuntimeException e) {
      return new Observation(Optional.empty(), e);
    }
  }

  /**
   * Builds the record that matches what the hypervisor reports, task cleared. When the hypervisor
   * could not be asked, the vm_state becomes {@code unknownState} and nothing else is dropped. A rescue
   * definition in place means RESCUED, with the original definition from the record or, failing that,
   * from the definition itself; without either the instance is ERROR. The original definition is only
   * dropped once the hypervisor no longer holds a rescue definition.
   */
  Instance settle(Instance current, Observation observation, VmState unknownState, boolean enteringRescue) {
    Instant now = clock.instant();
    Instance.Builder b = Instance.copyOf(current)
        .taskState(Optional.empty())
        .requestId(Optional.empty())
        .taskStartedAt(Optional.empty())
        .version(current.version() + 1)
        .updatedAt(now);
    if (!observation.known()) {
      return b.vmState(unknownState).build();
    }
    VmState truth = TruthDerivation.vmState(observation.instance);
    b.powerState(TruthDerivation.powerState(observation.instance));
    if (truth == VmState.RESCUED) {
      Optional<String> original = current.originalDefinition();
      if (original.isEmpty()) {
        original = embeddedOriginal(current.id());
      }
      if (original.isEmpty()) {
        return b.vmState(VmState.ERROR).build();
      }
      b.originalDefinition(original);
      if (current.rescuedAt().isEmpty() || enteringRescue) {
        b.rescuedAt(now);
      }
      return b.vmState(VmState.RESCUED).build();
    }
    return b.vmState(truth)
        .originalDefinition(Optional.empty())
        .rescueRequest(Optional.empty())
        .rescuedAt(Optional.empty())
        .build();
  }

  Optional<String> embeddedOriginal(String id) {
    try {
      return driver.embeddedOriginalDefinition(id);
    } catch (RuntimeException e) {
      LOG.warn("Could not read the embedded original definition of {}", id, e);
      return Optional.empty();
    }
  }
}
