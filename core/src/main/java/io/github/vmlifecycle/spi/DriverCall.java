package io.github.vmlifecycle.spi;

import io.github.vmlifecycle.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * What varies between the callers of one {@link HypervisorDriver} operation: the instance's write-ahead
 * journal, a progress listener, the clean-shutdown timeout and retry interval, the soft-reboot timeout,
 * the definition a hard reboot restores, a deadline, and the step observer. The engine builds one per call; a tool or test that calls a driver directly uses
 * {@link #defaults()} or a builder.
 *
 * <p>Instances are immutable and thread-safe (the journal, listener and observer they hold are
 * thread-safe by their own contracts).
 */
@Value.Immutable
@VmlStyle
public abstract class DriverCall {

  /** Nova's {@code shutdown_timeout}: how long a clean shutdown may take before the guest is destroyed. */
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);

  /** Nova's {@code shutdown_retry_interval}: how often a guest that has not gone down is asked again. */
  public static final Duration DEFAULT_SHUTDOWN_RETRY_INTERVAL = Duration.ofSeconds(10);

  /**
   * Nova's {@code wait_soft_reboot_seconds}: how long a soft reboot waits for the guest to react before it
   * falls back to a hard reboot.
   */
  public static final Duration DEFAULT_SOFT_REBOOT_TIMEOUT = Duration.ofSeconds(120);

  DriverCall() {}

  /**
   * Returns a new builder.
   *
   * @return a builder; every attribute has a default
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a call with every default and a fresh in-memory journal.
   *
   * @return a new call context
   */
  public static DriverCall defaults() {
    return builder().build();
  }

  /**
   * The instance's durable notes: a driver writes ahead here what a multi-step call is about to change
   * and reads what an earlier call left. Default: a fresh in-memory journal.
   *
   * @return the instance's durable notes
   */
  @Value.Default
  public OperationJournal journal() {
    return OperationJournal.inMemory();
  }

  /**
   * Receives bytes written or read by a suspend or resume. Default: ignores them.
   *
   * @return receives bytes written or read by a suspend or resume
   */
  @Value.Default
  public ProgressListener progress() {
    return ProgressListener.NONE;
  }

  /**
   * How long a stop (or the power-off before a rescue) waits for a clean shutdown before it destroys
   * the guest; zero destroys at once. Default {@link #DEFAULT_SHUTDOWN_TIMEOUT}.
   *
   * @return how long a stop (or the power-off before a rescue) waits for a clean shutdown before it destroys
   *     the guest
   */
  @Value.Default
  public Duration shutdownTimeout() {
    return DEFAULT_SHUTDOWN_TIMEOUT;
  }

  /**
   * How often a guest that has not shut down is asked again during {@link #shutdownTimeout()}.
   * Default {@link #DEFAULT_SHUTDOWN_RETRY_INTERVAL}.
   *
   * @return how often a guest that has not shut down is asked again during {@link #shutdownTimeout()}
   */
  @Value.Default
  public Duration shutdownRetryInterval() {
    return DEFAULT_SHUTDOWN_RETRY_INTERVAL;
  }

  /**
   * How long a {@link HypervisorDriver#softReboot} waits for the guest to shut down (or reboot itself)
   * before it falls back to a hard reboot. Default {@link #DEFAULT_SOFT_REBOOT_TIMEOUT}.
   *
   * @return the soft-reboot timeout
   */
  @Value.Default
  public Duration softRebootTimeout() {
    return DEFAULT_SOFT_REBOOT_TIMEOUT;
  }

  /**
   * The persistent definition a {@link HypervisorDriver#hardReboot} defines again before it starts the
   * guest (the one stored when the pre-empted operation was accepted). Empty: the definition the
   * hypervisor holds. It may hold secrets, so {@link #toString()} leaves it out.
   *
   * @return the definition to restore, or empty
   */
  @Value.Redacted
  public abstract Optional<String> definition();

  /**
   * The instant by which the call must have returned: a driver that is still waiting then (for a state
   * change, a job) gives up with a {@code TIMEOUT} {@link io.github.vmlifecycle.HypervisorException}.
   * Empty: the driver's own limits apply.
   *
   * @return the instant by which the call must have returned
   */
  public abstract Optional<Instant> deadline();

  /**
   * Observes the driver's step boundaries. Default {@link StepObserver#NONE}.
   *
   * @return observes the driver's step boundaries
   */
  @Value.Default
  public StepObserver steps() {
    return StepObserver.NONE;
  }

  @Value.Check
  void check() {
    if (shutdownTimeout().isNegative()) {
      throw new InvalidInputException("The shutdown timeout must not be negative: " + shutdownTimeout());
    }
    if (softRebootTimeout().isNegative()) {
      throw new InvalidInputException("The soft reboot timeout must not be negative: " + softRebootTimeout());
    }
    if (shutdownRetryInterval().isNegative() || shutdownRetryInterval().isZero()) {
      throw new InvalidInputException("The shutdown retry interval must be positive: " + shutdownRetryInterval());
    }
  }

  /** Builds {@link DriverCall}s. Not thread-safe. */
  public static final class Builder extends ImmutableDriverCall.Builder {
    Builder() {}
  }
}
