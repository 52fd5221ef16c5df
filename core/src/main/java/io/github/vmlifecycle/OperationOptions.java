package io.github.vmlifecycle;

import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.VmlStyle;
import io.github.vmlifecycle.spi.ProgressListener;
import java.time.Duration;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * Options for one operation: the shutdown timeout and retry interval of a stop, a rescue's power-off or
 * a soft reboot, the soft reboot's timeout, the rescue request, a progress listener for suspend and
 * resume.
 *
 * <p>Instances are immutable and thread-safe.
 */
@Value.Immutable
@VmlStyle
public abstract class OperationOptions {

  private static final OperationOptions DEFAULTS = builder().build();

  OperationOptions() {}

  /**
   * Returns a new builder.
   *
   * @return a builder; every attribute is optional
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns options with every default.
   *
   * @return the shared default options
   */
  public static OperationOptions defaults() {
    return DEFAULTS;
  }

  /**
   * How long a stop (or the power-off of a rescue) waits for a clean shutdown; empty: the engine's default.
   *
   * @return how long a stop (or the power-off of a rescue) waits for a clean shutdown; empty
   */
  public abstract Optional<Duration> shutdownTimeout();

  /**
   * How often a guest that has not shut down is asked again during a stop, a rescue's power-off or a
   * soft reboot; empty: the engine's default.
   *
   * @return the retry interval, or empty
   */
  public abstract Optional<Duration> shutdownRetryInterval();

  /**
   * How long a soft reboot waits for the guest to react before a hard reboot; empty: the engine's default.
   *
   * @return the soft-reboot timeout, or empty
   */
  public abstract Optional<Duration> softRebootTimeout();

  /**
   * What a rescue boots; empty: {@link RescueRequest#defaults()}.
   *
   * @return what a rescue boots; empty: {@link RescueRequest#defaults()}
   */
  public abstract Optional<RescueRequest> rescueRequest();

  /**
   * Receives progress of a suspend or resume.
   *
   * @return receives progress of a suspend or resume
   */
  @Value.Default
  public ProgressListener progress() {
    return ProgressListener.NONE;
  }

  @Value.Check
  void check() {
    if (shutdownTimeout().isPresent() && shutdownTimeout().get().isNegative()) {
      throw new InvalidInputException("The shutdown timeout must not be negative: " + shutdownTimeout().get());
    }
    if (shutdownRetryInterval().isPresent()
        && (shutdownRetryInterval().get().isNegative() || shutdownRetryInterval().get().isZero())) {
      throw new InvalidInputException("The shutdown retry interval must be positive: " + shutdownRetryInterval().get());
    }
    if (softRebootTimeout().isPresent() && softRebootTimeout().get().isNegative()) {
      throw new InvalidInputException("The soft reboot timeout must not be negative: " + softRebootTimeout().get());
    }
  }

  /** Builds {@link OperationOptions}. */
  public static final class Builder extends ImmutableOperationOptions.Builder {
    Builder() {}
  }
}
