package io.github.vmlifecycle.fake;

import io.github.vmlifecycle.Operation;
import java.util.Optional;

/**
 * A kind of call to the {@link FakeHypervisor}, one per {@link io.github.vmlifecycle.spi.HypervisorDriver}
 * method: what faults and latency are scripted for, and what {@link RecordedCall}s name.
 *
 * <p>Multi-step calls have numbered midway points at which {@link FaultScript#failMidway(int)} can stop them,
 * leaving the guest as a real hypervisor would after a partial run. The points are listed on each constant.
 */
public enum FakeCall {
  /** {@code list()}. */
  LIST(null, 0),
  /** {@code find(idOrName)}. */
  FIND(null, 0),
  /** {@code pause(id)}. */
  PAUSE(Operation.PAUSE, 0),
  /** {@code unpause(id)}. */
  UNPAUSE(Operation.UNPAUSE, 0),
  /**
   * {@code suspend(id, progress)}. Point 1: the vCPUs are paused for the save and half the memory is written,
   * then the save fails; the guest is left PAUSED without a saved-memory image.
   */
  SUSPEND(Operation.SUSPEND, 1),
  /**
   * {@code resume(id, progress)}. Point 1: half the saved memory is read, then the restore fails; the guest
   * stays SHUTDOWN and keeps its saved-memory image.
   */
  RESUME(Operation.RESUME, 1),
  /**
   * {@code stop(id, timeout)}. Point 1: the clean shutdown was requested (and, for a guest that ignores it, the
   * timeout waited out) but the guest was not powered off; it is still running.
   */
  STOP(Operation.STOP, 1),
  /** {@code start(id)}. */
  START(Operation.START, 0),
  /**
   * {@code hardReboot(id)}. Point 1: the guest was destroyed and its saved-memory image dropped, but it was not
   * started again; it is SHUTDOWN.
   */
  HARD_REBOOT(Operation.HARD_REBOOT, 1),
  /** {@code definition(id)}. */
  DEFINITION(null, 0),
  /**
   * {@code rescue(id, original, request)}. Point 1: the guest is powered off, nothing else done. Point 2: the
   * rescue files are created too, but the definition is still the original. Point 3: the rescue definition is
   * in place but the guest is not started (SHUTDOWN).
   */
  RESCUE(Operation.RESCUE, 3),
  /**
   * {@code unrescue(id, original)}. Point 1: the guest is destroyed, still with the rescue definition. Point 2:
   * the original definition is back but the guest is not started (SHUTDOWN). Point 3: the guest runs from the
   * original definition, but the rescue files were not deleted.
   */
  UNRESCUE(Operation.UNRESCUE, 3),
  /** {@code embeddedOriginalDefinition(id)}. */
  EMBEDDED_ORIGINAL(null, 0),
  /** {@code repair(id, journal)}. */
  REPAIR(null, 0);

  private final Operation operation;
  private final int midwayPoints;

  FakeCall(Operation operation, int midwayPoints) {
    this.operation = operation;
    this.midwayPoints = midwayPoints;
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
    return midwayPoints;
  }

  Operation operationOrNull() {
    return operation;
  }
}
