package io.github.vmlifecycle.fake;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.InstanceNotFoundException;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.DriverEvent;
import io.github.vmlifecycle.spi.DriverEventListener;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.HypervisorDriver;
import io.github.vmlifecycle.spi.OperationJournal;
import io.github.vmlifecycle.spi.ProgressListener;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory hypervisor for tests, in the spirit of OkHttp's MockWebServer: a {@link HypervisorDriver} with
 * libvirt's power states and refusals, guest memory that survives exactly what it survives on a real host,
 * simulated rescue files, scripted faults (before, after or midway through a call, hangs, disconnects),
 * deterministic latency on a {@link FakeClock}, recorded calls and libvirt-like lifecycle events.
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
 *   <li>stop: an active guest to SHUTDOWN. With a positive timeout a running guest that honours clean shutdown
 *       stops at once (events SHUTDOWN, STOPPED); a guest that ignores it (see
 *       {@link FakeInstanceSpec#ignoresShutdown()}) or is not running makes the stop wait, advancing the clock
 *       by the timeout, then it is destroyed (event STOPPED). A SHUTDOWN guest is left as it is, without
 *       error (as the SPI asks), also when it has a saved-memory image, which stays: like libvirt's destroy,
 *       a stop never drops the image, and the next start restores from it.
 *   <li>start: SHUTDOWN to RUNNING (event STARTED): restored from the saved-memory image when there is one
 *       (memory kept, not a reboot), else booted fresh.
 *   <li>hard reboot: from any state: destroyed if active (event STOPPED), image dropped, booted (STARTED).
 *   <li>rescue: refused when there is a saved-memory image; else powered off, rescue files created
 *       ({@code disk.rescue}, and {@code kernel.rescue} and {@code ramdisk.rescue} with a kernel), the
 *       definition replaced by a rescue definition carrying the original (event DEFINED), booted (STARTED).
 *       The rescue image is the request's, else the instance's backing image; it, and any kernel and ramdisk,
 *       must exist ({@link #addImage}).
 *   <li>unrescue: from any state without a saved-memory image (so a repeat after a partial run works): destroyed
 *       if active, the given original defined exactly (DEFINED), booted (STARTED), every {@code *.rescue} file
 *       deleted.
 *   <li>Active means RUNNING, PAUSED, CRASHED or SUSPENDED (suspended to RAM by the guest). Refusals throw
 *       {@link HypervisorException} with code OPERATION_INVALID and libvirt's text ("Requested operation is not
 *       valid: domain is not running", "domain is already running").
 *   <li>Guest memory (a string the test writes) and uptime survive pause and suspend/resume; a fresh boot (start
 *       without image, hard reboot, rescue, unrescue) empties the memory, resets the uptime and counts a boot.
 *       Uptime advances with the clock only while RUNNING.
 * </ul>
 *
 * <p>Each call, in order: fails with code CONNECTION when closed or disconnected; advances the clock by the
 * call's latency; throws {@link InstanceNotFoundException} for an unknown id; applies a matched fault's
 * before-part (fail, disconnect or hang); locks the instance and changes it (a midway fault stops it at its
 * point); unlocks and delivers the events raised to subscribers on the calling thread; applies an after-fault;
 * and records the call. Ids are UUIDs in any case; only {@link #find} and the test helpers also take names.
 *
 * <p>Thread-safe. Calls on different instances run in parallel; each instance has its own lock; recording, fault
 * matching and latency use no global lock. Test helpers that take {@code idOrName} throw
 * {@link InstanceNotFoundException} when there is no such instance.
 */
public final class FakeHypervisor implements HypervisorDriver {

  /** How many calls are recorded by default before the oldest are dropped. */
  public static final int DEFAULT_RECORD_CAPACITY = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(FakeHypervisor.class);

  private final FakeClock clock;
  private final CallGate gate;
  private final CallLog log;
  private final Subscribers subscribers = new Subscribers();
  private final ConcurrentHashMap<String, FakeVm> byId = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, FakeVm> byName = new ConcurrentHashMap<>();
  private final Set<String> images = ConcurrentHashMap.newKeySet();
  private final Object createLock = new Object();

  /** Creates a fake with its own {@link FakeClock}, recording up to {@link #DEFAULT_RECORD_CAPACITY} calls. */
  public FakeHypervisor() {
    this(builder());
  }

  /**
   * Creates a fake on {@code clock}, recording up to {@link #DEFAULT_RECORD_CAPACITY} calls.
   *
   * @param clock the clock for latency, timeouts, uptime, events and recorded calls
   */
  public FakeHypervisor(FakeClock clock) {
    this(builder().clock(clock));
  }

  private FakeHypervisor(Builder b) {
    this.clock = b.clock != null ? b.clock : new FakeClock();
    this.gate = new CallGate(clock, b.realSleep);
    this.log = new CallLog(b.recordCapacity);
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

  // =====================================================================================================
  // Setting up
  // =====================================================================================================

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
   */
  public String define(FakeInstanceSpec spec) {
    FakeVm vm = new FakeVm(spec, clock.instant());
    spec.backingImage().ifPresent(images::add);
    synchronized (createLock) {
      if (byId.containsKey(vm.id) || byName.containsKey(vm.name)) {
        throw new IllegalArgumentException(
            "An instance named '" + vm.name + "' or with UUID " + vm.id + " exists already");
      }
      byId.put(vm.id, vm);
      byName.put(vm.name, vm);
    }
    Invocation inv = new Invocation(null, vm.id, null, clock);
    inv.event(DriverEvent.Type.DEFINED);
    if (spec.powerState() != PowerState.SHUTDOWN) {
      inv.event(DriverEvent.Type.STARTED);
    }
    subscribers.emit(inv.events());
    return vm.id;
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
   * Sets whether the guest ignores clean shutdown requests (a stop then waits its timeout out, then forces).
   *
   * @param idOrName the instance
   * @param ignores true to ignore them
   */
  public void setIgnoresShutdown(String idOrName, boolean ignores) {
    withLock(idOrName, vm -> {
      vm.setIgnoresShutdown(ignores);
      return null;
    });
  }

  /**
   * Sets the latency of a kind of call: each such call advances the clock by it (and, in real-sleep mode,
   * sleeps it) before doing anything else.
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

  // =====================================================================================================
  // Inspecting
  // =====================================================================================================

  /**
   * Returns what the hypervisor reports about an instance, without recording a call or applying faults.
   *
   * @param idOrName the instance
   * @return the instance
   */
  public DriverInstance inspect(String idOrName) {
    return withLock(idOrName, FakeVm::snapshot);
  }

  /**
   * Returns the current definition, without recording a call or applying faults.
   *
   * @param idOrName the instance
   * @return the definition
   */
  public String currentDefinition(String idOrName) {
    return withLock(idOrName, FakeVm::definition);
  }

  /**
   * Returns the names of the files in the instance directory: {@code disk}, plus the rescue files while rescued.
   *
   * @param idOrName the instance
   * @return the file names
   */
  public Set<String> files(String idOrName) {
    return withLock(idOrName, FakeVm::files);
  }

  /**
   * Returns the guest memory contents: in RAM, or in the saved-memory image; empty when powered off without one.
   *
   * @param idOrName the instance
   * @return the contents
   */
  public String guestMemory(String idOrName) {
    return withLock(idOrName, FakeVm::memory);
  }

  /**
   * Writes the guest memory contents, as the guest would; they survive pause and suspend/resume only.
   *
   * @param idOrName the instance
   * @param contents the contents
   * @throws IllegalStateException if the guest is not active (it has no memory in RAM)
   */
  public void writeGuestMemory(String idOrName, String contents) {
    Objects.requireNonNull(contents, "contents");
    withLock(idOrName, vm -> {
      vm.writeMemory(contents);
      return null;
    });
  }

  /**
   * Returns the guest's uptime: how long, by the clock, it has been RUNNING since it last booted (kept in the
   * saved-memory image while suspended); zero when powered off without one.
   *
   * @param idOrName the instance
   * @return the uptime
   */
  public Duration uptime(String idOrName) {
    return withLock(idOrName, vm -> vm.uptime(clock.instant()));
  }

  /**
   * Returns how many times the guest has booted fresh (an instance created active counts one boot); restores
   * from a saved-memory image do not count. Unchanged means "the guest did not reboot".
   *
   * @param idOrName the instance
   * @return the boot count
   */
  public int bootCount(String idOrName) {
    return withLock(idOrName, FakeVm::bootCount);
  }

  // =====================================================================================================
  // Faults and the connection
  // =====================================================================================================

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

  // =====================================================================================================
  // Recorded calls
  // =====================================================================================================

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
    FakeVm vm = lookupAny(idOrName);
    List<RecordedCall> all = log.snapshot();
    for (RecordedCall c : all) {
      if (c.call() == call && c.instance().isPresent() && names(c.instance().get(), idOrName, vm)) {
        return c;
      }
    }
    throw new AssertionError("Expected a " + call + " call on " + idOrName + "; recorded calls: " + all);
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

  private static boolean names(String recorded, String idOrName, FakeVm vm) {
    return recorded.equalsIgnoreCase(idOrName)
        || (vm != null && (recorded.equalsIgnoreCase(vm.id) || recorded.equals(vm.name)));
  }

  // =====================================================================================================
  // Behind the engine's back
  // =====================================================================================================

  /**
   * The guest shuts itself down: RUNNING to SHUTDOWN, events SHUTDOWN and STOPPED.
   *
   * @param idOrName the instance
   * @throws IllegalStateException if the guest is not RUNNING
   */
  public void guestShutsDown(String idOrName) {
    behindBack(idOrName, FakeVm::guestShutsDown);
  }

  /**
   * The guest crashes (libvirt's {@code on_crash=preserve}): RUNNING to CRASHED, event CRASHED.
   *
   * @param idOrName the instance
   * @throws IllegalStateException if the guest is not RUNNING
   */
  public void guestCrashes(String idOrName) {
    behindBack(idOrName, FakeVm::guestCrashes);
  }

  /**
   * The guest suspends itself to RAM (ACPI S3): RUNNING to SUSPENDED, event PMSUSPENDED.
   *
   * @param idOrName the instance
   * @throws IllegalStateException if the guest is not RUNNING
   */
  public void guestSuspendsToRam(String idOrName) {
    behindBack(idOrName, FakeVm::guestSuspendsToRam);
  }

  /**
   * Someone destroys the guest ({@code virsh destroy}): an active guest goes to SHUTDOWN, event STOPPED;
   * a saved-memory image stays. Does nothing to an inactive guest.
   *
   * @param idOrName the instance
   */
  public void destroyBehindBack(String idOrName) {
    behindBack(idOrName, FakeVm::destroyBehindBack);
  }

  /**
   * Someone pauses the guest ({@code virsh suspend}): RUNNING to PAUSED, event SUSPENDED.
   *
   * @param idOrName the instance
   * @throws IllegalStateException if the guest is not RUNNING
   */
  public void pauseBehindBack(String idOrName) {
    behindBack(idOrName, FakeVm::pauseBehindBack);
  }

  /**
   * Someone destroys and undefines the domain: events STOPPED (when it was active) and UNDEFINED; afterwards
   * the instance is unknown.
   *
   * @param idOrName the instance
   */
  public void removeBehindBack(String idOrName) {
    behindBack(idOrName, (vm, inv) -> {
      vm.remove(inv);
      synchronized (createLock) {
        byId.remove(vm.id, vm);
        byName.remove(vm.name, vm);
      }
    });
  }

  // =====================================================================================================
  // HypervisorDriver
  // =====================================================================================================

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe; each instance is read under its own lock.
   */
  @Override
  public List<DriverInstance> list() {
    return call(FakeCall.LIST, null, () -> {
      List<DriverInstance> result = new ArrayList<>(byId.size());
      for (FakeVm vm : byId.values()) {
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
    return call(FakeCall.FIND, idOrName, () -> {
      FakeVm vm = lookupAny(idOrName);
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
  public void pause(String id) {
    change(FakeCall.PAUSE, id, FakeVm::pause);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe. A RUNNING guest stays running without error, as in libvirt.
   *
   * @throws HypervisorException OPERATION_INVALID if the guest is neither paused nor running
   */
  @Override
  public void unpause(String id) {
    change(FakeCall.UNPAUSE, id, FakeVm::unpause);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe. Progress is reported on the calling thread, four times, ending at the memory size; a
   * listener's exception is logged and ignored.
   *
   * @throws HypervisorException OPERATION_INVALID if the guest is neither running nor paused
   */
  @Override
  public void suspend(String id, ProgressListener progress) {
    ProgressListener safe = safe(progress);
    change(FakeCall.SUSPEND, id, (vm, inv) -> vm.suspend(inv, safe));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe. Progress as for {@link #suspend}.
   *
   * @throws HypervisorException OPERATION_INVALID if the guest is active or has no saved-memory image
   */
  @Override
  public void resume(String id, ProgressListener progress) {
    ProgressListener safe = safe(progress);
    change(FakeCall.RESUME, id, (vm, inv) -> vm.resume(inv, safe));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe.
   *
   * @throws InvalidInputException if the timeout is null or negative
   */
  @Override
  public void stop(String id, Duration shutdownTimeout) {
    if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
      throw new InvalidInputException("The shutdown timeout must be zero or positive: " + shutdownTimeout);
    }
    change(FakeCall.STOP, id, (vm, inv) -> vm.stop(inv, shutdownTimeout));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe. Restores from a saved-memory image when there is one.
   *
   * @throws HypervisorException OPERATION_INVALID if the guest is active
   */
  @Override
  public void start(String id) {
    change(FakeCall.START, id, FakeVm::start);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe.
   */
  @Override
  public void hardReboot(String id) {
    change(FakeCall.HARD_REBOOT, id, FakeVm::hardReboot);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe.
   */
  @Override
  public String definition(String id) {
    return onInstance(FakeCall.DEFINITION, id, (vm, inv) -> vm.definition());
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe.
   *
   * @throws HypervisorException OPERATION_INVALID if the guest has a saved-memory image
   * @throws InvalidInputException if the original definition is blank, no rescue image is given and the
   *     instance has no backing image, or the image, kernel or ramdisk does not exist
   */
  @Override
  public void rescue(String id, String originalDefinition, RescueRequest request) {
    rescue(id, originalDefinition, request, OperationJournal.inMemory());
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe. Writes the note {@code rescue.files} (the rescue files' names, comma-separated)
   * before it creates them.
   *
   * @throws HypervisorException OPERATION_INVALID if the guest has a saved-memory image
   * @throws InvalidInputException if the original definition is blank, no rescue image is given and the
   *     instance has no backing image, or the image, kernel or ramdisk does not exist
   */
  @Override
  public void rescue(String id, String originalDefinition, RescueRequest request, OperationJournal journal) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(journal, "journal");
    requireDefinition(id, originalDefinition);
    change(FakeCall.RESCUE, id, (vm, inv) -> {
      String image = request.image().or(() -> vm.backingImage).orElseThrow(() -> new InvalidInputException(
          vm.id, "No rescue image given and instance " + vm.id + " has no backing image", null));
      requireImage(vm.id, "rescue image", image);
      request.kernel().ifPresent(k -> requireImage(vm.id, "rescue kernel", k));
      request.ramdisk().ifPresent(r -> requireImage(vm.id, "rescue ramdisk", r));
      vm.rescue(inv, originalDefinition, request.kernel().isPresent(), journal);
    });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe.
   *
   * @throws HypervisorException OPERATION_INVALID if the guest has a saved-memory image
   * @throws InvalidInputException if the original definition is blank
   */
  @Override
  public void unrescue(String id, String originalDefinition) {
    unrescue(id, originalDefinition, OperationJournal.inMemory());
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe. Removes the note {@code rescue.files} once the rescue files are deleted.
   *
   * @throws HypervisorException OPERATION_INVALID if the guest has a saved-memory image
   * @throws InvalidInputException if the original definition is blank
   */
  @Override
  public void unrescue(String id, String originalDefinition, OperationJournal journal) {
    requireDefinition(id, originalDefinition);
    Objects.requireNonNull(journal, "journal");
    change(FakeCall.UNRESCUE, id, (vm, inv) -> vm.unrescue(inv, originalDefinition, journal));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe. Deletes the rescue files listed in the note {@code rescue.files} when the guest
   * does not run a rescue definition, and removes the note.
   */
  @Override
  public void repair(String id, OperationJournal journal) {
    Objects.requireNonNull(journal, "journal");
    change(FakeCall.REPAIR, id, (vm, inv) -> vm.repair(journal));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Thread-safe.
   */
  @Override
  public Optional<String> embeddedOriginalDefinition(String id) {
    return onInstance(FakeCall.EMBEDDED_ORIGINAL, id, (vm, inv) -> vm.embeddedOriginal());
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
   * Closes the fake: every later call throws code CONNECTION and blocked hangs end so. Idempotent; the test
   * helpers keep working.
   */
  @Override
  public void close() {
    gate.close();
  }

  // =====================================================================================================
  // Plumbing
  // =====================================================================================================

  @FunctionalInterface
  private interface Read<T> {
    T get();
  }

  @FunctionalInterface
  private interface VmCall<T> {
    T apply(FakeVm vm, Invocation inv);
  }

  private void change(FakeCall call, String id, BiConsumer<FakeVm, Invocation> body) {
    onInstance(call, id, (vm, inv) -> {
      body.accept(vm, inv);
      return null;
    });
  }

  private <T> T call(FakeCall call, String argument, Read<T> body) {
    Instant began = clock.instant();
    Class<? extends Throwable> failure = null;
    try {
      gate.enter(call, argument);
      FakeVm vm = argument == null ? null : lookupAny(argument);
      FaultRule fault = gate.match(call, vm, argument);
      gate.before(fault, call, argument);
      T result = body.get();
      gate.after(fault, argument);
      return result;
    } catch (RuntimeException | Error e) {
      failure = e.getClass();
      throw e;
    } finally {
      log.record(call, argument, began, failure);
    }
  }

  private <T> T onInstance(FakeCall call, String id, VmCall<T> body) {
    Instant began = clock.instant();
    Class<? extends Throwable> failure = null;
    try {
      gate.enter(call, id);
      FakeVm vm = lookupId(id);
      if (vm == null) {
        throw new InstanceNotFoundException(String.valueOf(id));
      }
      FaultRule fault = gate.match(call, vm, id);
      gate.before(fault, call, id);
      Invocation inv = new Invocation(call, vm.id, fault, clock);
      T result;
      vm.lock.lock();
      try {
        if (vm.isRemoved()) {
          throw new InstanceNotFoundException(id);
        }
        result = body.apply(vm, inv);
      } finally {
        vm.lock.unlock();
        subscribers.emit(inv.events());
      }
      gate.after(fault, id);
      return result;
    } catch (RuntimeException | Error e) {
      failure = e.getClass();
      throw e;
    } finally {
      log.record(call, id, began, failure);
    }
  }

  private FakeVm lookupId(String id) {
    if (id == null) {
      return null;
    }
    FakeVm vm = byId.get(id);
    return vm != null ? vm : byId.get(id.toLowerCase(Locale.ROOT));
  }

  private FakeVm lookupAny(String idOrName) {
    FakeVm vm = lookupId(idOrName);
    return vm != null || idOrName == null ? vm : byName.get(idOrName);
  }

  private <T> T withLock(String idOrName, Function<FakeVm, T> body) {
    FakeVm vm = lookupAny(idOrName);
    if (vm == null) {
      throw new InstanceNotFoundException(String.valueOf(idOrName));
    }
    vm.lock.lock();
    try {
      if (vm.isRemoved()) {
        throw new InstanceNotFoundException(idOrName);
      }
      return body.apply(vm);
    } finally {
      vm.lock.unlock();
    }
  }

  private void behindBack(String idOrName, BiConsumer<FakeVm, Invocation> change) {
    FakeVm vm = lookupAny(idOrName);
    if (vm == null) {
      throw new InstanceNotFoundException(String.valueOf(idOrName));
    }
    Invocation inv = new Invocation(null, vm.id, null, clock);
    vm.lock.lock();
    try {
      if (vm.isRemoved()) {
        throw new InstanceNotFoundException(idOrName);
      }
      change.accept(vm, inv);
    } finally {
      vm.lock.unlock();
      subscribers.emit(inv.events());
    }
  }

  private void requireImage(String id, String what, String path) {
    if (!images.contains(path)) {
      throw new InvalidInputException(id, "The " + what + " " + path + " does not exist on the host", null);
    }
  }

  private static void requireDefinition(String id, String definition) {
    if (definition == null || definition.isBlank()) {
      throw new InvalidInputException(id, "The original definition of instance " + id + " is missing", null);
    }
  }

  private static ProgressListener safe(ProgressListener progress) {
    if (progress == null || progress == ProgressListener.NONE) {
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
