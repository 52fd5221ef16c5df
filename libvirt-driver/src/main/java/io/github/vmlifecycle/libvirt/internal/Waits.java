package io.github.vmlifecycle.libvirt.internal;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.HypervisorException.Code;
import io.github.vmlifecycle.Operation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Waiting with limits: a wait ends at the earlier of the driver's own limit and the call's deadline,
 * polling every {@link #POLL}. Stateless and thread-safe.
 */
final class Waits {
  /** How often a wait looks at libvirt again. */
  static final Duration POLL = Duration.ofMillis(50);

  private Waits() {}

  /**
   * Returns the instant a wait must end by.
   *
   * @param own the end of the driver's own limit
   * @param deadline the call's deadline, if any
   * @return the earlier of the two
   */
  static Instant end(Instant own, Optional<Instant> deadline) {
    return deadline.filter(d -> d.isBefore(own)).orElse(own);
  }

  /**
   * Sleeps one poll interval, or until {@code end} when that is sooner.
   *
   * @param clock the clock
   * @param end when the wait ends
   * @throws HypervisorException with {@link Code#OPERATION_FAILED} if the thread is interrupted
   */
  static void pause(Clock clock, Instant end) {
    Duration left = Duration.between(clock.instant(), end);
    Duration d = left.compareTo(POLL) < 0 ? left : POLL;
    try {
      Thread.sleep(Math.max(1, d.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HypervisorException(Code.OPERATION_FAILED, null, null, "Interrupted while waiting", e);
    }
  }

  /**
   * Returns the failure of a wait that reached the call's deadline.
   *
   * @param id the instance
   * @param op the operation
   * @param waitingFor what the driver was waiting for
   * @param deadline the deadline
   * @return a {@link Code#TIMEOUT} exception
   */
  static HypervisorException deadlinePassed(String id, Operation op, String waitingFor, Instant deadline) {
    return new HypervisorException(Code.TIMEOUT, id, op, "Gave up on instance " + id + " at the call's"
        + " deadline " + deadline + " while waiting for " + waitingFor, null);
  }
}
