package io.github.vmlifecycle.rescue;

import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.spi.VmlStyle;
import java.time.Duration;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * What a rescue should boot: the rescue image, an optional rescue kernel and ramdisk, whether to use
 * stable device mode (every original device keeps its place; the rescue device is appended), and an
 * optional rescue timeout after which {@link io.github.vmlifecycle.LifecycleEngine#unrescueExpired()}
 * unrescues the instance.
 *
 * <p>Instances are immutable and thread-safe.
 */
@Value.Immutable
@VmlStyle
public abstract class RescueRequest {

  RescueRequest() {}

  /**
   * Returns a new builder.
   *
   * @return a builder; every attribute is optional
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a request with every default: the root disk's backing image, legacy mode.
   *
   * @return the default request
   */
  public static RescueRequest defaults() {
    return builder().build();
  }

  /**
   * The rescue image (a disk image path on the hypervisor host). Empty means the driver's default, for
   * libvirt the root disk's backing image.
   *
   * @return the rescue image (a disk image path on the hypervisor host)
   */
  public abstract Optional<String> image();

  /**
   * A rescue kernel to boot directly; always given together with {@link #ramdisk()}.
   *
   * @return a rescue kernel to boot directly; always given together with {@link #ramdisk()}
   */
  public abstract Optional<String> kernel();

  /**
   * A rescue initial ramdisk; always given together with {@link #kernel()}.
   *
   * @return a rescue initial ramdisk; always given together with {@link #kernel()}
   */
  public abstract Optional<String> ramdisk();

  /**
   * Stable device mode requested explicitly (it is also implied by a device or bus).
   *
   * @return stable device mode requested explicitly (it is also implied by a device or bus)
   */
  @Value.Default
  public boolean stable() {
    return false;
  }

  /**
   * The device kind of the rescue disk in stable mode; empty means {@link RescueDevice#DISK}.
   *
   * @return the device kind of the rescue disk in stable mode; empty means {@link RescueDevice#DISK}
   */
  public abstract Optional<RescueDevice> device();

  /**
   * The bus of the rescue disk in stable mode; empty means the root disk's bus.
   *
   * @return the bus of the rescue disk in stable mode; empty means the root disk's bus
   */
  public abstract Optional<RescueBus> bus();

  /**
   * How long to wait for a clean shutdown before forcing the guest off; empty means the default.
   *
   * @return how long to wait for a clean shutdown before forcing the guest off; empty means the default
   */
  public abstract Optional<Duration> shutdownTimeout();

  /**
   * How long the instance may stay rescued before {@link
   * io.github.vmlifecycle.LifecycleEngine#unrescueExpired()} unrescues
   * it, counted from {@link io.github.vmlifecycle.Instance#rescuedAt()} (for a rescue that {@link
   * io.github.vmlifecycle.LifecycleEngine#recover()}
   * finished, from the recovery); Nova's {@code rescue_timeout}, here per request. Empty means it stays
   * rescued until unrescued by hand. See {@link io.github.vmlifecycle.Instance#rescueDeadline()}.
   *
   * @return how long the instance may stay rescued before {@link
   *     io.github.vmlifecycle.LifecycleEngine#unrescueExpired()} unrescues it, counted from {@link
   *     io.github.vmlifecycle.Instance#rescuedAt()} (for a rescue that {@link
   *     io.github.vmlifecycle.LifecycleEngine#recover()} finished, from the recovery)
   */
  public abstract Optional<Duration> timeout();

  /**
   * Returns whether stable device mode applies: requested, or implied by a device or bus.
   *
   * @return true for stable device mode
   */
  public final boolean stableMode() {
    return stable() || device().isPresent() || bus().isPresent();
  }

  @Value.Check
  void check() {
    if (kernel().isPresent() != ramdisk().isPresent()) {
      throw new InvalidInputException(
          "A rescue kernel and a rescue ramdisk must be given together (got "
              + (kernel().isPresent() ? "a kernel without a ramdisk" : "a ramdisk without a kernel") + ")");
    }
    if (shutdownTimeout().isPresent() && shutdownTimeout().get().isNegative()) {
      throw new InvalidInputException("The shutdown timeout must not be negative: " + shutdownTimeout().get());
    }
    if (timeout().isPresent() && (timeout().get().isZero() || timeout().get().isNegative())) {
      throw new InvalidInputException("The rescue timeout must be positive: " + timeout().get());
    }
    for (Optional<String> path : java.util.List.of(image(), kernel(), ramdisk())) {
      if (path.isPresent() && (path.get().isBlank() || path.get().indexOf('\0') >= 0)) {
        throw new InvalidInputException("A rescue path must be a non-empty path without NUL characters");
      }
    }
  }

  /** Builds {@link RescueRequest}s. */
  public static final class Builder extends ImmutableRescueRequest.Builder {
    Builder() {}
  }
}
