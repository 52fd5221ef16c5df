package io.github.vmlifecycle.fake;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.InstanceNotFoundException;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.rescue.RescueDomainXml;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.DriverEvent;
import io.github.vmlifecycle.spi.DriverEventListener;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.HypervisorDriver;
import io.github.vmlifecycle.spi.ProgressListener;
import io.github.vmlifecycle.spi.RebootOutcome;
import io.github.vmlifecycle.spi.StopOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory hypervisor for tests, in the spirit of OkHttp's MockWebServer: a {@link HypervisorDriver} with
 * libvirt's power states and refusals, libvirt domain XML definitions rescued by the core's real rewriter, guest
 * memory that survives exactly what it survives on a real host, simulated rescue files, scripted faults (before,
 * after or midway through a call, hangs, disconnects), deterministic time on a {@link FakeClock}, recorded calls
 * and libvirt-like lifecycle events. {@link #guest} gives a {@link FakeGuest} handle on one guest: its state,
 * its behaviour and what happens to it behind the engine's back.
 *
 * <h2>Behaviour</h2>
 *
 * <ul>
 *   <li>pause: RUNNING to PAUSED (event SUSPENDED); a PAUSED guest stays paused (as libvirt, no error).
 *   <li>unpause: PAUSED to RUNNING (event RESUMED); a RUNNING guest stays running.
 *   <li>suspend: RUNNING or PAUSED to SHUTDOWN with a saved-memory image (events SUSPENDED unless already
 *       paused, then STOPPED), reporting progress four times up to the memory size. The guest memory and
 *       uptime go into the image. The restored guest always runs, even when it was saved while paused.
 *   <li>resume: SHUTDOWN with a saved-memory image to RUNNING (event STARTED), the image consumed, memory and
 *       uptime restored; progress as for suspend.
 *   <li>stop: an active guest to SHUTDOWN. With a positive {@link DriverCall#shutdownTimeout()} the guest is asked
 *       to shut down cleanly, and asked again every {@link DriverCall#shutdownRetryInterval()}, the fake advancing
 *       its clock through each wait; a RUNNING guest that honours the request goes down cleanly (events SHUTDOWN,
 *       STOPPED; {@link StopOutcome#CLEAN}). A guest that ignores requests ({@link FakeGuest#setIgnoresShutdown},
 *       {@link FakeGuest#ignoreShutdownRequests}) or is not running is destroyed when the timeout is over, or at
 *       once with a zero timeout (event STOPPED; {@link StopOutcome#DESTROYED}). When the call's
 *       {@link DriverCall#deadline()} comes before that, the clock stops at the deadline and the stop throws code
 *       TIMEOUT with the guest still up. A SHUTDOWN guest is left as it is ({@link StopOutcome#ALREADY_OFF}), also
 *       when it has a saved-memory image, which stays: like libvirt's destroy, a stop never drops the image.
 *   <li>start: SHUTDOWN to RUNNING (event STARTED): restored from the saved-memory image when there is one
 *       (memory kept, not a reboot), else booted fresh.
 *   <li>hard reboot: from any state: destroyed if active (event STOPPED), image dropped, the call's
 *       {@link DriverCall#definition()} defined when it carries one (DEFINED), booted (STARTED).
 *   <li>soft reboot: a RUNNING guest is asked once to shut down; one that honours it goes off (SHUTDOWN, STOPPED)
 *       and boots again (STARTED; {@link RebootOutcome#SOFT}). One that ignores it is waited for
 *       {@link DriverCall#softRebootTimeout()} on the clock (TIMEOUT when the call's deadline comes first), then
 *       hard-rebooted ({@link RebootOutcome#HARD}); a guest that is not running is hard-rebooted at once.
 *   <li>rescue: worked out first exactly as the libvirt driver does, refusing with {@link InvalidInputException}
 *       before anything changes: the rescue image is the request's, else the root disk's backing image
 *       ({@link FakeInstanceSpec#backingImage()}); it and any kernel and ramdisk must exist ({@link #addImage})
 *       and must not be the instance's own disks or rescue files; the rescue definition is made from the original
 *       by the core's {@link RescueDomainXml} (legacy or stable device mode, device, bus, kernel; the original
 *       kept in its metadata), which refuses, for example, a volume-backed root disk in legacy mode. A guest with
 *       a saved-memory image or already rescued is refused with OPERATION_INVALID. Then the guest is powered off
 *       as by a stop (with the request's shutdown timeout, else the call's), the journal note
 *       {@code rescue.files} is written and the rescue files created ({@code disk.rescue}, and
 *       {@code kernel.rescue} and {@code ramdisk.rescue} with a kernel), the rescue definition is defined (event
 *       DEFINED) and booted (STARTED).
 *   <li>unrescue: from any state without a saved-memory image (so a repeat after a partial run works): destroyed
 *       if active, the given original defined exactly (DEFINED), booted (STARTED), every rescue file deleted and
 *       the note removed.
 *   <li>Active means RUNNING, PAUSED, CRASHED or SUSPENDED (suspended to RAM by the guest). Refusals throw
 *       {@link HypervisorException} with code OPERATION_INVALID and libvirt's text ("Requested operation is not
 *       valid: domain is not running", "domain is already running").
 *   <li>Guest memory (a string the test writes) and uptime survive pause and suspend/resume; a fresh boot (start
 *       without image, hard reboot, rescue, unrescue) empties the memory, resets the uptime and counts a boot.
 *       Uptime advances with the clock only while RUNNING.
 * </ul>
 *
 * <h2>Steps and simulated process death</h2>
 *
 * <p>Multi-step calls report their midway points to the call's {@link DriverCall#steps() step observer} as they
 * reach them: {@code suspend.midway}, {@code resume.midway}, {@code stop.midway}, {@code reboot.destroyed},
 * {@code rescue.powered-off}, {@code rescue.files-created}, {@code rescue.defined}, {@code unrescue.destroyed},
 * {@code unrescue.defined} and {@code unrescue.started} ({@link FakeCall#steps()} says what each leaves done).
 * An observer that throws an {@link Error} at a step simulates the death of the managing process there: the call
 * unwinds, leaving the guest as it is at that point. {@link FaultScript#failMidway(int)} instead makes the
 * hypervisor fail at a point, right after its step is reported.
 *
 * <p>Each call, in order: fails with code CONNECTION when closed or disconnected; throws
 * {@link InstanceNotFoundException} for an unknown id; applies a matched fault's before-part (fail, disconnect
 * or hang, a hang ending with TIMEOUT at the call's deadline at the latest); applies the call's latency (moves
 * the clock to the instant the call began plus its latency, unless the clock is already later); locks
 * the instance and changes it (steps and midway faults at their points); unlocks and delivers the events raised
 * to subscribers on the calling thread; applies an after-fault; and records the call. Ids are UUIDs in any case;
 * only {@link #find} and {@link #guest} also take names.
 *
 * <p>Thread-safe. Calls on different instances run in parallel; each instance has its own lock; recording, fault
 * matching and latency use no global lock.
 */
public final class FakeHypervisor implements HypervisorDriver {

  /** How many calls are recorded by default before the oldest are dropped. */
  public static final int DEFAULT_RECORD_CAPACITY = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(FakeHypervisor.class);

  private final FakeClock clock;
  private final CallGate gate;
  private final CallLog log;
  private final Subscribers subscribers = new Subscribers();
  private final Guests guests;
  private final CallRunner runner;
  private final Set<String> images = ConcurrentHashMap.newKeySet();
  private final RescueDomainXml rewriter;

  /** Creates a fake with its own {@link FakeClock}, recording up to {@link #DEFAULT_RECORD_CAPACITY} calls. */
  public FakeHypervisor() {
    this(builder());
  }

  /**
   * Creates a fake on {@code clock}, recording up to {@link #DEFAULT_RECORD_CAPACITY} calls.
   *
   * @param clock the clock for latency, waits, deadlines, uptime, events and recorded calls
   */
  public FakeHypervisor(FakeClock clock) {
    this(builder().clock(clock));
  }

  private FakeHypervisor(Builder b) {
    this.clock = b.clock != null ? b.clock : new FakeClock();
    this.gate = new CallGate(clock, b.realSleep);
    this.log = new CallLog(b.recordCapacity);
    this.guests = new Guests(clock, subscribers);
    this.runner = new CallRunner(clock, gate, log, guests, subscribers);
    this.rewriter = RescueDomainXml.create(clock);
  }

  /**
   * Returns a builder for a fake with a given clock, record capacity or real-sleep latency.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link FakeHypervisor}s. Not thread-safe. */
  public static final class Builder {
    private FakeClock clock;
    private int recordCapacity = DEFAULT_RECORD_CAPACITY;
    private boolean realSleep;

    private Builder() {}

    /**
     * Sets the clock; a new {@link FakeClock} unless set.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(FakeClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets how many calls are recorded before the oldest are dropped; 0 turns recording off.
     *
     * @param capacity the capacity
     * @return this builder
     * @throws IllegalArgumentException if {@code capacity} is negative
     */
    public Builder recordCapacity(int capacity) {
      if (capacity < 0) {
        throw new IllegalArgumentException("capacity must not be negative: " + capacity);
      }
      this.recordCapacity = capacity;
      return this;
    }

    /**
     * Makes injected latency also sleep in real time (for demos); by default it only advances the clock.
     *
     * @param realSleep true to sleep
     * @return this builder
     */
    public Builder realSleepLatency(boolean realSleep) {
      this.realSleep = realSleep;
      return this;
    }

    /**
     * Builds the fake.
     *
     * @return the fake
     */
    public FakeHypervisor build() {
      return new FakeHypervisor(this);
    }
  }

  // ---- setting up ----

  /**
   * Returns the clock this fake reads and advances.
   *
   * @return the clock
   */
  public FakeClock clock() {
    return clock;
  }

  /**
   * Creates a running instance with every default of {@link FakeInstanceSpec}.
   *
   * @param name the name
   * @return the instance id (lower-case UUID, derived from the name)
   * @throws InvalidInputException if the name is not valid
   * @throws IllegalArgumentException if an instance with that name or UUID exists
   */
  public String createInstance(String name) {
    return define(FakeInstanceSpec.named(name));
  }

  /**
   * Creates an instance as {@code spec} says, emitting DEFINED (and STARTED when it is active).
   *
   * @param spec the instance
   * @return the instance id (lower-case UUID)
   * @throws IllegalArgumentException if an instance with that name or UUID exists
   * @throws io.github.vmlifecycle.InvalidDomainXmlException if the spec's definition is not a readable, safe
   *     libvirt domain definition (libvirt would not define it either)
   */
  public String define(FakeInstanceSpec spec) {
    FakeVm vm = new FakeVm(spec, clock.instant());
    guests.add(vm);
    spec.backingImage().ifPresent(images::add);
    Invocation inv = new Invocation(null, vm.id, null, clock, DriverCall.defaults());
    inv.event(DriverEvent.Type.DEFINED);
    if (spec.powerState() != PowerState.SHUTDOWN) {
      inv.event(DriverEvent.Type.STARTED);
    }
    subscribers.emit(inv.events());
    return vm.id;
  }

  /**
   * Returns a handle on one guest, to inspect it, script its behaviour and change it behind the engine's back.
   *
   * @param idOrName the guest's UUID (any case) or name
   * @return the handle, bound to the guest that has that id or name now
   * @throws InstanceNotFoundException if the fake has no such guest
   */
  public FakeGuest guest(String idOrName) {
    return new FakeGuest(this, guests, guests.require(idOrName));
  }

  /**
   * Registers an image file on the host, so that rescue requests may name it as image, kernel or ramdisk.
   *
   * @param path the absolute path
   * @throws InvalidInputException if the path is blank
   */
  public void addImage(String path) {
    if (path == null || path.isBlank()) {
      throw new InvalidInputException("An image path must not be blank");
    }
    images.add(path);
  }

  /**
   * Sets the latency of a kind of call. Latency is per call: a call that begins at instant T moves the clock
   * to T plus its latency before it changes anything (unless the clock is already later), so that one thread's
   * calls add up as they would on a real host while calls of several threads that overlap do not; in
   * real-sleep mode the call also sleeps it. A call that fails still takes its latency.
   *
   * @param call the kind of call
   * @param latency the latency; zero removes it
   * @throws IllegalArgumentException if {@code latency} is negative
   */
  public void setLatency(FakeCall call, Duration latency) {
    if (latency.isNegative()) {
      throw new IllegalArgumentException("Latency must not be negative: " + latency);
    }
    gate.setLatency(call, latency);
  }

  // ---- faults and the connection ----

  /**
   * Starts scripting a fault for a kind of call; see {@link FaultScript}.
   *
   * @param call the kind of call
   * @return the script; nothing is registered until one of its terminal methods is called
   */
  public FaultScript onCall(FakeCall call) {
    return new FaultScript(this, call);
  }

  /**
   * Makes the next call of a kind fail before changing anything, with code OPERATION_FAILED.
   *
   * @param call the kind of call
   */
  public void failNext(FakeCall call) {
    onCall(call).failBefore();
  }

  /** Removes every scripted fault that has not been used up, and releases nothing (see {@link FakeHang}). */
  public void clearFaults() {
    gate.clearFaults();
  }

  void addFault(FaultRule rule) {
    gate.addFault(rule);
  }

  /** Drops the connection: every call throws code CONNECTION, and blocked hangs end so, until reconnected. */
  public void disconnect() {
    gate.disconnect();
  }

  /** Restores the connection after {@link #disconnect} (a closed fake stays closed). */
  public void reconnect() {
    gate.reconnect();
  }

  /**
   * Returns whether calls currently reach the hypervisor.
   *
   * @return false when disconnected or closed
   */
  public boolean isConnected() {
    return gate.isConnected();
  }

  // ---- recorded calls ----

  /**
   * Returns the recorded calls, oldest first (at most the record capacity; older ones are dropped).
   *
   * @return an immutable snapshot
   */
  public List<RecordedCall> calls() {
    return log.snapshot();
  }

  /**
   * Returns the recorded calls of one kind, oldest first.
   *
   * @param call the kind
   * @return an immutable snapshot
   */
  public List<RecordedCall> calls(FakeCall call) {
    return log.snapshot().stream().filter(c -> c.call() == call).toList();
  }

  /**
   * Removes and returns the oldest recorded call.
   *
   * @return the call
   * @throws NoSuchElementException if no call is recorded
   */
  public RecordedCall takeCall() {
    RecordedCall call = log.poll();
    if (call == null) {
      throw new NoSuchElementException("No call is recorded");
    }
    return call;
  }

  /** Forgets every recorded call. */
  public void clearCalls() {
    log.clear();
  }

  /**
   * Returns the oldest recorded call of a kind on an instance.
   *
   * @param call the kind
   * @param idOrName the instance, as id (any case) or name; a call matches when it named the instance either way
   * @return the call
   * @throws AssertionError if there is none, listing the recorded calls
   */
  public RecordedCall assertCalled(FakeCall call, String idOrName) {
    RecordedCall found = log.oldest(call, idOrName, guests.lookupAny(idOrName));
    if (found == null) {
      throw new AssertionError("Expected a " + call + " call on " + idOrName + "; recorded calls: " + calls());
    }
    return found;
  }

  /**
   * Asserts that no call of a kind is recorded.
   *
   * @param call the kind
   * @throws AssertionError if there is one, listing them
   */
  public void assertNotCalled(FakeCall call) {
    List<RecordedCall> found = calls(call);
    if (!found.isEmpty()) {
      throw new AssertionError("Expected no " + call + " call; recorded: " + found);
    }
  }

  // ---- HypervisorDriver ----

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe; each instance is read under its own lock.
   */
  @Override
  public List<DriverInstance> list() {
    return runner.call(FakeCall.LIST, null, () -> {
      List<DriverInstance> result = new ArrayList<>();
      for (FakeVm vm : guests.all()) {
        vm.lock.lock();
        try {
          if (!vm.isRemoved()) {
            result.add(vm.snapshot());
          }
        } finally {
          vm.lock.unlock();
        }
      }
      return List.copyOf(result);
    });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe.
   */
  @Override
  public Optional<DriverInstance> find(String idOrName) {
    return runner.call(FakeCall.FIND, idOrName, () -> {
      FakeVm vm = guests.lookupAny(idOrName);
      if (vm == null) {
        return Optional.empty();
      }
      vm.lock.lock();
      try {
        return vm.isRemoved() ? Optional.empty() : Optional.of(vm.snapshot());
      } finally {
        vm.lock.unlock();
      }
    });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe. A PAUSED guest stays paused without error, as in libvirt.
   *
   * @throws HypervisorException OPERATION_INVALID if the guest is not running
   */
  @Override
  public void pause(String id, DriverCall call) {
    change(FakeCall.PAUSE, id, call, FakeVm::pause);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe. A RUNNING guest stays running without error, as in libvirt.
   *
   * @throws HypervisorException OPERATION_INVALID if the guest is neither paused nor running
   */
  @Override
  public void unpause(String id, DriverCall call) {
    change(FakeCall.UNPAUSE, id, call, FakeVm::unpause);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe. Progress is reported on the calling thread, four times, ending at the memory size; a
   * listener's exception is logged and ignored. Reports the step {@code suspend.midway}.
   *
   * @throws HypervisorException OPERATION_INVALID if the guest is neither running nor paused
   */
  @Override
  public void suspend(String id, DriverCall call) {
    ProgressListener safe = safe(call);
    change(FakeCall.SUSPEND, id, call, (vm, inv) -> vm.suspend(inv, safe));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe. Progress as for {@link #suspend}. Reports the step {@code resume.midway}.
   *
   * @throws HypervisorException OPERATION_INVALID if the guest is active or has no saved-memory image
   */
  @Override
  public void resume(String id, DriverCall call) {
    ProgressListener safe = safe(call);
    change(FakeCall.RESUME, id, call, (vm, inv) -> vm.resume(inv, safe));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe. Waits by advancing the fake clock (see the class description). Reports the step
   * {@code stop.midway}.
   *
   * @throws HypervisorException TIMEOUT if the call's deadline comes before the guest is off
   */
  @Override
  public StopOutcome stop(String id, DriverCall call) {
    Objects.requireNonNull(call, "call");
    return runner.onInstance(FakeCall.STOP, id, call, (vm, inv) -> vm.stop(inv, call.shutdownTimeout()));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe. Restores from a saved-memory image when there is one.
   *
   * @throws HypervisorException OPERATION_INVALID if the guest is active
   */
  @Override
  public void start(String id, DriverCall call) {
    change(FakeCall.START, id, call, FakeVm::start);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe. Reports the step {@code reboot.destroyed}.
   */
  @Override
  public void hardReboot(String id, DriverCall call) {
    change(FakeCall.HARD_REBOOT, id, call, (vm, inv) -> vm.hardReboot(inv, call.definition()));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe. Waits by advancing the fake clock (see the class description).
   *
   * @throws HypervisorException TIMEOUT if the call's deadline comes while waiting for the guest to react
   */
  @Override
  public RebootOutcome softReboot(String id, DriverCall call) {
    Objects.requireNonNull(call, "call");
    return runner.onInstance(FakeCall.SOFT_REBOOT, id, call, (vm, inv) -> vm.softReboot(inv, call.softRebootTimeout()));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe.
   */
  @Override
  public String definition(String id) {
    return runner.onInstance(FakeCall.DEFINITION, id, DriverCall.defaults(), (vm, inv) -> vm.definition());
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe. See the class description for what is checked and done; writes the note
   * {@code rescue.files} (the rescue files' names, comma-separated) before it creates them. Reports the steps
   * {@code rescue.powered-off}, {@code rescue.files-created} and {@code rescue.defined}.
   *
   * @throws HypervisorException OPERATION_INVALID if the guest has a saved-memory image or is rescued already;
   *     TIMEOUT if the call's deadline comes while waiting for a clean shutdown
   * @throws InvalidInputException if the original definition is blank or the request missing, the rescue image,
   *     kernel or ramdisk does not exist or is one of the instance's own files, no image is given and the root
   *     disk has no backing image, or the rewriter refuses the rescue (an
   *     {@link io.github.vmlifecycle.InvalidDomainXmlException} with its reason)
   */
  @Override
  public void rescue(String id, String originalDefinition, RescueRequest request, DriverCall call) {
    Objects.requireNonNull(call, "call");
    requireDefinition(id, originalDefinition);
    if (request == null) {
      throw new InvalidInputException(id, "A rescue request is required", null);
    }
    Duration timeout = request.shutdownTimeout().orElse(call.shutdownTimeout());
    change(FakeCall.RESCUE, id, call, (vm, inv) -> {
      vm.requireRescuable(inv);
      RescuePlan plan = RescuePlan.of(rewriter, images, vm, originalDefinition, request);
      vm.rescue(inv, timeout, plan, call.journal());
    });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe. Removes the note {@code rescue.files} once the rescue files are deleted. Reports the steps
   * {@code unrescue.destroyed}, {@code unrescue.defined} and {@code unrescue.started}.
   *
   * @throws HypervisorException OPERATION_INVALID if the guest has a saved-memory image
   * @throws InvalidInputException if the original definition is blank or not a readable domain definition
   */
  @Override
  public void unrescue(String id, String originalDefinition, DriverCall call) {
    Objects.requireNonNull(call, "call");
    requireDefinition(id, originalDefinition);
    DomainXml.isRescue(originalDefinition); // refuses what libvirt could not define, before anything changes
    change(FakeCall.UNRESCUE, id, call, (vm, inv) -> vm.unrescue(inv, originalDefinition, call.journal()));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe. Deletes the rescue files listed in the note {@code rescue.files} when the guest does not run
   * a rescue definition, and removes the note.
   */
  @Override
  public void repair(String id, DriverCall call) {
    Objects.requireNonNull(call, "call");
    change(FakeCall.REPAIR, id, call, (vm, inv) -> vm.repair(call.journal()));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe. Reads the original from the rescue definition's metadata with the core's
   * {@link RescueDomainXml}, as the libvirt driver does.
   *
   * @throws io.github.vmlifecycle.InvalidDomainXmlException CORRUPT_ORIGINAL if the embedded original is damaged
   */
  @Override
  public Optional<String> embeddedOriginalDefinition(String id) {
    return runner.onInstance(FakeCall.EMBEDDED_ORIGINAL, id, DriverCall.defaults(),
        (vm, inv) -> vm.embeddedOriginal());
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe. Listeners are called synchronously on the thread that changed the instance, after the
   * change and outside the instance's lock; an exception from a listener is logged and ignored.
   *
   * @throws HypervisorException CONNECTION if the fake is closed
   */
  @Override
  public AutoCloseable subscribe(DriverEventListener listener) {
    if (gate.isClosed()) {
      throw gate.connectionLost(null, null);
    }
    return subscribers.add(listener);
  }

  /**
   * Closes the fake: every later call throws code CONNECTION and blocked hangs end so. Idempotent; the
   * {@link FakeGuest} handles keep working.
   */
  @Override
  public void close() {
    gate.close();
  }

  // ---- plumbing ----

  private void change(FakeCall kind, String id, DriverCall call, BiConsumer<FakeVm, Invocation> body) {
    Objects.requireNonNull(call, "call");
    runner.onInstance(kind, id, call, (vm, inv) -> {
      body.accept(vm, inv);
      return null;
    });
  }

  private static void requireDefinition(String id, String definition) {
    if (definition == null || definition.isBlank()) {
      throw new InvalidInputException(id, "The original definition of instance " + id + " is missing", null);
    }
  }

  private static ProgressListener safe(DriverCall call) {
    ProgressListener progress = Objects.requireNonNull(call, "call").progress();
    if (progress == ProgressListener.NONE) {
      return ProgressListener.NONE;
    }
    return (id, processed, total) -> {
      try {
        progress.onProgress(id, processed, total);
      } catch (RuntimeException e) {
        LOG.warn("A progress listener failed for instance {}", id, e);
      }
    };
  }
}
