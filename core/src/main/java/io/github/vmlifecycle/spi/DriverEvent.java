package io.github.vmlifecycle.spi;

import java.time.Instant;
import org.immutables.value.Value;

/**
 * A lifecycle event raised by the hypervisor itself, such as a guest that shut down or crashed on its
 * own (libvirt's domain lifecycle events).
 *
 * <p>Instances are immutable and thread-safe.
 */
@Value.Immutable
@VmlStyle
public abstract class DriverEvent {

  DriverEvent() {}

  /**
   * Returns a new builder.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** What happened, after libvirt's {@code virDomainEventType}. */
  public enum Type {
    /** The definition was created or changed. */
    DEFINED,
    /** The definition was removed. */
    UNDEFINED,
    /** The guest started (or was restored). */
    STARTED,
    /** The guest's vCPUs were paused. */
    SUSPENDED,
    /** The guest's vCPUs were resumed. */
    RESUMED,
    /** The guest stopped: shut down, destroyed, saved, or crashed without a crash action. */
    STOPPED,
    /** The guest began to shut down. */
    SHUTDOWN,
    /** The guest suspended itself to RAM. */
    PMSUSPENDED,
    /** The guest crashed. */
    CRASHED
  }

  /**
   * The instance id (UUID, lower case).
   *
   * @return the instance id (UUID, lower case)
   */
  public abstract String instanceId();

  /**
   * What happened.
   *
   * @return what happened
   */
  public abstract Type type();

  /**
   * When the driver saw it.
   *
   * @return when the driver saw it
   */
  public abstract Instant timestamp();

  /** Builds {@link DriverEvent}s. */
  public static final class Builder extends ImmutableDriverEvent.Builder {
    Builder() {}
  }
}
