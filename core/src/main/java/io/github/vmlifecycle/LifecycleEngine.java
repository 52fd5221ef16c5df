package io.github.vmlifecycle;

import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.internal.RequestIds;
import io.github.vmlifecycle.internal.engine.Accepted;
import io.github.vmlifecycle.internal.engine.EngineContext;
import io.github.vmlifecycle.internal.engine.HostBoot;
import io.github.vmlifecycle.internal.engine.InstanceResolver;
import io.github.vmlifecycle.internal.engine.NextRecord;
import io.github.vmlifecycle.internal.engine.OperationPath;
import io.github.vmlifecycle.internal.engine.PowerSync;
import io.github.vmlifecycle.internal.engine.Recovery;
import io.github.vmlifecycle.internal.engine.RescueTimeouts;
import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.HypervisorDriver;
import io.github.vmlifecycle.spi.InstanceStore;
import io.github.vmlifecycle.spi.ProgressListener;
import io.github.vmlifecycle.spi.StepObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle engine: pause, unpause, suspend, resume, rescue, unrescue, stop, start, soft and hard
 * reboot of instances on one hypervisor, with Nova's state rules, an action log, events, recovery after a
 * crash, power-state sync and rescue timeouts.
 *
 * <p>Every operation has two phases. Accepting it checks {@link LifecycleRules} and sets the task_state
 * with a compare-and-set in the {@link InstanceStore}, in the caller's thread: an illegal, locked,
 * busy or unknown request throws at once and changes nothing, and of two racing requests exactly one
 * is accepted. Executing it calls the {@link HypervisorDriver} and saves the final state; after a
 * driver failure the engine asks the driver what is true and lands there (ERROR only when it cannot
 * tell), records the fault and rethrows it. The task_state is never left set.
 *
 * <p>Thread-safe. Operations on one instance execute one at a time; on different instances they run in
 * parallel with no global lock.
 *
 * <pre>{@code
 * try (LifecycleEngine engine = LifecycleEngine.builder().driver(driver).build()) {
 *   engine.pause("web-1");
 *   engine.unpause("web-1");
 * }
 * }</pre>
 */
public final class LifecycleEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LifecycleEngine.class);

  private final EngineContext ctx;
  private final InstanceResolver resolver;
  private final OperationPath path;
  private final Recovery recovery;
  private final PowerSync powerSync;
  private final RescueTimeouts rescueTimeouts;
  private final HostBoot hostBoot;
  private final Executor executor;
  private final ExecutorService ownedExecutor;
  private final AutoCloseable driverSubscription;
  private final boolean closeDriver;

  private LifecycleEngine(Builder b) {
    this.ctx = new EngineContext(b.driver, b.store, b.clock, b.rules, b.syncRules, b.requestIds,
        b.defaultShutdownTimeout, b.defaultShutdownRetryInterval, b.defaultSoftRebootTimeout, b.steps);
    b.listeners.forEach(ctx.log()::addListener);
    this.resolver = new InstanceResolver(ctx);
    this.path = new OperationPath(ctx, resolver);
    this.recovery = new Recovery(ctx, path);
    this.powerSync = new PowerSync(ctx, path);
    this.rescueTimeouts = new RescueTimeouts(ctx, path);
    this.hostBoot = new HostBoot(ctx, path, powerSync);
    if (b.executor == null) {
      AtomicInteger n = new AtomicInteger();
      this.ownedExecutor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "vmlifecycle-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      this.executor = ownedExecutor;
    } else {
      this.ownedExecutor = null;
      this.executor = b.executor;
    }
    this.closeDriver = b.closeDriver;
    this.driverSubscription = b.syncOnDriverEvents
        ? b.driver.subscribe(event -> onDriverEvent(event.instanceId()))
        : null;
  }

  /**
   * Returns a new builder.
   *
   * @return a builder; a driver is required
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the lifecycle table this engine enforces.
   *
   * @return the rules
   */
  public LifecycleRules rules() {
    return ctx.rules();
  }

  /**
   * Returns one instance, adopting it from the hypervisor if the store does not know it yet.
   *
   * @param ref a name or UUID
   * @return the stored instance
   * @throws InstanceNotFoundException if neither the store nor the hypervisor knows it
   * @throws InvalidInputException if {@code ref} cannot name an instance
   */
  public Instance get(String ref) {
    return resolver.resolve(ref);
  }

  /**
   * Returns every instance: those stored, and those the hypervisor knows, which are adopted.
   *
   * @return the instances, in no particular order
   * @throws HypervisorException if the hypervisor cannot be asked
   */
  public List<Instance> list() {
    for (DriverInstance d : ctx.driver().list()) {
      if (storedOrUnreadable(d.id())) {
        continue;
      }
      resolver.adopt(d);
    }
    return ctx.store().list();
  }

  /** Whether the store holds a record for {@code id}, readable or not (an unreadable one is never adopted over). */
  private boolean storedOrUnreadable(String id) {
    try {
      return ctx.store().get(id).isPresent();
    } catch (StoreException e) {
      return true;
    }
  }

  /**
   * Names the stored records that cannot be read (corrupt, too large, not a regular file). {@link #list},
   * {@link #recover}, {@link #syncPowerStates} and {@link #unrescueExpired} leave them out and carry on
   * with every other instance; an operator repairs or removes them.
   *
   * @return one exception per unreadable record, each naming its file; empty when every record reads
   * @throws StoreException if the store itself cannot be listed
   */
  public List<StoreException> unreadableRecords() {
    return ctx.store().unreadableRecords();
  }

  /**
   * Returns an instance's action log, oldest first.
   *
   * @param ref a name or UUID
   * @return the actions
   * @throws InstanceNotFoundException if the instance is unknown
   */
  public List<ActionRecord> actions(String ref) {
    return ctx.store().actions(resolver.resolve(ref).id());
  }

  /**
   * Returns the newest entries of an instance's action log, oldest first; a durable store reads only
   * those from the end of the log.
   *
   * @param ref a name or UUID
   * @param count how many entries at most
   * @return the entries
   * @throws InstanceNotFoundException if the instance is unknown
   */
  public List<ActionRecord> lastActions(String ref, int count) {
    return ctx.store().lastActions(resolver.resolve(ref).id(), count);
  }

  /**
   * Returns the entries of an instance's action log that finished at or after {@code since}, oldest
   * first, read from the end of the log.
   *
   * @param ref a name or UUID
   * @param since the earliest finish time returned
   * @return the entries
   * @throws InstanceNotFoundException if the instance is unknown
   */
  public List<ActionRecord> actionsSince(String ref, Instant since) {
    return ctx.store().actionsSince(resolver.resolve(ref).id(), since);
  }

  /**
   * Runs an operation and waits for it.
   *
   * @param ref a name or UUID
   * @param operation the operation
   * @param options its options
   * @return the instance as saved after the operation
   * @throws InvalidStateException if the vm_state does not allow it (nothing changed)
   * @throws InstanceLockedException if the instance is locked (nothing changed)
   * @throws InstanceBusyException if another operation is in flight or won the race (nothing changed)
   * @throws InstanceNotFoundException if the instance is unknown
   * @throws HypervisorException if the hypervisor failed; the instance landed in its true state
   * @throws OperationSupersededException if a hard reboot or a reset-state took the instance over
   */
  public Instance execute(String ref, Operation operation, OperationOptions options) {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(options, "options");
    return path.run(path.accept(ref, operation, options));
  }

  /**
   * Accepts an operation now, in the caller's thread, and runs it on the engine's executor.
   *
   * @param ref a name or UUID
   * @param operation the operation
   * @param options its options
   * @return a future completed with the saved instance, or exceptionally with the errors of
   *     {@link #execute} that arise while running
   * @throws InvalidStateException if the vm_state does not allow it (thrown at once, nothing changed)
   * @throws InstanceLockedException if the instance is locked (thrown at once)
   * @throws InstanceBusyException if another operation is in flight (thrown at once)
   * @throws InstanceNotFoundException if the instance is unknown (thrown at once)
   */
  public CompletableFuture<Instance> submit(String ref, Operation operation, OperationOptions options) {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(options, "options");
    Accepted accepted = path.accept(ref, operation, options);
    CompletableFuture<Instance> future = new CompletableFuture<>();
    try {
      executor.execute(() -> {
        try {
          future.complete(path.run(accepted));
        } catch (Throwable t) {
          future.completeExceptionally(t);
        }
      });
    } catch (RejectedExecutionException e) {
      path.abandon(accepted, e);
      future.completeExceptionally(new HypervisorException(HypervisorException.Code.OPERATION_FAILED,
          ref, operation, "The engine's executor refused '" + operation.apiName() + "' of " + ref, e));
    }
    return future;
  }

  /**
   * Pauses an ACTIVE instance, keeping its memory in RAM. See {@link #execute} for errors.
   *
   * @param ref a name or UUID
   * @return the instance, PAUSED
   */
  public Instance pause(String ref) {
    return execute(ref, Operation.PAUSE, OperationOptions.defaults());
  }

  /**
   * Unpauses a PAUSED instance. See {@link #execute} for errors.
   *
   * @param ref a name or UUID
   * @return the instance, ACTIVE
   */
  public Instance unpause(String ref) {
    return execute(ref, Operation.UNPAUSE, OperationOptions.defaults());
  }

  /**
   * Suspends an ACTIVE instance: saves its memory to disk and frees its RAM. See {@link #execute}.
   *
   * @param ref a name or UUID
   * @param progress receives bytes written so far
   * @return the instance, SUSPENDED
   */
  public Instance suspend(String ref, ProgressListener progress) {
    return execute(ref, Operation.SUSPEND, OperationOptions.builder().progress(progress).build());
  }

  /**
   * Suspends an ACTIVE instance. See {@link #execute} for errors.
   *
   * @param ref a name or UUID
   * @return the instance, SUSPENDED
   */
  public Instance suspend(String ref) {
    return suspend(ref, ProgressListener.NONE);
  }

  /**
   * Resumes a SUSPENDED instance from its saved memory. See {@link #execute} for errors.
   *
   * @param ref a name or UUID
   * @param progress receives bytes read so far
   * @return the instance, ACTIVE
   */
  public Instance resume(String ref, ProgressListener progress) {
    return execute(ref, Operation.RESUME, OperationOptions.builder().progress(progress).build());
  }

  /**
   * Resumes a SUSPENDED instance. See {@link #execute} for errors.
   *
   * @param ref a name or UUID
   * @return the instance, ACTIVE
   */
  public Instance resume(String ref) {
    return resume(ref, ProgressListener.NONE);
  }

  /**
   * Rescues an ACTIVE, STOPPED or ERROR instance: boots it from a rescue image with its own system disk
   * attached as a further disk. The original definition is stored before anything changes. A
   * {@link RescueRequest#timeout()} makes {@link #unrescueExpired()} unrescue it once that long has
   * passed. See {@link #execute} for errors.
   *
   * @param ref a name or UUID
   * @param request what to boot
   * @return the instance, RESCUED
   * @throws InvalidInputException if the hypervisor cannot satisfy the request (nothing changed)
   */
  public Instance rescue(String ref, RescueRequest request) {
    return execute(ref, Operation.RESCUE, OperationOptions.builder().rescueRequest(request).build());
  }

  /**
   * Unrescues a RESCUED instance: boots its original definition again, exactly as it was. See
   * {@link #execute} for errors.
   *
   * @param ref a name or UUID
   * @return the instance, ACTIVE
   */
  public Instance unrescue(String ref) {
    return execute(ref, Operation.UNRESCUE, OperationOptions.defaults());
  }

  /**
   * Stops an ACTIVE or ERROR instance, waiting up to the engine's default shutdown timeout for a
   * clean shutdown. See {@link #execute} for errors.
   *
   * @param ref a name or UUID
   * @return the instance, STOPPED
   */
  public Instance stop(String ref) {
    return execute(ref, Operation.STOP, OperationOptions.defaults());
  }

  /**
   * Stops an ACTIVE or ERROR instance. See {@link #execute} for errors.
   *
   * @param ref a name or UUID
   * @param shutdownTimeout how long to wait for a clean shutdown; zero forces it off at once
   * @return the instance, STOPPED
   */
  public Instance stop(String ref, Duration shutdownTimeout) {
    return execute(ref, Operation.STOP, OperationOptions.builder().shutdownTimeout(shutdownTimeout).build());
  }

  /**
   * Starts a STOPPED instance. See {@link #execute} for errors.
   *
   * @param ref a name or UUID
   * @return the instance, ACTIVE
   */
  public Instance start(String ref) {
    return execute(ref, Operation.START, OperationOptions.defaults());
  }

  /**
   * Reboots an ACTIVE instance softly, as Nova's default reboot: asks the guest to shut down and starts
   * it again, waiting up to the engine's soft-reboot timeout (default 120 s) for it to react, and
   * hard-reboots it when it does not; the {@code reboot} action says which happened. See
   * {@link #execute} for errors.
   *
   * @param ref a name or UUID
   * @return the instance, ACTIVE
   */
  public Instance reboot(String ref) {
    return execute(ref, Operation.SOFT_REBOOT, OperationOptions.defaults());
  }

  /**
   * Hard-reboots an instance (ACTIVE, STOPPED, PAUSED, SUSPENDED or ERROR, also while it is pausing,
   * unpausing, suspending, resuming or rebooting, which it pre-empts at once, without waiting for the
   * pre-empted call): destroys the guest, defines again the definition kept when the pre-empted call was
   * accepted, and starts it. See {@link #execute} for errors.
   *
   * @param ref a name or UUID
   * @return the instance, ACTIVE
   */
  public Instance hardReboot(String ref) {
    return execute(ref, Operation.HARD_REBOOT, OperationOptions.defaults());
  }

  /**
   * Locks an instance so that every operation is refused until {@link #unlock}. Idempotent.
   *
   * @param ref a name or UUID
   * @return the instance, locked
   * @throws InstanceNotFoundException if the instance is unknown
   */
  public Instance lock(String ref) {
    return setLocked(ref, true);
  }

  /**
   * Unlocks an instance. Idempotent.
   *
   * @param ref a name or UUID
   * @return the instance, unlocked
   * @throws InstanceNotFoundException if the instance is unknown
   */
  public Instance unlock(String ref) {
    return setLocked(ref, false);
  }

  private Instance setLocked(String ref, boolean locked) {
    return path.change(ref, locked ? ActionKind.LOCK : ActionKind.UNLOCK, current -> current.locked() != locked,
        (current, now) -> NextRecord.after(current, now).locked(locked), current -> Optional.empty());
  }

  /**
   * Resets an instance's state, as an administrator does for one that is stuck: the vm_state becomes
   * {@code state} and the task_state is cleared. An operation still running on it is superseded. A
   * stored original definition is kept.
   *
   * @param ref a name or UUID
   * @param state {@link VmState#ACTIVE} or {@link VmState#ERROR}
   * @return the instance after the reset
   * @throws InvalidInputException if {@code state} is neither ACTIVE nor ERROR
   * @throws InstanceNotFoundException if the instance is unknown
   */
  public Instance resetState(String ref, VmState state) {
    if (state != VmState.ACTIVE && state != VmState.ERROR) {
      throw new InvalidInputException("reset-state accepts active or error, not " + state.novaName());
    }
    return path.change(ref, ActionKind.RESET_STATE, current -> true,
        (current, now) -> NextRecord.idle(current, now).vmState(state),
        current -> Optional.of("reset from " + current.vmState().novaName()
            + current.taskState().map(t -> "/" + t.novaName()).orElse("") + " to " + state.novaName()));
  }

  /**
   * Resolves every instance left with a task_state by a managing process that died (none stays
   * stuck): each lands in the state the hypervisor shows, finishing the operation where that is what
   * was asked and safe, and each is logged as a {@code recover} action. Instances with an operation
   * running in this engine are left alone. Up to eight instances are recovered at once on the engine's
   * executor; the call returns when all are done.
   *
   * @return the recover actions, one per instance resolved
   * @throws StoreException if the store cannot be read
   */
  public List<ActionRecord> recover() {
    return recover(OperationOptions.defaults());
  }

  /**
   * Resolves every stuck instance as {@link #recover()} does; a stop it finishes ("stop again") is a
   * clean one with {@code options}' shutdown timeout and retry interval (the engine's defaults where they
   * name none), and its action says whether the guest went down cleanly or was destroyed.
   *
   * @param options the shutdown timeout and retry interval of the stops it finishes
   * @return the recover actions, one per instance resolved
   * @throws StoreException if the store cannot be read
   */
  public List<ActionRecord> recover(OperationOptions options) {
    return recovery.recoverAll(executor, Objects.requireNonNull(options, "options"));
  }

  /**
   * Deals with instances after the host itself restarted (Nova's {@code init_host}): every idle
   * instance whose stored power state is RUNNING but whose guest is now off (or gone) is either synced
   * (the power sync's stop: STOPPED; Nova's default) or, with {@code resumeGuests} (Nova's
   * {@code resume_guests_state_on_host_boot}), brought back with a hard reboot. Instances whose guest
   * is running, paused or suspended are left alone, as are instances with an operation in flight (run
   * {@link #recover()} first) and those the rules do not let a hard reboot start from (RESCUED). Each
   * change goes through the one operation path and is logged: a sync as the power sync's {@code stop}
   * (message {@code power sync: ...}, saying whether the guest went down cleanly), a resume as a
   * {@code reboot} whose message begins with {@code host boot}.
   *
   * @param resumeGuests true to hard-reboot the guests that were running, false to mark them STOPPED
   * @return the actions taken, one per instance changed
   * @throws StoreException if the store cannot be read
   */
  public List<ActionRecord> recoverHostBoot(boolean resumeGuests) {
    return recoverHostBoot(resumeGuests, OperationOptions.defaults());
  }

  /**
   * Deals with instances after the host restarted as {@link #recoverHostBoot(boolean)} does, a sync's
   * stop using {@code options}' shutdown timeout and retry interval.
   *
   * @param resumeGuests true to hard-reboot the guests that were running, false to mark them STOPPED
   * @param options the shutdown timeout and retry interval of the stops
   * @return the actions taken, one per instance changed
   * @throws StoreException if the store cannot be read
   */
  public List<ActionRecord> recoverHostBoot(boolean resumeGuests, OperationOptions options) {
    return hostBoot.recover(resumeGuests, Objects.requireNonNull(options, "options"));
  }

  /**
   * Syncs every idle instance's stored state with the hypervisor after {@link PowerSyncRules}.
   *
   * @return the actions taken (stops), empty when everything agreed
   * @throws StoreException if the store cannot be read
   */
  public List<ActionRecord> syncPowerStates() {
    return syncPowerStates(OperationOptions.defaults());
  }

  /**
   * Syncs every idle instance as {@link #syncPowerStates()} does; each stop (Nova's {@code force_stop},
   * a clean shutdown, then a destroy after the timeout) uses {@code options}' shutdown timeout and retry
   * interval, the engine's defaults where they name none.
   *
   * @param options the shutdown timeout and retry interval of the stops
   * @return the actions taken (stops), empty when everything agreed
   * @throws StoreException if the store cannot be read
   */
  public List<ActionRecord> syncPowerStates(OperationOptions options) {
    Objects.requireNonNull(options, "options");
    List<ActionRecord> actions = new ArrayList<>();
    for (Instance instance : ctx.store().list()) {
      powerSync.sync(instance.id(), options).ifPresent(actions::add);
    }
    return actions;
  }

  /**
   * Runs {@link #syncPowerStates()} every {@code period} on {@code scheduler} (Nova: every 600 s), in
   * addition to the syncs that hypervisor events trigger. A failing round is logged and the next one
   * runs as planned.
   *
   * @param scheduler the scheduler (the caller owns it and shuts it down)
   * @param period the time between the end of one round and the start of the next
   * @return the scheduled task; cancel it to stop
   * @throws InvalidInputException if {@code period} is not positive
   */
  public ScheduledFuture<?> schedulePowerSync(ScheduledExecutorService scheduler, Duration period) {
    return scheduleRounds(scheduler, period, "power-sync", this::syncPowerStates);
  }

  /**
   * Unrescues every instance whose rescue timeout has run out: each RESCUED instance whose
   * {@link Instance#rescueDeadline()} is at or before the current instant of the engine's clock. Each
   * goes through the normal operation path (accepted with a compare-and-set, executed, recorded as an
   * {@code unrescue} action with {@code instance.unrescue.*} events), so it is crash-safe like any
   * unrescue ({@link #recover()} finishes one interrupted by a crash); the action's and the events'
   * message begins with {@code rescue timeout} and names the timeout and the deadline.
   *
   * <p>A locked instance is skipped: an operator's lock wins over the timeout, so an operator can keep
   * an instance rescued past its deadline by locking it; the first round after it is unlocked
   * unrescues it. An instance with an operation in flight is skipped likewise and considered again in
   * the next round. A failed unrescue is recorded (result {@link ActionRecord.Result#FAILED} with its
   * {@link ActionRecord#faultKind()}) and does not stop the others; the instance lands on its true
   * state, as after any failed unrescue, and if that is still RESCUED the next round tries again.
   *
   * <p>Instances are handled one at a time in the calling thread. Safe to call concurrently with any
   * other operation, with itself, and from several processes sharing a durable store: each instance is
   * unrescued at most once because acceptance is a compare-and-set.
   *
   * @return the unrescue actions, one per instance whose automatic unrescue was started, whether it
   *     succeeded or failed; empty when no deadline has passed
   * @throws StoreException if the store cannot be listed
   */
  public List<ActionRecord> unrescueExpired() {
    return rescueTimeouts.unrescueExpired();
  }

  /**
   * Runs {@link #unrescueExpired()} every {@code period} on {@code scheduler} (Nova polls rescued
   * instances on its periodic-task interval). An instance is unrescued by the first round at or after
   * its deadline, so {@code period} bounds how late that is. A failing round is logged and the next one
   * runs as planned.
   *
   * @param scheduler the scheduler (the caller owns it and shuts it down)
   * @param period the time between the end of one round and the start of the next
   * @return the scheduled task; cancel it to stop
   * @throws InvalidInputException if {@code period} is not positive
   */
  public ScheduledFuture<?> scheduleRescueTimeouts(ScheduledExecutorService scheduler, Duration period) {
    return scheduleRounds(scheduler, period, "rescue-timeout", this::unrescueExpired);
  }

  private static ScheduledFuture<?> scheduleRounds(ScheduledExecutorService scheduler, Duration period,
      String what, Runnable round) {
    Objects.requireNonNull(scheduler, "scheduler");
    if (period.isZero() || period.isNegative()) {
      throw new InvalidInputException("The " + what + " period must be positive: " + period);
    }
    return scheduler.scheduleWithFixedDelay(() -> {
      try {
        round.run();
      } catch (RuntimeException e) {
        LOG.warn("Periodic {} round failed", what, e);
      }
    }, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Syncs one idle instance's stored state with the hypervisor.
   *
   * @param ref a name or UUID
   * @return the instance after the sync
   * @throws InstanceNotFoundException if the instance is unknown
   */
  public Instance syncPowerState(String ref) {
    return syncPowerState(ref, OperationOptions.defaults());
  }

  /**
   * Syncs one idle instance as {@link #syncPowerState(String)} does, a stop using {@code options}'
   * shutdown timeout and retry interval.
   *
   * @param ref a name or UUID
   * @param options the shutdown timeout and retry interval of a stop
   * @return the instance after the sync
   * @throws InstanceNotFoundException if the instance is unknown
   */
  public Instance syncPowerState(String ref, OperationOptions options) {
    Objects.requireNonNull(options, "options");
    Instance instance = resolver.resolve(ref);
    powerSync.sync(instance.id(), options);
    return ctx.store().get(instance.id()).orElse(instance);
  }

  /**
   * Registers a listener for lifecycle events.
   *
   * @param listener the listener
   */
  public void addListener(LifecycleListener listener) {
    ctx.log().addListener(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Unregisters a listener.
   *
   * @param listener the listener
   */
  public void removeListener(LifecycleListener listener) {
    ctx.log().removeListener(listener);
  }

  private void onDriverEvent(String instanceId) {
    try {
      executor.execute(() -> {
        try {
          if (ctx.store().get(instanceId).isPresent()) {
            powerSync.sync(instanceId);
          }
        } catch (RuntimeException e) {
          LOG.warn("Power-state sync of {} after a hypervisor event failed", instanceId, e);
        }
      });
    } catch (RejectedExecutionException e) {
      LOG.debug("Engine closed; hypervisor event for {} ignored", instanceId);
    }
  }

  /**
   * Stops listening to the driver, shuts down the engine's own executor (not an injected one), and
   * closes the driver if the builder was told to. Idempotent.
   */
  @Override
  public void close() {
    if (driverSubscription != null) {
      try {
        driverSubscription.close();
      } catch (Exception e) {
        LOG.debug("Unsubscribing from driver events failed", e);
      }
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
    }
    if (closeDriver) {
      ctx.driver().close();
    }
  }

  /** Builds a {@link LifecycleEngine}. Not thread-safe. */
  public static final class Builder {
    private HypervisorDriver driver;
    private InstanceStore store;
    private Clock clock = Clock.systemUTC();
    private Executor executor;
    private LifecycleRules rules = LifecycleRules.standard();
    private PowerSyncRules syncRules = PowerSyncRules.standard();
    private Supplier<String> requestIds = new RequestIds();
    private Duration defaultShutdownTimeout = DriverCall.DEFAULT_SHUTDOWN_TIMEOUT;
    private Duration defaultShutdownRetryInterval = DriverCall.DEFAULT_SHUTDOWN_RETRY_INTERVAL;
    private Duration defaultSoftRebootTimeout = DriverCall.DEFAULT_SOFT_REBOOT_TIMEOUT;
    private final List<LifecycleListener> listeners = new ArrayList<>();
    private boolean syncOnDriverEvents = true;
    private boolean closeDriver;
    private StepObserver steps = StepObserver.NONE;

    private Builder() {}

    /**
     * Sets the hypervisor driver (required).
     *
     * @param driver the driver
     * @return this builder
     */
    public Builder driver(HypervisorDriver driver) {
      this.driver = Objects.requireNonNull(driver, "driver");
      return this;
    }

    /**
     * Sets the instance store; default {@link InstanceStores#inMemory()}.
     *
     * @param store the store
     * @return this builder
     */
    public Builder store(InstanceStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Sets the clock for action-log and event times; default the UTC system clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the executor that runs {@link LifecycleEngine#submit} operations and event-driven syncs;
     * default a cached pool of daemon threads owned by the engine.
     *
     * <p>In tests, {@code executor(Runnable::run)} makes the engine deterministic: a submitted operation
     * runs in the caller's thread, and the power sync that a hypervisor event triggers runs in the
     * thread that raised the event (with the fake hypervisor, the thread of the call or of the {@code
     * FakeGuest} action), so it is complete when that call returns.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Sets the lifecycle table; default {@link LifecycleRules#standard()}.
     *
     * @param rules the rules
     * @return this builder
     */
    public Builder rules(LifecycleRules rules) {
      this.rules = Objects.requireNonNull(rules, "rules");
      return this;
    }

    /**
     * Sets the power-sync table; default {@link PowerSyncRules#standard()}.
     *
     * @param syncRules the rules
     * @return this builder
     */
    public Builder powerSyncRules(PowerSyncRules syncRules) {
      this.syncRules = Objects.requireNonNull(syncRules, "syncRules");
      return this;
    }

    /**
     * Sets the request-id generator; default random {@code req-<uuid>} ids.
     *
     * @param requestIds the generator; must return a new, non-empty id at each call
     * @return this builder
     */
    public Builder requestIds(Supplier<String> requestIds) {
      this.requestIds = Objects.requireNonNull(requestIds, "requestIds");
      return this;
    }

    /**
     * Sets how long a stop waits for a clean shutdown when the caller gives no timeout (Nova's
     * {@code shutdown_timeout}); default 60 s. It applies to the stops the engine starts itself too:
     * the power sync's, recovery's, the host-boot sync's and a rescue's power-off.
     *
     * @param timeout the timeout, zero or positive
     * @return this builder
     * @throws InvalidInputException if negative
     */
    public Builder defaultShutdownTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new InvalidInputException("The shutdown timeout must not be negative: " + timeout);
      }
      this.defaultShutdownTimeout = timeout;
      return this;
    }

    /**
     * Sets how often a stop asks a guest that has not shut down again, when the caller gives no interval
     * (Nova's {@code shutdown_retry_interval}); default 10 s.
     *
     * @param interval the interval, positive
     * @return this builder
     * @throws InvalidInputException if zero or negative
     */
    public Builder defaultShutdownRetryInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new InvalidInputException("The shutdown retry interval must be positive: " + interval);
      }
      this.defaultShutdownRetryInterval = interval;
      return this;
    }

    /**
     * Sets how long a soft reboot waits for the guest to react before it hard-reboots it, when the
     * caller gives no timeout (Nova's {@code wait_soft_reboot_seconds}); default 120 s.
     *
     * @param timeout the timeout, zero or positive
     * @return this builder
     * @throws InvalidInputException if negative
     */
    public Builder defaultSoftRebootTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new InvalidInputException("The soft reboot timeout must not be negative: " + timeout);
      }
      this.defaultSoftRebootTimeout = timeout;
      return this;
    }

    /**
     * Adds a listener for lifecycle events.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(LifecycleListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Sets whether hypervisor lifecycle events trigger a power-state sync of their instance; default
     * true.
     *
     * @param enabled true to sync on events
     * @return this builder
     */
    public Builder syncOnDriverEvents(boolean enabled) {
      this.syncOnDriverEvents = enabled;
      return this;
    }

    /**
     * Sets the observer of step boundaries: every store write of the engine (before and after), the
     * engine's own steps and the driver's, for tracing and fault-injection tests; default none.
     *
     * @param steps the observer
     * @return this builder
     */
    public Builder stepObserver(StepObserver steps) {
      this.steps = Objects.requireNonNull(steps, "steps");
      return this;
    }

    /**
     * Sets whether {@link LifecycleEngine#close()} closes the driver too; default false.
     *
     * @param close true to close the driver with the engine
     * @return this builder
     */
    public Builder closeDriverOnClose(boolean close) {
      this.closeDriver = close;
      return this;
    }

    /**
     * Builds the engine and subscribes it to the driver's events.
     *
     * @return the engine
     * @throws IllegalStateException if no driver was set
     */
    public LifecycleEngine build() {
      if (driver == null) {
        throw new IllegalStateException("A HypervisorDriver is required");
      }
      if (store == null) {
        store = InstanceStores.inMemory();
      }
      return new LifecycleEngine(this);
    }
  }
}
