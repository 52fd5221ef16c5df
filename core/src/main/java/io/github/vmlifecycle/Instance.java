package io.github.vmlifecycle;

import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.VmlStyle;
import io.github.vmlifecycle.spi.OperationJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * The stored record of one instance: its states, lock, version for compare-and-set, and what is needed
 * to finish or undo the operation in flight (for a rescue, the original definition).
 *
 * <p>Instances are immutable and thread-safe; every change produces a new version.
 */
@Value.Immutable
@VmlStyle
public abstract class Instance {

  Instance() {}

  /**
   * Returns a new builder.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder initialised from {@code instance}, to derive a changed copy.
   *
   * @param instance the instance to copy
   * @return a builder holding every attribute of {@code instance}
   */
  public static Builder copyOf(Instance instance) {
    return builder().from(instance);
  }

  /**
   * The stable id, the hypervisor's UUID in lower case.
   *
   * @return the stable id, the hypervisor's UUID in lower case
   */
  public abstract String id();

  /**
   * The name, such as a libvirt domain name.
   *
   * @return the name, such as a libvirt domain name
   */
  public abstract String name();

  /**
   * The vm_state.
   *
   * @return the vm_state
   */
  public abstract VmState vmState();

  /**
   * The task_state; empty when no operation is in flight.
   *
   * @return the task_state; empty when no operation is in flight
   */
  public abstract Optional<TaskState> taskState();

  /**
   * The power state last reported by the hypervisor.
   *
   * @return the power state last reported by the hypervisor
   */
  public abstract PowerState powerState();

  /**
   * Whether the instance is locked against operations.
   *
   * @return whether the instance is locked against operations
   */
  @Value.Default
  public boolean locked() {
    return false;
  }

  /**
   * The version, incremented by every change; the store compares it in compare-and-set.
   *
   * @return the version, incremented by every change; the store compares it in compare-and-set
   */
  @Value.Default
  public long version() {
    return 0;
  }

  /**
   * The request id of the operation in flight, when there is one.
   *
   * @return the request id of the operation in flight, when there is one
   */
  public abstract Optional<String> requestId();

  /**
   * When the operation in flight was accepted.
   *
   * @return when the operation in flight was accepted
   */
  public abstract Optional<Instant> taskStartedAt();

  /**
   * The instance's original definition (for libvirt, its persistent domain XML) while it is rescued or
   * being rescued, kept so that unrescue can restore it exactly. It may hold secrets (a VNC password),
   * so {@link #toString()} leaves it out.
   *
   * @return the instance's original definition
   */
  @Value.Redacted
  public abstract Optional<String> originalDefinition();

  /**
   * The guest's persistent definition as it was when the operation in flight was accepted, kept while a
   * pause, unpause, suspend, resume or reboot runs: a hard reboot that pre-empts such a call defines this
   * again before it starts the guest, whatever the pre-empted call left. Empty when idle. It may hold
   * secrets, so {@link #toString()} leaves it out.
   *
   * @return the definition at acceptance, or empty
   */
  @Value.Redacted
  public abstract Optional<String> definitionAtAccept();

  /**
   * The rescue request while the instance is rescued or being rescued.
   *
   * @return the rescue request while the instance is rescued or being rescued
   */
  public abstract Optional<RescueRequest> rescueRequest();

  /**
   * When the instance entered rescue, while it is rescued.
   *
   * @return when the instance entered rescue, while it is rescued
   */
  public abstract Optional<Instant> rescuedAt();

  /**
   * The driver's write-ahead notes ({@link OperationJournal}): what a multi-step hypervisor operation
   * changed or is about to change, such as the devices a suspend detached or the files a rescue
   * created, kept until the driver removes them so that recovery can finish or undo the operation.
   *
   * @return the driver's write-ahead notes ({@link OperationJournal})
   */
  public abstract Map<String, String> journal();

  /**
   * Returns when the rescue timeout of this rescued instance runs out: {@link #rescuedAt()} plus the
   * {@link RescueRequest#timeout()} it was rescued with. From then on
   * {@link LifecycleEngine#unrescueExpired()} unrescues it. A deadline beyond {@link Instant#MAX} is
   * {@link Instant#MAX}.
   *
   * @return the deadline, or empty when the instance is not rescued or was rescued without a timeout
   */
  public final Optional<Instant> rescueDeadline() {
    if (vmState() != VmState.RESCUED || rescuedAt().isEmpty()) {
      return Optional.empty();
    }
    Optional<Duration> timeout = rescueRequest().flatMap(RescueRequest::timeout);
    if (timeout.isEmpty()) {
      return Optional.empty();
    }
    Instant from = rescuedAt().get();
    Duration room = Duration.between(from, Instant.MAX);
    return Optional.of(timeout.get().compareTo(room) >= 0 ? Instant.MAX : from.plus(timeout.get()));
  }

  /**
   * When the record last changed.
   *
   * @return when the record last changed
   */
  public abstract Optional<Instant> updatedAt();

  @Value.Check
  void check() {
    if (id().isEmpty() || name().isEmpty()) {
      throw new IllegalArgumentException("An instance needs a non-empty id and name");
    }
    if (vmState() == VmState.RESCUED && originalDefinition().isEmpty()) {
      throw new IllegalArgumentException("Instance " + name() + " is RESCUED without its original definition");
    }
    journal().keySet().forEach(OperationJournal::checkKey);
  }

  /** Builds {@link Instance}s. */
  public static final class Builder extends ImmutableInstance.Builder {
    Builder() {}
  }
}
