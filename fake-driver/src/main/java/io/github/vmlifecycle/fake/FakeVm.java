package io.github.vmlifecycle.fake;

import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.spi.DriverEvent;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.JournalEntries;
import io.github.vmlifecycle.spi.OperationJournal;
import io.github.vmlifecycle.spi.ProgressListener;
import io.github.vmlifecycle.spi.RebootOutcome;
import io.github.vmlifecycle.spi.StopOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One fake guest and its state machine: power state, definition, guest memory, saved-memory image and instance
 * directory. Every method except the constructor must be called with {@link #lock} held.
 */
final class FakeVm {

  private static final int PROGRESS_STEPS = 4;

  final String id;
  final String name;
  final long memoryBytes;
  final Optional<String> backingImage;
  final ReentrantLock lock = new ReentrantLock();

  private PowerState power;
  private String definition;
  private boolean rescue;
  private boolean removed;
  /** How many more clean shutdown requests the guest ignores; {@link Integer#MAX_VALUE} means all. */
  private int shutdownRequestsToIgnore;
  private int shutdownRequests;
  private String memory = "";
  private long uptimeNanos;
  private Instant runningSince;
  private int bootCount;
  private SavedImage saved;
  /** The journal note listing the rescue files, comma-separated. */
  static final String RESCUE_FILES_NOTE = "rescue.files";

  private final Set<String> files = new TreeSet<>();

  private record SavedImage(String memory, long uptimeNanos) {}

  FakeVm(FakeInstanceSpec spec, Instant now) {
    this.id = spec.effectiveUuid();
    this.name = spec.name();
    this.memoryBytes = spec.memoryBytes();
    this.backingImage = spec.backingImage();
    this.shutdownRequestsToIgnore = spec.ignoresShutdown() ? Integer.MAX_VALUE : 0;
    this.power = spec.powerState();
    setDefinition(spec.definition()
        .orElseGet(() -> DomainXml.defaultDefinition(name, id, memoryBytes, backingImage)));
    files.add(DomainXml.ROOT_DISK);
    if (isActive()) {
      memory = spec.guestMemory();
      bootCount = 1;
      runningSince = power == PowerState.RUNNING ? now : null;
    } else if (spec.savedMemory()) {
      saved = new SavedImage(spec.guestMemory(), 0);
      bootCount = 1;
    }
  }

  // ---- queries ----

  boolean isRemoved() {
    return removed;
  }

  DriverInstance snapshot() {
    return DriverInstance.builder()
        .id(id)
        .name(name)
        .powerState(power)
        .hasSavedMemory(saved != null)
        .rescueDefinition(rescue)
        .build();
  }

  String definition() {
    return definition;
  }

  Optional<String> embeddedOriginal() {
    return rescue ? DomainXml.embeddedOriginal(definition) : Optional.empty();
  }

  Set<String> files() {
    return Set.copyOf(files);
  }

  String memory() {
    return saved != null ? saved.memory() : memory;
  }

  Duration uptime(Instant now) {
    if (saved != null) {
      return Duration.ofNanos(saved.uptimeNanos());
    }
    long running = power == PowerState.RUNNING ? Duration.between(runningSince, now).toNanos() : 0;
    return Duration.ofNanos(uptimeNanos + running);
  }

  int bootCount() {
    return bootCount;
  }

  void writeMemory(String contents) {
    if (!isActive()) {
      throw new IllegalStateException("Instance " + id + " has no guest memory in RAM: it is " + power);
    }
    memory = contents;
  }

  boolean ignoresShutdown() {
    return shutdownRequestsToIgnore == Integer.MAX_VALUE;
  }

  void ignoreShutdownRequests(int count) {
    this.shutdownRequestsToIgnore = count;
  }

  int shutdownRequests() {
    return shutdownRequests;
  }

  // ---- hypervisor calls ----

  void pause(Invocation c) {
    switch (power) {
      case RUNNING -> {
        setPower(PowerState.PAUSED, c.clock().instant());
        c.event(DriverEvent.Type.SUSPENDED);
      }
      case PAUSED -> { }
      case SUSPENDED -> throw c.invalid("domain is pmsuspended");
      default -> throw c.invalid("domain is not running");
    }
  }

  void unpause(Invocation c) {
    switch (power) {
      case PAUSED -> {
        setPower(PowerState.RUNNING, c.clock().instant());
        c.event(DriverEvent.Type.RESUMED);
      }
      case RUNNING -> { }
      case SUSPENDED -> throw c.invalid("domain is pmsuspended");
      default -> throw c.invalid("domain is not running");
    }
  }

  void suspend(Invocation c, ProgressListener progress) {
    if (power == PowerState.SUSPENDED) {
      throw c.invalid("domain is pmsuspended");
    }
    if (power != PowerState.RUNNING && power != PowerState.PAUSED) {
      throw c.invalid("domain is not running");
    }
    if (power == PowerState.RUNNING) {
      setPower(PowerState.PAUSED, c.clock().instant());
      c.event(DriverEvent.Type.SUSPENDED);
    }
    report(progress, 1);
    report(progress, 2);
    c.checkpoint(1);
    report(progress, 3);
    report(progress, 4);
    Instant now = c.clock().instant();
    SavedImage image = new SavedImage(memory, uptime(now).toNanos());
    powerOff();
    saved = image;
    c.event(DriverEvent.Type.STOPPED);
  }

  void resume(Invocation c, ProgressListener progress) {
    if (isActive()) {
      throw c.invalid("domain is already running");
    }
    if (saved == null) {
      throw c.invalid("domain has no saved memory image to resume from");
    }
    report(progress, 1);
    report(progress, 2);
    c.checkpoint(1);
    report(progress, 3);
    report(progress, 4);
    restore(c.clock().instant());
    c.event(DriverEvent.Type.STARTED);
  }

  StopOutcome stop(Invocation c, Duration shutdownTimeout) {
    return powerDown(c, shutdownTimeout, true);
  }

  void start(Invocation c) {
    if (isActive()) {
      throw c.invalid("domain is already running");
    }
    if (saved != null) {
      restore(c.clock().instant());
    } else {
      boot(c.clock().instant());
    }
    c.event(DriverEvent.Type.STARTED);
  }

  void hardReboot(Invocation c, Optional<String> definition) {
    destroyIfActive(c);
    saved = null;
    c.checkpoint(1);
    if (definition.isPresent()) {
      setDefinition(definition.get());
      c.event(DriverEvent.Type.DEFINED);
    }
    boot(c.clock().instant());
    c.event(DriverEvent.Type.STARTED);
  }

  /**
   * Asks a RUNNING guest once to shut down: when it honours the request it goes off and boots again (a soft
   * reboot); when it ignores it, the fake waits {@code timeout} on the clock and then destroys and boots it, as it
   * does at once for a guest that is not running (a hard reboot, saved-memory image dropped).
   */
  RebootOutcome softReboot(Invocation c, Duration timeout) {
    if (power == PowerState.RUNNING) {
      if (acceptsShutdownRequest()) {
        c.event(DriverEvent.Type.SHUTDOWN);
        powerOff();
        c.event(DriverEvent.Type.STOPPED);
        boot(c.clock().instant());
        c.event(DriverEvent.Type.STARTED);
        return RebootOutcome.SOFT;
      }
      if (!timeout.isZero()) {
        c.await(timeout, "the guest to react to a soft reboot");
      }
    }
    destroyIfActive(c);
    saved = null;
    boot(c.clock().instant());
    c.event(DriverEvent.Type.STARTED);
    return RebootOutcome.HARD;
  }

  void requireRescuable(Invocation c) {
    if (saved != null) {
      throw c.invalid("domain has a managed save image; rescue would discard the saved guest");
    }
    if (rescue) {
      throw c.invalid("domain is rescued already");
    }
  }

  void rescue(Invocation c, Duration shutdownTimeout, RescuePlan plan, OperationJournal journal) {
    requireRescuable(c);
    powerDown(c, shutdownTimeout, false);
    c.checkpoint(1);
    journal.put(RESCUE_FILES_NOTE, String.join(",", plan.files()));
    files.addAll(plan.files());
    c.checkpoint(2);
    setDefinition(plan.definition());
    c.event(DriverEvent.Type.DEFINED);
    c.checkpoint(3);
    boot(c.clock().instant());
    c.event(DriverEvent.Type.STARTED);
  }

  void unrescue(Invocation c, String original, OperationJournal journal) {
    if (saved != null) {
      throw c.invalid("domain has a managed save image");
    }
    destroyIfActive(c);
    c.checkpoint(1);
    setDefinition(original);
    c.event(DriverEvent.Type.DEFINED);
    c.checkpoint(2);
    boot(c.clock().instant());
    c.event(DriverEvent.Type.STARTED);
    c.checkpoint(3);
    files.removeAll(RescuePlan.ALL_FILES);
    journal.remove(RESCUE_FILES_NOTE);
  }

  /** Deletes the files a rescue that is not in place left behind, as the journal lists them. */
  void repair(OperationJournal journal) {
    Optional<String> listed = journal.get(RESCUE_FILES_NOTE);
    if (listed.isPresent() && !rescue) {
      List<String> names = Arrays.asList(listed.get().split(","));
      names.forEach(n -> JournalEntries.oneOf(RESCUE_FILES_NOTE, n, Set.copyOf(RescuePlan.ALL_FILES)));
      names.forEach(files::remove);
      journal.remove(RESCUE_FILES_NOTE);
    }
  }

  // ---- behind the engine's back ----

  void guestShutsDown(Invocation c) {
    requirePower(PowerState.RUNNING, "shut itself down");
    c.event(DriverEvent.Type.SHUTDOWN);
    powerOff();
    c.event(DriverEvent.Type.STOPPED);
  }

  void guestCrashes(Invocation c) {
    requirePower(PowerState.RUNNING, "crash");
    setPower(PowerState.CRASHED, c.clock().instant());
    c.event(DriverEvent.Type.CRASHED);
  }

  void guestSuspendsToRam(Invocation c) {
    requirePower(PowerState.RUNNING, "suspend itself to RAM");
    setPower(PowerState.SUSPENDED, c.clock().instant());
    c.event(DriverEvent.Type.PMSUSPENDED);
  }

  void pauseBehindBack(Invocation c) {
    requirePower(PowerState.RUNNING, "be paused");
    setPower(PowerState.PAUSED, c.clock().instant());
    c.event(DriverEvent.Type.SUSPENDED);
  }

  void destroyBehindBack(Invocation c) {
    destroyIfActive(c);
  }

  void defineBehindBack(Invocation c, String text) {
    setDefinition(text);
    c.event(DriverEvent.Type.DEFINED);
  }

  void remove(Invocation c) {
    destroyIfActive(c);
    saved = null;
    files.clear();
    removed = true;
    c.event(DriverEvent.Type.UNDEFINED);
  }

  // ---- transitions ----

  private boolean isActive() {
    return power != PowerState.SHUTDOWN && power != PowerState.NOSTATE;
  }

  private void requirePower(PowerState required, String what) {
    if (power != required) {
      throw new IllegalStateException(
          "Instance " + id + " is " + power + "; only a " + required + " guest can " + what);
    }
  }

  /**
   * Powers the guest off: asks it to shut down cleanly every retry interval of the call, waiting on the clock for
   * up to {@code timeout}, then destroys it; {@code checkpoint} reaches midway point 1 just before it goes off.
   */
  private StopOutcome powerDown(Invocation c, Duration timeout, boolean checkpoint) {
    if (!isActive()) {
      return StopOutcome.ALREADY_OFF;
    }
    StopOutcome outcome = StopOutcome.DESTROYED;
    if (!timeout.isZero() && !timeout.isNegative()) {
      Instant end = c.clock().instant().plus(timeout);
      while (true) {
        if (acceptsShutdownRequest()) {
          c.event(DriverEvent.Type.SHUTDOWN);
          outcome = StopOutcome.CLEAN;
          break;
        }
        Duration left = Duration.between(c.clock().instant(), end);
        if (left.isZero() || left.isNegative()) {
          break;
        }
        Duration interval = c.context().shutdownRetryInterval();
        c.await(interval.compareTo(left) < 0 ? interval : left, "a clean shutdown");
        if (!c.clock().instant().isBefore(end)) {
          break;
        }
      }
    }
    if (checkpoint) {
      c.checkpoint(1);
    }
    powerOff();
    c.event(DriverEvent.Type.STOPPED);
    return outcome;
  }

  /** Delivers one clean shutdown request: only a RUNNING guest that ignores no more requests honours it. */
  private boolean acceptsShutdownRequest() {
    shutdownRequests++;
    if (power != PowerState.RUNNING) {
      return false;
    }
    if (shutdownRequestsToIgnore > 0) {
      if (shutdownRequestsToIgnore != Integer.MAX_VALUE) {
        shutdownRequestsToIgnore--;
      }
      return false;
    }
    return true;
  }

  private void destroyIfActive(Invocation c) {
    if (isActive()) {
      powerOff();
      c.event(DriverEvent.Type.STOPPED);
    }
  }

  private void setDefinition(String text) {
    definition = text;
    rescue = DomainXml.isRescue(text);
  }

  private void setPower(PowerState next, Instant now) {
    if (power == PowerState.RUNNING && next != PowerState.RUNNING) {
      uptimeNanos += Duration.between(runningSince, now).toNanos();
      runningSince = null;
    } else if (power != PowerState.RUNNING && next == PowerState.RUNNING) {
      runningSince = now;
    }
    power = next;
  }

  private void boot(Instant now) {
    power = PowerState.RUNNING;
    runningSince = now;
    uptimeNanos = 0;
    memory = "";
    bootCount++;
  }

  private void restore(Instant now) {
    memory = saved.memory();
    uptimeNanos = saved.uptimeNanos();
    saved = null;
    power = PowerState.RUNNING;
    runningSince = now;
  }

  private void powerOff() {
    power = PowerState.SHUTDOWN;
    runningSince = null;
    uptimeNanos = 0;
    memory = "";
  }

  private void report(ProgressListener progress, int step) {
    progress.onProgress(id, memoryBytes * step / PROGRESS_STEPS, memoryBytes);
  }
}
