package io.github.vmlifecycle;

import io.github.vmlifecycle.spi.VmlStyle;
import java.time.Instant;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * One entry of an instance's action log: an operation (or a lock, a reset, a recovery, a power-state
 * sync), who asked for it, when it started and finished, and how it ended.
 *
 * <p>Instances are immutable and thread-safe.
 */
@Value.Immutable
@VmlStyle
public abstract class ActionRecord {

  ActionRecord() {}

  /**
   * Returns a new builder.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** How an action ended. */
  public enum Result {
    /** It did what was asked. */
    SUCCEEDED,
    /**
     * It failed; {@link #message()} and {@link #faultKind()} say why, and the instance landed in the state
     * that is true.
     */
    FAILED
  }

  /**
   * The instance id.
   *
   * @return the instance id
   */
  public abstract String instanceId();

  /**
   * The request id, unique per request.
   *
   * @return the request id, unique per request
   */
  public abstract String requestId();

  /**
   * What the action was.
   *
   * @return what the action was
   */
  public abstract ActionKind action();

  /**
   * When the action started, from the engine's clock.
   *
   * @return when the action started, from the engine's clock
   */
  public abstract Instant startedAt();

  /**
   * When the action finished, from the engine's clock.
   *
   * @return when the action finished, from the engine's clock
   */
  public abstract Instant finishedAt();

  /**
   * How it ended.
   *
   * @return how it ended
   */
  public abstract Result result();

  /**
   * The vm_state before the action.
   *
   * @return the vm_state before the action
   */
  public abstract VmState vmStateBefore();

  /**
   * The vm_state after the action.
   *
   * @return the vm_state after the action
   */
  public abstract VmState vmStateAfter();

  /**
   * The fault message when the action failed, or a note when it succeeded with something to say.
   *
   * @return the fault message when the action failed, or a note when it succeeded with something to say
   */
  public abstract Optional<String> message();

  /**
   * The kind of fault when the action failed.
   *
   * @return the kind of fault when the action failed
   */
  public abstract Optional<VmLifecycleException.Kind> faultKind();

  @Value.Check
  void check() {
    if (finishedAt().isBefore(startedAt())) {
      throw new IllegalArgumentException("An action cannot finish before it starts");
    }
    if (result() == Result.FAILED && message().isEmpty()) {
      throw new IllegalArgumentException("A failed action needs a fault message");
    }
  }

  /** Builds {@link ActionRecord}s. */
  public static final class Builder extends ImmutableActionRecord.Builder {
    Builder() {}
  }
}
