package io.github.vmlifecycle.rescue;

import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.spi.VmlStyle;
import java.util.List;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * What {@link RescueDomainXml#rescue} puts into a rescue domain definition: the rescue disk (a path on
 * the hypervisor host and its format), an optional rescue kernel and ramdisk, and the device mode.
 *
 * <p>Every path must be absolute and free of control characters. A path under {@code /dev/} is
 * attached as a block device, any other as a file. Instances are immutable and thread-safe.
 */
@Value.Immutable
@VmlStyle
public abstract class RescueXmlSpec {

  /** The rescue disk formats that can be attached. */
  static final List<String> FORMATS = List.of("qcow2", "raw");

  RescueXmlSpec() {}

  /**
   * Returns a new builder.
   *
   * @return a builder; {@link Builder#rescueDiskPath(String)} is required
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the spec for a rescue request, once the driver has staged the rescue disk (and kernel).
   *
   * @param request the user's request: mode, device and bus are taken from it
   * @param diskPath the staged rescue disk on the host
   * @param format the staged disk's format, {@code qcow2} or {@code raw}
   * @param kernel the staged rescue kernel, or empty
   * @param ramdisk the staged rescue ramdisk, or empty; given if and only if {@code kernel} is
   * @return the spec
   * @throws InvalidInputException if a path is not absolute or has control characters, the format
   *     is unknown, or only one of kernel and ramdisk is given
   */
  public static RescueXmlSpec of(
      RescueRequest request,
      String diskPath,
      String format,
      Optional<String> kernel,
      Optional<String> ramdisk) {
    return builder()
        .rescueDiskPath(diskPath)
        .rescueDiskFormat(format)
        .kernelPath(kernel)
        .ramdiskPath(ramdisk)
        .stableMode(request.stableMode())
        .device(request.device())
        .bus(request.bus())
        .build();
  }

  /**
   * The rescue disk: an absolute path on the hypervisor host, a file or a {@code /dev/} device.
   *
   * @return the rescue disk: an absolute path on the hypervisor host, a file or a {@code /dev/} device
   */
  public abstract String rescueDiskPath();

  /**
   * The rescue disk's format, {@code qcow2} (the default) or {@code raw}.
   *
   * @return the rescue disk's format, {@code qcow2} (the default) or {@code raw}
   */
  @Value.Default
  public String rescueDiskFormat() {
    return "qcow2";
  }

  /**
   * A rescue kernel to boot directly; given if and only if {@link #ramdiskPath()} is.
   *
   * @return a rescue kernel to boot directly; given if and only if {@link #ramdiskPath()} is
   */
  public abstract Optional<String> kernelPath();

  /**
   * A rescue initial ramdisk; given if and only if {@link #kernelPath()} is.
   *
   * @return a rescue initial ramdisk; given if and only if {@link #kernelPath()} is
   */
  public abstract Optional<String> ramdiskPath();

  /**
   * Whether stable device mode applies: every original device keeps its place and the rescue device
   * is appended. Defaults to true when a device or bus is given, else false (legacy mode).
   *
   * @return whether stable device mode applies
   */
  @Value.Default
  public boolean stableMode() {
    return device().isPresent() || bus().isPresent();
  }

  /**
   * The kind of rescue device in stable mode; empty means {@link RescueDevice#DISK}.
   *
   * @return the kind of rescue device in stable mode; empty means {@link RescueDevice#DISK}
   */
  public abstract Optional<RescueDevice> device();

  /**
   * The bus of the rescue device in stable mode; empty means the root disk's bus when it fits.
   *
   * @return the bus of the rescue device in stable mode; empty means the root disk's bus when it fits
   */
  public abstract Optional<RescueBus> bus();

  @Value.Check
  void check() {
    checkPath("rescue disk", rescueDiskPath());
    kernelPath().ifPresent(p -> checkPath("rescue kernel", p));
    ramdiskPath().ifPresent(p -> checkPath("rescue ramdisk", p));
    if (!FORMATS.contains(rescueDiskFormat())) {
      throw new InvalidInputException(
          "Unknown rescue disk format '" + rescueDiskFormat() + "'; expected qcow2 or raw");
    }
    if (kernelPath().isPresent() != ramdiskPath().isPresent()) {
      throw new InvalidInputException(
          "A rescue kernel and a rescue ramdisk must be given together (got "
              + (kernelPath().isPresent() ? "a kernel without a ramdisk" : "a ramdisk without a kernel")
              + ")");
    }
    if (!stableMode() && (device().isPresent() || bus().isPresent())) {
      throw new InvalidInputException(
          "A rescue device or bus can only be given in stable device mode");
    }
  }

  private static void checkPath(String what, String path) {
    if (path.isEmpty() || path.charAt(0) != '/') {
      throw new InvalidInputException("The " + what + " path must be absolute: '" + path + "'");
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
        throw new InvalidInputException(
            "The " + what + " path must not contain control characters: '" + path.replace('\0', '?') + "'");
      }
    }
  }

  /** Builds {@link RescueXmlSpec}s. */
  public static final class Builder extends ImmutableRescueXmlSpec.Builder {
    Builder() {}
  }
}
