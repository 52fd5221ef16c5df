package io.github.vmlifecycle.internal.engine;

import io.github.vmlifecycle.LifecycleRules;
import io.github.vmlifecycle.OperationOptions;
import io.github.vmlifecycle.PowerSyncRules;
import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.HypervisorDriver;
import io.github.vmlifecycle.spi.InstanceStore;
import io.github.vmlifecycle.spi.OperationJournal;
import io.github.vmlifecycle.spi.StepObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * What the engine's parts share: the driver, the store (observed by the step observer), the clock, the
 * rules, the action log and the per-instance slots. Thread-safe.
 */
public final class EngineContext {
  final HypervisorDriver driver;
  final InstanceStore store;
  final Clock clock;
  final LifecycleRules rules;
  final PowerSyncRules syncRules;
  final Supplier<String> requestIds;
  final Duration defaultShutdownTimeout;
  final Duration defaultShutdownRetryInterval;
  final Duration defaultSoftRebootTimeout;
  final StepObserver steps;
  final ActionLog log;
  private final ConcurrentMap<String, InstanceSlot> slots = new ConcurrentHashMap<>();

  /**
   * Creates the shared context of one engine.
   *
   * @param driver the hypervisor driver
   * @param store the store (wrapped so that {@code steps} sees every write)
   * @param clock the clock for records, actions and events
   * @param rules the lifecycle table
   * @param syncRules the power-sync table
   * @param requestIds the request-id generator
   * @param defaultShutdownTimeout the clean-shutdown timeout of a stop that names none
   * @param defaultShutdownRetryInterval how often a stop that names no interval asks the guest again
   * @param defaultSoftRebootTimeout how long a soft reboot that names no timeout waits for the guest
   * @param steps the step observer
   */
  public EngineContext(HypervisorDriver driver, InstanceStore store, Clock clock, LifecycleRules rules,
      PowerSyncRules syncRules, Supplier<String> requestIds, Duration defaultShutdownTimeout,
      Duration defaultShutdownRetryInterval, Duration defaultSoftRebootTimeout, StepObserver steps) {
    this.driver = driver;
    this.store = ObservedStore.wrap(store, steps);
    this.clock = clock;
    this.rules = rules;
    this.syncRules = syncRules;
    this.requestIds = requestIds;
    this.defaultShutdownTimeout = defaultShutdownTimeout;
    this.defaultShutdownRetryInterval = defaultShutdownRetryInterval;
    this.defaultSoftRebootTimeout = defaultSoftRebootTimeout;
    this.steps = steps;
    this.log = new ActionLog(this.store, clock);
  }

  /** The action log and event emitter. */
  public ActionLog log() {
    return log;
  }

  /** The driver. */
  public HypervisorDriver driver() {
    return driver;
  }

  /** The (observed) store. */
  public InstanceStore store() {
    return store;
  }

  /** The lifecycle table. */
  public LifecycleRules rules() {
    return rules;
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

  /** A driver call context with the engine's step observer and {@code journal}. */
  DriverCall.Builder call(OperationJournal journal) {
    return DriverCall.builder().journal(journal).steps(steps);
  }

  /**
   * A driver call context for an operation with {@code options}: its shutdown timeout, retry interval and
   * soft-reboot timeout, each the engine's default where the options name none.
   */
  DriverCall.Builder call(OperationJournal journal, OperationOptions options) {
    return call(journal)
        .progress(options.progress())
        .shutdownTimeout(options.shutdownTimeout().orElse(defaultShutdownTimeout))
        .shutdownRetryInterval(options.shutdownRetryInterval().orElse(defaultShutdownRetryInterval))
        .softRebootTimeout(options.softRebootTimeout().orElse(defaultSoftRebootTimeout));
  }

  /** Reports one of the engine's own step boundaries. */
  void step(String instanceId, String step) {
    steps.onStep(instanceId, step);
  }

  /** Asks the hypervisor about one instance; never throws. */
  Truth observe(String id) {
    return Truth.observe(driver, id);
  }
}
