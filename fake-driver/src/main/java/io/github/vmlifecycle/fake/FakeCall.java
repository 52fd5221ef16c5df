package io.github.vmlifecycle.fake;

import io.github.vmlifecycle.Operation;
import java.util.List;
import java.util.Optional;

/**
 * A kind of call to the {@link FakeHypervisor}, one per {@link io.github.vmlifecycle.spi.HypervisorDriver}
 * method: what faults and latency are scripted for, and what {@link RecordedCall}s name.
 *
 * <p>Multi-step calls have numbered midway points, listed on each constant. At each point the fake first
 * reports the point's step ({@link #steps()}, such as {@code suspend.midway}) to the call's
 * {@link io.github.vmlifecycle.spi.StepObserver}, whose {@link Error} there simulates the death of the managing
 * process, then applies a {@link FaultScript#failMidway(int)} fault scripted for that point, which fails the
 * call as a real hypervisor would after a partial run. Either way the changes made before the point stay.
 *
 * <p>Immutable and thread-safe.
 */
public enum FakeCall {
  /** {@code list()}. */
  LIST(null),
  /** {@code find(idOrName)}. */
  FIND(null),
  /** {@code pause(id, call)}. */
  PAUSE(Operation.PAUSE),
  /** {@code unpause(id, call)}. */
  UNPAUSE(Operation.UNPAUSE),
  /**
   * {@code suspend(id, call)}. Point 1, step {@code suspend.midway}: the vCPUs are paused for the save and half
   * the memory is written; a failure there leaves the guest PAUSED without a saved-memory image.
   */
  SUSPEND(Operation.SUSPEND, "suspend.midway"),
  /**
   * {@code resume(id, call)}. Point 1, step {@code resume.midway}: half the saved memory is read; a failure
   * there leaves the guest SHUTDOWN with its saved-memory image.
   */
  RESUME(Operation.RESUME, "resume.midway"),
  /**
   * {@code stop(id, call)}. Point 1, step {@code stop.midway}: the clean shutdown was requested (and, for a
   * guest that ignores it, the timeout waited out) but the guest is not powered off yet; it is still active.
   */
  STOP(Operation.STOP, "stop.midway"),
  /** {@code start(id, call)}. */
  START(Operation.START),
  /** {@code softReboot(id, call)}. */
  SOFT_REBOOT(Operation.SOFT_REBOOT),
  /**
   * {@code hardReboot(id, call)}. Point 1, step {@code reboot.destroyed}: the guest is destroyed and its
   * saved-memory image dropped, but it is not started again; it is SHUTDOWN.
   */
  HARD_REBOOT(Operation.HARD_REBOOT, "reboot.destroyed"),
  /** {@code definition(id)}. */
  DEFINITION(null),
  /**
   * {@code rescue(id, original, request, call)}. Point 1, step {@code rescue.powered-off}: the guest is powered
   * off, nothing else done. Point 2, step {@code rescue.files-created}: the journal note is written and the
   * rescue files are created too, but the definition is still the original. Point 3, step
   * {@code rescue.defined}: the rescue definition is in place but the guest is not started (SHUTDOWN).
   */
  RESCUE(Operation.RESCUE, "rescue.powered-off", "rescue.files-created", "rescue.defined"),
  /**
   * {@code unrescue(id, original, call)}. Point 1, step {@code unrescue.destroyed}: the guest is destroyed,
   * still with the rescue definition. Point 2, step {@code unrescue.defined}: the original definition is back
   * but the guest is not started (SHUTDOWN). Point 3, step {@code unrescue.started}: the guest runs from the
   * original definition, but the rescue files are not deleted yet.
   */
  UNRESCUE(Operation.UNRESCUE, "unrescue.destroyed", "unrescue.defined", "unrescue.started"),
  /** {@code embeddedOriginalDefinition(id)}. */
  EMBEDDED_ORIGINAL(null),
  /** {@code repair(id, call)}. */
  REPAIR(null);

  private final Operation operation;
  private final List<String> steps;

  FakeCall(Operation operation, String... steps) {
    this.operation = operation;
    this.steps = List.of(steps);
  }

  /**
   * Returns the lifecycle operation this call carries out, which the fake's exceptions name.
   *
   * @return the operation, or empty for the read-only calls
   */
  public Optional<Operation> operation() {
    return Optional.ofNullable(operation);
  }

  /**
   * Returns how many midway points this call has, numbered from 1.
   *
   * @return the number of midway points; 0 for single-step calls
   */
  public int midwayPoints() {
    return steps.size();
  }

  /**
   * Returns the steps this call reports to {@link io.github.vmlifecycle.spi.DriverCall#steps()}, one per
   * midway point, in order: element {@code n - 1} is the step of point {@code n}.
   *
   * @return the step names, {@code <call>.<what is now done>}; empty for single-step calls
   */
  public List<String> steps() {
    return steps;
  }

  Operation operationOrNull() {
    return operation;
  }
}
