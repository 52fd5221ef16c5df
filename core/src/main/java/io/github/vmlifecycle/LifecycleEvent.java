package io.github.vmlifecycle;

import io.github.vmlifecycle.spi.VmlStyle;
import java.time.Instant;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * A notification, with Nova's names: an operation started, ended or failed
 * ({@code instance.<notification>.start}, {@code .end}, {@code .error}, such as
 * {@code instance.power_off.end}), or a lock changed ({@code instance.lock.end}), or the power-state
 * sync saw something ({@code instance.power_sync.end}).
 *
 * <p>Instances are immutable and thread-safe.
 */
@Value.Immutable
@VmlStyle
public abstract class LifecycleEvent {

  LifecycleEvent() {}

  /**
   * Returns a new builder.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The phase of an event. */
  public enum Phase {
    /** Before the hypervisor call. */
    START,
    /** After the final state was saved. */
    END,
    /** After a failure; the final state was saved. */
    ERROR
  }

  /**
   * The event name, such as {@code instance.pause.start} or {@code instance.lock}.
   *
   * @return the event name, such as {@code instance.pause.start} or {@code instance.lock}
   */
  @Value.Derived
  public String name() {
    String name = "instance." + action().notificationName();
    return action().phased() ? name + "." + phase().name().toLowerCase(java.util.Locale.ROOT) : name;
  }

  /**
   * What the event is about.
   *
   * @return what the event is about
   */
  public abstract ActionKind action();

  /**
   * The phase.
   *
   * @return the phase
   */
  public abstract Phase phase();

  /**
   * The instance id.
   *
   * @return the instance id
   */
  public abstract String instanceId();

  /**
   * The instance name.
   *
   * @return the instance name
   */
  public abstract String instanceName();

  /**
   * The request id.
   *
   * @return the request id
   */
  public abstract String requestId();

  /**
   * When it happened, from the engine's clock.
   *
   * @return when it happened, from the engine's clock
   */
  public abstract Instant timestamp();

  /**
   * The vm_state when the event was emitted.
   *
   * @return the vm_state when the event was emitted
   */
  public abstract VmState vmState();

  /**
   * The task_state when the event was emitted.
   *
   * @return the task_state when the event was emitted
   */
  public abstract Optional<TaskState> taskState();

  /**
   * The power state when the event was emitted.
   *
   * @return the power state when the event was emitted
   */
  public abstract PowerState powerState();

  /**
   * The fault message, for {@link Phase#ERROR}, or a note.
   *
   * @return the fault message, for {@link Phase#ERROR}, or a note
   */
  public abstract Optional<String> message();

  /** Builds {@link LifecycleEvent}s. */
  public static final class Builder extends ImmutableLifecycleEvent.Builder {
    Builder() {}
  }
}
