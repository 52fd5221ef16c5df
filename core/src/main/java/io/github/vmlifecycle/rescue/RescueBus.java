package io.github.vmlifecycle.rescue;

import io.github.vmlifecycle.InvalidInputException;
import java.util.Locale;

/** The bus a rescue device is attached to, in stable device mode ({@code hw_rescue_bus}). */
public enum RescueBus {
  /** virtio-blk; targets vdX. */
  VIRTIO,
  /** SCSI; targets sdX. */
  SCSI,
  /** SATA; targets sdX. */
  SATA,
  /** IDE; targets hdX. */
  IDE,
  /** USB mass storage; targets sdX. */
  USB,
  /** Floppy controller; targets fdX. */
  FDC;

  /**
   * Returns libvirt's spelling, the value of {@code <target bus=...>}.
   *
   * @return the lower-case name
   */
  public String xmlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Returns the bus with libvirt's spelling {@code name}, ignoring case.
   *
   * @param name such as {@code "sata"}
   * @return the bus
   * @throws InvalidInputException if no bus has that name
   */
  public static RescueBus fromXmlName(String name) {
    for (RescueBus b : values()) {
      if (b.name().equalsIgnoreCase(name)) {
        return b;
      }
    }
    throw new InvalidInputException(
        "Unknown rescue bus '" + name + "'; expected virtio, scsi, sata, ide, usb or fdc");
  }
}
